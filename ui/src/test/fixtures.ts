// Records as the device sends them, for component tests.
import type { CertificateCheck } from "../bindings/CertificateCheck";
import type { CheckReport } from "../bindings/CheckReport";
import type { HomeGroup } from "../bindings/HomeGroup";
import type { HomeOverview } from "../bindings/HomeOverview";
import type { InspectionDetail } from "../bindings/InspectionDetail";
import type { InspectionSummary } from "../bindings/InspectionSummary";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { UploadCounts } from "../bindings/UploadCounts";
import type { UploadItem } from "../bindings/UploadItem";
import type { SettingsView } from "../bindings/SettingsView";

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

/** Home's overview with `latest` as the device's newest-first list, and the groups asked for
 *  (each holding all it lists, unless a count says more). */
export function homeOverview(latest: InspectionSummary[], over: Partial<HomeOverview> = {}): HomeOverview {
  return { today: group([]), drafts: group([]), finalized: group([]), latest, total: latest.length, ...over };
}

export function group(first: InspectionSummary[], count = first.length): HomeGroup {
  return { first, count };
}

/** Upload counts as the device sends them: none anywhere unless said. */
export function counts(over: Partial<UploadCounts> = {}): UploadCounts {
  return { waiting: 0, uploading: 0, uploaded: 0, verified: 0, paused: 0, problems: 0, ...over };
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

type InspectionRecord = InspectionDetail["inspection"];

export function detail(
  over: {
    answers?: InspectionRecord["answers"];
    findings?: InspectionRecord["findings"];
    notes?: InspectionRecord["notes"];
    checks?: CertificateCheck[];
    status?: "draft" | "finalized";
  } = {},
): InspectionDetail {
  const status = over.status ?? "draft";
  return {
    summary: summary({ id: "insp-1", status }),
    inspection: {
      id: "insp-1",
      supersedes: null,
      site_id: "site-1",
      template_id: "tpl-1",
      template_version: 1,
      location: "项目部一楼",
      started_at: "2026-12-01T01:30:00Z",
      ended_at: null,
      answers: over.answers ?? {},
      findings: over.findings ?? [],
      ...(over.notes ? { notes: over.notes } : {}),
      outcome: null,
      officer_checks: [],
      created_by: { type: "officer", officer: "JC-0107", device: "dev-1" },
      status,
      seal: null,
    },
    site: {
      id: "site-1",
      name: "浙江恒筑建设集团有限公司",
      uscc: "91330100MA2KXXXX0X",
      address: null,
      project_name: "滨江项目",
      general_contractor: null,
      created_at: "2026-11-01T00:00:00Z",
    },
    template: {
      id: "tpl-1",
      version: 1,
      title_zh: "建设工程工资支付检查表",
      title_en: "Construction wage payment checklist",
      items: [
        { id: "wage_account", text_zh: "是否开设农民工工资专用账户", text_en: "Wage account opened", basis: "条例 第二十六条", required: true, kind: "yes_no", no_is_finding: true },
        { id: "workers", text_zh: "在场人数", text_en: "Workers on site", basis: "", required: false, kind: "number", no_is_finding: false },
        { id: "site_office", text_zh: "项目部是否张贴用工管理制度", text_en: "Labor policy posted in the site office", basis: "劳动合同法 第四条", required: false, kind: "yes_no", no_is_finding: false },
        { id: "remarks", text_zh: "其他情况", text_en: "Other remarks", basis: "", required: false, kind: "text", no_is_finding: false },
      ],
    },
    checks: over.checks ?? [],
    evidence: {
      files: [],
      recorder_checks: [],
      timeline: { window_start: "2026-12-01T01:30:00Z", window_end: "2026-12-01T03:30:00Z", recordings: [], gaps: [], gap_limit_minutes: 10 },
    },
  };
}

export function check(result: CheckReport["result"], number: string): CheckReport {
  return {
    result,
    certificate_number: number,
    officer_id: "JC-0107",
    officer_name: "王伟",
    method: "typed",
    registry: { version: 3, issued_at: "2026-11-30T00:00:00Z", age_seconds: 60, stale: false },
    time: { laptop: "2026-12-01T02:00:00Z", trusted: "2026-12-01T02:00:00Z", anchored: true, set_back: false, warning: null },
    recorded: null,
  };
}

export function settingsView(over: Partial<SettingsView> = {}): SettingsView {
  return {
    device_id: "0190f3a2-1b2c-7d4e-8f00-123456789abc",
    data_dir: "/home/officer/.local/share/fieldcase",
    vault_dir: "/home/officer/.local/share/fieldcase/vault",
    enrollment: {
      bureau_url: "https://bureau.example.cn",
      enrolled_at: "2026-12-01T01:00:00Z",
      insecure_http: false,
      own_authority: false,
    },
    language: null,
    session_hours: 12,
    session_hours_min: 1,
    session_hours_max: 12,
    session_hours_fixed: false,
    ...over,
  };
}
