import { describe, expect, it } from "vitest";
import { formatBeijing, parseInstant } from "./format";

describe("formatBeijing", () => {
  it("shows an instant after 16:00 UTC on the next Beijing day", () => {
    expect(formatBeijing("2024-02-29T16:30:00Z")).toBe("2024-03-01 00:30");
    expect(formatBeijing("2024-12-31T16:00:00Z")).toBe("2025-01-01 00:00");
  });

  it("keeps an instant before 16:00 UTC on the same day", () => {
    expect(formatBeijing("2024-12-31T15:59:59Z")).toBe("2024-12-31 23:59");
  });

  it("honours the offset written in the text", () => {
    expect(formatBeijing("2024-06-01T09:15:00+08:00")).toBe("2024-06-01 09:15");
    expect(formatBeijing("2024-06-01T09:15:00-05:30")).toBe("2024-06-01 22:45");
  });

  it("accepts the nanosecond fractions chrono writes", () => {
    expect(formatBeijing("2025-03-14T01:02:03.123456789Z")).toBe("2025-03-14 09:02");
  });

  it("agrees with the Asia/Shanghai zone over many instants", () => {
    const shanghai = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    for (let ms = Date.UTC(2019, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 7_777_777_777 / 97) {
      const at = new Date(Math.floor(ms / 60_000) * 60_000);
      expect(formatBeijing(at.toISOString()), at.toISOString()).toBe(shanghai.format(at));
    }
  });

  it("shows a missing time as the placeholder and bad text as it is", () => {
    expect(formatBeijing(null)).toBe("—");
    expect(formatBeijing(null, "n/a")).toBe("n/a");
    expect(formatBeijing("yesterday")).toBe("yesterday");
  });
});

describe("parseInstant", () => {
  it("rejects text without a zone, which could be read in any zone", () => {
    expect(parseInstant("2024-06-01T09:15:00")).toBeNull();
  });
});
