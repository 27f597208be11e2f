// `talosctl gen secrets`: median wall time of the real command against baselines measured in the
// same run: the longest key generation (the command reports it with --debug; the keys are made
// concurrently, so the time from their start to the last one made is the longest one), the
// CLI's own start (`talosctl version --client`) and the runtime's start (`node -e 0`). The
// overhead is wall - CLI start - longest key, per run: what the command costs beyond starting
// and beyond its slowest key (module load, certificate assembly, encoding, the atomic write);
// the target is under 60 ms.
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
  // Per run, each run against the baselines measured beside it.
  const beyondCli = median(walls.map((w, i) => w - versions[i] - keygens[i]));
  const beyondNode = median(walls.map((w, i) => w - starts[i] - keygens[i]));
  return {
    name: "gen-secrets",
    runs,
    wallMs: wall,
    keygenMs: keygen,
    keygenShare: keygen / wall,
    overheadMs: overhead,
    overheadBeyondCliStartMs: beyondCli,
    overheadBeyondNodeStartMs: beyondNode,
    nodeStartMs: nodeStart,
    cliStartMs: cliStart,
    target: "wall - talosctl version --client - longest key < 60 ms",
    summary: [
      `gen secrets, whole process:   ${fmt(wall)} (median of ${runs})`,
      `  longest key generation:     ${fmt(keygen)} (baseline, in the same run; ${((keygen / wall) * 100).toFixed(0)}% of the process)`,
      `  CLI start-up:               ${fmt(cliStart)} (talosctl version --client; node -e 0 ${fmt(nodeStart)})`,
      `  overhead:                   ${fmt(beyondCli)} (whole - start-up - longest key, median per run; target < 60 ms)`,
      `  overhead beyond node start: ${fmt(beyondNode)} (whole - node -e 0 - longest key)`,
      `  wall - longest key:         ${fmt(overhead)}`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(benchGenSecrets().summary.join("\n"));
}
