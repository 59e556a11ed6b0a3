import type { InspectionSummary } from "../bindings/InspectionSummary";
import { h } from "../dom";
import { formatBeijing } from "../format";
import { t } from "../i18n";
import { displayState, progressComplete, progressText } from "../labels";
import { statusBadge } from "./common";
import type { ViewContext } from "./context";

/** `items` is null when the list could not be loaded: then "no inspections" would be untrue. */
export function listView(items: InspectionSummary[] | null, ctx: ViewContext): HTMLElement {
  // The container exists even when empty, so "no records" can be told from "not drawn yet".
  const container = h("div", { class: "inspection-list", "data-testid": "inspection-list" });
  if (items === null) {
    // Left empty; the error banner says what went wrong.
  } else if (items.length === 0) {
    container.append(h("p", { class: "empty", "data-testid": "inspection-empty" }, t("list.empty")));
  } else {
    container.append(
      h(
        "table",
        { class: "table table--rows" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, t("list.col.site")),
            h("th", {}, t("list.col.project")),
            h("th", {}, t("list.col.started")),
            h("th", {}, t("list.col.status")),
            h("th", { class: "num" }, t("list.col.progress")),
            h("th", { class: "num" }, t("list.col.findings")),
          ),
        ),
        h("tbody", {}, items.map((s) => row(s, ctx))),
      ),
    );
  }
  return h(
    "section",
    { class: "screen" },
    h("h2", { class: "screen__title" }, t("list.heading")),
    container,
  );
}

function row(s: InspectionSummary, ctx: ViewContext): HTMLElement {
  const open = () => ctx.navigate({ name: "detail", id: s.id });
  const state = displayState(s);
  return h(
    "tr",
    {
      class: `row row--${state}`,
      "data-testid": "inspection-row",
      "data-id": s.id,
      "data-status": s.status,
      tabindex: 0,
      onclick: open,
      onkeydown: (e) => {
        if ((e as KeyboardEvent).key === "Enter") open();
      },
    },
    h("td", {}, s.site_name),
    h("td", {}, s.project_name ?? t("common.none")),
    h("td", { class: "nowrap" }, formatBeijing(s.started_at, t("common.none"))),
    h("td", {}, statusBadge(state)),
    h(
      "td",
      {
        class: `num${progressComplete(s) ? "" : " incomplete"}`,
        title: t("progress.title", { answered: s.required_answered, required: s.required }),
      },
      progressText(s),
    ),
    h("td", { class: `num${s.findings > 0 ? " has-findings" : ""}` }, s.findings),
  );
}
