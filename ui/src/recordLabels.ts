// What the printed record and the audit history show as words and shapes: an audit
// action in the officer's language, who acted, and the seal's QR code as one SVG path.
// Pure, so each is tested without a window.
import type { SealQr } from "./bindings/SealQr";
import type { MessageKey, Translate } from "./i18n";

/** The actions the device records, by the locale key that names each. */
const ACTIONS: Readonly<Record<string, MessageKey>> = {
  "inspection.create": "audit.inspection.create",
  "inspection.answer": "audit.inspection.answer",
  "inspection.finding": "audit.inspection.finding",
  "inspection.finalize": "audit.inspection.finalize",
  "inspection.correct": "audit.inspection.correct",
  "inspection.gap_reason": "audit.inspection.gap_reason",
  "certificate.check": "audit.certificate.check",
  "certificate.check.unknown": "audit.certificate.check.unknown",
  "evidence.import": "audit.evidence.import",
  "evidence.verify": "audit.evidence.verify",
  "evidence.verified": "audit.evidence.verified",
  "evidence.mismatch": "audit.evidence.mismatch",
  "evidence.damaged": "audit.evidence.damaged",
  "evidence.push": "audit.evidence.push",
  "evidence.upload.complete": "audit.evidence.upload.complete",
  "evidence.upload.restart": "audit.evidence.upload.restart",
  "recorder.check": "audit.recorder.check",
};

/** An audit action in words; one this window does not know is shown as recorded. */
export function auditActionLabel(action: string, t: Translate): string {
  const key = ACTIONS[action];
  return key ? t(key) : action;
}

/** `officer:JC-0107@<device>` → `JC-0107`; `device:<id>` → "device" and its id's start. */
export function actorLabel(actor: string, t: Translate): string {
  const officer = /^officer:([^@]+)@/.exec(actor)?.[1];
  if (officer !== undefined) return officer;
  const device = /^device:(.+)$/.exec(actor)?.[1];
  if (device !== undefined) return `${t("history.device")} ${device.slice(0, 8)}`;
  return actor;
}

/**
 * The dark modules of a QR code as one SVG path in module units, offset by `quiet` modules
 * (the blank margin a reader needs). Runs of dark modules in a row are one rectangle.
 */
export function qrPath(qr: SealQr, quiet = 4): string {
  const parts: string[] = [];
  for (let row = 0; row < qr.modules; row++) {
    let col = 0;
    while (col < qr.modules) {
      if (!qr.dark[row * qr.modules + col]) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < qr.modules && qr.dark[row * qr.modules + col]) col += 1;
      parts.push(`M${start + quiet} ${row + quiet}h${col - start}v1h${start - col}z`);
    }
  }
  return parts.join("");
}
