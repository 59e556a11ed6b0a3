// The small decisions of the certify panels, apart from the DOM so they are tested.
import type { Outcome } from "../bindings/Outcome";

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
