// The emulated Kubernetes API of a local cluster (one control plane, two workers, --time-scale
// 50), measured against baselines taken in the same run:
// - `kubectl get nodes` (when kubectl is on the PATH; else a list of nodes over HTTPS) against
//   `talosctl version` to the same control plane;
// - 500 watches of all pods while a DaemonSet rolls: every watcher must see the same events in
//   the same order; reported are the events, the fan-out latency (from the first watcher
//   receiving an event to each other watcher receiving it; p50, p99) and the roll's duration;
// - resident memory of the control plane's process (API server, controllers, store) against a
//   worker's process (kubelet only).
// Knobs: BENCH_RUNS (10 timed runs of each command), BENCH_WATCHERS (500).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { fmt, interleave, median, percentile, TALOSCTL } from "./lib.mjs";
import { memory } from "./node-lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 500);

function kubectlPath() {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(dir, "kubectl");
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function identityOf(kubeconfig) {
  const cfg = parseYaml(fs.readFileSync(kubeconfig, "utf8"));
  const ctx = cfg.contexts.find((c) => c.name === cfg["current-context"]).context;
  const cluster = cfg.clusters.find((c) => c.name === ctx.cluster).cluster;
  const user = cfg.users.find((u) => u.name === ctx.user).user;
  const b = (v) => Buffer.from(v, "base64").toString();
  return {
    server: cluster.server,
    agent: new https.Agent({
      keepAlive: true,
      maxSockets: Number.POSITIVE_INFINITY,
      ca: b(cluster["certificate-authority-data"]),
      cert: b(user["client-certificate-data"]),
      key: b(user["client-key-data"]),
    }),
  };
}

function request(id, method, p, body, contentType = "application/json") {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(p, id.server),
      { method, agent: id.agent, headers: body ? { "Content-Type": contentType } : {} },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode >= 300) reject(new Error(`${method} ${p}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on("error", reject);
    if (body) req.write(typeof body === "string" ? body : JSON.stringify(body));
    req.end();
  });
}

/** Opens a watch; events go to `onEvent(event, receivedAt)`. Resolves once the stream is open. */
function openWatch(id, p, onEvent) {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(p, id.server), { method: "GET", agent: id.agent }, (res) => {
      let pending = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        pending += c;
        let nl = pending.indexOf("\n");
        while (nl >= 0) {
          const at = performance.now();
          onEvent(JSON.parse(pending.slice(0, nl)), at);
          pending = pending.slice(nl + 1);
          nl = pending.indexOf("\n");
        }
      });
      res.on("error", () => undefined);
      resolve(() => req.destroy());
    });
    req.on("error", (e) => (e.code === "ECONNRESET" ? undefined : reject(e)));
    req.end();
  });
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchKubeApi() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-kube-"));
  const env = { ...process.env, HOME: home, TALOSCONFIG: path.join(home, ".talos", "config") };
  delete env.KUBECONFIG;
  const state = path.join(home, "clusters");
  const cidr = `127.${150 + (process.pid % 90)}.${(process.pid >> 3) % 250}.0/24`;
  const base = cidr.replace(/\.0\/24$/, "");
  const created = spawnSync(
    process.execPath,
    [
      TALOSCTL,
      "cluster",
      "create",
      "--name",
      "benchk",
      "--state",
      state,
      "--cidr",
      cidr,
      "--workers",
      "2",
      "--time-scale",
      "50",
    ],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  );
  const destroy = () => {
    spawnSync(process.execPath, [TALOSCTL, "cluster", "destroy", "--name", "benchk", "--state", state], {
      env,
      stdio: "ignore",
    });
    fs.rmSync(home, { recursive: true, force: true });
  };
  if (created.status !== 0) {
    destroy();
    throw new Error(`cluster create failed: ${created.stderr}`);
  }
  try {
    const kubeconfig = path.join(home, ".kube", "config");
    const id = identityOf(kubeconfig);
    await waitFor(
      async () => (await request(id, "GET", "/api/v1/nodes")).items.length === 3,
      30_000,
      "3 nodes",
    );

    // 1. kubectl get nodes (or an HTTPS list) against talosctl version.
    const kubectl = kubectlPath();
    const listNodes = kubectl
      ? { cmd: kubectl, args: ["get", "nodes"], options: { env: { ...env, KUBECONFIG: kubeconfig } } }
      : {
          cmd: process.execPath,
          args: [
            "-e",
            `const https=require("node:https");const y=require(${JSON.stringify(path.join(path.dirname(TALOSCTL), "..", "node_modules", "yaml"))});` +
              `const c=y.parse(require("fs").readFileSync(${JSON.stringify(kubeconfig)},"utf8"));const b=(v)=>Buffer.from(v,"base64");` +
              `https.get(c.clusters[0].cluster.server+"/api/v1/nodes",{ca:b(c.clusters[0].cluster["certificate-authority-data"]),cert:b(c.users[0].user["client-certificate-data"]),key:b(c.users[0].user["client-key-data"])},(r)=>r.resume())`,
          ],
        };
    const version = {
      cmd: process.execPath,
      args: [TALOSCTL, "-n", `${base}.2`, "version"],
      options: { env },
    };
    const [kSamples, tSamples] = interleave([listNodes, version], RUNS);
    const k = median(kSamples);
    const t = median(tSamples);

    // 2. 500 watchers of all pods while a DaemonSet rolls.
    const start = await request(id, "GET", "/api/v1/pods?limit=1");
    const seen = Array.from({ length: WATCHERS }, () => []);
    const firstSeen = new Map();
    const lat = [];
    const closers = [];
    for (let i = 0; i < WATCHERS; i++) {
      closers.push(
        await openWatch(
          id,
          `/api/v1/pods?watch=1&resourceVersion=${start.metadata.resourceVersion}&labelSelector=app%3Droller`,
          (e, at) => {
            const key = `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`;
            seen[i].push(key);
            const first = firstSeen.get(key);
            if (first === undefined) firstSeen.set(key, at);
            else lat.push(at - first);
          },
        ),
      );
    }
    const ds = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "roller", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "roller" } },
        template: {
          metadata: { labels: { app: "roller" } },
          spec: { containers: [{ name: "c", image: "roller:1" }] },
        },
      },
    };
    await request(id, "POST", "/apis/apps/v1/namespaces/default/daemonsets", ds);
    const ready = async (image) => {
      const d = await request(id, "GET", "/apis/apps/v1/namespaces/default/daemonsets/roller");
      const s = d.status ?? {};
      const pods = await request(id, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Droller");
      return (
        s.desiredNumberScheduled === 2 &&
        s.numberReady === 2 &&
        s.updatedNumberScheduled === 2 &&
        pods.items.length === 2 &&
        pods.items.every((p) => p.spec.containers[0].image === image)
      );
    };
    await waitFor(() => ready("roller:1"), 60_000, "the DaemonSet");
    const rollStart = performance.now();
    await request(
      id,
      "PATCH",
      "/apis/apps/v1/namespaces/default/daemonsets/roller",
      { spec: { template: { spec: { containers: [{ name: "c", image: "roller:2" }] } } } },
      "application/strategic-merge-patch+json",
    );
    await waitFor(() => ready("roller:2"), 60_000, "the roll");
    const rollMs = performance.now() - rollStart;
    await new Promise((r) => setTimeout(r, 500));
    for (const close of closers) close();
    const reference = seen[0];
    const identical = seen.every(
      (s) => s.length === reference.length && s.every((x, j) => x === reference[j]),
    );
    const ordered = reference.every(
      (x, j) => j === 0 || Number(x.split(" ")[2]) >= Number(reference[j - 1].split(" ")[2]),
    );

    // 3. Memory: the control plane's process against a worker's.
    const pidOf = (n) => Number(fs.readFileSync(path.join(state, "benchk", n, "pid"), "utf8"));
    const cp = memory(pidOf("benchk-controlplane-1"));
    const worker = memory(pidOf("benchk-worker-1"));
    id.agent.destroy();
    return {
      name: "kube-api",
      runs: RUNS,
      node: process.version,
      list: { client: kubectl ? "kubectl get nodes" : "https list nodes", medianMs: k },
      version: { medianMs: t },
      ratio: k / t,
      watch: {
        watchers: WATCHERS,
        events: reference.length,
        identical,
        ordered,
        p50Ms: percentile(lat, 50),
        p99Ms: percentile(lat, 99),
        rollMs,
      },
      memory: { controlPlaneKiB: cp.rss, workerKiB: worker.rss },
      summary: [
        `${kubectl ? "kubectl get nodes" : "list nodes over HTTPS"}: ${fmt(k)} (median of ${RUNS}); talosctl version: ${fmt(t)}; ratio ${(k / t).toFixed(2)}`,
        `${WATCHERS} pod watchers, DaemonSet roll of 2 pods in ${fmt(rollMs)}: ${reference.length} events each, ${identical ? "identical" : "DIFFERENT"} on every watcher, ${ordered ? "in order" : "OUT OF ORDER"}; fan-out latency p50 ${fmt(percentile(lat, 50))}, p99 ${fmt(percentile(lat, 99))}`,
        `resident memory: control plane (API server, controllers, store) ${(cp.rss / 1024).toFixed(1)} MiB, worker (kubelet) ${(worker.rss / 1024).toFixed(1)} MiB, difference ${((cp.rss - worker.rss) / 1024).toFixed(1)} MiB`,
      ],
    };
  } finally {
    destroy();
  }
}
