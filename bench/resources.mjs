// The node's resources with the whole catalogue registered and populated. Reported:
// - `talosctl get <type> -o yaml` on one configured node, over a sample of the registered types
//   spread across the catalogue: the median wall time of one call, against `talosctl version`
//   on the same node (baseline, interleaved);
// - every type listed in every namespace through one connection (what `get` asks the node for,
//   199 types x 19 namespaces), total wall time;
// - the node's resident memory, for one configured node and per node of `--emulate` (default
//   200 configured control planes in one process, against a one-node process).
//
// Knobs: BENCH_TYPES (40 types sampled for the CLI timings; 0 for all), BENCH_NODES (200).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, median, ROOT, TALOSCTL, timeRun } from "./lib.mjs";
import {
  benchClient,
  grpc,
  identity,
  memory,
  runTalosctl,
  startConfiguredNode,
  TALOS_NODE,
} from "./node-lib.mjs";

/** Every type and namespace the catalogue names (read from the reference, as the generator does). */
function catalogue() {
  const text = fs.readFileSync(path.join(ROOT, "reference", "talos", "resource-catalogue.txt"), "utf8");
  const types = [...text.matchAll(/^type (\S+)\n {2}namespace (\S+)/gm)].map((m) => ({
    type: m[1],
    namespace: m[2],
  }));
  const namespaces = /^# namespaces registered \(in order\): (.*)$/m.exec(text)[1].split(" ");
  return { types, namespaces };
}

/** A cosi.resource.State List request, encoded by hand (namespace = 1, type = 2). */
function listRequest(namespace, type) {
  const field = (n, s) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b]);
  };
  return Buffer.concat([field(1, namespace), field(2, type)]);
}

function listAll(client, namespace, type) {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(
      "/cosi.resource.State/List",
      identity,
      identity,
      listRequest(namespace, type),
      new grpc.Metadata(),
      {},
    );
    let items = 0;
    call.on("data", () => items++);
    // Refusals (an unused namespace, a sensitive type) count as answers too.
    call.on("error", () => resolve(items));
    call.on("end", () => resolve(items));
  });
}

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

/** `talos-node --emulate count`, every node seeded with a control-plane config of its own cluster. */
async function emulate(dir, count, config) {
  const base = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 256)}`;
  const state = path.join(dir, `state-${count}`);
  for (let i = 0; i < count; i++) {
    const a = `${base}.${i + 2}`;
    fs.mkdirSync(path.join(state, a), { recursive: true, mode: 0o700 });
    const own = config.replace(/^clusterID: \S+/m, `clusterID: ${randomBytes(32).toString("base64")}`);
    fs.writeFileSync(path.join(state, a, "config.yaml"), own, { mode: 0o600 });
  }
  const child = spawn(
    process.execPath,
    [TALOS_NODE, "--state-dir", state, "--emulate", String(count), "--cidr", `${base}.0/24`],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  await new Promise((resolve, reject) => {
    let seen = 0;
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`only ${seen} of ${count} nodes came up`)), 300_000);
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
    child.once("exit", (code) => reject(new Error(`talos-node exited with ${code}`)));
  });
  return child;
}

export async function benchResources() {
  const sampleSize = Number(process.env.BENCH_TYPES ?? 40);
  const count = Number(process.env.BENCH_NODES ?? 200);
  const { types, namespaces } = catalogue();
  const node = await startConfiguredNode(["--time-scale", "20"]);
  const children = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-resources-"));
  try {
    const options = { env: node.env };
    // Warm the launchers' code caches and the node.
    timeRun(process.execPath, [TALOSCTL, "version"], options);
    timeRun(process.execPath, [TALOSCTL, "get", "rd"], options);
    const gets = [];
    const versions = [];
    const step = sampleSize > 0 ? Math.max(1, Math.floor(types.length / sampleSize)) : 1;
    const sample = types.filter((_, i) => i % step === 0);
    for (const t of sample) {
      versions.push(timeRun(process.execPath, [TALOSCTL, "version"], options));
      gets.push(timeRun(process.execPath, [TALOSCTL, "get", t.type, "-o", "yaml"], options));
    }
    const client = benchClient(node.address, node.creds);
    const start = process.hrtime.bigint();
    let items = 0;
    for (const ns of namespaces) for (const t of types) items += await listAll(client, ns, t.type);
    const listMs = Number(process.hrtime.bigint() - start) / 1e6;
    client.close();
    const oneNodeRss = await settledRss(node.node.pid);

    await runTalosctl(["gen", "config", "bench", "https://127.0.0.1:6443", "-o", dir, "--force"], node.env);
    const config = fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8");
    const one = await emulate(dir, 1, config);
    children.push(one);
    const emulatedOne = await settledRss(one.pid);
    one.kill("SIGTERM");
    const many = await emulate(dir, count, config);
    children.push(many);
    const emulatedMany = await settledRss(many.pid);
    const perNodeKiB = (emulatedMany - emulatedOne) / (count - 1);

    const getMs = median(gets);
    const versionMs = median(versions);
    return {
      name: "resources",
      types: types.length,
      sampledTypes: sample.length,
      getMs,
      versionMs,
      ratio: getMs / versionMs,
      listAllMs: listMs,
      listedItems: items,
      rssNodeMiB: oneNodeRss / 1024,
      rssEmulatedPerNodeMiB: perNodeKiB / 1024,
      rssEmulatedMiB: emulatedMany / 1024,
      summary: [
        `talosctl get <type> -o yaml, ${sample.length} of the ${types.length} types: ${fmt(getMs)} median, ${(getMs / versionMs).toFixed(2)}x talosctl version (${fmt(versionMs)}, baseline)`,
        `every type in every namespace (${types.length} x ${namespaces.length} List calls, ${items} resources) over one connection: ${fmt(listMs)}`,
        `RSS of one configured node (catalogue registered and populated): ${(oneNodeRss / 1024).toFixed(1)} MiB`,
        `--emulate ${count}: ${(emulatedMany / 1024).toFixed(1)} MiB, ${(perNodeKiB / 1024).toFixed(2)} MiB per node ((RSS(${count}) - RSS(1)) / ${count - 1})`,
      ],
    };
  } finally {
    for (const c of children) c.kill("SIGTERM");
    node.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchResources();
  console.log(r.summary.join("\n"));
}
