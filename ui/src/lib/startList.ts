// The home screen's inspections, asked for as the window starts: the device reads them while
// the shell mounts, rather than after it (the window always opens on the home screen).
import * as api from "../api";
import type { InspectionSummary } from "../bindings/InspectionSummary";

let early: Promise<InspectionSummary[]> | null = null;

/** Asks the device now; the first home screen takes the answer. */
export function askForTheDay(): void {
  early = api.listInspections();
  early.catch(() => {}); // the screen that takes the answer reports a failure
}

/** The early answer once, then a fresh one on every later visit. */
export function inspectionsForHome(): Promise<InspectionSummary[]> {
  const answer = early ?? api.listInspections();
  early = null;
  return answer;
}
