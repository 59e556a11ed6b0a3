import { describe, expect, it } from "vitest";
import {
  beijingNowText,
  clipSeconds,
  formatBytes,
  formatRate,
  formatSeconds,
  percent,
  shownTimeToInstant,
  spanOnBar,
} from "./evidenceFormat";

describe("formatBytes and formatRate", () => {
  it("count in steps of 1024 with one decimal", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2.0 GB");
  });

  it("show a rate per second, and a dash before anything was measured", () => {
    expect(formatRate(85.3 * 1024 ** 2)).toBe("85.3 MB/s");
    expect(formatRate(0)).toBe("—");
    expect(formatRate(Number.NaN)).toBe("—");
  });
});

describe("formatSeconds", () => {
  it("shows minutes and seconds, hours from an hour up", () => {
    expect(formatSeconds(0)).toBe("0:00");
    expect(formatSeconds(65)).toBe("1:05");
    expect(formatSeconds(3600 + 2 * 60 + 3)).toBe("1:02:03");
  });

  it("rounds up, so a moment left is never shown as nothing left", () => {
    expect(formatSeconds(0.2)).toBe("0:01");
  });

  it("shows a dash while the time left is not known", () => {
    expect(formatSeconds(null)).toBe("—");
    expect(formatSeconds(-1)).toBe("—");
  });
});

describe("clipSeconds and percent", () => {
  it("give a recording's length from its capture times", () => {
    expect(clipSeconds("2026-12-01T01:30:00Z", "2026-12-01T01:42:00Z")).toBe(720);
    expect(clipSeconds("2026-12-01T01:30:00Z", null)).toBeNull();
    expect(clipSeconds("2026-12-01T01:42:00Z", "2026-12-01T01:30:00Z")).toBeNull();
  });

  it("keep a percentage within 0 to 100", () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 4)).toBe(100);
    expect(percent(0, 0)).toBe(100);
  });
});

describe("shownTimeToInstant", () => {
  it("reads the recorder's screen as Beijing time", () => {
    expect(shownTimeToInstant("2026-12-01 09:25:30")).toBe("2026-12-01T09:25:30+08:00");
    expect(shownTimeToInstant(" 2026-12-01 09:25 ")).toBe("2026-12-01T09:25:00+08:00");
  });

  it("refuses what is not a time on the calendar", () => {
    expect(shownTimeToInstant("2026-02-30 09:00:00")).toBeNull();
    expect(shownTimeToInstant("2026-12-01 24:00:00")).toBeNull();
    expect(shownTimeToInstant("09:25")).toBeNull();
  });

  it("round-trips with the time offered as the default", () => {
    const text = beijingNowText(Date.UTC(2026, 11, 1, 1, 25, 30));
    expect(text).toBe("2026-12-01 09:25:30");
    expect(shownTimeToInstant(text)).toBe("2026-12-01T09:25:30+08:00");
  });
});

describe("spanOnBar", () => {
  const [w0, w1] = ["2026-12-01T01:00:00Z", "2026-12-01T03:00:00Z"];

  it("places a stretch by its share of the window", () => {
    expect(spanOnBar(w0, w1, "2026-12-01T01:30:00Z", "2026-12-01T02:00:00Z")).toEqual({ left: 25, width: 25 });
  });

  it("clips a stretch that runs past either end of the window", () => {
    expect(spanOnBar(w0, w1, "2026-12-01T00:30:00Z", "2026-12-01T01:30:00Z")).toEqual({ left: 0, width: 25 });
    expect(spanOnBar(w0, w1, "2026-12-01T02:30:00Z", "2026-12-01T04:00:00Z")).toEqual({ left: 75, width: 25 });
  });

  it("gives an instant a visible width and leaves out what is outside", () => {
    expect(spanOnBar(w0, w1, "2026-12-01T02:00:00Z", "2026-12-01T02:00:00Z")).toEqual({ left: 50, width: 0.4 });
    expect(spanOnBar(w0, w1, "2026-12-01T03:00:00Z", "2026-12-01T03:00:00Z")).toEqual({ left: 99.6, width: 0.4 });
    expect(spanOnBar(w0, w1, "2026-12-01T04:00:00Z", "2026-12-01T05:00:00Z")).toBeNull();
    expect(spanOnBar(w0, w1, "not a time", "2026-12-01T02:00:00Z")).toBeNull();
  });
});
