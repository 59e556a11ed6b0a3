// The evidence import under way, kept apart from the screen: the Rust side goes on reading
// files while the officer looks elsewhere, and coming back shows where it stands.
import type { ImportRequest } from "../api";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { InspectionId } from "../bindings/InspectionId";

export interface ImportState {
  inspection: InspectionId;
  dir: string;
  recorderId: string;
  inPlace: boolean;
  running: boolean;
  cancelling: boolean;
  progress: ImportProgress | null;
  summary: ImportSummary | null;
}

// One import at a time: the device reads one folder at a time.
const current = $state<{ import: ImportState | null }>({ import: null });

/** The import of this inspection as it stands, or a fresh form for it. */
export function importFor(inspection: InspectionId): ImportState {
  if (current.import?.inspection !== inspection) {
    current.import = { inspection, dir: "", recorderId: "", inPlace: false, running: false, cancelling: false, progress: null, summary: null };
  }
  return current.import;
}

/**
 * Runs an import from the form's fields. `run` does the work and reports progress; it
 * resolves to the summary, or null when it failed (and said so).
 */
export async function runImport(
  s: ImportState,
  run: (request: ImportRequest, onProgress: (p: ImportProgress) => void) => Promise<ImportSummary | null>,
): Promise<void> {
  const dir = s.dir.trim();
  if (s.running || dir === "") return;
  Object.assign(s, { running: true, cancelling: false, progress: null, summary: null });
  try {
    s.summary = await run({ dir, recorderId: s.recorderId.trim() || null, inPlace: s.inPlace }, (p) => {
      s.progress = p;
    });
  } finally {
    s.running = false;
  }
}
