// What the home screen sums up of the files still on their way. (The device counts them,
// `upload_counts`, and groups the day's inspections, `home_overview`.) Free of the DOM so
// it is tested on its own.
import type { UploadCounts } from "../bindings/UploadCounts";

/** Files the recorder must keep: everything the bureau has not verified yet. */
export function filesOnTheirWay(c: UploadCounts): number {
  return c.waiting + c.uploading + c.uploaded + c.paused + c.problems;
}
