// What the home screen sums up of the officer's day: today's inspections, drafts, the
// recently finalized, and the files still on their way. Free of the DOM so it is tested
// on its own; days are Beijing days, whatever zone the laptop is set to.
import type { InspectionSummary } from "../bindings/InspectionSummary";
import type { UploadCounts } from "../bindings/UploadCounts";
import type { UploadItem } from "../bindings/UploadItem";
import { parseInstant } from "../format";

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back "recently finalized" reaches. */
export const RECENT_DAYS = 7;
/** How many inspections each group of the home screen lists before "and N more". */
export const GROUP_LIMIT = 5;
/** How many of the latest inspections the home screen's list shows; the Records screen,
 *  which draws only the rows in view, has them all. Drawing every one held up the first
 *  screen of a laptop with 1,000 inspections by some 650 ms (`make bench`, first_screen). */
export const LIST_LIMIT = 30;

/** The Beijing calendar day of an instant, as days since the epoch. */
export function beijingDay(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);
}

export interface DayOverview {
  /** Started today (Beijing), any status. */
  today: InspectionSummary[];
  /** Every draft still open, newest first: work to finish. */
  drafts: InspectionSummary[];
  /** Finalized (and not superseded) within the last RECENT_DAYS days, newest first. */
  finalized: InspectionSummary[];
}

export function dayOverview(items: readonly InspectionSummary[], nowMs: number): DayOverview {
  const today = beijingDay(nowMs);
  // Each instant is parsed once, not in the sort's comparator (some thousands of parses
  // for a laptop's thousand inspections, on the way to the first screen).
  const keyed = items.map((s) => {
    const started = parseInstant(s.started_at);
    const last = s.ended_at === null ? started : parseInstant(s.ended_at);
    return { s, startedDay: started === null ? null : beijingDay(started), last: last ?? 0, lastDay: last === null ? null : beijingDay(last) };
  });
  type Keyed = (typeof keyed)[number];
  const newestFirst = (list: Keyed[]) => list.sort((a, b) => b.last - a.last).map((k) => k.s);
  return {
    today: newestFirst(keyed.filter((k) => k.startedDay === today)),
    drafts: newestFirst(keyed.filter((k) => k.s.status === "draft")),
    finalized: newestFirst(
      keyed.filter(
        (k) => k.s.status === "finalized" && k.s.superseded_by === null && k.lastDay !== null && today - k.lastDay < RECENT_DAYS,
      ),
    ),
  };
}

/** How many files stand where; the same grouping as the device's `UploadCounts::of`. */
export function uploadCounts(items: readonly UploadItem[]): UploadCounts {
  const counts: UploadCounts = { waiting: 0, uploading: 0, uploaded: 0, verified: 0, paused: 0, problems: 0 };
  for (const item of items) {
    if (item.paused) counts.paused += 1;
    else if (item.state === "imported" || item.state === "queued") counts.waiting += 1;
    else if (item.state === "uploading") counts.uploading += 1;
    else if (item.state === "uploaded") counts.uploaded += 1;
    else if (item.state === "verified") counts.verified += 1;
    else counts.problems += 1;
  }
  return counts;
}

/** Files the recorder must keep: everything the bureau has not verified yet. */
export function filesOnTheirWay(c: UploadCounts): number {
  return c.waiting + c.uploading + c.uploaded + c.paused + c.problems;
}
