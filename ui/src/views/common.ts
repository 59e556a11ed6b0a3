// Pieces more than one screen draws.
import type { ChecklistItem } from "../bindings/ChecklistItem";
import type { ChecklistTemplate } from "../bindings/ChecklistTemplate";
import { h } from "../dom";
import { currentLocale, t } from "../i18n";
import { stateLabel, type DisplayState } from "../labels";
import type { ViewContext } from "./context";

export function statusBadge(state: DisplayState): HTMLElement {
  return h("span", { class: `badge badge--${state}`, "data-state": state }, stateLabel(state, t));
}

export function backButton(ctx: ViewContext): HTMLElement {
  return h(
    "button",
    { type: "button", class: "btn btn--back", "data-testid": "back", onclick: () => ctx.navigate({ name: "list" }) },
    `← ${t("common.back")}`,
  );
}

// Templates carry both languages; the record itself keeps the item ids, not the words.
export const templateTitle = (tpl: ChecklistTemplate): string => (currentLocale() === "en" ? tpl.title_en : tpl.title_zh);
export const itemText = (item: ChecklistItem): string => (currentLocale() === "en" ? item.text_en : item.text_zh);
