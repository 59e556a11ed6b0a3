import { describe, expect, it } from "vitest";
import type { SyncStatus } from "./bindings/SyncStatus";
import { CATALOGS, translate, type Locale, type Translate } from "./i18n";
import { pendingTotal, syncDetail, syncProblem, syncStateLabel } from "./syncLabels";

const status = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  state: "pending",
  bureau_url: "http://127.0.0.1:8787",
  last_success_at: null,
  last_attempt_at: null,
  last_error: null,
  last_error_code: null,
  pending: { sites: 1, inspections: 2, certificate_checks: 4, evidence: 0, audit_entries: 30 },
  needs_attention: 0,
  clock_offset_seconds: null,
  ...over,
});

describe("sync labels", () => {
  const tr = (locale: Locale): Translate => (key, params) => translate(CATALOGS, locale, key, params);
  const zh = tr("zh-CN");
  const en = tr("en");

  it("names every state in both languages", () => {
    for (const state of ["not_enrolled", "syncing", "synced", "pending", "offline", "error"] as const) {
      expect(syncStateLabel(state, zh)).not.toMatch(/^sync\./);
      expect(syncStateLabel(state, en)).not.toMatch(/^sync\./);
    }
    expect(syncStateLabel("synced", zh)).toBe("已同步");
  });

  it("counts records waiting apart from audit entries, which every change makes", () => {
    expect(pendingTotal(status())).toBe(37);
    expect(syncDetail(status(), en)).toContain("7 records waiting");
    expect(syncDetail(status({ pending: { sites: 0, inspections: 0, certificate_checks: 0, evidence: 0, audit_entries: 3 } }), en)).not.toContain("waiting");
  });

  it("shows the last sync in Beijing time, or that there was none", () => {
    expect(syncDetail(status(), en)).toContain("never synced");
    expect(syncDetail(status({ last_success_at: "2026-03-01T16:30:00+00:00" }), en)).toContain("2026-03-02 00:30");
  });

  it("says when records need attention", () => {
    expect(syncDetail(status({ needs_attention: 2 }), zh)).toContain("2");
  });

  it("puts the last problem in plain words, with what to do, and nothing when all is well", () => {
    expect(syncProblem(status({ state: "synced" }), en)).toBeNull();
    expect(syncProblem(status({ state: "pending" }), en)).toBeNull();
    expect(syncProblem(status({ state: "offline", last_error: "connect: ECONNREFUSED", last_error_code: "offline" }), zh)).toContain("联网后会自动同步");
    expect(syncProblem(status({ state: "error", last_error: "401", last_error_code: "device_revoked" }), en)).toContain("administrator");
    const other = syncProblem(status({ state: "error", last_error: "HTTP 500 from /api/v1/sync", last_error_code: "bureau_error" }), en);
    expect(other).toContain("tries again");
    expect(other).not.toContain("HTTP 500");
  });
});
