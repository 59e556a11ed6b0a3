// What the checklist screen tells about a draft's checklist: how far it is answered, and
// which findings an officer may raise or withdraw. Plain data in, plain data out.
import type { AnswerValue } from "../bindings/AnswerValue";
import type { ChecklistItem } from "../bindings/ChecklistItem";
import type { ChecklistTemplate } from "../bindings/ChecklistTemplate";
import type { Finding } from "../bindings/Finding";

type Answers = { [key in string]?: AnswerValue };

export interface ChecklistProgress {
  /** Items with an answer, required or not. */
  answered: number;
  /** Every item of the checklist. */
  total: number;
  /** Required items still without an answer: each blocks finalizing. */
  requiredLeft: number;
}

export function checklistProgress(template: ChecklistTemplate, answers: Answers): ChecklistProgress {
  const answered = (item: ChecklistItem) => answers[item.id] !== undefined;
  return {
    answered: template.items.filter(answered).length,
    total: template.items.length,
    requiredLeft: template.items.filter((item) => item.required && !answered(item)).length,
  };
}

/** The finding raised from an item, if any. */
export function findingOf(findings: readonly Finding[], itemId: string): Finding | undefined {
  return findings.find((f) => f.item_id === itemId);
}

/** Whether the item is answered "no", the answer a finding is raised from. */
export function answeredNo(answers: Answers, itemId: string): boolean {
  return answers[itemId]?.kind === "no";
}

/**
 * Whether the officer may withdraw the item's finding while the answer stays "no": not
 * where the checklist counts that "no" as a finding (the answer is what to change there).
 */
export function findingWithdrawable(item: ChecklistItem): boolean {
  return !item.no_is_finding;
}

/** One change the officer makes to a draft's checklist. */
export type ChecklistChange =
  /** `value` as `answer_item` takes it: `yes`/`no`/`na`, a number or text. */
  | { kind: "answer"; itemId: string; value: string }
  /** An empty note removes it. */
  | { kind: "note"; itemId: string; note: string }
  | { kind: "raise"; itemId: string; description: string }
  | { kind: "withdraw"; itemId: string };
