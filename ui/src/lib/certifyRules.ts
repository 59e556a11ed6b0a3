// The small decisions of the certify panels, apart from the DOM so they are tested.
import type { Outcome } from "../bindings/Outcome";
import type { RuleViolation } from "../bindings/RuleViolation";

/** What a scanned QR code starts with (the credential format's prefix). */
export const CREDENTIAL_PREFIX = "FC1.";

/** The outcome chosen in the finalize form; null lets the device decide ("no violation" when nothing was found). */
export function outcomeFromForm(kind: string, deadline: string): Outcome | null {
  switch (kind) {
    case "no_violation":
      return { type: "no_violation" };
    case "case_filed":
      return { type: "case_filed" };
    case "rectification_order":
      return { type: "rectification_order", deadline };
    default:
      return null;
  }
}

/**
 * How many officers the law needs checked valid (劳动保障监察条例 art. 16; the core's
 * `MIN_CHECKED_OFFICERS`). Only for the wording "n more needed": whether the gate is met is
 * the device's answer, never this number.
 */
export const OFFICERS_NEEDED = 2;

/** The two-officer gate on a draft, as the device's review answers it. */
export interface OfficersGate {
  met: boolean;
  /**
   * Officers checked valid so far. When met the device lists none, so this is the number
   * needed: at least that many are valid.
   */
  valid: number;
  /** How many more are needed; 0 when met. */
  missing: number;
}

/**
 * The gate's state from what blocks finalizing (`reviewInspection`): not met while the
 * device names `too_few_checked_officers`, met when it does not. Null when the record is
 * no draft: there is no gate left to show.
 */
export function officersGate(blocking: RuleViolation[]): OfficersGate | null {
  if (blocking.some((v) => v.rule === "not_draft")) return null;
  const short = blocking.find((v) => v.rule === "too_few_checked_officers");
  if (!short) return { met: true, valid: OFFICERS_NEEDED, missing: 0 };
  const valid = short.officers.length;
  // The device said not met: never "0 more needed", even should the law's number change.
  return { met: false, valid, missing: Math.max(OFFICERS_NEEDED - valid, 1) };
}
