// Configured talos-node processes for end-to-end tests of node-facing commands: cluster
// material (machine configs, OS CA, an admin certificate), a node that boots from a seeded
// STATE directory straight into configured mode, and a talosconfig pointing at it. Also runs
// the CLI in-process with a cancel switch and an optional slow stdout, for follow modes.
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { CliContext } from "../../src/cli/context.js";
import { run } from "../../src/cli/run.js";
import { encodeClientConfig } from "../../src/clientconfig/index.js";
import { type RunResult, runInProcess, tempDir } from "./cli.js";
import { makeCluster, type StartedNode, seedState, startNode, type TestCluster } from "./node.js";
import { waitFor } from "./wait.js";

export type { TestCluster } from "./node.js";

const b64 = (text: string): string => Buffer.from(text).toString("base64");

/** A talosconfig with one context ("test") for the cluster's admin. */
export function talosconfigFor(
  cluster: TestCluster,
  endpoints: readonly string[],
  nodes: readonly string[],
  pair: { crt: string; key: string } = cluster.admin,
): string {
  return encodeClientConfig({
    context: "test",
    contexts: {
      test: {
        endpoints: [...endpoints],
        nodes: [...nodes],
        ca: b64(cluster.osCa.crt),
        crt: b64(pair.crt),
        key: b64(pair.key),
      },
    },
  });
}

export interface StartConfiguredNodeOptions {
  /** Reuse cluster material (several nodes of one cluster); default: a fresh cluster. */
  cluster?: TestCluster;
  /** Extra talos-node flags, e.g. ["--time-scale", "50"]. */
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Node names the talosconfig context targets (default ["127.0.0.1"]). */
  nodes?: string[];
  /** Boot as a worker instead of a control plane. */
  worker?: boolean;
}

export interface ConfiguredNode {
  readonly node: StartedNode;
  readonly cluster: TestCluster;
  /** Scratch directory, the CLI's working directory. */
  readonly dir: string;
  readonly home: string;
  /** The talosconfig file (context "test", endpoint = this node). */
  readonly talosconfig: string;
  /** Environment for the CLI (HOME, TALOSCONFIG, PATH), plus extras. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Runs talosctl in-process against this node. */
  talosctl(args: readonly string[], extra?: Record<string, string | undefined>): Promise<RunResult>;
  stop(): Promise<void>;
}

/** A configured node (seeded STATE, so it boots configured) and a talosconfig for its admin. */
export async function startConfiguredNode(options: StartConfiguredNodeOptions = {}): Promise<ConfiguredNode> {
  const cluster = options.cluster ?? (await makeCluster("observe-cluster"));
  const stateDir = tempDir("talos-node-state-");
  seedState(stateDir, options.worker ? cluster.worker : cluster.controlplane);
  const node = await startNode({ stateDir, args: options.args ?? [], env: options.env ?? {} });
  const dir = tempDir("talos-cli-");
  const home = tempDir("talos-cli-home-");
  const talosconfig = path.join(dir, "talosconfig");
  fs.writeFileSync(talosconfig, talosconfigFor(cluster, [node.address], options.nodes ?? ["127.0.0.1"]), {
    mode: 0o600,
  });
  const env = (extra: Record<string, string | undefined> = {}) => ({
    HOME: home,
    TALOSCONFIG: talosconfig,
    PATH: process.env.PATH,
    ...extra,
  });
  return {
    node,
    cluster,
    dir,
    home,
    talosconfig,
    env,
    talosctl: (args, extra) => runInProcess(args, { cwd: dir, home, env: env(extra) }),
    stop: () => node.stop(),
  };
}

export interface InProcessRun {
  /** stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Bytes of stdout written so far. */
  stdoutBytes(): number;
  /** Bytes the command handed to stdout so far, taken or not (a stalled stdout holds them). */
  stdoutOffered(): number;
  /** Ctrl+C: aborts the command's signal. */
  cancel(): void;
  /** Resolves when the command returns. */
  result: Promise<RunResult>;
  /**
   * Resolves once stdout matches (rejects after the timeout, or when the command ended first).
   * A match may span at most SCAN_OVERLAP characters before the text new since the last check.
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export interface StartInProcessOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  home?: string;
  /**
   * A stdout that takes one chunk per `readDelayMs` and otherwise reports itself full
   * (write returns false until it drains), to see that the command waits for it. With `until`,
   * it takes nothing at all before that promise settles: a reader that stalls.
   */
  slowStdout?: { readDelayMs: number; highWaterMark?: number; until?: Promise<unknown> };
}

/** How far back (characters) a `waitFor` pattern may reach from newly printed text. */
const SCAN_OVERLAP = 64 * 1024;

/** The last lines of a long output, for failure messages. */
function tail(text: string, max = 4096): string {
  return text.length <= max ? text : `...\n${text.slice(text.indexOf("\n", text.length - max) + 1)}`;
}

/** Starts talosctl in-process with a signal the test controls (the CLI's Ctrl+C). */
export function startInProcess(args: readonly string[], options: StartInProcessOptions = {}): InProcessRun {
  const controller = new AbortController();
  const decoder = new StringDecoder("utf8");
  let outText = "";
  let outBytes = 0;
  let offered = 0;
  let err = "";
  const waiters = new Set<() => void>();
  // Checks are coalesced: a command writing thousands of lines is not slowed by the test.
  let scheduled = false;
  const wake = (): void => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      for (const w of [...waiters]) w();
    }, 5);
  };
  const collect = (c: string | Uint8Array): void => {
    const b = typeof c === "string" ? Buffer.from(c) : c;
    outText += decoder.write(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    outBytes += b.byteLength;
    wake();
  };
  let stdout: CliContext["stdout"];
  if (options.slowStdout) {
    const { readDelayMs, highWaterMark = 16 * 1024, until = Promise.resolve() } = options.slowStdout;
    stdout = new Writable({
      highWaterMark,
      write(chunk: Buffer, _enc, callback) {
        offered += chunk.byteLength;
        const take = (): void => {
          setTimeout(() => {
            collect(chunk);
            callback();
          }, readDelayMs);
        };
        until.then(take, take);
      },
    });
  } else {
    stdout = {
      write: (c) => {
        offered += typeof c === "string" ? Buffer.byteLength(c) : c.byteLength;
        collect(c);
        return true;
      },
    };
  }
  const home = options.home ?? tempDir("talos-home-");
  const ctx: CliContext = {
    stdout,
    stderr: {
      write: (c) => {
        err += typeof c === "string" ? c : Buffer.from(c).toString("utf8");
        wake();
        return true;
      },
    },
    stdin: process.stdin,
    env: options.env ?? { HOME: home },
    cwd: options.cwd ?? process.cwd(),
    homedir: home,
    now: () => new Date(),
    signal: controller.signal,
  };
  let ended = false;
  const text = (): string => outText;
  const result = run(args, ctx).then(async (code) => {
    // A process's stdout is flushed before it exits: the slow reader gets what is still queued.
    if (stdout instanceof Writable) {
      const finished = new Promise<void>((resolve) => stdout.once("finish", () => resolve()));
      stdout.end();
      await finished;
    }
    ended = true;
    wake();
    return { code, stdout: text(), stderr: err };
  });
  return {
    stdout: text,
    stderr: () => err,
    stdoutBytes: () => outBytes,
    stdoutOffered: () => offered,
    cancel: () => controller.abort(new Error("SIGINT received")),
    result,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        // Only the text since the last check (and the lines up to SCAN_OVERLAP before it) is
        // searched again: a follower printing megabytes is not slowed down by the test
        // rescanning all of it every few milliseconds.
        let scanned = 0;
        const check = (): boolean => {
          const all = text();
          const from = all.lastIndexOf("\n", Math.max(0, scanned - SCAN_OVERLAP)) + 1;
          scanned = all.length;
          if (pattern.test(from > 0 ? all.slice(from) : all)) {
            resolve();
            return true;
          }
          if (ended) {
            reject(
              new Error(
                `command ended before ${pattern} appeared; stdout ends:\n${tail(all)}\nstderr:\n${err}`,
              ),
            );
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(`timed out waiting for ${pattern}; stdout ends:\n${tail(text())}\nstderr:\n${err}`),
          );
        }, timeoutMs);
        const waiter = (): void => {
          if (check()) {
            clearTimeout(timer);
            waiters.delete(waiter);
          }
        };
        waiters.add(waiter);
      }),
  };
}

/** Restarts the kubelet through the CLI and resolves once it runs healthy again. */
export async function restartKubelet(c: ConfiguredNode): Promise<void> {
  const r = await c.talosctl(["service", "kubelet", "restart"]);
  if (r.code !== 0) throw new Error(`service kubelet restart failed: ${r.stderr}`);
  await waitFor(
    async () => {
      const s = JSON.parse((await c.talosctl(["service", "kubelet", "-o", "json"])).stdout);
      return s.state === "Running" && s.health?.healthy === true;
    },
    { what: "the kubelet running healthy after its restart" },
  );
}

/**
 * Resolves once no burst is under way on the node: the newest burst entry in what `latest`
 * returns (the node's newest entries as text), if any, is its burst's last.
 */
export async function burstIdle(latest: () => Promise<string>): Promise<void> {
  await waitFor(
    async () => {
      const m = [...(await latest()).matchAll(/burst (\d+)\/(\d+) /g)].at(-1);
      return !m || m[1] === m[2];
    },
    { what: "the node's previous burst to end", timeoutMs: 30_000, intervalMs: 200 },
  );
}

/**
 * Sends the node SIGUSR2 (its --test-burst) and resolves once the burst's last entry, stamped
 * after this call, shows in what `latest` returns (the node's newest entries as text).
 */
export async function burst(
  c: ConfiguredNode,
  count: number,
  latest: () => Promise<string>,
  timeoutMs = 30_000,
): Promise<void> {
  await burstIdle(latest);
  const start = Date.now();
  c.node.child.kill("SIGUSR2");
  const last = new RegExp(`burst 0*${count}/\\d+ t=(\\d+)`, "g");
  await waitFor(async () => [...(await latest()).matchAll(last)].some((m) => Number(m[1]) >= start), {
    what: `the last entry of a burst of ${count}`,
    timeoutMs,
    intervalMs: 200,
  });
}
