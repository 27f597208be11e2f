// talosctl dashboard against a local cluster of five nodes (`cluster create`, process
// provisioner), in a pseudo-terminal read through a headless xterm:
// - time from start to the first full screen (the first node's header with its uptime, its
//   stage, and its machine log), as a ratio to `talosctl -n <node> version` measured
//   interleaved in the same run;
// - CPU used by the dashboard process watching all five nodes for BENCH_SECONDS (60) at the
//   default update interval (3s), as a share of one core (target: under 5%).
// Knobs: BENCH_RUNS (5 timed starts of each), BENCH_SECONDS (60), BENCH_NODES (5).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pty from "@lydell/node-pty";
import xterm from "@xterm/headless";
import { fmt, median, ROOT, TALOSCTL } from "./lib.mjs";

const TALOS_NODE = path.join(ROOT, "bin", "talos-node");
const CLK_TCK = 100;

function run(args, env) {
  const r = spawnSync(process.execPath, [TALOSCTL, ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`talosctl ${args.join(" ")} failed: ${r.stderr}`);
  return r;
}

/** Starts the dashboard in a pty; resolves with the pid, the time to a full screen, and a stop. */
function startDashboard(args, env) {
  const term = new xterm.Terminal({ cols: 120, rows: 40, allowProposedApi: true });
  const started = process.hrtime.bigint();
  const p = pty.spawn(process.execPath, [TALOSCTL, "dashboard", ...args], {
    name: "xterm-256color",
    cols: 120,
    rows: 40,
    cwd: ROOT,
    env,
  });
  const screen = () => {
    const b = term.buffer.active;
    const rows = [];
    for (let y = 0; y < term.rows; y++) rows.push(b.getLine(y)?.translateToString(true) ?? "");
    return rows.join("\n");
  };
  const full = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no full screen in 60 s:\n${screen()}`)), 60_000);
    p.onData((d) =>
      term.write(d, () => {
        const t = screen();
        if (
          /uptime \d/.test(t) &&
          /STAGE\s+√ Running/.test(t) &&
          t.includes("[talos]") &&
          /PROCS \d/.test(t)
        ) {
          clearTimeout(timer);
          resolve(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }),
    );
  });
  const exited = new Promise((resolve) => p.onExit(resolve));
  return {
    pid: p.pid,
    full,
    async stop() {
      p.write("q");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      p.kill();
    },
  };
}

function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

export async function benchDashboard() {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const count = Number(process.env.BENCH_NODES ?? 5);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-dashboard-"));
  const cidr = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 256)}.0/24`;
  const base = cidr.split("/")[0].split(".").slice(0, 3).join(".");
  const nodes = Array.from({ length: count }, (_, i) => `${base}.${i + 2}`);
  const env = { HOME: home, PATH: process.env.PATH, TALOS_NODE_BIN: TALOS_NODE, TERM: "xterm-256color" };
  const state = path.join(home, "clusters");
  try {
    run(
      [
        "cluster",
        "create",
        "--name",
        "bench",
        "--state",
        state,
        "--cidr",
        cidr,
        "--controlplanes",
        "1",
        "--workers",
        String(count - 1),
        "--time-scale",
        "5",
      ],
      env,
    );
    const first = [];
    const version = [];
    for (let i = 0; i < runs + 1; i++) {
      const v0 = process.hrtime.bigint();
      run(["-n", nodes[0], "version"], env);
      const v = Number(process.hrtime.bigint() - v0) / 1e6;
      const d = startDashboard(["-n", nodes[0]], env);
      const ms = await d.full;
      await d.stop();
      // The first of each warms the code cache.
      if (i > 0) {
        version.push(v);
        first.push(ms);
      }
    }
    // CPU over a steady minute, watching every node at the default interval.
    const d = startDashboard(["-n", nodes.join(",")], env);
    await d.full;
    const t0 = cpuTicks(d.pid);
    const w0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const ticks = cpuTicks(d.pid) - t0;
    const wall = Number(process.hrtime.bigint() - w0) / 1e9;
    await d.stop();
    const cpu = ticks / CLK_TCK / wall;
    const f = median(first);
    const v = median(version);
    return {
      name: "dashboard",
      runs,
      node: process.version,
      nodes: count,
      firstScreenMs: f,
      versionMs: v,
      firstScreenRatio: f / v,
      cpuShare: cpu,
      cpuSeconds: seconds,
      target: "CPU < 5% of a core",
      summary: [
        `talosctl version (1 node):       ${fmt(v)} (median of ${runs})`,
        `dashboard, first full screen:    ${fmt(f)}  ratio ${(f / v).toFixed(2)}x`,
        `dashboard CPU, ${count} nodes, ${seconds} s at 3s: ${(cpu * 100).toFixed(2)}% of a core (target < 5%)`,
      ],
    };
  } finally {
    spawnSync(process.execPath, [TALOSCTL, "cluster", "destroy", "--name", "bench", "--state", state], {
      env,
    });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchDashboard();
  console.log(r.summary.join("\n"));
}
