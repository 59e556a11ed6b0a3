import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RecordFilter } from "../bindings/RecordFilter";
import type { RecordRow } from "../bindings/RecordRow";
import { app } from "../lib/store.svelte";
import { fakeBackend, resetBackend } from "../test/backend";
import Records from "./Records.svelte";

function row(n: number, over: Partial<RecordRow> = {}): RecordRow {
  return {
    id: `insp-${n}`,
    site_id: n % 2 === 0 ? "site-a" : "site-b",
    site_name: n % 2 === 0 ? "甲建设有限公司" : "乙建设有限公司",
    project_name: null,
    status: n % 3 === 0 ? "finalized" : "draft",
    started_at: "2026-12-01T01:30:00Z",
    sync: n % 3 === 0 ? "waiting" : "draft",
    corrected: false,
    ...over,
  };
}

const ALL = Array.from({ length: 10_000 }, (_, n) => row(n));

/** The device's answer to a filter, as the device computes it (site and status only here). */
function answer(filter: RecordFilter): RecordRow[] {
  return ALL.filter((r) => (!filter.site || r.site_id === filter.site) && (!filter.status || r.status === filter.status));
}

/** Selects an option as a person does (the option becomes the selected one). */
function choose(select: HTMLSelectElement, value: string): void {
  for (const o of select.options) o.selected = o.value === value;
}

describe("records", () => {
  beforeEach(() => (app.error = null));
  afterEach(resetBackend);

  it("draws only the rows in view of ten thousand, and asks the device again when a filter changes", async () => {
    const backend = fakeBackend({
      list_sites: () => [
        { id: "site-a", name: "甲建设有限公司", uscc: "x", address: null, project_name: null, general_contractor: null, created_at: "" },
      ],
      list_records: ({ filter }) => answer(filter as RecordFilter),
    });
    render(Records);
    const count = await screen.findByTestId("records-count");
    expect(count.dataset.count).toBe("10000");
    const drawn = screen.getAllByTestId("record-row");
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.length).toBeLessThan(60);

    // Scrolling far down draws the rows there, still only a window's worth.
    const viewport = screen.getByTestId("records-viewport");
    viewport.scrollTop = 44 * 5000;
    await fireEvent.scroll(viewport);
    await waitFor(() => expect(screen.getAllByTestId("record-row")[0]?.dataset.id).not.toBe("insp-0"));
    const ids = screen.getAllByTestId("record-row").map((r) => r.dataset.id);
    expect(ids).toContain("insp-5000");
    expect(ids.length).toBeLessThan(60);

    const select = screen.getByTestId("filter-site") as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(2));
    choose(select, "site-a");
    await fireEvent.change(select);
    await waitFor(() => expect(screen.getByTestId("records-count").dataset.count).toBe("5000"));
    expect(backend.callsTo("list_records").at(-1)).toEqual({ filter: { site: "site-a" } });

    const status = screen.getByTestId("filter-status") as HTMLSelectElement;
    choose(status, "finalized");
    await fireEvent.change(status);
    await waitFor(() => expect(screen.getByTestId("records-count").dataset.count).toBe(String(answer({ site: "site-a", status: "finalized" }).length)));
    expect(backend.callsTo("list_records").at(-1)).toEqual({ filter: { site: "site-a", status: "finalized" } });
    for (const r of screen.getAllByTestId("record-row")) expect(r.dataset.status).toBe("finalized");

    await fireEvent.click(screen.getByTestId("filter-clear"));
    await waitFor(() => expect(screen.getByTestId("records-count").dataset.count).toBe("10000"));
  });

  it("says when nothing matches", async () => {
    fakeBackend({ list_sites: () => [], list_records: () => [] });
    render(Records);
    expect((await screen.findByTestId("records-empty")).textContent).toContain("没有符合条件");
  });
});
