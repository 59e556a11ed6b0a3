// Which screen is open. A route is plain data (a typed union), so a screen can be named,
// compared and tested without a browser history; the app has no URLs to keep in step.
import type { InspectionId } from "../bindings/InspectionId";

export type Route =
  | { name: "home" }
  | { name: "new" }
  | { name: "signin" }
  | { name: "uploads" }
  | { name: "records" }
  | { name: "settings" }
  | { name: "review"; id: InspectionId }
  /** The on-site inspection record of a finalized inspection, laid out to print. */
  | { name: "print"; id: InspectionId }
  /** `fix` names the part of the inspection to bring into view (from the review page). */
  | { name: "detail"; id: InspectionId; fix?: FixTarget };

/** The parts of an inspection the review page links to, each where a blocker is fixed. */
export type FixTarget = "checklist" | "officers" | "evidence" | "outcome";

export const HOME: Route = { name: "home" };

/** The open screen. Read `router.route` in markup; change it only through `navigate`. */
export const router = $state<{ route: Route; visits: number }>({ route: HOME, visits: 0 });

const listeners = new Set<(to: Route) => void>();

/**
 * Opens a screen. Every call counts as a visit, even to the screen already open, so the
 * shell can mount it afresh (the officer asked to see it as it is now).
 */
export function navigate(to: Route): void {
  router.route = to;
  router.visits += 1;
  for (const listener of listeners) listener(to);
}

/** Called on every navigation (the store clears the error of the screen left); returns how to stop. */
export function onNavigate(listener: (to: Route) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

