import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { router } from "../lib/router.svelte";
import { app } from "../lib/store.svelte";
import { fakeBackend, Refusal, resetBackend } from "../test/backend";
import { counts, group, homeOverview, summary, syncStatus } from "../test/fixtures";
import Home from "./Home.svelte";

describe("home", () => {
  beforeEach(() => (app.error = null));
  afterEach(resetBackend);

  it("lists the inspections on the laptop and says when it is ready", async () => {
    fakeBackend({
      home_overview: () =>
        homeOverview([
          summary({ id: "a", site_name: "甲建筑公司", status: "draft", findings: 2 }),
          summary({ id: "b", site_name: "乙建筑公司", status: "finalized", required_answered: 8 }),
        ]),
      upload_counts: () => counts(),
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

  it("sums up the day: today's inspections, drafts, the recently finalized and what waits for the bureau", async () => {
    fakeBackend({
      home_overview: () => {
        const today = summary({ id: "today", site_name: "甲建筑公司", status: "draft", started_at: "2026-12-02T00:10:00Z" });
        const old = summary({ id: "old", site_name: "乙建筑公司", status: "draft", started_at: "2026-11-02T00:10:00Z" });
        const done = summary({ id: "done", site_name: "丙建筑公司", status: "finalized", ended_at: "2026-11-30T02:00:00Z" });
        return homeOverview([today, old, done], { today: group([today]), drafts: group([today, old], 9), finalized: group([done]) });
      },
      upload_counts: () => counts({ uploading: 1, verified: 1, problems: 1 }),
    });
    app.sync = syncStatus({ state: "offline", pending: { sites: 1, inspections: 2, certificate_checks: 0, evidence: 0, audit_entries: 9 } });
    render(Home);
    const ids = (testid: string) => Array.from(screen.getByTestId(testid).querySelectorAll("button[data-id]")).map((b) => (b as HTMLElement).dataset.id);
    await screen.findByTestId("home-day");
    expect(ids("home-today")).toEqual(["today"]);
    expect(ids("home-drafts")).toEqual(["today", "old"]);
    // A group lists its first few and says how many more the device holds.
    expect(screen.getByTestId("home-drafts").dataset.count).toBe("9");
    expect(screen.getByTestId("home-drafts").textContent).toContain("7");
    expect(ids("home-finalized")).toEqual(["done"]);
    expect(screen.getByTestId("home-waiting-records").textContent).toBe("3");
    await waitFor(() => expect(screen.getByTestId("home-waiting-files").textContent).toBe("2"));
    expect(screen.getByTestId("home-file-problems").textContent).toBe("1");
    // Each inspection is listed once in the latest list, whatever groups it is in above.
    expect(screen.getAllByTestId("inspection-row").map((r) => r.dataset.id)).toEqual(["today", "old", "done"]);
    await fireEvent.click(screen.getByTestId("home-finalized").querySelector("button[data-id=done]")!);
    expect(router.route).toEqual({ name: "detail", id: "done" });
  });

  it("lists only the latest inspections, and leads to Records for the rest", async () => {
    const latest = Array.from({ length: 30 }, (_, n) => summary({ id: `i${n}` }));
    fakeBackend({ home_overview: () => homeOverview(latest, { total: 42 }), upload_counts: () => counts() });
    render(Home);
    const rows = await screen.findAllByTestId("inspection-row");
    expect(rows.map((r) => r.dataset.id)).toEqual(latest.map((s) => s.id));
    expect(screen.getByTestId("inspection-more").dataset.total).toBe("42");
    await fireEvent.click(screen.getByTestId("inspection-more-open"));
    expect(router.route).toEqual({ name: "records" });
  });

  it("says nothing of more when every inspection is listed", async () => {
    fakeBackend({ home_overview: () => homeOverview([summary({ id: "a" })]), upload_counts: () => counts() });
    render(Home);
    await screen.findAllByTestId("inspection-row");
    expect(screen.queryByTestId("inspection-more")).toBeNull();
  });

  it("opens an inspection from its row, by click or by Enter", async () => {
    fakeBackend({ home_overview: () => homeOverview([summary({ id: "a" }), summary({ id: "b" })]), upload_counts: () => counts() });
    render(Home);
    const rows = await screen.findAllByTestId("inspection-row");
    await fireEvent.click(rows[1]!);
    expect(router.route).toEqual({ name: "detail", id: "b" });
    await fireEvent.keyDown(rows[0]!, { key: "Enter" });
    expect(router.route).toEqual({ name: "detail", id: "a" });
  });

  it("says there are no inspections only when the laptop has none", async () => {
    fakeBackend({ home_overview: () => homeOverview([]), upload_counts: () => counts() });
    render(Home);
    expect(await screen.findByTestId("inspection-empty")).toBeTruthy();
  });

  it("shows the reason, not an empty list, when the inspections cannot be read", async () => {
    fakeBackend({
      home_overview: () => new Refusal({ code: "damaged", message: "store.db is damaged" }),
      upload_counts: () => counts(),
    });
    let ready = 0;
    render(Home, { onloaded: () => ready++ });
    await waitFor(() => expect(ready).toBe(1));
    expect(app.error?.code).toBe("damaged");
    // The container is drawn (so "loaded" can be told from "not drawn yet") but says nothing untrue.
    expect(screen.getByTestId("inspection-list").textContent?.trim()).toBe("");
  });

  it("drops a load that fails after the officer has left, rather than showing its error on another screen", async () => {
    let fail: (err: unknown) => void = () => {};
    const backend = fakeBackend({
      home_overview: () => new Promise((_, reject) => (fail = reject)),
      upload_counts: () => counts(),
    });
    const view = render(Home);
    await waitFor(() => expect(backend.callsTo("home_overview")).toHaveLength(1));
    view.unmount();
    fail({ code: "damaged", message: "store.db is damaged" });
    await new Promise((r) => setTimeout(r, 20));
    expect(app.error).toBeNull();
  });
});
