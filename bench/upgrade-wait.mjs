// upgrade --wait end to end on a node at a fast time scale: the total, and where the time
// goes, from the CLI's own -o json progress (each update is stamped): start-up and version
// checks, image pull, installer run, reboot request, node down, boot to ready and checks,
// exit. The baseline is one `talosctl version` run in the same run.
//
// Knobs: BENCH_UPGRADES (3), BENCH_TIME_SCALE (1000).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { median, TALOSCTL } from "./lib.mjs";
import { runTalosctl, startConfiguredNode } from "./node-lib.mjs";

const FROM = "v1.14.0";
const TO = "v1.15.0";

function run(args, env) {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, [TALOSCTL, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve({ out, startedAt, endedAt: Date.now() })
        : reject(new Error(`talosctl ${args.join(" ")}: ${err}${out}`)),
    );
  });
}

/** Splits one run into steps by the first update that starts each. */
function steps(result) {
  const updates = result.out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .map((u) => ({ ...u, at: Date.parse(u.time) }));
  const first = (re, from = 0) => updates.findIndex((u, i) => i >= from && re.test(u.message));
  const at = (i) => (i >= 0 ? updates[i].at : Number.NaN);
  const waiting = first(/^waiting for actor ID/);
  const pulling = first(/^pulling image/);
  const pulled = first(/^pulled image/);
  const installed = first(/^upgrade completed/);
  const actor = first(/^actor ID/);
  const down = first(/^unavailable, retrying/, actor);
  let lastDown = down;
  updates.forEach((u, i) => {
    if (i > down && /^unavailable, retrying/.test(u.message)) lastDown = i;
  });
  const backIdx = lastDown + 1;
  const done = first(/^post check passed/);
  return {
    "start-up and version checks": at(waiting) - result.startedAt,
    "events stream and boot id": at(pulling) - at(waiting),
    "image pull": at(pulled) - at(pulling),
    installer: at(installed) - at(pulled),
    "reboot request": at(actor) - at(installed),
    "until the node went down": at(down) - at(actor),
    "node down (reconnecting)": at(backIdx) - at(down),
    "boot to ready, boot id and version checks": at(done) - at(backIdx),
    exit: result.endedAt - at(done),
    total: result.endedAt - result.startedAt,
  };
}

export async function benchUpgradeWait() {
  const upgrades = Number(process.env.BENCH_UPGRADES ?? 3);
  const scale = process.env.BENCH_TIME_SCALE ?? "1000";
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "talos-bench-catalog-"));
  const catalog = path.join(dir, "catalog.yaml");
  fs.writeFileSync(
    catalog,
    `- ref: ghcr.io/siderolabs/installer:${FROM}\n  version: ${FROM}\n- ref: ghcr.io/siderolabs/installer:${TO}\n  version: ${TO}\n`,
  );
  const n = await startConfiguredNode([
    "--time-scale",
    scale,
    "--image-catalog",
    catalog,
    "--talos-version",
    FROM,
  ]);
  try {
    // etcd waits for the bootstrap; the node is ready (what the tracker waits for) only after it.
    await bootstrapped(n.env);
    const baseline = [];
    const runs = [];
    for (let i = 0; i < upgrades; i++) {
      const v = await run(["version", "--short"], n.env);
      baseline.push(v.endedAt - v.startedAt);
      // Alternate between the two versions so every run is a real upgrade.
      const target = i % 2 === 0 ? TO : FROM;
      runs.push(
        steps(
          await run(
            ["upgrade", "-n", "127.0.0.1", "-i", `ghcr.io/siderolabs/installer:${target}`, "-o", "json"],
            n.env,
          ),
        ),
      );
    }
    const base = median(baseline);
    const keys = Object.keys(runs[0]);
    const med = Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))]));
    return {
      name: "upgrade-wait",
      timeScale: Number(scale),
      medians: med,
      baselineVersionMs: base,
      summary: [
        `upgrade --wait at --time-scale ${scale}: median total ${med.total.toFixed(0)} ms over ${upgrades} upgrades (${(med.total / base).toFixed(1)}× one \`talosctl version\` run of ${base.toFixed(0)} ms)`,
        ...keys.filter((k) => k !== "total").map((k) => `  ${k}: ${med[k].toFixed(0)} ms`),
      ],
    };
  } finally {
    n.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Bootstraps the node's etcd and waits until the node reports itself running and ready. */
async function bootstrapped(env) {
  await runTalosctl(["bootstrap", "-n", "127.0.0.1"], env);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = spawnSync(
      process.execPath,
      [TALOSCTL, "get", "machinestatus", "-n", "127.0.0.1", "-o", "jsonpath={.spec.status.ready}"],
      { env },
    );
    if (r.stdout.toString().trim() === "true") return;
    if (Date.now() > deadline) throw new Error(`the node did not become ready: ${r.stdout}${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
