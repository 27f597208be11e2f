// A large local cluster: `talosctl cluster create --controlplanes 3 --workers N-3` (emulated,
// spread over one talos-node process per core) until healthy, then, through one endpoint,
// `talosctl -n <every node> version` and `talosctl get members`. Baseline, measured in the same
// run against the same cluster: `talosctl -n <one node> version`. Reported besides: the
// processes' resident memory per node, and the create time per node.
//
// Knobs: BENCH_NODES (1000), BENCH_RUNS (3 timed runs of each command, interleaved).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, interleave, median, TALOSCTL } from "./lib.mjs";
import { memory } from "./node-lib.mjs";

/** A random loopback network with room for `count` nodes from .2. */
function randomCidr(count) {
  const prefix = count <= 253 ? 24 : count <= 1021 ? 22 : 20;
  const block = 2 ** (24 - prefix);
  const third = Math.floor(Math.random() * (256 / block)) * block;
  return `127.${100 + Math.floor(Math.random() * 150)}.${third}.0/${prefix}`;
}

/** The pids serving the emulation: the first process and the ones it started. */
function emulationPids(first) {
  const pids = [first];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === first) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function run(args, env, what) {
  const r = spawnSync(process.execPath, [TALOSCTL, ...args], { env, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(`${what} failed: ${r.stderr.toString().trim().split("\n").slice(-3).join(" / ")}`);
  return r.stdout.toString();
}

export async function benchEmulateCluster() {
  const count = Number(process.env.BENCH_NODES ?? 1000);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-emulate-cluster-"));
  const env = { ...process.env, HOME: home, TALOSCONFIG: path.join(home, "talosconfig") };
  delete env.TALOS_HOME;
  const state = path.join(home, "clusters");
  const cidr = randomCidr(count);
  try {
    const started = process.hrtime.bigint();
    const create = spawn(
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
        String(count - 3),
        "--skip-kubeconfig",
      ],
      { env, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    create.stderr.setEncoding("utf8").on("data", (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const code = await new Promise((resolve) => create.once("exit", resolve));
    const createMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (code !== 0) throw new Error(`cluster create failed (${code}): ${stderr.trim()}`);

    const first = Number(fs.readFileSync(path.join(state, "bench", "emulate", "pid"), "utf8"));
    const pids = emulationPids(first);
    const rss = pids.reduce((sum, pid) => sum + memory(pid).rss, 0);

    const [a, b, c] = cidr.split("/")[0].split(".").map(Number);
    const base = ((a * 256 + b) * 256 + c) * 256;
    const addresses = Array.from({ length: count }, (_, i) => {
      const v = base + i + 2;
      return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
    });
    const endpoint = addresses[0];
    const all = addresses.join(",");
    // Warm: the endpoint opens its connections to every node once.
    const out = run(["version", "--short", "-n", all], env, "version of every node");
    const answered = (out.match(/^\s*Tag:/gm) ?? []).length;
    const members = run(["get", "members", "-n", endpoint], env, "get members").trim().split("\n").length - 1;
    const [single, fanout, getMembers] = interleave(
      [
        { cmd: process.execPath, args: [TALOSCTL, "version", "--short", "-n", endpoint], options: { env } },
        { cmd: process.execPath, args: [TALOSCTL, "version", "--short", "-n", all], options: { env } },
        { cmd: process.execPath, args: [TALOSCTL, "get", "members", "-n", endpoint], options: { env } },
      ],
      runs,
      1,
    );
    const singleMs = median(single);
    const fanoutMs = median(fanout);
    const membersMs = median(getMembers);
    return {
      name: "emulate-cluster",
      node: process.version,
      nodes: count,
      processes: pids.length,
      createMs,
      rssMiB: rss / 1024,
      rssPerNodeMiB: rss / 1024 / count,
      singleMs,
      fanoutMs,
      membersMs,
      answered,
      members,
      summary: [
        `cluster create --controlplanes 3 --workers ${count - 3} (emulated, ${pids.length} processes) healthy in ${fmt(createMs)} (${(createMs / count).toFixed(1)} ms per node)`,
        `RSS of the processes:     ${(rss / 1024).toFixed(0)} MiB, ${(rss / 1024 / count).toFixed(2)} MiB per node`,
        `talosctl version, 1 node: ${fmt(singleMs)} (median of ${runs}, baseline)`,
        `talosctl version, ${count} nodes through one endpoint: ${fmt(fanoutMs)} (${answered} answered), ${(fanoutMs / singleMs).toFixed(2)}x the baseline`,
        `talosctl get members (${members} members): ${fmt(membersMs)}, ${(membersMs / singleMs).toFixed(2)}x the baseline`,
      ],
    };
  } finally {
    spawnSync(
      process.execPath,
      [TALOSCTL, "cluster", "destroy", "--name", "bench", "--state", state, "--force"],
      {
        env,
        stdio: "ignore",
      },
    );
    fs.rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchEmulateCluster();
  console.log(r.summary.join("\n"));
}
