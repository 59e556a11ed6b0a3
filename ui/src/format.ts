// Records hold UTC instants as RFC 3339 text; officers and case files read Beijing
// time (UTC+8, no daylight saving), whatever zone the laptop happens to be set to.

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

// Parsed by hand because chrono writes up to nine fractional digits, which not every
// WebView's Date parser accepts, and a local-time reading would be wrong anyway.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** The instant as milliseconds since the epoch, or null when the text is not RFC 3339. */
export function parseInstant(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, zulu, sign, oh, om] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offsetMin = zulu ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return local - offsetMin * 60_000;
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * `YYYY-MM-DD HH:mm` in Beijing time. Null shows as `empty`; text that is not an
 * instant is shown as it is, so a malformed record is visible rather than hidden.
 */
export function formatBeijing(text: string | null | undefined, empty = "—"): string {
  if (text == null || text === "") return empty;
  const ms = parseInstant(text);
  if (ms === null) return text;
  // Shift the instant by eight hours and read it as UTC: the UTC fields are then Beijing's.
  const b = new Date(ms + BEIJING_OFFSET_MS);
  return (
    `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ` +
    `${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}`
  );
}
