// Cold start of the CLI for commands that need no node: `version --client`, `--help`,
// `config info` (reads a talosconfig) and `gen secrets --help`; median wall time as a ratio to
// `node -e 0` on the same Node, all measured interleaved in the same run. Target: at most
// 1.5x each. (The start of node-facing commands is bench/node-start.mjs.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, interleave, median, TALOSCTL, timeRun } from "./lib.mjs";

export const STARTUP_COMMANDS = [
  ["version", "--client"],
  ["--help"],
  ["config", "info"],
  ["gen", "secrets", "--help"],
];

export function benchStartup(runs = Number(process.env.BENCH_RUNS ?? 20)) {
  const node = process.execPath;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-startup-"));
  try {
    const env = { ...process.env, HOME: dir, TALOSCONFIG: path.join(dir, "talosconfig") };
    timeRun(node, [TALOSCTL, "gen", "config", "bench", "https://127.0.0.1:6443", "-o", dir], { env });
    const [base, ...samples] = interleave(
      [
        { cmd: node, args: ["-e", "0"] },
        ...STARTUP_COMMANDS.map((args) => ({ cmd: node, args: [TALOSCTL, ...args], options: { env } })),
      ],
      runs,
    );
    const b = median(base);
    const commands = STARTUP_COMMANDS.map((args, i) => {
      const ms = median(samples[i]);
      return { command: args.join(" "), ms, ratio: ms / b };
    });
    const width = Math.max(...commands.map((c) => c.command.length)) + 10;
    return {
      name: "startup",
      runs,
      node: process.version,
      baselineMs: b,
      commands,
      worstRatio: Math.max(...commands.map((c) => c.ratio)),
      target: "<= 1.5x node -e 0",
      summary: [
        `${"node -e 0".padEnd(width)} ${fmt(b)} (baseline, median of ${runs}, ${process.version})`,
        ...commands.map(
          (c) => `${`talosctl ${c.command}`.padEnd(width)} ${fmt(c.ms)}  ratio ${c.ratio.toFixed(2)}x`,
        ),
      ],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchStartup();
  console.log(r.summary.join("\n"));
}
