// The uploads screen: every evidence file on its way to the bureau, to "verified by the
// bureau" and "safe to delete from the recorder", with pause and resume. The sync agent
// sends in the background; this screen asks how things stand every second while it is
// open and redraws only its table, so a click between two refreshes is not lost.
import * as api from "../api";
import type { UploadItem } from "../bindings/UploadItem";
import { h } from "../dom";
import { formatBytes } from "../evidenceFormat";
import { formatBeijing } from "../format";
import { t } from "../i18n";
import { canPause, uploadFigures, uploadStateLabel } from "../uploadLabels";
import { backButton } from "./common";
import type { ViewContext } from "./context";

const REFRESH_MS = 1000;
let timer: number | undefined;

export function uploadsView(items: UploadItem[], ctx: ViewContext): HTMLElement {
  const table = h("div", { class: "uploads__table", "data-testid": "uploads-table" });
  fill(table, items, ctx);
  const screen = h(
    "section",
    { class: "screen uploads", "data-testid": "uploads-screen" },
    backButton(ctx),
    h("h2", {}, t("uploads.heading")),
    h("p", { class: "hint" }, t("uploads.hint")),
    h(
      "div",
      { class: "uploads__actions" },
      h("button", { type: "button", class: "btn", "data-testid": "uploads-pause-all", onclick: () => void act(table, ctx, () => api.pauseUploads(null)) }, t("uploads.pauseAll")),
      h("button", { type: "button", class: "btn", "data-testid": "uploads-resume-all", onclick: () => void act(table, ctx, () => api.resumeUploads(null)) }, t("uploads.resumeAll")),
    ),
    table,
  );
  // Refresh while the screen is on the page; stop once it has been left.
  window.clearInterval(timer);
  timer = window.setInterval(() => {
    if (!screen.isConnected) {
      window.clearInterval(timer);
      return;
    }
    api.uploadStatus().then((next) => fill(table, next, ctx), (err) => console.error("upload_status failed", err));
  }, REFRESH_MS);
  return screen;
}

async function act(table: HTMLElement, ctx: ViewContext, action: () => Promise<number>): Promise<void> {
  try {
    await action();
    fill(table, await api.uploadStatus(), ctx);
  } catch (err) {
    ctx.report(err);
  }
}

function fill(table: HTMLElement, items: UploadItem[], ctx: ViewContext): void {
  if (items.length === 0) {
    table.replaceChildren(h("p", { class: "empty", "data-testid": "uploads-empty" }, t("uploads.empty")));
    return;
  }
  table.replaceChildren(
    h(
      "table",
      { class: "table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, t("evidence.col.name")),
          h("th", {}, t("evidence.col.size")),
          h("th", {}, t("uploads.col.state")),
          h("th", {}, t("uploads.col.progress")),
          h("th", {}, ""),
        ),
      ),
      h("tbody", {}, items.map((item) => row(table, item, ctx))),
    ),
  );
}

function row(table: HTMLElement, item: UploadItem, ctx: ViewContext): HTMLElement {
  const toggle = item.paused ? () => api.resumeUploads(item.evidence_id) : () => api.pauseUploads(item.evidence_id);
  return h(
    "tr",
    {
      "data-testid": "upload-row",
      "data-id": item.evidence_id,
      "data-state": item.state,
      "data-paused": String(item.paused),
      "data-safe": String(item.safe_to_delete),
    },
    h("td", { class: "mono" }, item.name),
    h("td", { class: "nowrap" }, formatBytes(item.size)),
    h(
      "td",
      {},
      h("span", { class: `upload-state upload-state--${item.state}` }, uploadStateLabel(item.state, t)),
      item.paused ? h("span", { class: "upload-paused" }, ` · ${t("uploads.paused")}`) : "",
      item.safe_to_delete
        ? h("div", { class: "upload-safe", "data-testid": "upload-safe" }, t("uploads.safe", { at: formatBeijing(item.verified_at) }))
        : "",
      item.problem ? h("div", { class: "upload-problem", role: "note" }, item.problem) : "",
    ),
    h(
      "td",
      { class: "uploads__progress" },
      h("progress", { max: 100, value: item.percent, "data-testid": "upload-progress", "aria-label": t("uploads.col.progress") }),
      h("span", { class: "nowrap" }, ` ${Math.floor(item.percent)}% `),
      h("span", { class: "uploads__figures", "data-testid": "upload-figures" }, uploadFigures(item, t)),
    ),
    h(
      "td",
      {},
      canPause(item)
        ? h(
            "button",
            { type: "button", class: "btn btn--small", "data-testid": "upload-toggle", onclick: () => void act(table, ctx, toggle) },
            t(item.paused ? "uploads.resume" : "uploads.pause"),
          )
        : "",
    ),
  );
}
