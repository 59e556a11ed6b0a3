// Templates carry both languages; the record itself keeps the item ids, not the words.
import type { ChecklistItem } from "../bindings/ChecklistItem";
import type { ChecklistTemplate } from "../bindings/ChecklistTemplate";
import type { Locale } from "../i18n";

export const templateTitle = (tpl: ChecklistTemplate, locale: Locale): string => (locale === "en" ? tpl.title_en : tpl.title_zh);
export const itemText = (item: ChecklistItem, locale: Locale): string => (locale === "en" ? item.text_en : item.text_zh);
