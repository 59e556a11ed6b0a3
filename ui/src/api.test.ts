import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const api = await import("./api");

beforeEach(() => {
  invoke.mockReset();
});

describe("commands", () => {
  it("use the Rust command names and camelCase argument keys", async () => {
    invoke.mockResolvedValue({});
    await api.createInspection({ siteId: "s1", templateId: null, location: "3号楼" });
    await api.answerItem("i1", "wage_account", "no");
    await api.getInspection("i1");
    await api.homeOverview();
    expect(invoke.mock.calls).toEqual([
      ["create_inspection", { siteId: "s1", templateId: null, location: "3号楼" }],
      ["answer_item", { id: "i1", itemId: "wage_account", value: "no" }],
      ["get_inspection", { id: "i1" }],
      ["home_overview", undefined],
    ]);
  });

  it("reject with the command's code and message", async () => {
    invoke.mockRejectedValue({ code: "rule_violation", message: "已定稿" });
    const err = await api.answerItem("i1", "x", "yes").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(api.CommandFailure);
    expect(err).toMatchObject({ code: "rule_violation", message: "已定稿" });
  });

  it("turn Tauri's own string rejections into an ipc error", async () => {
    invoke.mockRejectedValue("command list_sites not found");
    await expect(api.listSites()).rejects.toMatchObject({ code: "ipc", message: "command list_sites not found" });
  });
});
