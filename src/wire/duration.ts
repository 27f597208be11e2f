// Go's duration syntax (`1m0s`, `8760h0m0s`, `1.5s`, `300ms`), which talosctl's flags, Talos's
// messages and the node's logs use. Values are kept as nanoseconds in a bigint: a year does not
// fit a double's exact integer range at nanosecond precision; the millisecond helpers are for
// clocks and timers, which count in (fractional) milliseconds.

import type { Duration } from "@bufbuild/protobuf/wkt";
import { TalosError, UserError } from "../errors.js";

const NS = 1n;
const US = 1_000n * NS;
const MS = 1_000n * US;
const SECOND = 1_000n * MS;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

const UNITS: Readonly<Record<string, bigint>> = {
  ns: NS,
  us: US,
  µs: US, // U+00B5 micro sign
  μs: US, // U+03BC Greek small letter mu
  ms: MS,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
};

/** Go's time.Duration range: a signed 64-bit count of nanoseconds. */
const MAX_NANOS = (1n << 63n) - 1n;

/** A duration that failed to parse; the message is Go's (`time: invalid duration "x"`). */
export class DurationSyntaxError extends TalosError {
  override readonly name = "DurationSyntaxError";

  constructor(message: string) {
    super("invalid", message);
  }
}

/** Parses Go duration text into nanoseconds. */
export function parseGoDuration(text: string): bigint {
  const quoted = JSON.stringify(text);
  let s = text;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw new DurationSyntaxError(`time: invalid duration ${quoted}`);
  let total = 0n;
  while (s !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = number[1] ?? "";
    const fraction = number[2] ?? "";
    if (whole === "" && fraction === "") throw new DurationSyntaxError(`time: invalid duration ${quoted}`);
    s = s.slice(number[0].length);
    const unitMatch = /^[^\d.]+/.exec(s);
    if (!unitMatch) throw new DurationSyntaxError(`time: missing unit in duration ${quoted}`);
    const unitText = unitMatch[0];
    const unit = UNITS[unitText];
    if (unit === undefined) {
      throw new DurationSyntaxError(`time: unknown unit ${JSON.stringify(unitText)} in duration ${quoted}`);
    }
    s = s.slice(unitText.length);
    let value = BigInt(whole === "" ? "0" : whole) * unit;
    if (fraction !== "") {
      // Truncates below a nanosecond, as Go does.
      value += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    }
    total += value;
    if (total > MAX_NANOS) throw new DurationSyntaxError(`time: invalid duration ${quoted}`);
  }
  return negative ? -total : total;
}

/** Formats nanoseconds the way Go's Duration.String does. */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return "0s";
  const sign = nanos < 0n ? "-" : "";
  const u = nanos < 0n ? -nanos : nanos;
  if (u < SECOND) {
    if (u < US) return `${sign}${u}ns`;
    if (u < MS) return `${sign}${decimal(u, US)}µs`;
    return `${sign}${decimal(u, MS)}ms`;
  }
  let out = `${decimal(u % MINUTE, SECOND)}s`;
  if (u >= MINUTE) {
    out = `${(u / MINUTE) % 60n}m${out}`;
    if (u >= HOUR) out = `${u / HOUR}h${out}`;
  }
  return sign + out;
}

/** `value / unit` as a decimal without trailing zeros (`1.5`, `2`). */
function decimal(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/**
 * The protobuf Duration of a nanosecond count. A protobuf-es message is a plain object named by
 * its `$typeName`; written out here, so that the neutral layer does not load the protobuf
 * runtime and its descriptors (a CLI command that needs no wire code never does).
 */
export function toProtoDuration(nanos: bigint): Duration {
  const seconds = nanos / SECOND;
  const rest = Number(nanos % SECOND);
  return { $typeName: "google.protobuf.Duration", seconds, nanos: rest };
}

/** Nanoseconds of a protobuf Duration. */
export function fromProtoDuration(d: Pick<Duration, "seconds" | "nanos">): bigint {
  return d.seconds * SECOND + BigInt(d.nanos);
}

/** Milliseconds of a protobuf Duration (fractional below a millisecond). */
export function durationMs(d: Pick<Duration, "seconds" | "nanos">): number {
  return Number(d.seconds) * 1000 + d.nanos / 1e6;
}

/** Nanoseconds of a millisecond count, rounded to the nearest nanosecond. */
export function msToNanos(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** Formats milliseconds as Go's Duration.String does (`1m0s`, `1.5s`, `250µs`). */
export function formatGoDurationMs(ms: number): string {
  return formatGoDuration(msToNanos(ms));
}

/**
 * Reads a duration flag; a bad value is a flag error in cobra's words
 * (`invalid argument "x" for "--timeout" flag: time: invalid duration "x"`).
 */
export function parseDurationFlag(flag: string, value: string): bigint {
  try {
    return parseGoDuration(value);
  } catch (err) {
    if (err instanceof DurationSyntaxError) {
      throw new UserError(`invalid argument "${value}" for "${flag}" flag: ${err.message}`, {
        showUsage: true,
      });
    }
    throw err;
  }
}
