import type { InspectionId } from "../bindings/InspectionId";

export type Screen =
  | { name: "list" }
  | { name: "new" }
  | { name: "signin" }
  | { name: "uploads" }
  | { name: "detail"; id: InspectionId };

/** What a screen may ask of the shell. */
export interface ViewContext {
  navigate(screen: Screen): void;
  /** Shows a failure in the error banner; anything thrown is accepted and made a CommandError. */
  report(err: unknown): void;
}
