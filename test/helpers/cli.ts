// Runs the real CLI: either the built bin/talosctl as a child process (end-to-end), or the
// same command code in-process with captured streams (fast, same code path after argv).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import type { CliContext } from "../../src/cli/context.js";
import { run } from "../../src/cli/run.js";
import { killAtEnd, removeAtEnd } from "./cleanup.js";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TALOSCTL = path.join(PROJECT_ROOT, "bin", "talosctl");
export const TALOS_NODE = path.join(PROJECT_ROOT, "bin", "talos-node");
/** Facts about real Talos kept in the repository (see reference/README.md). */
export const REFERENCE = path.join(PROJECT_ROOT, "reference", "talos");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** A scratch directory in the OS temp dir, removed when the test file ends (passed or failed). */
export function tempDir(prefix = "talos-test-"): string {
  return removeAtEnd(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Environment for a child talosctl that never touches the real ~/.talos. */
export function isolatedEnv(
  home: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("TALOS")) env[k] = v;
  }
  env.HOME = home;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs bin/talosctl (the built bundle) as a child process. */
export function runTalosctl(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runProgram(TALOSCTL, args, options);
}

export function runProgram(
  program: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = killAtEnd(
      spawn(process.execPath, [program, ...args], {
        cwd: options.cwd ?? PROJECT_ROOT,
        env: options.env ?? isolatedEnv(tempDir("talos-home-")),
        stdio: ["pipe", "pipe", "pipe"],
      }),
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

export interface InProcessOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  home?: string;
  input?: string;
  stdinIsTTY?: boolean;
  now?: () => Date;
}

/** Runs the CLI in this process with captured output. */
export async function runInProcess(
  args: readonly string[],
  options: InProcessOptions = {},
): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (options.stdinIsTTY) stdin.isTTY = true;
  stdin.end(options.input ?? "");
  const home = options.home ?? tempDir("talos-home-");
  const ctx: CliContext = {
    stdout: {
      write: (c) => {
        stdout += typeof c === "string" ? c : Buffer.from(c).toString("utf8");
        return true;
      },
    },
    stderr: {
      write: (c) => {
        stderr += typeof c === "string" ? c : Buffer.from(c).toString("utf8");
        return true;
      },
    },
    stdin,
    env: options.env ?? { HOME: home },
    cwd: options.cwd ?? process.cwd(),
    homedir: home,
    now: options.now ?? (() => new Date()),
    signal: new AbortController().signal,
  };
  const code = await run(args, ctx);
  return { code, stdout, stderr };
}
