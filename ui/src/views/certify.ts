// On a draft: checking each officer's certificate (typed, scanned or from a photo of the
// QR code) and finalizing once two officers are checked.
import type { CheckReport } from "../bindings/CheckReport";
import type { InspectionDetail } from "../bindings/InspectionDetail";
import type { Outcome } from "../bindings/Outcome";
import { h } from "../dom";
import { formatBeijing } from "../format";
import { t } from "../i18n";
import { checkResultLabel } from "../labels";
import { CREDENTIAL_PREFIX, outcomeFromForm } from "./certifyRules";

export interface CertifyHandlers {
  check(text: string, scanned: boolean): Promise<void>;
  checkImage(bytes: Uint8Array): Promise<void>;
  finalize(outcome: Outcome | null): Promise<void>;
}

/** The check field and its last result. */
export function checkPanel(last: CheckReport | null, on: CertifyHandlers): HTMLElement {
  const input = h("input", {
    type: "text",
    class: "input",
    "data-testid": "check-input",
    placeholder: t("check.placeholder"),
    autocomplete: "off",
  });
  const run = () => {
    const text = input.value.trim();
    if (!text) return;
    // A scanner types the QR content (a signed credential) followed by Enter.
    void on.check(text, text.startsWith(CREDENTIAL_PREFIX));
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      run();
    }
  });
  const file = h("input", { type: "file", accept: "image/png,image/jpeg", class: "input", "data-testid": "check-image" });
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    if (chosen) void chosen.arrayBuffer().then((buf) => on.checkImage(new Uint8Array(buf)));
  });
  return h(
    "section",
    { class: "panel", "data-testid": "check-panel" },
    h("h3", {}, t("check.heading")),
    h(
      "div",
      { class: "check-row" },
      input,
      h("button", { type: "button", class: "btn btn--primary", "data-testid": "check-submit", onclick: run }, t("check.submit")),
    ),
    h("label", { class: "field" }, h("span", { class: "field__label" }, t("check.image")), file),
    last && reportView(last),
  );
}

function reportView(r: CheckReport): HTMLElement {
  const ok = r.result === "valid";
  return h(
    "div",
    { class: `check-result ${ok ? "check-result--ok" : "check-result--bad"}`, "data-testid": "check-result", "data-result": r.result },
    h("strong", {}, checkResultLabel(r.result, t)),
    h("span", { class: "mono" }, ` ${r.certificate_number} `),
    r.officer_id ? h("span", {}, `${r.officer_id} ${r.officer_name ?? ""}`) : "",
    h(
      "div",
      { class: "hint" },
      r.registry.version !== null
        ? t("check.registry", { version: r.registry.version, time: formatBeijing(r.time.trusted) })
        : t("check.noRegistry"),
      r.registry.stale ? ` · ${t("check.stale")}` : "",
      r.time.warning ? ` · ${r.time.warning}` : "",
    ),
  );
}

/** Finalizing: the outcome, then the seal. The rules are checked on the device. */
export function finalizePanel(d: InspectionDetail, on: CertifyHandlers): HTMLElement {
  const kind = h(
    "select",
    { class: "input", "data-testid": "finalize-outcome" },
    h("option", { value: "auto" }, t("finalize.auto")),
    h("option", { value: "no_violation" }, t("finalize.noViolation")),
    h("option", { value: "rectification_order" }, t("finalize.rectification")),
    h("option", { value: "case_filed" }, t("finalize.caseFiled")),
  );
  const deadline = h("input", { type: "date", class: "input", "data-testid": "finalize-deadline" });
  const button = h(
    "button",
    {
      type: "button",
      class: "btn btn--primary",
      "data-testid": "finalize",
      onclick: () => {
        button.disabled = true;
        void on.finalize(outcomeFromForm(kind.value, deadline.value)).finally(() => (button.disabled = false));
      },
    },
    t("finalize.submit"),
  );
  const valid = new Set(d.checks.filter((c) => c.result === "valid").map((c) => c.officer_id));
  return h(
    "section",
    { class: "panel", "data-testid": "finalize-panel" },
    h("h3", {}, t("finalize.heading")),
    h("p", { class: "hint" }, t("finalize.officers", { count: valid.size })),
    h("div", { class: "check-row" }, kind, deadline, button),
  );
}
