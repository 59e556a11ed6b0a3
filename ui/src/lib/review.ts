// The review page's wording: each rule the device refuses finalizing on, said in the
// officer's language, and where in the inspection it is fixed. The rules themselves are the
// device's (it answers with the list); this only names them.
import type { RuleViolation } from "../bindings/RuleViolation";
import type { Translate } from "../i18n";
import type { FixTarget } from "./router.svelte";

/** One blocker as the page shows it. */
export interface Blocker {
  rule: RuleViolation["rule"];
  text: string;
  /** Where the officer fixes it; null when it is fixed on the review page itself or not at all. */
  fix: FixTarget | null;
}

/**
 * `itemName` names a checklist item by its id (its text in the officer's language); an
 * unknown id is shown as it is.
 */
export function blocker(v: RuleViolation, t: Translate, itemName: (id: string) => string = (id) => id): Blocker {
  switch (v.rule) {
    case "missing_answers":
      return { rule: v.rule, text: t("review.missing_answers", { items: v.items.map(itemName).join("、") }), fix: "checklist" };
    case "too_few_checked_officers":
      return { rule: v.rule, text: t("review.too_few_checked_officers", { count: v.officers.length }), fix: "officers" };
    case "gaps_without_reason":
      return { rule: v.rule, text: t("review.gaps_without_reason", { count: v.gaps.length }), fix: "evidence" };
    case "outcome_required":
      return { rule: v.rule, text: t("review.outcome_required", { findings: v.findings }), fix: "outcome" };
    case "outcome_contradicts_findings":
      return { rule: v.rule, text: t("review.outcome_contradicts_findings", { findings: v.findings }), fix: "outcome" };
    case "deadline_not_after_inspection":
      return { rule: v.rule, text: t("review.deadline_not_after_inspection", { deadline: v.deadline, day: v.day }), fix: "outcome" };
    case "not_draft":
      return { rule: v.rule, text: t("review.not_draft"), fix: null };
    case "template_mismatch":
      return { rule: v.rule, text: t("review.template_mismatch", { found: v.found, expected: v.expected }), fix: null };
  }
}
