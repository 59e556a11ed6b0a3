// The inspection's recordings against its time window, the gaps marked with a field for
// each reason, and the recorder check (its clock, battery and storage) that aligns them.
import type { RecorderCheckRequest } from "../api";
import * as api from "../api";
import type { RecorderCheck } from "../bindings/RecorderCheck";
import type { Timeline } from "../bindings/Timeline";
import { h } from "../dom";
import { beijingNowText, clipSeconds, shownTimeToInstant, spanOnBar } from "../evidenceFormat";
import { formatBeijing } from "../format";
import { t } from "../i18n";

/** What the timeline and the recorder check ask of the shell. */
export interface TimelineHandlers {
  saveGapReason(gapId: string, reason: string): Promise<void>;
  recordRecorderCheck(check: RecorderCheckRequest): Promise<void>;
  report(err: unknown): void;
}

export function timelineView(tl: Timeline, editable: boolean, on: TimelineHandlers): HTMLElement {
  const bar = h("div", { class: "timeline__bar", "data-testid": "timeline-bar" });
  for (const r of tl.recordings) {
    const span = spanOnBar(tl.window_start, tl.window_end, r.start, r.end);
    if (!span) continue;
    bar.append(
      h("span", {
        class: "timeline__rec",
        style: `left:${span.left}%;width:${span.width}%`,
        title: `${formatBeijing(r.start)} – ${formatBeijing(r.end)}`,
        "data-testid": "timeline-recording",
        "data-evidence-id": r.evidence_id,
      }),
    );
  }
  for (const g of tl.gaps) {
    const span = spanOnBar(tl.window_start, tl.window_end, g.start, g.end);
    if (!span) continue;
    bar.append(
      h("span", {
        class: `timeline__gap${g.reason ? " timeline__gap--explained" : ""}`,
        style: `left:${span.left}%;width:${span.width}%`,
        title: `${formatBeijing(g.start)} – ${formatBeijing(g.end)}`,
        "data-testid": "timeline-gap",
        "data-gap-id": g.id,
      }),
    );
  }
  return h(
    "div",
    { class: "timeline", "data-testid": "timeline", "data-recordings": tl.recordings.length, "data-gaps": tl.gaps.length },
    h("h4", {}, t("evidence.timeline", { limit: tl.gap_limit_minutes })),
    h(
      "div",
      { class: "timeline__ends" },
      h("span", {}, formatBeijing(tl.window_start)),
      h("span", {}, formatBeijing(tl.window_end)),
    ),
    bar,
    tl.recordings.length === 0 && h("p", { class: "empty" }, t("evidence.noRecordings")),
    tl.gaps.length > 0 &&
      h(
        "ul",
        { class: "gaps" },
        tl.gaps.map((g) => gapRow(g.id, g.start, g.end, g.reason, editable, on)),
      ),
  );
}

function gapRow(
  gapId: string,
  start: string,
  end: string,
  reason: string | null,
  editable: boolean,
  on: TimelineHandlers,
): HTMLElement {
  const minutes = Math.round((clipSeconds(start, end) ?? 0) / 60);
  const input = h("input", {
    type: "text",
    value: reason ?? "",
    placeholder: t("evidence.gapReasonPlaceholder"),
    "data-testid": "gap-reason-input",
    "aria-label": t("evidence.gapReason"),
  });
  const save = () => void on.saveGapReason(gapId, input.value.trim());
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") save();
  });
  return h(
    "li",
    { class: `gap${reason ? "" : " gap--open"}`, "data-testid": "gap", "data-gap-id": gapId, "data-has-reason": String(reason !== null) },
    h("span", { class: "nowrap" }, t("evidence.gap", { start: formatBeijing(start), end: formatBeijing(end), minutes })),
    editable
      ? h(
          "span",
          { class: "free-answer" },
          input,
          h("button", { type: "button", class: "btn", "data-testid": "gap-reason-save", onclick: save }, t("evidence.gapReasonSave")),
        )
      : h("span", { "data-testid": "gap-reason" }, reason ?? t("evidence.gapNoReason")),
  );
}

export function recorderChecks(checks: RecorderCheck[]): HTMLElement | false {
  return (
    checks.length > 0 &&
    h(
      "ul",
      { class: "recorder-checks", "data-testid": "recorder-checks" },
      checks.map((c) =>
        h(
          "li",
          { "data-testid": "recorder-check", "data-recorder": c.recorder_id },
          t("evidence.checkLine", {
            recorder: c.recorder_id,
            offset: c.offset_seconds,
            battery: c.battery_percent ?? t("common.none"),
            storage: c.storage_free_mb ?? t("common.none"),
            at: formatBeijing(c.checked_at),
          }),
        ),
      ),
    )
  );
}

export function recorderCheckForm(on: TimelineHandlers): HTMLElement {
  const field = (label: string, testid: string, value = "", inputmode: string | null = null) =>
    h("input", { type: "text", value, inputmode, "data-testid": testid, "aria-label": label });
  const recorder = field(t("evidence.recorder"), "check-recorder");
  const shows = field(t("evidence.shows"), "check-shows", beijingNowText(Date.now()));
  const battery = field(t("evidence.battery"), "check-battery", "", "numeric");
  const storage = field(t("evidence.storage"), "check-storage", "", "numeric");
  const number = (input: HTMLInputElement) => (input.value.trim() === "" ? null : Number(input.value.trim()));
  const submit = () => {
    const instant = shownTimeToInstant(shows.value);
    if (instant === null) {
      on.report(new api.CommandFailure("invalid_input", t("evidence.showsInvalid", { text: shows.value })));
      return;
    }
    void on.recordRecorderCheck({
      recorderId: recorder.value.trim(),
      shows: instant,
      batteryPercent: number(battery),
      storageFreeMb: number(storage),
    });
  };
  const row = (label: string, input: HTMLInputElement) => h("label", { class: "field field--short" }, h("span", {}, label), input);
  return h(
    "div",
    { class: "recorder-check-form", "data-testid": "recorder-check-form" },
    h("h4", {}, t("evidence.checkHeading")),
    row(t("evidence.recorder"), recorder),
    row(t("evidence.shows"), shows),
    row(t("evidence.battery"), battery),
    row(t("evidence.storage"), storage),
    h("button", { type: "button", class: "btn", "data-testid": "check-recorder-save", onclick: submit }, t("evidence.checkSave")),
  );
}
