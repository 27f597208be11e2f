import { create, toBinary } from "@bufbuild/protobuf";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  DurationSyntaxError,
  durationMs,
  formatGoDuration,
  formatGoDurationMs,
  fromProtoDuration,
  parseGoDuration,
  toProtoDuration,
} from "./duration.js";

const S = 1_000_000_000n;

describe("parseGoDuration", () => {
  it.each([
    ["0", 0n],
    ["1m0s", 60n * S],
    ["8760h0m0s", 8760n * 3600n * S],
    ["30s", 30n * S],
    ["1h30m", 5400n * S],
    ["1.5s", 1_500_000_000n],
    ["300ms", 300_000_000n],
    ["2us", 2_000n],
    ["2µs", 2_000n],
    ["7ns", 7n],
    [".5m", 30n * S],
    ["1.m", 60n * S],
    ["-1m", -60n * S],
    ["+2h", 7200n * S],
    ["1h1h", 7200n * S],
  ])("%s", (text, want) => {
    expect(parseGoDuration(text)).toBe(want);
  });

  it.each([
    ["", 'time: invalid duration ""'],
    ["1", 'time: missing unit in duration "1"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["abc", 'time: invalid duration "abc"'],
    ["-", 'time: invalid duration "-"'],
    [".s", 'time: invalid duration ".s"'],
    ["1m 2s", 'time: unknown unit "m " in duration "1m 2s"'],
    ["9999999999h", 'time: invalid duration "9999999999h"'],
  ])("rejects %j", (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(DurationSyntaxError);
    expect(() => parseGoDuration(text)).toThrow(message);
    expect(() => parseGoDuration(text)).toThrow(expect.objectContaining({ code: "invalid" }));
  });
});

describe("formatGoDuration", () => {
  it.each([
    [0n, "0s"],
    [60n * S, "1m0s"],
    [8760n * 3600n * S, "8760h0m0s"],
    [30n * S, "30s"],
    [5400n * S, "1h30m0s"],
    [1_500_000_000n, "1.5s"],
    [90_500_000_000n, "1m30.5s"],
    [300_000_000n, "300ms"],
    [1_500n, "1.5µs"],
    [999n, "999ns"],
    [-60n * S, "-1m0s"],
  ])("%s → %s", (nanos, text) => {
    expect(formatGoDuration(nanos)).toBe(text);
  });

  it("round-trips what it prints", () => {
    for (const text of ["1m0s", "8760h0m0s", "1h30m0s", "2.25s", "12ms"]) {
      expect(formatGoDuration(parseGoDuration(text))).toBe(text);
    }
  });
});

describe("protobuf durations", () => {
  it("splits seconds and nanoseconds", () => {
    const d = toProtoDuration(parseGoDuration("1m0.25s"));
    expect(d.seconds).toBe(60n);
    expect(d.nanos).toBe(250_000_000);
    expect(fromProtoDuration(d)).toBe(60_250_000_000n);
  });

  it("is the message protobuf-es creates, and encodes as one", () => {
    const d = toProtoDuration(-1_500_000_000n);
    const made = create(DurationSchema, { seconds: -1n, nanos: -500_000_000 });
    expect(d).toEqual(made);
    expect(toBinary(DurationSchema, d)).toEqual(toBinary(DurationSchema, made));
  });
});

describe("millisecond helpers", () => {
  it("formats milliseconds as Go does", () => {
    expect(formatGoDurationMs(60_000)).toBe("1m0s");
    expect(formatGoDurationMs(0)).toBe("0s");
    expect(formatGoDurationMs(1_500)).toBe("1.5s");
    expect(formatGoDurationMs(3_723_000)).toBe("1h2m3s");
    expect(formatGoDurationMs(500)).toBe("500ms");
    expect(formatGoDurationMs(90 * 60_000)).toBe("1h30m0s");
    expect(formatGoDurationMs(-2_000)).toBe("-2s");
    expect(formatGoDurationMs(0.25)).toBe("250µs");
    expect(formatGoDurationMs(1234.5678)).toBe("1.2345678s");
  });

  it("reads a protobuf Duration in milliseconds", () => {
    expect(durationMs(toProtoDuration(1_500_000_000n))).toBe(1_500);
    expect(durationMs({ seconds: 0n, nanos: 250_000 })).toBe(0.25);
  });
});
