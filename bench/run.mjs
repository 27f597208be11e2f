// Runs every benchmark and prints its figures; `node bench/run.mjs NAME...` runs a subset.
// Benchmarks are not tests: they report ratios against a baseline measured in the same run.
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./lib.mjs";

const benches = {
  startup: async () => (await import("./startup.mjs")).benchStartup(),
  "node-start": async () => (await import("./node-start.mjs")).benchNodeStart(),
  "gen-secrets": async () => (await import("./gen-secrets.mjs")).benchGenSecrets(),
  "gen-config": async () => (await import("./gen-config.mjs")).benchGenConfig(),
  "node-api": async () => (await import("./node-api.mjs")).benchNodeApi(),
  "config-patch": async () => (await import("./config-patch.mjs")).benchConfigPatch(),
  "logs-throughput": async () => (await import("./logs-throughput.mjs")).benchLogsThroughput(),
  streams: async () => (await import("./streams.mjs")).benchStreams(),
  "events-fanout": async () => (await import("./events-fanout.mjs")).benchEventsFanout(),
  "logs-slow-reader": async () => (await import("./logs-slow-reader.mjs")).benchLogsSlowReader(),
  "cluster-create": async () => (await import("./cluster-create.mjs")).benchClusterCreate(),
  "reboot-wait": async () => (await import("./reboot-wait.mjs")).benchRebootWait(),
  "emulate-fanout": async () => (await import("./emulate-fanout.mjs")).benchEmulateFanout(),
  "emulate-cluster": async () => (await import("./emulate-cluster.mjs")).benchEmulateCluster(),
  "upgrade-wait": async () => (await import("./upgrade-wait.mjs")).benchUpgradeWait(),
  resources: async () => (await import("./resources.mjs")).benchResources(),
  "kube-api": async () => (await import("./kube-api.mjs")).benchKubeApi(),
  dashboard: async () => (await import("./dashboard.mjs")).benchDashboard(),
  "config-scaling": async () => (await import("./config-scaling.mjs")).benchConfigScaling(),
};

/** Run only when named: a 1,000-node cluster takes minutes, which would hold up the whole run. */
const ON_REQUEST = new Set(["emulate-cluster"]);

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(benches).filter((n) => !ON_REQUEST.has(n));
if (!fs.existsSync(path.join(ROOT, "dist", "talosctl.cjs"))) {
  console.error('the CLI is not built: run "npm run build" first');
  process.exit(1);
}
const results = [];
const began = performance.now();
for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}" (known: ${Object.keys(benches).join(", ")})`);
    process.exit(1);
  }
  console.log(`\n## ${name}`);
  const started = performance.now();
  const r = await bench();
  r.elapsedSeconds = (performance.now() - started) / 1000;
  console.log(r.summary.join("\n"));
  console.log(`(${name}: ${r.elapsedSeconds.toFixed(0)} s)`);
  results.push(r);
}
console.log(
  `\n${names.length} benchmarks in ${((performance.now() - began) / 1000).toFixed(0)} s on ${process.version}`,
);
if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
