// What the uploads screen says of each evidence file. Free of the DOM so the wording is
// tested on its own.
import type { UploadItem } from "./bindings/UploadItem";
import type { UploadState } from "./bindings/UploadState";
import type { Translate } from "./i18n";
import { formatRate, formatSeconds } from "./evidenceFormat";

export function uploadStateLabel(state: UploadState, t: Translate): string {
  switch (state) {
    case "imported":
      return t("uploads.state.imported");
    case "queued":
      return t("uploads.state.queued");
    case "uploading":
      return t("uploads.state.uploading");
    case "uploaded":
      return t("uploads.state.uploaded");
    case "verified":
      return t("uploads.state.verified");
    case "damaged":
      return t("uploads.state.damaged");
    case "mismatch":
      return t("uploads.state.mismatch");
  }
}

/** Whether the officer may still pause or resume the file (it has not reached the bureau). */
export function canPause(item: UploadItem): boolean {
  return item.state === "imported" || item.state === "queued" || item.state === "uploading";
}

/** The rate and time left while the file is being sent; nothing otherwise. */
export function uploadFigures(item: UploadItem, t: Translate): string {
  if (item.bytes_per_second == null) return "";
  return [
    t("evidence.rate", { rate: formatRate(item.bytes_per_second) }),
    t("evidence.left", { left: formatSeconds(item.seconds_left) }),
  ].join(" · ");
}
