import type { AnswerValue } from "../bindings/AnswerValue";
import type { CertificateCheck } from "../bindings/CertificateCheck";
import type { ChecklistItem } from "../bindings/ChecklistItem";
import type { InspectionDetail } from "../bindings/InspectionDetail";
import { h, type Child } from "../dom";
import { formatBeijing } from "../format";
import { t } from "../i18n";
import {
  answerInputValue,
  answerLabel,
  checkMethodLabel,
  checkResultLabel,
  displayState,
  isFindingAnswer,
  outcomeLabel,
  progressText,
  yesNoChoice,
  type YesNoChoice,
} from "../labels";
import { backButton, itemText, statusBadge, templateTitle } from "./common";
import type { ViewContext } from "./context";

/** Saves one answer; resolves once the screen has been redrawn from the result. */
export type AnswerHandler = (itemId: string, value: string) => Promise<void>;

export function detailView(d: InspectionDetail, ctx: ViewContext, onAnswer: AnswerHandler): HTMLElement {
  const { summary, inspection, site, template } = d;
  const state = displayState(summary);
  const editable = summary.status === "draft";
  const none = t("common.none");

  const link = (id: string) =>
    h(
      "a",
      {
        href: "#",
        class: "mono",
        onclick: (e) => {
          e.preventDefault();
          ctx.navigate({ name: "detail", id });
        },
      },
      id,
    );

  const facts: [string, Child][] = [
    [t("detail.site"), site.name],
    [t("detail.uscc"), h("span", { class: "mono" }, site.uscc)],
    [t("detail.project"), site.project_name ?? none],
    [t("detail.address"), site.address ?? none],
    [t("detail.contractor"), site.general_contractor ?? none],
    [t("detail.location"), inspection.location ?? none],
    [t("detail.started"), formatBeijing(summary.started_at, none)],
    [t("detail.ended"), formatBeijing(summary.ended_at, none)],
    [t("detail.status"), statusBadge(state)],
    [t("detail.outcome"), outcomeLabel(summary.outcome, t)],
    [t("detail.template"), t("new.templateOption", { title: templateTitle(template), version: template.version })],
    [t("detail.progress"), progressText(summary)],
    [t("detail.findings"), String(summary.findings)],
  ];
  if (summary.supersedes) facts.push([t("detail.supersedes"), link(summary.supersedes)]);
  if (summary.superseded_by) facts.push([t("detail.supersededBy"), link(summary.superseded_by)]);
  if (inspection.seal) facts.push([t("detail.seal"), h("span", { class: "mono hash" }, inspection.seal.content_hash)]);

  // One fieldset around every answer control: disabling it while a save is in flight
  // keeps answers from racing each other and arriving out of order.
  const checklist = h(
    "fieldset",
    { class: "checklist" },
    h("legend", {}, t("detail.checklist")),
    h(
      "ol",
      { class: "items" },
      template.items.map((item) => itemRow(item, inspection.answers[item.id], editable, save)),
    ),
  );
  async function save(itemId: string, value: string): Promise<void> {
    // Disabling blurs the control; note it so the officer keeps their place in the redrawn list.
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.testid : undefined;
    checklist.disabled = true;
    try {
      await onAnswer(itemId, value);
    } finally {
      checklist.disabled = false; // the redrawn screen replaces it on success; on failure it must work again
    }
    if (focused) document.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focused)}"]`)?.focus();
  }

  return h(
    "section",
    { class: "screen detail", "data-testid": "inspection-detail", "data-id": summary.id, "data-status": summary.status },
    h(
      "div",
      { class: "screen__bar" },
      backButton(ctx),
      h("h2", { class: "screen__title" }, site.name),
      statusBadge(state),
    ),
    !editable && h("p", { class: "notice" }, t(state === "superseded" ? "detail.supersededNote" : "detail.finalizedNote")),
    h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    checklist,
    inspection.findings.length > 0 &&
      h(
        "section",
        { class: "panel" },
        h("h3", {}, t("detail.findingsList")),
        h("ul", { class: "findings" }, inspection.findings.map((f) => h("li", {}, f.description))),
      ),
    checksPanel(d.checks),
  );
}

function itemRow(
  item: ChecklistItem,
  value: AnswerValue | undefined,
  editable: boolean,
  save: (itemId: string, value: string) => Promise<void>,
): HTMLElement {
  const text = itemText(item);
  const finding = isFindingAnswer(item, value);
  return h(
    "li",
    { class: `item${finding ? " item--finding" : ""}`, "data-item-id": item.id, "data-answered": value !== undefined },
    h(
      "div",
      { class: "item__question" },
      h("span", { class: "item__text" }, text),
      item.required && h("span", { class: "tag tag--required" }, t("detail.required")),
      finding && h("span", { class: "tag tag--finding" }, t("detail.findingMark")),
      item.basis.trim() !== "" && h("small", { class: "item__basis" }, t("detail.basis", { basis: item.basis })),
    ),
    h(
      "div",
      { class: "item__answer" },
      editable
        ? controls(item, value, save)
        : h("span", { class: `answer${value === undefined ? " answer--none" : ""}` }, answerLabel(value, t)),
    ),
  );
}

function controls(
  item: ChecklistItem,
  value: AnswerValue | undefined,
  save: (itemId: string, value: string) => Promise<void>,
): HTMLElement {
  if (item.kind === "yes_no") {
    const chosen = yesNoChoice(value);
    const choices: [YesNoChoice, string][] = [
      ["yes", t("answer.yes")],
      ["no", t("answer.no")],
      ["na", t("answer.na")],
    ];
    return h(
      "div",
      { class: "choices", role: "group" },
      choices.map(([choice, label]) =>
        h(
          "button",
          {
            type: "button",
            class: `choice${chosen === choice ? " choice--on" : ""}`,
            "aria-pressed": chosen === choice ? "true" : "false",
            "data-testid": `answer-${item.id}-${choice}`,
            onclick: () => void save(item.id, choice),
          },
          label,
        ),
      ),
    );
  }
  // Numbers use a text input: the Rust side is the one judge of what a valid number is,
  // and a number input would silently drop text it cannot parse.
  const input = h("input", {
    type: "text",
    inputmode: item.kind === "number" ? "decimal" : null,
    value: answerInputValue(value),
    placeholder: t(item.kind === "number" ? "answer.numberPlaceholder" : "answer.textPlaceholder"),
    "data-testid": `answer-${item.id}-input`,
    "aria-label": itemText(item),
  });
  const submit = () => void save(item.id, input.value.trim());
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") submit();
  });
  return h(
    "div",
    { class: "free-answer" },
    input,
    h("button", { type: "button", class: "btn", "data-testid": `answer-${item.id}-save`, onclick: submit }, t("answer.save")),
  );
}

function checksPanel(checks: CertificateCheck[]): HTMLElement {
  return h(
    "section",
    { class: "panel", "data-testid": "certificate-checks" },
    h("h3", {}, t("detail.checks")),
    checks.length === 0
      ? h("p", { class: "empty" }, t("detail.checksEmpty"))
      : h(
          "table",
          { class: "table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, t("detail.col.officer")),
              h("th", {}, t("detail.col.certificate")),
              h("th", {}, t("detail.col.result")),
              h("th", {}, t("detail.col.method")),
              h("th", {}, t("detail.col.checkedAt")),
            ),
          ),
          h(
            "tbody",
            {},
            checks.map((c) =>
              h(
                "tr",
                { "data-testid": "certificate-check", "data-result": c.result },
                h("td", { class: "mono" }, c.officer_id),
                h("td", { class: "mono" }, c.certificate_number),
                h(
                  "td",
                  {},
                  h("span", { class: `badge ${c.result === "valid" ? "badge--ok" : "badge--bad"}` }, checkResultLabel(c.result, t)),
                ),
                h("td", {}, checkMethodLabel(c.method, t)),
                h("td", { class: "nowrap" }, formatBeijing(c.checked_at, t("common.none"))),
              ),
            ),
          ),
        ),
  );
}
