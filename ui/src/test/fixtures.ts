// Records as the device sends them, for component tests.
import type { InspectionSummary } from "../bindings/InspectionSummary";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { UploadItem } from "../bindings/UploadItem";

export function summary(over: Partial<InspectionSummary> = {}): InspectionSummary {
  return {
    id: "insp-1",
    site_id: "site-1",
    site_name: "浙江恒筑建设集团有限公司",
    project_name: "滨江项目",
    status: "draft",
    supersedes: null,
    superseded_by: null,
    started_at: "2026-12-01T01:30:00Z",
    ended_at: null,
    required: 8,
    required_answered: 3,
    findings: 0,
    outcome: null,
    ...over,
  };
}

export function upload(over: Partial<UploadItem> = {}): UploadItem {
  return {
    evidence_id: "ev-1",
    inspection_id: "insp-1",
    name: "ZFY_A0123_0001.MP4",
    size: 24 << 20,
    state: "uploading",
    paused: false,
    sent_bytes: 12 << 20,
    percent: 50,
    bytes_per_second: 2_000_000,
    seconds_left: 6,
    problem: null,
    safe_to_delete: false,
    verified_at: null,
    ...over,
  };
}

export function syncStatus(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    state: "offline",
    bureau_url: "http://bureau.example:8443",
    last_success_at: null,
    last_attempt_at: null,
    last_error: null,
    last_error_code: null,
    pending: { sites: 0, inspections: 0, certificate_checks: 0, evidence: 0, audit_entries: 0 },
    needs_attention: 0,
    clock_offset_seconds: null,
    ...over,
  };
}
