// The number, size and time renderings Talos and talosctl print: decimal and binary byte
// sizes (`12 MB`, `960 MiB`, as go-humanize writes them), short counts (`1.2M`), relative
// times (`3 days ago`) and Go's time strings.
import { formatGoDuration } from "./duration.js";

const SI_BYTES = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
const IEC_BYTES = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

function humanateBytes(value: number | bigint, base: number, units: readonly string[]): string {
  const n = Number(value);
  if (n < 10) return `${n} B`;
  const exponent = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(base)));
  const scaled = Math.floor((n / base ** exponent) * 10 + 0.5) / 10;
  return `${scaled < 10 ? scaled.toFixed(1) : scaled.toFixed(0)} ${units[exponent]}`;
}

/** Decimal units: `4.1 kB`, `12 MB`. */
export function bytesSI(value: number | bigint): string {
  return humanateBytes(value, 1000, SI_BYTES);
}

/** Binary units: `960 MiB`, `1.5 GiB`. */
export function bytesIEC(value: number | bigint): string {
  return humanateBytes(value, 1024, IEC_BYTES);
}

const SI_PREFIXES: Readonly<Record<number, string>> = { 3: "K", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E" };

/** A count with a metric suffix and one decimal at most: `512`, `1.2M`, `10K`. */
export function countSI(value: number | bigint): string {
  const n = Number(value);
  if (n < 1000) return String(n);
  const exponent = Math.min(18, Math.floor(Math.log10(n) / 3) * 3);
  const mantissa = n / 10 ** exponent;
  const text = mantissa.toFixed(1).replace(/\.0$/, "");
  return `${text}${SI_PREFIXES[exponent] ?? `e${exponent}`}`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;

/** How long ago (or ahead) `then` is, in words: `now`, `5 minutes ago`, `1 year from now`. */
export function relativeTime(then: Date, now: Date): string {
  let diff = now.getTime() - then.getTime();
  const label = diff < 0 ? "from now" : "ago";
  diff = Math.abs(diff);
  const steps: readonly [number, string, number][] = [
    [2 * SECOND, "1 second", 0],
    [MINUTE, "seconds", SECOND],
    [2 * MINUTE, "1 minute", 0],
    [HOUR, "minutes", MINUTE],
    [2 * HOUR, "1 hour", 0],
    [DAY, "hours", HOUR],
    [2 * DAY, "1 day", 0],
    [WEEK, "days", DAY],
    [2 * WEEK, "1 week", 0],
    [MONTH, "weeks", WEEK],
    [2 * MONTH, "1 month", 0],
    [YEAR, "months", MONTH],
    [18 * MONTH, "1 year", 0],
    [2 * YEAR, "2 years", 0],
    [37 * YEAR, "years", YEAR],
  ];
  if (diff < SECOND) return "now";
  for (const [limit, unit, divisor] of steps) {
    if (diff < limit)
      return divisor === 0 ? `${unit} ${label}` : `${Math.floor(diff / divisor)} ${unit} ${label}`;
  }
  return `a long while ${label}`;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/**
 * Go's `time.Time.String()` of a UTC instant: `2026-08-21 10:00:01.123456789 +0000 UTC`
 * (the fraction without trailing zeros, none when whole).
 */
export function goTimeString(seconds: bigint, nanos: number): string {
  const d = new Date(Number(seconds) * 1000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const fraction = nanos > 0 ? `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}` : "";
  return `${date} ${time}${fraction} +0000 UTC`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SIX_MONTHS_MS = 6 * 30 * DAY;

/**
 * `ls -l`'s time in the local time zone: `Jan _2 15:04:05` within six months, else
 * `Jan _2 2006 15:04`.
 */
export function listTime(then: Date, now: Date): string {
  const day = String(then.getDate()).padStart(2, " ");
  const month = MONTHS[then.getMonth()];
  if (now.getTime() - then.getTime() < SIX_MONTHS_MS) {
    return `${month} ${day} ${pad(then.getHours())}:${pad(then.getMinutes())}:${pad(then.getSeconds())}`;
  }
  return `${month} ${day} ${then.getFullYear()} ${pad(then.getHours())}:${pad(then.getMinutes())}`;
}

/** Go's `time.Since(t).Round(time.Second).String()`: `2h3m4s`, `0s`. */
export function goAge(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  return formatGoDuration(BigInt(seconds) * 1_000_000_000n);
}
