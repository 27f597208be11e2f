// What reboot, shutdown, reset and upgrade share on the CLI side: the --wait family of flags,
// the version warning, the guard of destructive commands (explicit --nodes, confirmation),
// running the action with or without the tracker, and the --debug console capture.
import readline from "node:readline";
import type { Argv } from "yargs";
import {
  checkServerVersions,
  fanOut,
  type NodeClient,
  type TalosClient,
  throwIfAnyFailed,
} from "../client/index.js";
import { type NodeOutcome, type PostCheck, type Predicate, trackActions } from "../client/lifecycle/index.js";
import { JoinedError, ReportedError, UserError } from "../errors.js";
import { TALOS_VERSION } from "../version.js";
import { parseDurationFlag } from "../wire/index.js";
import { type Args, bool, str } from "./command.js";
import type { CliContext } from "./context.js";
import { createProgress, PROGRESS_MODES, type Progress, type ProgressMode } from "./output/progress.js";

export const DEFAULT_WAIT_TIMEOUT = "30m";

/** Console lines kept per node for --debug. */
export const DEBUG_LOG_LINES = 500;

export interface WaitFlags {
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly debug: boolean;
  readonly progress: ProgressMode;
  readonly json: boolean;
}

export function withWaitFlags(y: Argv, options: { progress: boolean }): Argv {
  let out = y
    .option("wait", {
      type: "boolean",
      default: true,
      describe: "wait for the operation to complete, tracking its progress (--wait=false to return at once)",
    })
    .option("debug", {
      type: "boolean",
      default: false,
      describe: "debug operation from kernel logs; --wait is set to true when this flag is set",
    })
    .option("timeout", {
      type: "string",
      default: DEFAULT_WAIT_TIMEOUT,
      describe: "time to wait for the operation to complete",
    })
    .option("output", {
      alias: "o",
      type: "string",
      default: "text",
      describe: "progress output: text (on stderr) or json (one object per update on stdout)",
    });
  if (options.progress) {
    out = out.option("progress", {
      type: "string",
      default: "auto",
      describe: `progress display on a terminal: ${PROGRESS_MODES.join(", ")} (no colours or cursor movement)`,
    });
  }
  return out;
}

export function waitFlagsFrom(args: Args): WaitFlags {
  const debug = bool(args, "debug");
  const timeoutText = str(args, "timeout") ?? DEFAULT_WAIT_TIMEOUT;
  const nanos = parseDurationFlag("--timeout", timeoutText);
  if (nanos <= 0n) throw new UserError(`--timeout must be positive (got ${timeoutText})`);
  const progressText = str(args, "progress") ?? "auto";
  const progress = PROGRESS_MODES.find((m) => m === progressText);
  if (progress === undefined) {
    throw new UserError(
      `invalid argument "${progressText}" for "--progress" flag: possible options are: ${PROGRESS_MODES.join(", ")}`,
      { showUsage: true },
    );
  }
  const output = str(args, "output") ?? "text";
  if (output !== "text" && output !== "json") {
    throw new UserError(
      `invalid argument "${output}" for "-o, --output" flag: possible options are: text, json`,
      {
        showUsage: true,
      },
    );
  }
  return {
    wait: debug || args.wait !== false,
    timeoutMs: Number(nanos / 1_000_000n),
    debug,
    progress,
    json: output === "json",
  };
}

/**
 * Destructive commands act only on nodes named on the command line, never on the context's
 * default nodes, and only once confirmed (a terminal prompt, or --yes).
 */
export async function guardDestructive(
  ctx: CliContext,
  args: Args,
  verb: string,
  what: string,
): Promise<void> {
  const named = args.nodes;
  if (named === undefined || (Array.isArray(named) && named.length === 0)) {
    throw new UserError(
      `${verb} needs the nodes named with --nodes (-n); it does not act on the context's default nodes`,
    );
  }
  if (bool(args, "yes")) return;
  const nodes = (Array.isArray(named) ? named : [named])
    .map(String)
    .flatMap((n) => n.split(","))
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (!ctx.stdin.isTTY) {
    throw new UserError(
      `refusing to ${what} ${nodes.join(", ")} without confirmation: stdin is not a terminal; pass --yes (-y)`,
    );
  }
  ctx.stderr.write(`${what} ${nodes.join(", ")}? (y/N): `);
  const rl = readline.createInterface({ input: ctx.stdin, terminal: false });
  try {
    const next = await rl[Symbol.asyncIterator]().next();
    const answer = next.done ? "" : String(next.value).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") throw new UserError(`${verb} canceled: not confirmed`);
  } finally {
    rl.close();
  }
}

export function withYesFlag(y: Argv): Argv {
  return y.option("yes", {
    alias: "y",
    type: "boolean",
    default: false,
    describe: "do not ask for confirmation (needed when stdin is not a terminal)",
  });
}

/** The WARNING line for servers older than this client; nodes that cannot say their version fail. */
export async function versionWarning(
  ctx: CliContext,
  client: TalosClient,
  nodes: readonly string[],
): Promise<void> {
  const check = await checkServerVersions(client, nodes, TALOS_VERSION);
  if (check.warning) ctx.stderr.write(`${check.warning}\n`);
  if (check.failed.size > 0) throw new JoinedError([...check.failed.values()]);
}

export interface LifecycleRun {
  readonly verb: string;
  readonly client: TalosClient;
  readonly nodes: readonly string[];
  readonly flags: WaitFlags;
  readonly start: (node: NodeClient) => Promise<string>;
  readonly predicate: Predicate;
  readonly postCheck: PostCheck;
  readonly sequences?: readonly string[];
  readonly finalCheck?: (node: NodeClient) => Promise<string>;
  readonly maintenanceProbe?: (node: string, signal: AbortSignal) => Promise<boolean>;
  /** Receives the progress display so the action can report its own steps (upgrade). */
  readonly onProgress?: (progress: Progress) => void;
}

/** Runs an action on every node: fire and forget without --wait, else with the tracker. */
export async function runLifecycle(ctx: CliContext, run: LifecycleRun): Promise<NodeOutcome[] | undefined> {
  await versionWarning(ctx, run.client, run.nodes);
  if (!run.flags.wait) {
    const results = await fanOut(run.nodes, (node) => run.start(run.client.forNode(node)), {
      signal: ctx.signal,
    });
    throwIfAnyFailed(results, (node, err) => `error executing ${run.verb} on node ${node}: ${err.message}`);
    return undefined;
  }
  const progress = createProgress({
    stderr: ctx.stderr,
    stdout: ctx.stdout,
    nodes: run.nodes,
    mode: run.flags.progress,
    json: run.flags.json,
    now: ctx.now,
  });
  run.onProgress?.(progress);
  const consoleLog = run.flags.debug ? captureConsole(run.client, run.nodes, ctx.signal) : undefined;
  let outcomes: NodeOutcome[];
  try {
    outcomes = await trackActions({
      client: run.client,
      nodes: run.nodes,
      start: run.start,
      predicate: run.predicate,
      postCheck: run.postCheck,
      ...(run.sequences !== undefined ? { sequences: run.sequences } : {}),
      ...(run.finalCheck ? { finalCheck: run.finalCheck } : {}),
      ...(run.maintenanceProbe ? { maintenanceProbe: run.maintenanceProbe } : {}),
      timeoutMs: run.flags.timeoutMs,
      signal: ctx.signal,
      onUpdate: (u) => progress.update(u),
    });
  } finally {
    progress.close();
    consoleLog?.stop();
  }
  const failed = outcomes.filter((o) => !o.ok);
  if (consoleLog && failed.length > 0) {
    ctx.stderr.write(`console logs for nodes [${failed.map((f) => JSON.stringify(f.node)).join(" ")}]:\n`);
    for (const f of failed)
      for (const line of consoleLog.lines(f.node)) ctx.stderr.write(`${f.node}: ${line}\n`);
  }
  if (failed.length > 0 && !ctx.signal.aborted) {
    throw new ReportedError(failed.map((f) => `${f.node}: ${f.message}`).join("\n"));
  }
  return outcomes;
}

/** Follows every node's kernel log (reconnecting through reboots) into a bounded buffer. */
function captureConsole(
  client: TalosClient,
  nodes: readonly string[],
  signal: AbortSignal,
): { lines(node: string): string[]; stop(): void } {
  const controller = new AbortController();
  const stop = AbortSignal.any([signal, controller.signal]);
  const buffers = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const node of nodes) {
    void (async () => {
      const buffer = buffers.get(node)!;
      while (!stop.aborted) {
        try {
          const stream = client.forNode(node).machine.dmesg({ follow: true, tail: true }, { signal: stop });
          for await (const data of stream) {
            for (const line of Buffer.from(data.bytes).toString("utf8").split("\n")) {
              if (line === "") continue;
              buffer.push(line);
              if (buffer.length > DEBUG_LOG_LINES) buffer.shift();
            }
          }
        } catch {
          // The node is down (rebooting): try again shortly.
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
  }
  return { lines: (node) => [...(buffers.get(node) ?? [])], stop: () => controller.abort() };
}
