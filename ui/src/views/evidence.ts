// The evidence panel of an inspection: import a recorder folder (progress, cancel), the
// files with thumbnails and durations, then the timeline and the recorder check
// (./timeline.ts). The import runs on the Rust side; progress redraws only its own box,
// so what the officer types elsewhere is not lost while files are read.
import type { ImportRequest } from "../api";
import * as api from "../api";
import type { EvidenceItem } from "../bindings/EvidenceItem";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { InspectionEvidence } from "../bindings/InspectionEvidence";
import type { InspectionId } from "../bindings/InspectionId";
import type { MediaKind } from "../bindings/MediaKind";
import { h } from "../dom";
import { clipSeconds, formatBytes, formatRate, formatSeconds, percent } from "../evidenceFormat";
import { formatBeijing } from "../format";
import { t } from "../i18n";
import { recorderCheckForm, recorderChecks, timelineView, type TimelineHandlers } from "./timeline";

/** What the panel asks of the shell; each resolves once the screen shows the result. */
export interface EvidenceHandlers extends TimelineHandlers {
  importFolder(request: ImportRequest, onProgress: (p: ImportProgress) => void): Promise<ImportSummary | null>;
  cancelImport(): void;
  /** The system's folder picker: the folder chosen, or null when the officer closed it. */
  chooseFolder(): Promise<string | null>;
}

/** The import of one inspection as it stands: kept across redraws of the screen. */
interface ImportState {
  inspection: InspectionId;
  dir: string;
  recorderId: string;
  running: boolean;
  cancelling: boolean;
  progress: ImportProgress | null;
  summary: ImportSummary | null;
}

let state: ImportState | null = null;
// Object URLs of thumbnails already fetched, so a redraw does not fetch them again.
const thumbnails = new Map<string, Promise<string>>();

function stateFor(id: InspectionId): ImportState {
  if (state?.inspection !== id) {
    state = { inspection: id, dir: "", recorderId: "", running: false, cancelling: false, progress: null, summary: null };
  }
  return state;
}

export function evidencePanel(
  id: InspectionId,
  evidence: InspectionEvidence,
  editable: boolean,
  on: EvidenceHandlers,
): HTMLElement {
  const s = stateFor(id);
  return h(
    "section",
    { class: "panel evidence", "data-testid": "evidence-panel" },
    h("h3", {}, t("evidence.heading")),
    editable && importForm(s, on),
    progressBox(s, on),
    filesTable(evidence.files),
    timelineView(evidence.timeline, editable, on),
    recorderChecks(evidence.recorder_checks),
    editable && recorderCheckForm(on),
  );
}

function importForm(s: ImportState, on: EvidenceHandlers): HTMLElement {
  const dir = h("input", {
    type: "text",
    class: "evidence__dir",
    value: s.dir,
    placeholder: t("evidence.folderPlaceholder"),
    "data-testid": "evidence-folder",
    "aria-label": t("evidence.folder"),
  });
  const recorder = h("input", {
    type: "text",
    value: s.recorderId,
    placeholder: t("evidence.recorderPlaceholder"),
    "data-testid": "evidence-recorder",
    "aria-label": t("evidence.recorder"),
  });
  const inPlace = h("input", { type: "checkbox", "data-testid": "evidence-in-place" });
  dir.addEventListener("input", () => (s.dir = dir.value));
  recorder.addEventListener("input", () => (s.recorderId = recorder.value));
  const start = async () => {
    if (s.running || dir.value.trim() === "") return;
    Object.assign(s, { running: true, cancelling: false, progress: null, summary: null });
    redrawProgress(s, on);
    const request = { dir: dir.value.trim(), recorderId: recorder.value.trim() || null, inPlace: inPlace.checked };
    try {
      s.summary = await on.importFolder(request, (p) => {
        s.progress = p;
        redrawProgress(s, on);
      });
    } finally {
      s.running = false;
      redrawProgress(s, on);
    }
  };
  return h(
    "div",
    { class: "evidence__import" },
    h("label", { class: "field" }, h("span", {}, t("evidence.folder")), dir),
    h(
      "button",
      {
        type: "button",
        class: "btn",
        "data-testid": "evidence-choose",
        onclick: () =>
          void on.chooseFolder().then((chosen) => {
            if (chosen === null) return;
            dir.value = chosen;
            s.dir = chosen;
          }, on.report),
      },
      t("evidence.choose"),
    ),
    h("label", { class: "field field--short" }, h("span", {}, t("evidence.recorder")), recorder),
    h("label", { class: "check" }, inPlace, t("evidence.inPlace")),
    h(
      "button",
      { type: "button", class: "btn btn--primary", "data-testid": "evidence-import", onclick: () => void start() },
      t("evidence.import"),
    ),
  );
}

function redrawProgress(s: ImportState, on: EvidenceHandlers): void {
  const box = document.querySelector<HTMLElement>('[data-testid="evidence-progress"]');
  if (box) fillProgress(box, s, on);
}

function progressBox(s: ImportState, on: EvidenceHandlers): HTMLElement {
  const box = h("div", { class: "evidence__progress", "data-testid": "evidence-progress" });
  fillProgress(box, s, on);
  return box;
}

/**
 * Brings the progress box up to date in place. The box is refreshed several times a second
 * while files are read; the cancel button is kept as it is, so a click that lands between
 * two refreshes is not lost.
 */
function fillProgress(box: HTMLElement, s: ImportState, on: EvidenceHandlers): void {
  const p = s.progress;
  box.dataset.running = String(s.running);
  box.dataset.filesDone = String(p?.files_done ?? 0);
  box.dataset.filesTotal = String(p?.files_total ?? 0);
  if (!s.running && !p && !s.summary) {
    box.replaceChildren();
    return;
  }
  if (box.childElementCount === 0) {
    box.append(
      h("progress", { max: 100, value: 0, "data-testid": "evidence-progress-bar" }),
      h("div", { class: "evidence__figures", "data-testid": "evidence-progress-text" }),
      h("button", {
        type: "button",
        class: "btn",
        "data-testid": "evidence-cancel",
        onclick: () => {
          s.cancelling = true;
          on.cancelImport();
          redrawProgress(s, on);
        },
      }),
      h("div", { class: "evidence__outcome" }),
    );
  }
  const [bar, figures, cancel, outcome] = Array.from(box.children) as [
    HTMLProgressElement,
    HTMLElement,
    HTMLButtonElement,
    HTMLElement,
  ];
  bar.value = p ? percent(p.bytes_done, p.bytes_total) : 0;
  figures.replaceChildren(
    h("span", {}, t("evidence.files", { done: p?.files_done ?? 0, total: p?.files_total ?? 0 })),
    h("span", {}, t("evidence.bytes", { done: formatBytes(p?.bytes_done ?? 0), total: formatBytes(p?.bytes_total ?? 0) })),
    h("span", {}, t("evidence.rate", { rate: formatRate(p?.bytes_per_second ?? 0) })),
    h("span", {}, t("evidence.left", { left: s.running ? formatSeconds(p?.seconds_left) : formatSeconds(0) })),
    s.running && p?.current ? h("span", { class: "mono" }, p.current) : "",
  );
  cancel.hidden = !s.running;
  cancel.disabled = s.cancelling;
  cancel.textContent = t(s.cancelling ? "evidence.cancelling" : "evidence.cancel");
  outcome.replaceChildren(s.summary ? summaryView(s.summary) : "");
}

function summaryView(summary: ImportSummary): HTMLElement {
  return h(
    "div",
    { class: "evidence__summary", "data-testid": "evidence-summary", "data-imported": summary.imported.length },
    h(
      "p",
      {},
      t(summary.cancelled ? "evidence.summaryCancelled" : "evidence.summary", {
        imported: summary.imported.length,
        already: summary.already_there.length,
        skipped: summary.skipped.length,
      }),
    ),
    summary.skipped.length > 0 &&
      h(
        "details",
        {},
        h("summary", {}, t("evidence.skippedList")),
        h(
          "ul",
          { class: "evidence__skipped" },
          summary.skipped.map((f) => h("li", { "data-testid": "evidence-skipped" }, h("span", { class: "mono" }, f.path), ` — ${f.reason}`)),
        ),
      ),
  );
}

function filesTable(files: EvidenceItem[]): HTMLElement {
  if (files.length === 0) return h("p", { class: "empty", "data-testid": "evidence-empty" }, t("evidence.empty"));
  return h(
    "table",
    { class: "table evidence__files", "data-testid": "evidence-files" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, ""),
        h("th", {}, t("evidence.col.name")),
        h("th", {}, t("evidence.col.kind")),
        h("th", {}, t("evidence.col.captured")),
        h("th", {}, t("evidence.col.duration")),
        h("th", {}, t("evidence.col.size")),
      ),
    ),
    h("tbody", {}, files.map(fileRow)),
  );
}

function fileRow(f: EvidenceItem): HTMLElement {
  const seconds = f.kind === "photo" ? null : clipSeconds(f.capture_start, f.capture_end);
  return h(
    "tr",
    { "data-testid": "evidence-file", "data-id": f.id, "data-kind": f.kind },
    h("td", { class: "evidence__thumbcell" }, f.has_thumbnail ? thumbnail(f) : h("span", { class: `kind kind--${f.kind}` })),
    h("td", { class: "mono", title: f.original_path }, f.original_name),
    h("td", {}, kindLabel(f.kind)),
    h("td", { class: "nowrap" }, formatBeijing(f.capture_start, t("common.none"))),
    h("td", { class: "nowrap", "data-testid": "evidence-duration" }, seconds === null ? t("common.none") : formatSeconds(seconds)),
    h("td", { class: "nowrap" }, formatBytes(f.size)),
  );
}

function thumbnail(f: EvidenceItem): HTMLElement {
  const img = h("img", { class: "evidence__thumb", alt: f.original_name, "data-testid": "evidence-thumb", "data-loaded": "false" });
  let url = thumbnails.get(f.id);
  if (!url) {
    url = api.evidenceThumbnail(f.id).then((bytes) => URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" })));
    url.catch(() => thumbnails.delete(f.id)); // asked again on the next redraw
    thumbnails.set(f.id, url);
  }
  url.then(
    (src) => {
      img.addEventListener("load", () => img.setAttribute("data-loaded", "true"), { once: true });
      img.src = src;
    },
    (err) => console.error("thumbnail failed", f.id, err), // the row still names the file
  );
  return img;
}

function kindLabel(kind: MediaKind): string {
  switch (kind) {
    case "video":
      return t("evidence.kind.video");
    case "audio":
      return t("evidence.kind.audio");
    case "photo":
      return t("evidence.kind.photo");
  }
}
