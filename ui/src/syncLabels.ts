// What the header says of sync. Free of the DOM so the wording is tested on its own.
import type { SyncStatus } from "./bindings/SyncStatus";
import type { SyncState } from "./bindings/SyncState";
import type { Translate } from "./i18n";
import { formatBeijing } from "./format";

export function syncStateLabel(state: SyncState, t: Translate): string {
  switch (state) {
    case "not_enrolled":
      return t("sync.state.not_enrolled");
    case "syncing":
      return t("sync.state.syncing");
    case "synced":
      return t("sync.state.synced");
    case "pending":
      return t("sync.state.pending");
    case "offline":
      return t("sync.state.offline");
    case "error":
      return t("sync.state.error");
  }
}

/** Everything still to send, of every kind. */
export function pendingTotal(s: SyncStatus): number {
  const p = s.pending;
  return p.sites + p.inspections + p.certificate_checks + p.evidence + p.audit_entries;
}

/** The line under the state: what waits, and when the bureau last had everything. */
export function syncDetail(s: SyncStatus, t: Translate): string {
  const parts: string[] = [];
  const records = s.pending.inspections + s.pending.sites + s.pending.certificate_checks + s.pending.evidence;
  if (records > 0) parts.push(t("sync.waiting", { count: records }));
  if (s.needs_attention > 0) parts.push(t("sync.attention", { count: s.needs_attention }));
  parts.push(
    s.last_success_at ? t("sync.last", { time: formatBeijing(s.last_success_at) }) : t("sync.never"),
  );
  return parts.join(" · ");
}

/** Codes that mean the bureau no longer accepts this laptop: only an administrator can help. */
const REFUSED_CODES: ReadonlySet<string> = new Set(["unauthorized", "device_revoked", "device_key_mismatch", "forbidden", "bureau_key"]);

/**
 * The last sync problem in plain words, with what to do; null when there is none. The
 * device's own message (for an engineer) goes in the tooltip, not here.
 */
export function syncProblem(s: SyncStatus, t: Translate): string | null {
  if (s.state === "offline") return t("sync.problem.offline");
  if (s.state !== "error" && s.last_error === null) return null;
  if (s.last_error_code === "offline") return t("sync.problem.offline");
  if (s.last_error_code !== null && REFUSED_CODES.has(s.last_error_code)) return t("sync.problem.refused");
  if (s.last_error === null && s.last_error_code === null) return null;
  return t("sync.problem.other");
}
