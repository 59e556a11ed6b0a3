// The only module that talks to the Rust side. Each command gets one typed function;
// the argument keys are camelCase because Tauri maps them to the commands' snake_case
// parameters. Every failure is turned into a CommandError, so callers handle one shape.
import { Channel, invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { open, save } from "@tauri-apps/plugin-dialog";
import type { UploadCounts } from "./bindings/UploadCounts";
import type { UploadItem } from "./bindings/UploadItem";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { SignedIn } from "./bindings/SignedIn";
import type { CheckReport } from "./bindings/CheckReport";
import type { Outcome } from "./bindings/Outcome";
import type { AppInfo } from "./bindings/AppInfo";
import type { ChecklistTemplate } from "./bindings/ChecklistTemplate";
import type { CommandError } from "./bindings/CommandError";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { InspectionDetail } from "./bindings/InspectionDetail";
import type { InspectionId } from "./bindings/InspectionId";
import type { HomeOverview } from "./bindings/HomeOverview";
import type { InspectionSummary } from "./bindings/InspectionSummary";
import type { Site } from "./bindings/Site";
import type { SiteId } from "./bindings/SiteId";
import type { TemplateId } from "./bindings/TemplateId";
import type { EvidenceId } from "./bindings/EvidenceId";
import type { Gap } from "./bindings/Gap";
import type { ImportProgress } from "./bindings/ImportProgress";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { InspectionEvidence } from "./bindings/InspectionEvidence";
import type { RecorderCheck } from "./bindings/RecorderCheck";
import type { NewSite } from "./bindings/NewSite";
import type { RecordFilter } from "./bindings/RecordFilter";
import type { RecordRow } from "./bindings/RecordRow";
import type { RuleViolation } from "./bindings/RuleViolation";
import type { UsccCheck } from "./bindings/UsccCheck";
import type { BureauUrlCheck } from "./bindings/BureauUrlCheck";
import type { Language } from "./bindings/Language";
import type { SettingsView } from "./bindings/SettingsView";
import type { VaultUsage } from "./bindings/VaultUsage";
import type { ExportedPdf } from "./bindings/ExportedPdf";
import type { InspectionHistory } from "./bindings/InspectionHistory";
import type { RecordSheet } from "./bindings/RecordSheet";

/** Codes made up on this side, for failures that did not come from a command. */
export const LOCAL_ERROR_CODES = ["ipc", "unexpected"] as const;
export type LocalErrorCode = (typeof LOCAL_ERROR_CODES)[number];

/** Every code a failure shown in the window can carry: the device's, or one of this side's. */
export type FailureCode = ErrorCode | LocalErrorCode;

/** A rejected command: a CommandError, or a failure of this side, and an Error so it carries a stack for the console. */
export class CommandFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
    this.name = "CommandFailure";
  }
}

export function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CommandError).code === "string" &&
    typeof (value as CommandError).message === "string"
  );
}

/** Whatever a command rejected with, as a CommandFailure. */
export function toCommandFailure(err: unknown): CommandFailure {
  if (err instanceof CommandFailure) return err;
  if (isCommandError(err)) return new CommandFailure(err.code, err.message);
  // Tauri itself rejects with a bare string (unknown command, bad arguments).
  if (typeof err === "string") return new CommandFailure("ipc", err);
  return new CommandFailure("unexpected", err instanceof Error ? err.message : String(err));
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toCommandFailure(err);
  }
}

export const appInfo = (): Promise<AppInfo> => call("app_info");
/** Tells the app its first screen is on view, for the start-up time it reports. */
export const firstScreenDrawn = (): Promise<void> => call("first_screen_drawn");

/** Home's overview of the day, worked out by the device. */
export const homeOverview = (): Promise<HomeOverview> => call("home_overview");

export const getInspection = (id: InspectionId): Promise<InspectionDetail> => call("get_inspection", { id });

export const listSites = (): Promise<Site[]> => call("list_sites");

export const listTemplates = (): Promise<ChecklistTemplate[]> => call("list_templates");

export interface NewInspection {
  siteId: SiteId;
  /** Null asks for the default template. */
  templateId: TemplateId | null;
  location: string | null;
}

export const createInspection = (args: NewInspection): Promise<InspectionSummary> =>
  call("create_inspection", { ...args });

/**
 * Records one answer and returns the whole inspection as it now stands.
 * `value` is the raw text: `yes`/`no`/`na` for yes/no items, else the number or text.
 */
export const answerItem = (id: InspectionId, itemId: string, value: string): Promise<InspectionDetail> =>
  call("answer_item", { id, itemId, value });

/** Writes the officer's note on a checklist item; an empty note removes it. */
export const setItemNote = (id: InspectionId, itemId: string, note: string): Promise<InspectionDetail> =>
  call("set_item_note", { id, itemId, note });

/**
 * Raises a finding from an item answered "no" (or rewords the one raised); the device adds
 * the item's legal basis.
 */
export const raiseFinding = (id: InspectionId, itemId: string, description: string): Promise<InspectionDetail> =>
  call("raise_finding", { id, itemId, description });

/** Withdraws the finding raised from an item whose answer stays "no". */
export const withdrawFinding = (id: InspectionId, itemId: string): Promise<InspectionDetail> =>
  call("withdraw_finding", { id, itemId });

/** The sync agent's status now; later changes arrive as `sync-status` events. */
export const syncStatus = (): Promise<SyncStatus> => call("sync_status");

/** Asks the agent to sync now rather than at its next interval. */
export const syncNow = (): Promise<void> => call("sync_now");

/** Calls `onChange` with every new sync status; returns how to stop listening. */
export function onSyncStatus(onChange: (status: SyncStatus) => void): Promise<() => void> {
  return listen<SyncStatus>("sync-status", (event) => onChange(event.payload));
}

/** The officer signed in on this device, or null. */
export const currentOfficer = (): Promise<SignedIn | null> => call("current_officer");

/** Signs an officer in; the PIN is checked on the device against the registry's verifier. */
export const signIn = (officerId: string, pin: string): Promise<SignedIn> => call("sign_in", { officerId, pin });

export const signOut = (): Promise<void> => call("sign_out");

/**
 * Checks a certificate from the text typed or scanned into the field. With an inspection,
 * the check is recorded on it.
 */
export const checkCertificate = (inspectionId: InspectionId | null, text: string, scanned: boolean): Promise<CheckReport> =>
  call("check_certificate", { inspectionId, text, scanned });

/** Checks a certificate from a photo or screenshot of its QR code. */
export const checkCertificateImage = (inspectionId: InspectionId | null, image: Uint8Array): Promise<CheckReport> =>
  call("check_certificate_image", { inspectionId, image: Array.from(image) });

/** Seals a draft: null outcome means "no violation" when nothing was found. */
export const finalizeInspection = (id: InspectionId, outcome: Outcome | null): Promise<InspectionDetail> =>
  call("finalize_inspection", { id, outcome });

/** How an officer asked for an evidence import. */
export interface ImportRequest {
  /** The folder: the recorder mounted as a drive, a card, any folder. */
  dir: string;
  recorderId: string | null;
  /** Record each file where it lies rather than copying it into the vault. */
  inPlace: boolean;
}

/**
 * Imports every media file under the folder into a draft. Progress arrives through
 * `onProgress` while the device reads; the promise settles with what was imported.
 */
export function importEvidence(
  id: InspectionId,
  request: ImportRequest,
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportSummary> {
  const channel = new Channel<ImportProgress>();
  channel.onmessage = onProgress;
  return call("import_evidence", { id, ...request, onProgress: channel });
}

/** Stops the import under way after the file being read; what was imported stays. */
export const cancelImport = (): Promise<void> => call("cancel_import");

/** An inspection's evidence files, recorder checks and timeline with its gaps. */
export const inspectionEvidence = (id: InspectionId): Promise<InspectionEvidence> => call("inspection_evidence", { id });

/** A photo's thumbnail, as JPEG bytes. */
export const evidenceThumbnail = (id: EvidenceId): Promise<ArrayBuffer> => call("evidence_thumbnail", { id });

/** Writes why nothing was recorded in one gap of a draft's timeline. */
export const setGapReason = (id: InspectionId, gapId: string, reason: string): Promise<Gap> =>
  call("set_gap_reason", { id, gapId, reason });

export interface RecorderCheckRequest {
  recorderId: string;
  /** The time the recorder shows, as an RFC 3339 instant. */
  shows: string;
  batteryPercent: number | null;
  storageFreeMb: number | null;
}

/** Records the check of a body-cam before the inspection. */
export const recordRecorderCheck = (id: InspectionId, check: RecorderCheckRequest): Promise<RecorderCheck> =>
  call("record_recorder_check", { id, ...check });

/** Every evidence file's upload, with the rate and time left of the one being sent. */
export const uploadStatus = (): Promise<UploadItem[]> => call("upload_status");
/** How many files stand where, counted by the device. */
export const uploadCounts = (): Promise<UploadCounts> => call("upload_counts");

/** Pauses one file's upload, or every file's (null); resolves to how many were paused. */
export const pauseUploads = (id: EvidenceId | null): Promise<number> => call("pause_uploads", { id });

/** Resumes one file's upload, or every file's (null), and asks for a sync now. */
export const resumeUploads = (id: EvidenceId | null): Promise<number> => call("resume_uploads", { id });

/** The system's folder picker, for the recorder's drive; null when the officer closed it. */
export async function chooseFolder(): Promise<string | null> {
  try {
    const chosen = await open({ directory: true, multiple: false });
    return typeof chosen === "string" ? chosen : null;
  } catch (err) {
    throw toCommandFailure(err);
  }
}

/** The inspections matching the records screen's filters, newest first (filtered on the device). */
export const listRecords = (filter: RecordFilter): Promise<RecordRow[]> => call("list_records", { filter });

/** What would refuse finalizing the draft now with this outcome; empty when it can be sealed. */
export const reviewInspection = (id: InspectionId, outcome: Outcome | null): Promise<RuleViolation[]> =>
  call("review_inspection", { id, outcome });

/** Checks a unified social credit code as typed, by the device's rules. */
export const checkUscc = (text: string): Promise<UsccCheck> => call("check_uscc", { text });

/** Records a new site as entered. */
export const addSite = (site: NewSite): Promise<Site> => call("add_site", { site });

/** The settings as they stand: enrollment, language, sign-in length, the vault's place. */
export const getSettings = (): Promise<SettingsView> => call("get_settings");

/** Checks a bureau address as typed, by this laptop's rules. */
export const checkBureauUrl = (text: string): Promise<BureauUrlCheck> => call("check_bureau_url", { text });

/** Moves the enrollment to another address of the same bureau (a signed-in officer only). */
export const setBureauUrl = (url: string): Promise<SettingsView> => call("set_bureau_url", { url });

/** Enrolls this laptop with a bureau, with a one-time code from its administrator. */
export const enrollDevice = (bureauUrl: string, code: string): Promise<SettingsView> =>
  call("enroll_device", { bureauUrl, code });

/** Sets how long a sign-in lasts, in hours (a signed-in officer only). */
export const setSessionHours = (hours: number): Promise<SettingsView> => call("set_session_hours", { hours });

/** Keeps the window's language on the device for the next start. */
export const setLanguage = (language: Language): Promise<void> => call("set_language", { language });

/** What the evidence vault holds, and the room left on its disk. */
export const vaultUsage = (): Promise<VaultUsage> => call("vault_usage");
/** Every audit entry about an inspection, and each of its evidence files' chain of custody. */
export const inspectionHistory = (id: InspectionId): Promise<InspectionHistory> => call("inspection_history", { id });

/** What the on-site inspection record of a finalized inspection shows; a draft is refused. */
export const recordSheet = (id: InspectionId): Promise<RecordSheet> => call("record_sheet", { id });

/**
 * Writes the record as a PDF (in `lang`) at `path`, or into the data directory's `exports/`
 * when `path` is null; resolves to where it went and its size.
 */
export const exportRecordPdf = (id: InspectionId, lang: string, path: string | null): Promise<ExportedPdf> =>
  call("export_record_pdf", { id, lang, path });

/** The system's save dialog for a PDF; null when the officer closed it. */
export async function choosePdfPath(defaultName: string): Promise<string | null> {
  try {
    const chosen = await save({ defaultPath: defaultName, filters: [{ name: "PDF", extensions: ["pdf"] }] });
    return typeof chosen === "string" ? chosen : null;
  } catch (err) {
    throw toCommandFailure(err);
  }
}
