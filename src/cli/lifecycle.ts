// What reboot, shutdown, reset and upgrade share on the CLI side: the --wait family of flags,
// the version warning, the guard of destructive commands (explicit --nodes, confirmation),
// running the action with or without the tracker, and the --debug console capture.
import readline from "node:readline";
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
import { type FlagValues, flag } from "./args/spec.js";
import type { CliContext } from "./context.js";
import { oneOf } from "./flags.js";
import { createProgress, PROGRESS_MODES, type Progress, type ProgressMode } from "./output/progress.js";

/** Console lines kept per node for --debug. */
export const DEBUG_LOG_LINES = 500;

export interface WaitFlags {
  readonly wait: boolean;
  readonly timeoutMs: number;
  /** A node unreachable this long in a row is reported as such (before --timeout); unset: derived. */
  readonly unreachableMs: number | undefined;
  readonly debug: boolean;
  readonly progress: ProgressMode;
  readonly json: boolean;
}

/** The --wait family of reboot, shutdown, reset and upgrade. */
export const waitFlags = {
  wait: flag.bool({
    default: true,
    describe: "wait for the operation to complete, tracking its progress (--wait=false to return at once)",
  }),
  debug: flag.bool({
    describe: "debug operation from kernel logs; --wait is set to true when this flag is set",
  }),
  timeout: flag.duration({ default: "30m0s", describe: "time to wait for the operation to complete" }),
  // Not a talosctl flag: how long a node may stay unreachable during the wait before it is
  // reported as such (its reboots take minutes; a killed node should not wait out --timeout).
  // 0 derives it from the outages seen to end in the run (5 minutes until one has).
  "unreachable-timeout": flag.duration({
    default: "0s",
    hidden: true,
    describe:
      "report a node unreachable for this long during the wait (0: five times the longest outage seen, 30s to 5m)",
  }),
  output: flag.string({
    short: "o",
    default: "text",
    choices: ["text", "json"],
    validate: oneOf(["text", "json"]),
    describe: "progress output: text (on stderr) or json (one object per update on stdout)",
  }),
} as const;

/** --progress, for the commands whose display talosctl lets the user choose. */
export const progressFlag = {
  progress: flag.string({
    default: "auto",
    choices: PROGRESS_MODES,
    validate: oneOf(PROGRESS_MODES),
    describe: `progress display on a terminal: ${PROGRESS_MODES.join(", ")} (no colours or cursor movement)`,
  }),
} as const;

export function waitOptions(
  flags: FlagValues<typeof waitFlags> & Partial<FlagValues<typeof progressFlag>>,
): WaitFlags {
  if (flags.timeout <= 0n) throw new UserError("--timeout must be positive");
  if (flags["unreachable-timeout"] < 0n) throw new UserError("--unreachable-timeout must not be negative");
  return {
    wait: flags.debug || flags.wait,
    timeoutMs: Number(flags.timeout / 1_000_000n),
    unreachableMs:
      flags["unreachable-timeout"] === 0n ? undefined : Number(flags["unreachable-timeout"] / 1_000_000n),
    debug: flags.debug,
    progress: (flags.progress ?? "auto") as ProgressMode,
    json: flags.output === "json",
  };
}

export const yesFlag = {
  yes: flag.bool({ short: "y", describe: "do not ask for confirmation on a terminal" }),
} as const;

export interface DestructiveTargets {
  /** The nodes were named on the command line (-n), not taken from the talosconfig. */
  readonly named: boolean;
  readonly nodes: readonly string[];
  readonly yes: boolean;
}

/**
 * Destructive commands ask on a terminal (unless --yes). Without a terminal they go ahead as
 * talosctl does when the nodes were named with --nodes, and refuse when the targets would come
 * from the talosconfig alone, so a script never wipes a context's default nodes by accident.
 */
export async function guardDestructive(
  ctx: CliContext,
  targets: DestructiveTargets,
  verb: string,
  what: string,
): Promise<void> {
  if (targets.yes) return;
  if (!ctx.stdin.isTTY) {
    if (targets.named) return;
    throw new UserError(
      `refusing to ${what} the talosconfig's default nodes (${targets.nodes.join(", ")}) without a terminal to confirm: name them with --nodes (-n), or pass --yes (-y)`,
    );
  }
  ctx.stderr.write(`${what} ${targets.nodes.join(", ")}? (y/N): `);
  const rl = readline.createInterface({ input: ctx.stdin, terminal: false });
  try {
    const next = await rl[Symbol.asyncIterator]().next();
    const answer = next.done ? "" : String(next.value).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") throw new UserError(`${verb} canceled: not confirmed`);
  } finally {
    rl.close();
  }
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
      unreachableMs: run.flags.unreachableMs,
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
