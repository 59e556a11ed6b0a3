// What the settings screen says about a typed bureau address, the enrollment and the
// evidence vault. Kept free of the DOM so the wording rules are tested on their own.
import type { BureauUrlProblem } from "./bindings/BureauUrlProblem";
import type { EnrollmentView } from "./bindings/EnrollmentView";
import type { VaultUsage } from "./bindings/VaultUsage";
import { formatBytes } from "./evidenceFormat";
import { formatBeijing } from "./format";
import type { Translate } from "./i18n";

/** Why a typed bureau address cannot be used, in the officer's language. */
export function bureauUrlProblemText(problem: BureauUrlProblem, typed: string, t: Translate): string {
  switch (problem.problem) {
    case "empty":
      return t("bureauUrl.empty");
    case "missing_scheme":
      return t("bureauUrl.missingScheme", { example: typed.trim() });
    case "not_an_address":
      return t("bureauUrl.notAnAddress", { detail: problem.detail });
    case "scheme":
      return t("bureauUrl.scheme", { found: problem.found });
    case "plain_http":
      return t("bureauUrl.plainHttp", { host: problem.host });
    case "extra":
      return t("bureauUrl.extra");
  }
}

/** "Enrolled as device X with the bureau at Y since Z" (Beijing time). */
export function enrollmentText(deviceId: string, enrollment: EnrollmentView, t: Translate): string {
  return t("settings.enrolled", {
    device: deviceId,
    bureau: enrollment.bureau_url,
    since: formatBeijing(enrollment.enrolled_at),
  });
}

/** The command an administrator runs to enroll this laptop where the window cannot. */
export function enrollCommand(dataDir: string): string {
  return `fieldcase --data-dir "${dataDir}" device enroll --bureau https://… --code CODE [--ca-cert FILE] [--insecure-http]`;
}

/** The vault's free space as "free of total"; unknown when the disk cannot be read. */
export function vaultFreeText(usage: VaultUsage, t: Translate): string {
  if (usage.free_bytes === null) return t("settings.vault.unknown");
  if (usage.disk_bytes === null) return formatBytes(usage.free_bytes);
  return t("settings.vault.freeOf", { free: formatBytes(usage.free_bytes), total: formatBytes(usage.disk_bytes) });
}
