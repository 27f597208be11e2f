// Shared helpers for benchmarks: timing child processes and summarising samples.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const TALOSCTL = path.join(ROOT, "bin", "talosctl");

export function median(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(samples, p) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Wall time of one run of a command, in milliseconds. */
export function timeRun(cmd, args, options = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr?.toString()}`);
  return ms;
}

/**
 * Runs several commands interleaved (a, b, c, a, b, c, ...) so that machine noise falls on
 * all of them alike; returns the samples of each.
 */
export function interleave(commands, runs, warmup = 2) {
  const samples = commands.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    commands.forEach((c, j) => {
      const ms = timeRun(c.cmd, c.args, c.options);
      if (i >= warmup) samples[j].push(ms);
    });
  }
  return samples;
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}
