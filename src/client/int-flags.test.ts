import { describe, expect, it } from "vitest";
import { parseBigIntFlag, parseIntFlag } from "./int-flags.js";

describe("parseIntFlag", () => {
  it("reads int32 values as Go's ParseInt does", () => {
    expect(parseIntFlag("--tail", "-1")).toBe(-1);
    expect(parseIntFlag("--tail", "0")).toBe(0);
    expect(parseIntFlag("--tail", "2147483647")).toBe(2147483647);
    expect(parseIntFlag("--tail", "-2147483648")).toBe(-2147483648);
    expect(parseIntFlag("--tail", "0x10")).toBe(16);
    expect(parseIntFlag("--tail", "1_000")).toBe(1000);
  });

  it("names the flag and the value when it is not an int32", () => {
    expect(() => parseIntFlag("--tail", "2147483648")).toThrow(
      'invalid argument "2147483648" for "--tail" flag: strconv.ParseInt: parsing "2147483648": value out of range',
    );
    expect(() => parseIntFlag("--tail", "ten")).toThrow(
      'invalid argument "ten" for "--tail" flag: strconv.ParseInt: parsing "ten": invalid syntax',
    );
    expect(() => parseIntFlag("--tail", "1.5")).toThrow(/invalid syntax/);
    expect(() => parseIntFlag("--tail", "")).toThrow(/invalid syntax/);
    expect(parseBigIntFlag("--threshold", "-9223372036854775808")).toBe(-9223372036854775808n);
    expect(() => parseBigIntFlag("--threshold", "9223372036854775808")).toThrow(/value out of range/);
  });
});
