import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { router } from "../lib/router.svelte";
import { app } from "../lib/store.svelte";
import { fakeBackend, Refusal, resetBackend } from "../test/backend";
import { summary } from "../test/fixtures";
import Home from "./Home.svelte";

describe("home", () => {
  beforeEach(() => (app.error = null));
  afterEach(resetBackend);

  it("lists the inspections on the laptop and says when it is ready", async () => {
    fakeBackend({
      list_inspections: () => [
        summary({ id: "a", site_name: "甲建筑公司", status: "draft", findings: 2 }),
        summary({ id: "b", site_name: "乙建筑公司", status: "finalized", required_answered: 8 }),
      ],
    });
    let ready = 0;
    render(Home, { onloaded: () => ready++ });
    await waitFor(() => expect(ready).toBe(1));
    const rows = screen.getAllByTestId("inspection-row");
    expect(rows.map((r) => r.dataset.id)).toEqual(["a", "b"]);
    expect(rows.map((r) => r.dataset.status)).toEqual(["draft", "finalized"]);
    expect(rows[0]?.textContent).toContain("甲建筑公司");
    expect(rows[1]?.textContent).toContain("8/8");
    expect(screen.queryByTestId("inspection-empty")).toBeNull();
  });

  it("opens an inspection from its row, by click or by Enter", async () => {
    fakeBackend({ list_inspections: () => [summary({ id: "a" }), summary({ id: "b" })] });
    render(Home);
    const rows = await screen.findAllByTestId("inspection-row");
    await fireEvent.click(rows[1]!);
    expect(router.route).toEqual({ name: "detail", id: "b" });
    await fireEvent.keyDown(rows[0]!, { key: "Enter" });
    expect(router.route).toEqual({ name: "detail", id: "a" });
  });

  it("says there are no inspections only when the laptop has none", async () => {
    fakeBackend({ list_inspections: () => [] });
    render(Home);
    expect(await screen.findByTestId("inspection-empty")).toBeTruthy();
  });

  it("shows the reason, not an empty list, when the inspections cannot be read", async () => {
    fakeBackend({ list_inspections: () => new Refusal({ code: "damaged", message: "store.db is damaged" }) });
    let ready = 0;
    render(Home, { onloaded: () => ready++ });
    await waitFor(() => expect(ready).toBe(1));
    expect(app.error?.code).toBe("damaged");
    // The container is drawn (so "loaded" can be told from "not drawn yet") but says nothing untrue.
    expect(screen.getByTestId("inspection-list").textContent?.trim()).toBe("");
  });
});
