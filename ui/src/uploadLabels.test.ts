import { describe, expect, it } from "vitest";
import type { UploadItem } from "./bindings/UploadItem";
import { canPause, uploadFigures, uploadStateLabel } from "./uploadLabels";
import { CATALOGS, translate, type Translate } from "./i18n";

const zh: Translate = (key, params) => translate(CATALOGS, "zh-CN", key, params);
const en: Translate = (key, params) => translate(CATALOGS, "en", key, params);

function item(over: Partial<UploadItem>): UploadItem {
  return {
    evidence_id: "0190f3a2-1b2c-7d4e-8f00-123456789abc",
    inspection_id: "0190f3a2-1b2c-7d4e-8f00-123456789abd",
    name: "ZFY_A0123.MP4",
    size: 1000,
    state: "queued",
    paused: false,
    sent_bytes: 0,
    percent: 0,
    bytes_per_second: null,
    seconds_left: null,
    problem: null,
    safe_to_delete: false,
    verified_at: null,
    ...over,
  };
}

describe("upload labels", () => {
  it("name every state in both languages", () => {
    for (const state of ["imported", "queued", "uploading", "uploaded", "verified", "damaged", "mismatch"] as const) {
      expect(uploadStateLabel(state, zh)).not.toMatch(/^uploads\./);
      expect(uploadStateLabel(state, en)).not.toMatch(/^uploads\./);
    }
    expect(uploadStateLabel("verified", zh)).toContain("核验");
  });

  it("offer pause only before the file is at the bureau", () => {
    expect(canPause(item({ state: "uploading" }))).toBe(true);
    expect(canPause(item({ state: "verified" }))).toBe(false);
    expect(canPause(item({ state: "damaged" }))).toBe(false);
  });

  it("show the rate and time left only while the file is being sent", () => {
    expect(uploadFigures(item({}), en)).toBe("");
    const sending = uploadFigures(item({ state: "uploading", bytes_per_second: 2 * 1024 * 1024, seconds_left: 61 }), en);
    expect(sending).toContain("2.0 MB/s");
    expect(sending).toContain("1:01");
  });
});
