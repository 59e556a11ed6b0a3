// Finding a site in the directory as the officer types, and saying why a typed credit code
// is refused. Whether a code is valid is the device's answer (core's rules); this module
// only matches text and puts the device's reason into words.
import type { Site } from "../bindings/Site";
import type { UsccProblem } from "../bindings/UsccProblem";
import type { Translate } from "../i18n";

/**
 * Folds what an input method may give (full-width letters and digits, ideographic spaces,
 * either case) so that typing matches what is stored. For matching only: it decides nothing.
 */
export function fold(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, "");
}

/** The sites whose name, project or credit code contains every word typed, in directory order. */
export function matchSites(sites: readonly Site[], query: string): Site[] {
  const words = query.normalize("NFKC").split(/\s+/).map(fold).filter((w) => w.length > 0);
  if (words.length === 0) return [...sites];
  return sites.filter((s) => {
    const text = fold(`${s.name} ${s.project_name ?? ""} ${s.uscc}`);
    return words.every((w) => text.includes(w));
  });
}

/** Why a typed credit code was refused, in the officer's language. */
export function usccProblemText(p: UsccProblem, t: Translate): string {
  switch (p.problem) {
    case "length":
      return t("uscc.length", { found: p.found });
    case "character":
      return t("uscc.character", { position: p.position, found: p.found });
    case "authority":
      return t("uscc.authority", { found: p.found });
    case "division":
      return t("uscc.division", { position: p.position, found: p.found });
    case "check_character":
      return t("uscc.check_character", { expected: p.expected, found: p.found });
  }
}
