// Integer flags read the way cobra's int32/int64 flags read them, with its wording for a bad
// value (`invalid argument "x" for "--tail" flag: strconv.ParseInt: parsing "x": invalid syntax`).
import { UserError } from "../errors.js";

const LIMITS = {
  int32: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  int64: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
} as const;

export type IntKind = keyof typeof LIMITS;

/** An int32 flag value (decimal, or 0x/0o/0b-prefixed as Go's ParseInt with base 0). */
export function parseIntFlag(flag: string, value: string): number {
  return Number(parseBigIntFlag(flag, value, "int32"));
}

/** An integer flag value of the given width, exactly (int64 does not fit a JS number). */
export function parseBigIntFlag(flag: string, value: string, kind: IntKind = "int64"): bigint {
  const text = value.trim();
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9_]+)$/.exec(text);
  if (!m || m[2]!.startsWith("_") || m[2]!.endsWith("_") || m[2]!.includes("__")) {
    throw flagError(flag, value, "invalid syntax");
  }
  const digits = m[2]!.replace(/_/g, "");
  let n: bigint;
  try {
    n = BigInt(/^0[0-9]/.test(digits) ? `0o${digits.slice(1)}` : digits);
  } catch {
    throw flagError(flag, value, "invalid syntax");
  }
  if (m[1] === "-") n = -n;
  const { min, max } = LIMITS[kind];
  if (n < min || n > max) throw flagError(flag, value, "value out of range");
  return n;
}

function flagError(flag: string, value: string, reason: string): UserError {
  return new UserError(
    `invalid argument ${JSON.stringify(value)} for "${flag}" flag: strconv.ParseInt: parsing ${JSON.stringify(value)}: ${reason}`,
    { showUsage: true },
  );
}
