// Durations as Go prints and protobuf carries them.
import type { Duration } from "@bufbuild/protobuf/wkt";

/** Milliseconds of a google.protobuf.Duration. */
export function durationMs(d: Duration): number {
  return Number(d.seconds) * 1000 + d.nanos / 1e6;
}

function trimFraction(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** Go's time.Duration.String(): `1m0s`, `1h2m3.5s`, `500ms`, `0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  const abs = Math.abs(ms);
  if (abs < 1) {
    const us = abs * 1000;
    return us < 1 ? `${sign}${trimFraction(us * 1000, 0)}ns` : `${sign}${trimFraction(us, 3)}µs`;
  }
  if (abs < 1000) return `${sign}${trimFraction(abs, 6)}ms`;
  const totalSeconds = abs / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds - h * 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  const sec = `${trimFraction(s, 9)}s`;
  if (h > 0) return `${sign}${h}h${m}m${sec}`;
  if (m > 0) return `${sign}${m}m${sec}`;
  return `${sign}${sec}`;
}
