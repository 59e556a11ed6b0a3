// What the evidence panel shows as words and shapes: sizes, rates, time left, a clip's
// length, the recorder's clock as typed, and where each recording and gap sits on the
// inspection's timeline. Pure functions, so each is tested without a window.
import { parseInstant } from "./format";

const UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/** Bytes in binary steps of 1024, one decimal from KB up (`1.5 GB`). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** A transfer rate (`85.3 MB/s`); nothing measured yet shows as a dash. */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return "—";
  return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * A span of seconds as `m:ss`, or `h:mm:ss` from an hour up, rounded up so that "0:00" is
 * never shown while something is still left. Null (not known yet) shows as a dash.
 */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return "—";
  const whole = Math.ceil(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** How long a recording runs, from its capture times; null without both. */
export function clipSeconds(start: string | null, end: string | null): number | null {
  if (start == null || end == null) return null;
  const a = parseInstant(start);
  const b = parseInstant(end);
  if (a === null || b === null || b < a) return null;
  return (b - a) / 1000;
}

/** A fraction done as a whole percentage from 0 to 100 (nothing to do is done). */
export function percent(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

const SHOWN = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*$/;

/**
 * The time a recorder's screen shows, typed as `YYYY-MM-DD HH:MM[:SS]` in Beijing time, as
 * the RFC 3339 instant the device takes; null when it is not such a time.
 */
export function shownTimeToInstant(text: string): string | null {
  const m = SHOWN.exec(text);
  if (!m) return null;
  const [, y = "", mo = "", d = "", h = "", mi = "", s = "00"] = m;
  const [month, day, hour, minute, second] = [Number(mo), Number(d), Number(h), Number(mi), Number(s)];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  // A day past the month's end (02-30) would roll over into the next month: refuse it.
  const check = new Date(Date.UTC(Number(y), month - 1, day));
  if (check.getUTCMonth() !== month - 1) return null;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}+08:00`;
}

/** Now in Beijing time as an officer types it (`YYYY-MM-DD HH:MM:SS`). */
export function beijingNowText(nowMs: number): string {
  const b = new Date(nowMs + 8 * 3600 * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    `${b.getUTCFullYear()}-${p(b.getUTCMonth() + 1)}-${p(b.getUTCDate())} ` +
    `${p(b.getUTCHours())}:${p(b.getUTCMinutes())}:${p(b.getUTCSeconds())}`
  );
}

/** Where one stretch sits on the timeline's bar, in percent of its width. */
export interface Span {
  left: number;
  width: number;
}

/**
 * The stretch from `start` to `end` on a bar from `windowStart` to `windowEnd`: clipped to
 * the bar, and at least `minWidth` percent wide so that a photo (an instant) stays visible.
 * Null when it lies wholly outside the window or a time cannot be read.
 */
export function spanOnBar(
  windowStart: string,
  windowEnd: string,
  start: string,
  end: string,
  minWidth = 0.4,
): Span | null {
  const [w0, w1, a, b] = [parseInstant(windowStart), parseInstant(windowEnd), parseInstant(start), parseInstant(end)];
  if (w0 === null || w1 === null || a === null || b === null || w1 <= w0) return null;
  if (b < w0 || a > w1) return null;
  const total = w1 - w0;
  const left = ((Math.max(a, w0) - w0) / total) * 100;
  const width = Math.max(((Math.min(b, w1) - Math.max(a, w0)) / total) * 100, minWidth);
  const shownLeft = Math.min(left, 100 - minWidth);
  return { left: round(shownLeft), width: round(Math.min(width, 100 - shownLeft)) };
}

const round = (n: number) => Math.round(n * 100) / 100;
