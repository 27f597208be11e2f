// `talosctl gen secrets`: median wall time of the real command, and the time from the start of
// its key generation to the last key made (the keys are made concurrently, so this is the
// longest one; the command reports it with --debug). The overhead beyond the longest key and
// the runtime's own start (wall - longest key - `node -e 0`, measured in the same run: module
// load, certificate assembly, encoding, the atomic write) should stay under 60 ms;
// `talosctl version --client` is measured too, as the CLI's own start.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, median, TALOSCTL, timeRun } from "./lib.mjs";

export function benchGenSecrets(runs = Number(process.env.BENCH_RUNS ?? 10)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-secrets-"));
  const out = path.join(dir, "secrets.yaml");
  const walls = [];
  const keygens = [];
  const starts = [];
  const versions = [];
  for (let i = 0; i < runs + 1; i++) {
    const begin = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [TALOSCTL, "gen", "secrets", "-o", out, "--force", "--debug"], {
      encoding: "utf8",
    });
    const wall = Number(process.hrtime.bigint() - begin) / 1e6;
    if (r.status !== 0) throw new Error(`gen secrets failed: ${r.stderr}`);
    const m = /key generation: ([\d.]+) ms/.exec(r.stderr);
    if (!m) throw new Error(`gen secrets --debug did not report key generation time: ${r.stderr}`);
    const s = timeRun(process.execPath, ["-e", "0"]);
    const v = timeRun(process.execPath, [TALOSCTL, "version", "--client"]);
    if (i === 0) continue; // warm-up (code cache)
    walls.push(wall);
    keygens.push(Number(m[1]));
    starts.push(s);
    versions.push(v);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const overheads = walls.map((w, i) => w - keygens[i]);
  const wall = median(walls);
  const keygen = median(keygens);
  const overhead = median(overheads);
  const nodeStart = median(starts);
  const cliStart = median(versions);
  return {
    name: "gen-secrets",
    runs,
    wallMs: wall,
    keygenMs: keygen,
    keygenShare: keygen / wall,
    overheadMs: overhead,
    overheadBeyondCliStartMs: overhead - cliStart,
    overheadBeyondNodeStartMs: overhead - nodeStart,
    nodeStartMs: nodeStart,
    cliStartMs: cliStart,
    target: "wall - longest key - node -e 0 < 60 ms",
    summary: [
      `gen secrets wall time:        ${fmt(wall)} (median of ${runs})`,
      `  longest key generation:     ${fmt(keygen)} (${((keygen / wall) * 100).toFixed(0)}% of the run)`,
      `  overhead beyond keygen:     ${fmt(overhead)} (median per run: wall - longest key)`,
      `  baselines:                  node -e 0 ${fmt(nodeStart)}, talosctl version --client ${fmt(cliStart)}`,
      `  overhead beyond node start: ${fmt(overhead - nodeStart)} (target < 60 ms)`,
      `  overhead beyond CLI start:  ${fmt(overhead - cliStart)}`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(benchGenSecrets().summary.join("\n"));
}
