// Texts the dashboard shows as talosctl's does: placeholders, status marks, uptime, CPU
// frequency, SI counts (siderolabs/talos: internal/pkg/dashboard/components).
import { formatGoDuration } from "../../../wire/index.js";
import { Color, type Line, type Span, span, style } from "../terminal/canvas.js";

/** Nothing received yet. */
export const NO_DATA = "...";
/** Not known for this node. */
export const NOT_AVAILABLE = "n/a";
/** Known, and empty. */
export const NONE = "<none>";

export const BOLD_TEXT = style(Color.default, true);

function capitalizeFirst(s: string): string {
  return s === "" ? s : s[0]!.toUpperCase() + s.slice(1).toLowerCase();
}

/** `√ Text` in green or `× Text` in red. */
export function statusText(text: string, ok: boolean): Span {
  if (text === "") return span("");
  return ok ? span(`√ ${text}`, style(Color.green)) : span(`× ${text}`, style(Color.red));
}

/** A status word, marked good or bad when it is one Talos marks. */
export function formatStatus(value: string | boolean | undefined): Span {
  if (value === undefined) return span(NOT_AVAILABLE);
  const text = capitalizeFirst(String(value));
  switch (text.toLowerCase()) {
    case "running":
    case "healthy":
    case "true":
      return statusText(text, true);
    case "stopped":
    case "unhealthy":
    case "false":
      return statusText(text, false);
    default:
      return span(text);
  }
}

export function healthStatus(healthy: boolean): Span {
  return formatStatus(healthy ? "Healthy" : "Unhealthy");
}

/** Uptime as Go prints a duration, with whole days in front past a day (`2d3h4m5s`). */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const day = 86_400;
  if (s >= day) return `${Math.floor(s / day)}d${formatGoDuration(BigInt(s % day) * 1_000_000_000n)}`;
  return formatGoDuration(BigInt(s) * 1_000_000_000n);
}

/** go-humanize's Ftoa: up to 2 decimals here, trailing zeros dropped. */
function ftoa(value: number): string {
  return value.toFixed(6).replace(/\.?0+$/, "");
}

/** `2.45GHz`, `800MHz`. */
export function cpuFrequency(mhz: number): string {
  const value = Math.round(mhz);
  if (mhz >= 1000) return `${ftoa(Math.round((value / 1000) * 100) / 100)}GHz`;
  return `${ftoa(value)}MHz`;
}

const SI_PREFIX = ["", "k", "M", "G", "T", "P", "E"];

/** go-humanize's ComputeSI: the value scaled to a metric prefix. */
export function computeSI(value: number): [number, string] {
  if (value === 0) return [0, ""];
  let exp = Math.floor(Math.log10(Math.abs(value)) / 3);
  exp = Math.max(0, Math.min(SI_PREFIX.length - 1, exp));
  return [value / 1000 ** exp, SI_PREFIX[exp]!];
}

/** Go's `%5.1f`. */
export function fixed(value: number, width: number, digits: number): string {
  return value.toFixed(digits).padStart(width);
}

/** A label and a value, as Talos's field groups render them (name padded, bold). */
export interface Field {
  readonly name: string;
  readonly value: Line;
}

export function fieldLines(fields: readonly Field[]): Line[] {
  const width = Math.max(0, ...fields.map((f) => f.name.length));
  return fields.map((f) => [span(f.name.padEnd(width), BOLD_TEXT), span(" "), ...f.value]);
}

export function text(value: string | undefined, fallback = NOT_AVAILABLE): Line {
  return [span(value === undefined || value === "" ? fallback : value)];
}
