// Start of the node-facing commands: the time from spawning `talosctl <command>` to the first
// RPC it sends to a local node (the launcher's trace notes when the first HTTP/2 request goes
// out), as a ratio to the whole run of `talosctl version --client` measured interleaved in the
// same run. Target: at most 1.3x for every command.
//
// Commands that change a node run with a talosconfig of the os:reader role: their first RPC
// is sent and refused, so the node stays as it is. Every leaf command of talosctl must be listed
// here, as measured or as offline; a new command missing from both is reported.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fmt, median, ROOT, TALOSCTL } from "./lib.mjs";
import { runTalosctl, startConfiguredNode } from "./node-lib.mjs";

/** Node-facing commands and their arguments; `reader` ones run with the os:reader config. */
export const NODE_COMMANDS = [
  { args: ["version"] },
  { args: ["get", "members"] },
  { args: ["get", "machinestatus", "-o", "yaml"] },
  { args: ["logs", "apid", "--tail", "1"] },
  { args: ["dmesg"] },
  { args: ["events", "--tail", "1", "--duration", "1ms"] },
  { args: ["service"] },
  { args: ["service", "apid"] },
  { args: ["list", "/etc"] },
  { args: ["read", "/etc/hostname"] },
  { args: ["copy", "/etc/hostname", "{dir}/copied"] },
  { args: ["memory"] },
  { args: ["mounts"] },
  { args: ["processes"] },
  { args: ["stats"] },
  { args: ["containers"] },
  { args: ["time"] },
  { args: ["usage", "/etc"] },
  { args: ["diskfree"] },
  { args: ["health", "--wait-timeout", "1s"] },
  { args: ["kubeconfig", "{dir}/kubeconfig"] },
  { args: ["config", "new", "{dir}/new-talosconfig"] },
  { args: ["etcd", "members"] },
  { args: ["etcd", "status"] },
  { args: ["apply-config", "-f", "{dir}/controlplane.yaml", "-n", "127.0.0.1"], reader: true },
  { args: ["patch", "machineconfig", "-p", '{"machine":{}}', "-n", "127.0.0.1"], reader: true },
  { args: ["edit", "machineconfig", "-n", "127.0.0.1"], reader: true },
  { args: ["reboot", "-n", "127.0.0.1"], reader: true },
  { args: ["shutdown", "--force", "-n", "127.0.0.1"], reader: true },
  { args: ["reset", "--graceful=false", "-n", "127.0.0.1"], reader: true },
  { args: ["rollback", "-n", "127.0.0.1"], reader: true },
  { args: ["upgrade", "-i", "ghcr.io/siderolabs/installer:v1.14.0", "-n", "127.0.0.1"], reader: true },
  { args: ["bootstrap", "-n", "127.0.0.1"], reader: true },
  { args: ["etcd", "leave", "-n", "127.0.0.1"], reader: true },
  { args: ["etcd", "forfeit-leadership", "-n", "127.0.0.1"], reader: true },
  { args: ["etcd", "remove-member", "abc", "-n", "127.0.0.1"], reader: true },
];

/** Commands that need no node (measured by bench/startup.mjs where it matters). */
export const OFFLINE_COMMANDS = [
  "config add",
  "config context",
  "config contexts",
  "config endpoint",
  "config info",
  "config merge",
  "config node",
  "config proxy-url",
  "config remove",
  "gen ca",
  "gen config",
  "gen crt",
  "gen csr",
  "gen key",
  "gen keypair",
  "gen secrets",
  "machineconfig diff",
  "machineconfig gen",
  "machineconfig patch",
  "cluster create",
  "cluster destroy",
  "cluster show",
  "validate",
  "completion",
];

/** talosctl's leaf commands, from its command tree (src/cli/manifest.ts, bundled here). */
export async function leafCommands() {
  const { build } = await import("esbuild");
  const out = await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/cli/manifest.ts"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    logLevel: "error",
    plugins: [
      {
        name: "no-commands",
        setup(b) {
          b.onResolve({ filter: /^\.\/commands\// }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  const { ROOT: tree } = await import(
    `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`
  );
  const leaves = [];
  const walk = (entry, prefix) => {
    if (entry.load) leaves.push(prefix.join(" "));
    for (const child of entry.children ?? []) walk(child, [...prefix, child.name]);
  };
  walk(tree, []);
  return leaves;
}

/** Spawns talosctl and resolves with the ms from spawn to its first request (or undefined). */
function firstRequest(args, env, traceFile) {
  fs.rmSync(traceFile, { force: true });
  return new Promise((resolve, reject) => {
    const begin = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, [TALOSCTL, ...args], {
      env: { ...env, TALOS_TOOLKIT_TRACE: traceFile, EDITOR: "true", VISUAL: "true" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
    });
    // A command that goes on after its first call (health) is stopped once it has made it.
    const poll = setInterval(() => {
      if (read() !== undefined) child.kill("SIGKILL");
    }, 20);
    const read = () => {
      try {
        const line = fs
          .readFileSync(traceFile, "utf8")
          .split("\n")
          .find((l) => l.includes('"request"'));
        return line ? JSON.parse(line).at - begin : undefined;
      } catch {
        return undefined;
      }
    };
    child.on("error", reject);
    child.on("close", () => {
      clearInterval(poll);
      const ms = read();
      if (ms === undefined) reject(new Error(`talosctl ${args.join(" ")} sent no request: ${err.trim()}`));
      else resolve(ms);
    });
  });
}

function wholeRun(args, env) {
  return new Promise((resolve, reject) => {
    const begin = performance.now();
    const child = spawn(process.execPath, [TALOSCTL, ...args], { env, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(performance.now() - begin)
        : reject(new Error(`talosctl ${args.join(" ")} failed`)),
    );
  });
}

export async function benchNodeStart(runs = Number(process.env.BENCH_RUNS ?? 3)) {
  const leaves = await leafCommands();
  const unlisted = leaves.filter(
    (l) =>
      !OFFLINE_COMMANDS.includes(l) &&
      !NODE_COMMANDS.some((c) => c.args.slice(0, l.split(" ").length).join(" ") === l),
  );
  const { env, dir, address, stop } = await startConfiguredNode();
  try {
    const readerEnv = { ...env, TALOSCONFIG: path.join(dir, "reader-talosconfig") };
    await runTalosctl(["config", "new", readerEnv.TALOSCONFIG, "--roles", "os:reader"], env);
    await runTalosctl(["config", "endpoint", address], readerEnv);
    await runTalosctl(["config", "node", "127.0.0.1"], readerEnv);
    const traceFile = path.join(dir, "trace.jsonl");
    const expand = (args) => args.map((a) => a.replaceAll("{dir}", dir));
    const samples = NODE_COMMANDS.map(() => []);
    const base = [];
    for (let i = 0; i < runs + 1; i++) {
      for (const [j, c] of NODE_COMMANDS.entries()) {
        if (j % 6 === 0) {
          const ms = await wholeRun(["version", "--client"], env);
          if (i > 0) base.push(ms);
        }
        // `config new` refuses a file that exists: a run killed after its request may have written it.
        fs.rmSync(path.join(dir, "new-talosconfig"), { force: true });
        const ms = await firstRequest(expand(c.args), c.reader ? readerEnv : env, traceFile);
        if (i > 0) samples[j].push(ms); // the first round warms the code caches
      }
    }
    const b = median(base);
    const commands = NODE_COMMANDS.map((c, j) => {
      const ms = median(samples[j]);
      return { command: c.args.join(" "), ms, ratio: ms / b };
    });
    const worst = commands.reduce((a, c) => (c.ratio > a.ratio ? c : a));
    const width = Math.max(...commands.map((c) => c.command.length)) + 2;
    return {
      name: "node-start",
      runs,
      node: process.version,
      baselineMs: b,
      commands,
      worstRatio: worst.ratio,
      unlisted,
      target: "<= 1.3x talosctl version --client",
      summary: [
        `${"version --client (whole run)".padEnd(width)} ${fmt(b)} (baseline, median of ${base.length}, ${process.version})`,
        ...commands.map((c) => `${c.command.padEnd(width)} ${fmt(c.ms)}  ratio ${c.ratio.toFixed(2)}x`),
        `worst: ${worst.command} ${worst.ratio.toFixed(2)}x; median ratio ${median(commands.map((c) => c.ratio)).toFixed(2)}x`,
        ...(unlisted.length > 0
          ? [`not measured (add to bench/node-start.mjs): ${unlisted.join(", ")}`]
          : []),
      ],
    };
  } finally {
    stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await benchNodeStart()).summary.join("\n"));
}
