// What the home screen sums up of the files still on their way. (Its groups of the day's
// inspections are worked out by the device: `home_overview`.) Free of the DOM so it is
// tested on its own.
import type { UploadCounts } from "../bindings/UploadCounts";
import type { UploadItem } from "../bindings/UploadItem";

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
