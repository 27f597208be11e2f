// reboot --wait against a node with a fixed emulated downtime: how soon the CLI returns once
// the node is back (its listener accepting again, as its ready line says), and how much CPU
// the CLI burns while it waits for the node. The baseline is one `talosctl version` round trip
// measured in the same run (a CLI start plus one call).
//
// Knobs: BENCH_REBOOTS (3), BENCH_DOWNTIME (machine time a reboot keeps the node down, "20s"),
// BENCH_TIME_SCALE (10: so the node is down 2 s of real time).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { median, TALOSCTL } from "./lib.mjs";
import { runTalosctl, startConfiguredNode } from "./node-lib.mjs";

const CLK_TCK = 100;

/** CPU time (user + system) of a live process, in milliseconds; undefined once it is gone. */
function cpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Runs the CLI; resolves with its exit time and the CPU it used while the node was down. */
function rebootOnce(node, env) {
  return new Promise((resolve, reject) => {
    let backAt;
    let backWall;
    let downAt;
    let cpuAtDown;
    let cpuAtBack;
    let lastCpu = 0;
    const cli = spawn(process.execPath, [TALOSCTL, "reboot", "-n", "127.0.0.1", "-o", "json"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    cli.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
      if (downAt === undefined && /unavailable, retrying/.test(d)) {
        downAt = performance.now();
        cpuAtDown = cpuMs(cli.pid) ?? lastCpu;
      }
    });
    // Sample the CLI's CPU often enough to read it right at the down and back moments.
    const sampler = setInterval(() => {
      const c = cpuMs(cli.pid);
      if (c !== undefined) lastCpu = c;
    }, 20);
    let errText = "";
    cli.stderr.setEncoding("utf8").on("data", (d) => {
      errText += d;
    });
    const onReady = (d) => {
      if (/listening on \S+ \(configured\)/.test(d) && downAt !== undefined && backAt === undefined) {
        backAt = performance.now();
        backWall = Date.now();
        cpuAtBack = cpuMs(cli.pid) ?? lastCpu;
      }
    };
    node.stdout.on("data", onReady);
    cli.on("error", reject);
    cli.on("close", (code) => {
      const exitAt = performance.now();
      clearInterval(sampler);
      node.stdout.off("data", onReady);
      if (code !== 0 || backAt === undefined || downAt === undefined) {
        reject(
          new Error(`reboot --wait failed (exit ${code}, back seen: ${backAt !== undefined}): ${errText}`),
        );
        return;
      }
      // The CLI's own stamps (-o json): when it read from the node again, and when it saw the
      // node ready (the rest is the node booting).
      const updates = out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      let lastDown = -1;
      updates.forEach((u, i) => {
        if (/^unavailable, retrying/.test(u.message)) lastDown = i;
      });
      const reconnected = Date.parse(updates[lastDown + 1].time);
      const ready = updates.findLast((u) => /^stage: RUNNING ready: true/.test(u.message));
      const exitWall = Date.now();
      resolve({
        reconnectAfterBackMs: reconnected - backWall,
        returnAfterReadyMs: ready ? exitWall - Date.parse(ready.time) : Number.NaN,
        returnAfterBackMs: exitAt - backAt,
        downMs: backAt - downAt,
        cpuWhileDownMs: cpuAtBack - cpuAtDown,
      });
    });
  });
}

export async function benchRebootWait() {
  const reboots = Number(process.env.BENCH_REBOOTS ?? 3);
  const downtime = process.env.BENCH_DOWNTIME ?? "20s";
  const scale = process.env.BENCH_TIME_SCALE ?? "10";
  const n = await startConfiguredNode(["--time-scale", scale, "--downtime", downtime]);
  n.node.stdout.setEncoding("utf8");
  try {
    // etcd waits for the bootstrap; the node is ready (what the tracker waits for) only after it.
    await bootstrapped(n.env);
    const baseline = [];
    const runs = [];
    for (let i = 0; i < reboots; i++) {
      const t = performance.now();
      await new Promise((resolve, reject) => {
        const v = spawn(process.execPath, [TALOSCTL, "version", "--short"], { env: n.env, stdio: "ignore" });
        v.on("close", (code) => (code === 0 ? resolve() : reject(new Error("talosctl version failed"))));
      });
      baseline.push(performance.now() - t);
      runs.push(await rebootOnce(n.node, n.env));
    }
    const back = median(runs.map((r) => r.returnAfterBackMs));
    const reconnect = median(runs.map((r) => r.reconnectAfterBackMs));
    const afterReady = median(runs.map((r) => r.returnAfterReadyMs));
    const base = median(baseline);
    const down = median(runs.map((r) => r.downMs));
    const cpu = median(runs.map((r) => r.cpuWhileDownMs));
    return {
      name: "reboot-wait",
      returnAfterBackMs: back,
      reconnectAfterBackMs: reconnect,
      returnAfterReadyMs: afterReady,
      baselineVersionMs: base,
      downMs: down,
      cpuWhileDownMs: cpu,
      summary: [
        `node back (listener accepting) → CLI returned: median ${back.toFixed(0)} ms over ${reboots} reboots (target < 1000 ms; includes the node's boot to ready)`,
        `  = ${(back / base).toFixed(2)}× one \`talosctl version\` run (${base.toFixed(0)} ms, same machine, same run)`,
        `  of which: node back → CLI reading its events again ${reconnect.toFixed(0)} ms; CLI saw the node ready → CLI exited ${afterReady.toFixed(0)} ms (the rest is the node booting)`,
        `CLI CPU while the node was down: ${cpu.toFixed(0)} ms in ${down.toFixed(0)} ms (${((cpu / down) * 100).toFixed(1)}% of one core; /proc at 10 ms resolution)`,
      ],
    };
  } finally {
    n.stop();
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
