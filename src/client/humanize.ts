// The number, size, time and file-mode renderings talosctl users read in its tables: decimal
// and binary byte sizes (`12 MB`, `960 MiB`), short counts (`1.2M`), relative times
// (`3 days ago`), Go's time and file-mode strings.
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

// Go's os.FileMode type bits, highest first, with the letters its String() uses.
const GO_MODE_LETTERS: readonly [number, string][] = [
  [31, "d"],
  [30, "a"],
  [29, "l"],
  [28, "T"],
  [27, "L"],
  [26, "D"],
  [25, "p"],
  [24, "S"],
  [23, "u"],
  [22, "g"],
  [21, "c"],
  [20, "t"],
  [19, "?"],
];

const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

/**
 * A FileInfo mode as Go's os.FileMode bits. Talos sends Go's FileMode; a POSIX st_mode (type
 * in bits 12-15, which FileMode never uses) is converted, so either kind of server reads right.
 */
export function toGoFileMode(mode: number): number {
  const m = mode >>> 0;
  const posixType = m & 0o170000;
  if (posixType === 0) return m;
  let go = m & 0o777;
  switch (posixType) {
    case 0o040000:
      go += GO_MODE.dir;
      break;
    case 0o120000:
      go += GO_MODE.symlink;
      break;
    case 0o020000:
      go += GO_MODE.device + GO_MODE.charDevice;
      break;
    case 0o060000:
      go += GO_MODE.device;
      break;
    case 0o010000:
      go += GO_MODE.namedPipe;
      break;
    case 0o140000:
      go += GO_MODE.socket;
      break;
    default:
      break;
  }
  if (m & 0o4000) go += GO_MODE.setuid;
  if (m & 0o2000) go += GO_MODE.setgid;
  if (m & 0o1000) go += GO_MODE.sticky;
  return go;
}

/** Go's FileMode.String(): `drwxr-xr-x`, `Lrwxrwxrwx`, `-rw-r--r--`. */
export function fileModeString(mode: number): string {
  const m = toGoFileMode(mode);
  let out = "";
  for (const [bit, letter] of GO_MODE_LETTERS) if (Math.floor(m / 2 ** bit) % 2 === 1) out += letter;
  if (out === "") out = "-";
  const rwx = "rwxrwxrwx";
  for (let i = 0; i < 9; i++) out += m & (1 << (8 - i)) ? rwx[i] : "-";
  return out;
}

/** True when a FileInfo mode (either kind) is a directory. */
export function isDirectoryMode(mode: number): boolean {
  return Math.floor(toGoFileMode(mode) / GO_MODE.dir) % 2 === 1;
}

/** Go's `time.Since(t).Round(time.Second).String()`: `2h3m4s`, `0s`. */
export function goAge(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  return formatGoDuration(BigInt(seconds) * 1_000_000_000n);
}
