// What the officer sees for a record's state, progress and answers. Kept free of the
// DOM so the wording rules are tested on their own.
import type { AnswerValue } from "./bindings/AnswerValue";
import type { CheckMethod } from "./bindings/CheckMethod";
import type { CheckResult } from "./bindings/CheckResult";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { InspectionStatus } from "./bindings/InspectionStatus";
import type { InspectionSummary } from "./bindings/InspectionSummary";
import type { Outcome } from "./bindings/Outcome";
import type { Translate } from "./i18n";
import { LOCAL_ERROR_CODES, type CommandFailure, type FailureCode } from "./api";

/**
 * The state shown on the badge. "superseded" is not stored as a status: a finalized
 * record stays finalized forever, and a later correction points back at it.
 */
export type DisplayState = InspectionStatus | "superseded";

export function displayState(s: Pick<InspectionSummary, "status" | "superseded_by">): DisplayState {
  return s.superseded_by !== null ? "superseded" : s.status;
}

export function stateLabel(state: DisplayState, t: Translate): string {
  switch (state) {
    case "draft":
      return t("status.draft");
    case "finalized":
      return t("status.finalized");
    case "superseded":
      return t("status.superseded");
  }
}

/** `answered/required`, e.g. `3/8`. */
export function progressText(s: Pick<InspectionSummary, "required" | "required_answered">): string {
  return `${s.required_answered}/${s.required}`;
}

export function progressComplete(s: Pick<InspectionSummary, "required" | "required_answered">): boolean {
  return s.required_answered >= s.required;
}

export function answerLabel(value: AnswerValue | undefined, t: Translate): string {
  if (value === undefined) return t("answer.none");
  switch (value.kind) {
    case "yes":
      return t("answer.yes");
    case "no":
      return t("answer.no");
    case "not_applicable":
      return t("answer.na");
    case "number":
    case "text":
      return value.value;
  }
}

/** The raw text `answer_item` takes for a yes/no choice, and which choice an answer is. */
export type YesNoChoice = "yes" | "no" | "na";

export function yesNoChoice(value: AnswerValue | undefined): YesNoChoice | null {
  switch (value?.kind) {
    case "yes":
      return "yes";
    case "no":
      return "no";
    case "not_applicable":
      return "na";
    default:
      return null;
  }
}

/** The text to put back in an input for a number or text answer. */
export function answerInputValue(value: AnswerValue | undefined): string {
  return value?.kind === "number" || value?.kind === "text" ? value.value : "";
}

export function outcomeLabel(outcome: Outcome | null, t: Translate): string {
  if (outcome === null) return t("outcome.none");
  switch (outcome.type) {
    case "no_violation":
      return t("outcome.no_violation");
    case "rectification_order":
      return t("outcome.rectification_order", { deadline: outcome.deadline });
    case "case_filed":
      return t("outcome.case_filed");
  }
}

export function checkResultLabel(result: CheckResult, t: Translate): string {
  return t(`check.${result}`);
}

export function checkMethodLabel(method: CheckMethod, t: Translate): string {
  return t(`method.${method}`);
}

/**
 * Codes whose message is written for an engineer, not an officer: faults inside the
 * app ("internal", "storage") and failures that never reached a command. Their text
 * goes to the console; the banner gets a plain, translated sentence.
 */
const ENGINEER_CODES: ReadonlySet<FailureCode> = new Set<FailureCode>([...LOCAL_ERROR_CODES, "internal", "storage"]);

/** The message for the error banner. */
/** Codes whose meaning the officer is told in their own language before the device's details. */
const SUMMARIZED_CODES = [
  "rule_violation",
  "invalid_input",
  "not_found",
  "duplicate_site",
  "unknown_item",
  "signin_refused",
  "signin_required",
  "immutable",
  "no_data",
  "data_dir_unusable",
  "damaged",
  "audit_chain_broken",
] as const satisfies readonly ErrorCode[];
type SummarizedCode = (typeof SUMMARIZED_CODES)[number];

function isSummarized(code: FailureCode): code is SummarizedCode {
  return (SUMMARIZED_CODES as readonly FailureCode[]).includes(code);
}

export function errorMessage(err: Pick<CommandFailure, "code" | "message">, t: Translate): string {
  if (ENGINEER_CODES.has(err.code) || err.message.trim() === "") return t("error.unexpected");
  // The device words its details in English; the officer first reads what happened in the
  // interface's language, then the details (which rule, which item, which character).
  return isSummarized(err.code) ? `${t(`error.code.${err.code}`)}：${err.message}` : err.message;
}
