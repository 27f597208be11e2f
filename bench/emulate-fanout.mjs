// One talos-node process emulating many nodes (--emulate), and talosctl fanning out to all of
// them through one endpoint. Reported: the process's resident memory per node (against a
// one-node process measured in the same run), the wall time of `talosctl -n <all> version`
// through one endpoint, and its ratio to `talosctl -n <one> version` (the baseline).
//
// Every node is a control plane (seeded STATE), so that each holds a certificate from the OS CA
// and the endpoint can verify the node it forwards to. Each node gets its own discovery cluster
// id (same secrets, so the same OS CA): what is measured is the API and forwarding, not 200
// members polling one discovery registry (which grows with the square of the members).
//
// Knobs: BENCH_NODES (200), BENCH_RUNS (5 timed runs of each command, interleaved),
// BENCH_ONE_CLUSTER=1 (every node in one discovery cluster: 200 control planes of one cluster).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, interleave, median, ROOT, TALOSCTL } from "./lib.mjs";
import { memory, runTalosctl } from "./node-lib.mjs";

const TALOS_NODE = path.join(ROOT, "bin", "talos-node");
const ONE_CLUSTER = process.env.BENCH_ONE_CLUSTER === "1";

/** A random loopback network with room for `count` nodes (a /24 up to 253, a /22 up to 1021). */
function randomCidr(count) {
  const third = Math.floor(Math.random() * 64) * 4;
  return `127.${100 + Math.floor(Math.random() * 150)}.${third}.0/${count > 253 ? 22 : 24}`;
}

/** The nodes' addresses: the network's .2, .3, ... counted across its octets. */
function addressesOf(cidr, count) {
  const [a, b, c] = cidr.split("/")[0].split(".").map(Number);
  const base = ((a * 256 + b) * 256 + c) * 256;
  return Array.from({ length: count }, (_, i) => {
    const v = base + i + 2;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
  });
}

/** Starts `talos-node --emulate count` with every node seeded configured; resolves when all serve. */
async function emulate(dir, count, config) {
  const cidr = randomCidr(count);
  const addresses = addressesOf(cidr, count);
  const state = path.join(dir, `state-${count}`);
  for (const a of addresses) {
    fs.mkdirSync(path.join(state, a), { recursive: true, mode: 0o700 });
    const own = ONE_CLUSTER
      ? config
      : config.replace(/^clusterID: \S+/m, `clusterID: ${randomBytes(32).toString("base64")}`);
    fs.writeFileSync(path.join(state, a, "config.yaml"), own, { mode: 0o600 });
  }
  const child = spawn(
    process.execPath,
    [TALOS_NODE, "--state-dir", state, "--emulate", String(count), "--cidr", cidr],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  const started = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    let seen = 0;
    let buffer = "";
    const timer = setTimeout(
      () => reject(new Error(`only ${seen} of ${count} nodes came up`)),
      Math.max(180_000, count * 400),
    );
    child.stdout.setEncoding("utf8").on("data", (d) => {
      buffer += d;
      const lines = buffer.split("\n");
      buffer = lines.pop();
      seen += lines.filter((l) => l.endsWith("(configured)")).length;
      if (seen >= count) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`talos-node exited with ${code}: ${stderr.trim()}`)));
  });
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { child, addresses, startMs };
}

/** RSS once the machines have booted (it changes by less than 1% in half a second). */
async function settledRss(pid) {
  let last = memory(pid).rss;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = memory(pid).rss;
    if (Math.abs(now - last) < last * 0.01) return now;
    last = now;
  }
  return last;
}

export async function benchEmulateFanout() {
  const count = Number(process.env.BENCH_NODES ?? 200);
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-emulate-"));
  const env = { ...process.env, HOME: dir, TALOSCONFIG: path.join(dir, "talosconfig") };
  const children = [];
  try {
    await runTalosctl(["gen", "config", "bench", "https://127.0.0.1:6443", "-o", dir, "--force"], env);
    const config = fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8");
    const one = await emulate(dir, 1, config);
    children.push(one.child);
    const oneRss = await settledRss(one.child.pid);
    one.child.kill("SIGTERM");

    const many = await emulate(dir, count, config);
    children.push(many.child);
    const manyRss = await settledRss(many.child.pid);
    const perNodeKiB = (manyRss - oneRss) / (count - 1);

    const endpoint = many.addresses[0];
    await runTalosctl(["config", "endpoint", endpoint], env);
    const all = many.addresses.join(",");
    // The first fan-out opens the endpoint's connections to every node (reported, not compared);
    // the timed runs find them open, as the baseline finds its own.
    const coldStart = process.hrtime.bigint();
    const check = await runTalosctl(["version", "--short", "-n", all], env);
    const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;
    const [single, fanout] = interleave(
      [
        { cmd: process.execPath, args: [TALOSCTL, "version", "--short", "-n", endpoint], options: { env } },
        { cmd: process.execPath, args: [TALOSCTL, "version", "--short", "-n", all], options: { env } },
      ],
      runs,
      1,
    );
    const singleMs = median(single);
    const fanoutMs = median(fanout);
    const peak = memory(many.child.pid).peak;
    return {
      name: "emulate-fanout",
      nodes: count,
      startMs: many.startMs,
      rssOneNodeMiB: oneRss / 1024,
      rssMiB: manyRss / 1024,
      peakRssMiB: peak / 1024,
      rssPerNodeMiB: perNodeKiB / 1024,
      singleMs,
      fanoutMs,
      ratio: fanoutMs / singleMs,
      coldMs,
      versionBytes: check,
      summary: [
        `${count} emulated control planes (${ONE_CLUSTER ? "one cluster" : "one discovery cluster each"}) in one process, up (configured) in ${(many.startMs / 1000).toFixed(1)} s`,
        `RSS:                      ${(manyRss / 1024).toFixed(1)} MiB settled (peak ${(peak / 1024).toFixed(1)} MiB); one-node process ${(oneRss / 1024).toFixed(1)} MiB`,
        `RSS per node:             ${(perNodeKiB / 1024).toFixed(2)} MiB ((RSS(${count}) - RSS(1)) / ${count - 1})`,
        `talosctl version, 1 node: ${fmt(singleMs)} (median of ${runs}, baseline)`,
        `talosctl version, ${count} nodes through one endpoint: ${fmt(fanoutMs)} (median of ${runs}), ${(fanoutMs / singleMs).toFixed(2)}x the baseline`,
        `first ${count}-node fan-out (endpoint opens its ${count - 1} node connections): ${fmt(coldMs)}`,
      ],
    };
  } finally {
    // The nodes go first: a node still writing its state would race the removal.
    await Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once("exit", resolve);
            c.kill("SIGTERM");
            setTimeout(() => c.kill("SIGKILL"), 10_000).unref();
          }),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchEmulateFanout();
  console.log(r.summary.join("\n"));
}
