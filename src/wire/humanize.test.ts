import { describe, expect, it } from "vitest";
import { bytesIEC, bytesSI, countSI, goAge, goTimeString, listTime, relativeTime } from "./humanize.js";

describe("sizes and counts", () => {
  it("renders decimal and binary sizes as go-humanize does", () => {
    expect(bytesSI(0)).toBe("0 B");
    expect(bytesSI(9)).toBe("9 B");
    expect(bytesSI(4096)).toBe("4.1 kB");
    expect(bytesSI(12_345_678)).toBe("12 MB");
    expect(bytesSI(1_400_000_000n)).toBe("1.4 GB");
    expect(bytesIEC(1024)).toBe("1.0 KiB");
    expect(bytesIEC(960 * 1024 * 1024)).toBe("960 MiB");
  });

  it("shortens counts with a metric suffix", () => {
    expect(countSI(999)).toBe("999");
    expect(countSI(1000)).toBe("1K");
    expect(countSI(1_234_567)).toBe("1.2M");
  });
});

describe("times", () => {
  const now = new Date("2026-08-21T10:00:00Z");
  it("says how long ago", () => {
    expect(relativeTime(new Date("2026-08-21T09:59:59.5Z"), now)).toBe("now");
    expect(relativeTime(new Date("2026-08-21T09:59:30Z"), now)).toBe("30 seconds ago");
    expect(relativeTime(new Date("2026-08-18T10:00:00Z"), now)).toBe("3 days ago");
    expect(relativeTime(new Date("2026-08-21T11:00:00Z"), now)).toBe("1 hour from now");
  });

  it("prints Go's time.String() and durations", () => {
    expect(goTimeString(1_787_306_401n, 123_456_000)).toBe("2026-08-21 10:00:01.123456 +0000 UTC");
    expect(goTimeString(1_787_306_401n, 0)).toBe("2026-08-21 10:00:01 +0000 UTC");
    expect(goAge(new Date("2026-08-21T07:56:55.6Z"), now)).toBe("2h3m4s");
  });

  it("uses ls's two time layouts", () => {
    const recent = new Date(2026, 7, 1, 9, 5, 7);
    expect(listTime(recent, new Date(2026, 7, 21))).toBe("Aug  1 09:05:07");
    expect(listTime(new Date(2025, 0, 12, 8, 30), new Date(2026, 7, 21))).toBe("Jan 12 2025 08:30");
  });
});
