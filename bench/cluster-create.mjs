// `talosctl cluster create --controlplanes 3 --workers 3` until healthy, as wall time, against
// a baseline measured in the same run: one talos-node process started until it serves its
// maintenance API. Clocks run at real speed (no --time-scale).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, median, TALOSCTL } from "./lib.mjs";
import { TALOS_NODE, waitForLine } from "./node-lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function startToMaintenance() {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cc-node-"));
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [TALOS_NODE, "--state-dir", state, "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  await waitForLine(child, /listening on \S+ \(maintenance\)/);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  fs.rmSync(state, { recursive: true, force: true });
  return ms;
}

function createCluster(run) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cc-home-"));
  const env = { ...process.env, HOME: home, TALOSCONFIG: path.join(home, "talosconfig") };
  delete env.TALOS_HOME;
  const cidr = `127.${200 + (process.pid % 40)}.${run + 1}.0/24`;
  const state = path.join(home, "clusters");
  const start = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      TALOSCTL,
      "cluster",
      "create",
      "--name",
      "bench",
      "--state",
      state,
      "--cidr",
      cidr,
      "--controlplanes",
      "3",
      "--workers",
      "3",
    ],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  spawnSync(
    process.execPath,
    [TALOSCTL, "cluster", "destroy", "--name", "bench", "--state", state, "--force"],
    {
      env,
      stdio: "ignore",
    },
  );
  fs.rmSync(home, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`cluster create failed: ${r.stderr.toString()}`);
  return ms;
}

export async function benchClusterCreate() {
  const base = [];
  const create = [];
  await startToMaintenance(); // warm-up (code cache)
  for (let i = 0; i < RUNS; i++) {
    base.push(await startToMaintenance());
    create.push(createCluster(i));
  }
  const b = median(base);
  const c = median(create);
  return {
    name: "cluster-create",
    runs: RUNS,
    node: process.version,
    baselineMs: b,
    createMs: c,
    ratio: c / b,
    summary: [
      `talos-node start to maintenance:                   ${fmt(b)} (median of ${RUNS})`,
      `cluster create --controlplanes 3 --workers 3 (healthy): ${fmt(c)}  ratio ${(c / b).toFixed(1)}x`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchClusterCreate();
  console.log(r.summary.join("\n"));
}
