// `talosctl gen config --with-secrets`: median wall time as a ratio to `talosctl version
// --client` (the CLI's own start-up), interleaved in the same run. Target: at most 2x.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, interleave, median, TALOSCTL } from "./lib.mjs";

export function benchGenConfig(runs = Number(process.env.BENCH_RUNS ?? 15)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-genconfig-"));
  const s = spawnSync(process.execPath, [TALOSCTL, "gen", "secrets", "-o", "secrets.yaml"], { cwd: dir });
  if (s.status !== 0) throw new Error(`gen secrets failed: ${s.stderr}`);
  const [version, gen] = interleave(
    [
      { cmd: process.execPath, args: [TALOSCTL, "version", "--client"] },
      {
        cmd: process.execPath,
        args: [
          TALOSCTL,
          "gen",
          "config",
          "bench",
          "https://10.5.0.2:6443",
          "--with-secrets",
          "secrets.yaml",
          "--force",
          "-o",
          "out",
        ],
        options: { cwd: dir },
      },
    ],
    runs,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  const v = median(version);
  const g = median(gen);
  return {
    name: "gen-config",
    runs,
    versionClientMs: v,
    genConfigMs: g,
    ratio: g / v,
    target: "<= 2x",
    summary: [
      `talosctl version --client:           ${fmt(v)} (median of ${runs})`,
      `talosctl gen config --with-secrets:  ${fmt(g)}  ratio ${(g / v).toFixed(2)}x`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(benchGenConfig().summary.join("\n"));
}
