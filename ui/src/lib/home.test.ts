import { describe, expect, it } from "vitest";
import { summary, upload } from "../test/fixtures";
import { beijingDay, dayOverview, filesOnTheirWay, uploadCounts } from "./home";

// 2026-12-02 09:00 in Beijing.
const NOW = Date.parse("2026-12-02T01:00:00Z");

describe("the officer's day", () => {
  it("counts days in Beijing: 23:30 UTC is already the next morning there", () => {
    expect(beijingDay(Date.parse("2026-12-01T16:30:00Z"))).toBe(beijingDay(NOW));
    expect(beijingDay(Date.parse("2026-12-01T15:30:00Z"))).toBe(beijingDay(NOW) - 1);
  });

  it("groups today's inspections, open drafts and the recently finalized, newest first", () => {
    const items = [
      summary({ id: "today-draft", status: "draft", started_at: "2026-12-01T23:10:00Z" }),
      summary({ id: "old-draft", status: "draft", started_at: "2026-11-20T02:00:00Z" }),
      summary({ id: "today-final", status: "finalized", started_at: "2026-12-01T22:00:00Z", ended_at: "2026-12-02T00:30:00Z" }),
      summary({ id: "week-final", status: "finalized", started_at: "2026-11-27T02:00:00Z", ended_at: "2026-11-27T03:00:00Z" }),
      summary({ id: "month-final", status: "finalized", started_at: "2026-11-01T02:00:00Z", ended_at: "2026-11-01T03:00:00Z" }),
      summary({
        id: "corrected",
        status: "finalized",
        superseded_by: "today-final",
        started_at: "2026-11-30T02:00:00Z",
        ended_at: "2026-11-30T03:00:00Z",
      }),
    ];
    const day = dayOverview(items, NOW);
    expect(day.today.map((s) => s.id)).toEqual(["today-final", "today-draft"]);
    expect(day.drafts.map((s) => s.id)).toEqual(["today-draft", "old-draft"]);
    // A record replaced by its correction is not one to look back at.
    expect(day.finalized.map((s) => s.id)).toEqual(["today-final", "week-final"]);
  });

  it("counts files as the device does, a paused file as paused whatever its state", () => {
    const counts = uploadCounts([
      upload({ state: "imported" }),
      upload({ state: "queued" }),
      upload({ state: "uploading", paused: true }),
      upload({ state: "uploading" }),
      upload({ state: "uploaded" }),
      upload({ state: "verified", safe_to_delete: true }),
      upload({ state: "damaged" }),
      upload({ state: "mismatch" }),
    ]);
    expect(counts).toEqual({ waiting: 2, uploading: 1, uploaded: 1, verified: 1, paused: 1, problems: 2 });
    // Until the bureau has verified a file, the recorder must keep it.
    expect(filesOnTheirWay(counts)).toBe(7);
  });
});
