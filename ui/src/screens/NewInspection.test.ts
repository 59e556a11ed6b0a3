import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Site } from "../bindings/Site";
import type { UsccCheck } from "../bindings/UsccCheck";
import { app } from "../lib/store.svelte";
import { fakeBackend, resetBackend } from "../test/backend";
import NewInspection from "./NewInspection.svelte";

const site = (id: string, name: string, uscc: string): Site => ({
  id,
  name,
  uscc,
  address: null,
  project_name: null,
  general_contractor: null,
  created_at: "2026-01-01T00:00:00Z",
});

/** The device's check, reduced to what the test needs: the length rule and one valid code. */
function deviceCheck(text: string): UsccCheck {
  const code = text.replace(/\s/g, "").normalize("NFKC").toUpperCase();
  if (code === "91350100M000100Y43") return { code, problem: null, message: null };
  if (code.length !== 18) return { code: null, problem: { problem: "length", found: code.length }, message: "length" };
  return { code: null, problem: { problem: "check_character", expected: "3", found: code.at(-1)! }, message: "check" };
}

describe("begin an inspection", () => {
  beforeEach(() => (app.error = null));
  afterEach(resetBackend);

  it("finds a site as the officer types", async () => {
    fakeBackend({
      list_sites: () => [site("a", "浙江恒筑建设集团有限公司", "91330100MA2B3C4D5E"), site("b", "杭州城建工程有限公司", "91330106MA27XL0Q1N")],
      list_templates: () => [],
    });
    render(NewInspection);
    const search = await screen.findByTestId("site-search");
    await fireEvent.input(search, { target: { value: "城建" } });
    const select = screen.getByTestId("site-select") as HTMLSelectElement;
    await waitFor(() => expect([...select.options].map((o) => o.value)).toEqual(["b"]));
    expect(select.value).toBe("b");
    await fireEvent.input(search, { target: { value: "nothing like it" } });
    await waitFor(() => expect(screen.getByTestId("site-matches").dataset.count).toBe("0"));
    expect((screen.getByTestId("create-submit") as HTMLButtonElement).disabled).toBe(true);
  });

  it("adds a site with the code checked by the device as typed, a bad one refused with its reason", async () => {
    const backend = fakeBackend({
      list_sites: () => [],
      list_templates: () => [],
      check_uscc: ({ text }) => deviceCheck(text as string),
      add_site: ({ site: s }) => site("new", (s as Site).name, "91350100M000100Y43"),
    });
    render(NewInspection);
    await fireEvent.click(await screen.findByTestId("add-site-open"));
    await fireEvent.input(screen.getByTestId("add-site-name"), { target: { value: "福州新建有限公司" } });
    const code = screen.getByTestId("add-site-uscc");
    await fireEvent.input(code, { target: { value: "9135" } });
    await waitFor(() => expect(screen.getByTestId("uscc-status").dataset.valid).toBe("false"));
    expect(screen.getByTestId("uscc-status").textContent).toContain("18 位，当前为 4 位");
    expect((screen.getByTestId("add-site-submit") as HTMLButtonElement).disabled).toBe(true);

    // Full-width, as a Chinese input method types it: the device reads it.
    await fireEvent.input(code, { target: { value: "９１３５０１００Ｍ０００１００Ｙ４３" } });
    await waitFor(() => expect(screen.getByTestId("uscc-status").dataset.valid).toBe("true"));
    expect(backend.callsTo("check_uscc").at(-1)).toEqual({ text: "９１３５０１００Ｍ０００１００Ｙ４３" });
    await fireEvent.click(screen.getByTestId("add-site-submit"));
    await screen.findByTestId("site-added");
    expect((screen.getByTestId("site-select") as HTMLSelectElement).value).toBe("new");
    expect(backend.callsTo("add_site")[0]).toMatchObject({ site: { name: "福州新建有限公司", uscc: "９１３５０１００Ｍ０００１００Ｙ４３" } });
  });
});
