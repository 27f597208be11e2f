// The drain of `reboot --drain` and `upgrade` (on by default there): the flags, the decision
// whether it can run, and its display (talosctl's drain progress: one line per Kubernetes node,
// the whole block printed again whenever it changes). When the cluster's Kubernetes API cannot
// be reached the drain cannot run: an explicit --drain is refused before anything happens;
// upgrade's default drain is skipped with a WARNING line, so that scripts written for talosctl
// keep working.
import {
  DEFAULT_DRAIN_TIMEOUT,
  type DrainedNodes,
  type DrainUpdate,
  drainNodes,
  kubernetesDrainAvailability,
  type TalosClient,
  uncordonNodes,
} from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import type { WaitFlags } from "../../lifecycle.js";
import { createProgress, type Progress } from "../../output/progress.js";

/** --drain (default as talosctl has it for the command) and --drain-timeout. */
export function drainFlags<const D extends boolean>(defaultDrain: D) {
  return {
    drain: flag.bool({
      default: defaultDrain,
      describe: "drain the Kubernetes node before rebooting (cordon + evict pods)",
    }),
    "drain-timeout": flag.duration({
      default: DEFAULT_DRAIN_TIMEOUT,
      describe: "timeout for draining the Kubernetes node",
    }),
  } as const;
}

export interface DrainRequest {
  /** --drain's value. */
  readonly drain: boolean;
  /** --drain was given on the command line (not only defaulted). */
  readonly explicit: boolean;
  /** The command, for the messages (`reboot`, `upgrade`). */
  readonly verb: string;
}

/**
 * Whether the nodes are to be drained. A drain that cannot run is refused when it was asked
 * for, and skipped with a warning when it is only the command's default.
 */
export async function decideDrain(
  ctx: CliContext,
  client: TalosClient,
  request: DrainRequest,
): Promise<boolean> {
  if (!request.drain) return false;
  const availability = await kubernetesDrainAvailability(client);
  if (availability.available) return true;
  if (request.explicit) {
    throw new UserError(
      `--drain: ${availability.reason}; run ${request.verb} with --drain=false (and cordon and drain the node through Kubernetes yourself first)`,
    );
  }
  ctx.stderr.write(
    `WARNING: the Kubernetes node is not drained before the reboot: ${availability.reason} (--drain=false skips this step without a warning)\n`,
  );
  return false;
}

/**
 * The drain's display. Without a terminal it is talosctl's: the current line of every Kubernetes
 * node (sorted by name), the block printed again whenever it changes
 * (siderolabs/talos: cmd/talosctl/cmd/talos/drain/drain.go); on a terminal the live block of
 * the other steps, one line per Talos node; with -o json one object per update.
 */
function drainDisplay(
  ctx: CliContext,
  nodes: readonly string[],
  wait: WaitFlags,
): { update(u: DrainUpdate): void; close(): void } {
  if (wait.json || ctx.stderr.isTTY === true) {
    const progress: Progress = createProgress({
      stderr: ctx.stderr,
      stdout: ctx.stdout,
      nodes,
      mode: wait.progress,
      json: wait.json,
      now: ctx.now,
    });
    return {
      update: (u) => progress.update({ node: u.node, state: u.state, message: u.message, step: true }),
      close: () => progress.close(),
    };
  }
  const lines = new Map<string, string>();
  let last = "";
  return {
    update(u) {
      lines.set(u.kubernetesNode, u.message);
      const text = [...lines.keys()]
        .sort()
        .map((k) => lines.get(k)!)
        .join("\n")
        .replace(/\t/g, "    ")
        .trim();
      if (text === last) return;
      last = text;
      ctx.stderr.write(`${text}\n`);
    },
    close() {},
  };
}

/** Cordons and drains every node's Kubernetes node, showing each node's progress. */
export async function drain(
  ctx: CliContext,
  client: TalosClient,
  nodes: readonly string[],
  timeoutNs: bigint,
  wait: WaitFlags,
): Promise<DrainedNodes> {
  const display = drainDisplay(ctx, nodes, wait);
  try {
    return await drainNodes({
      client,
      nodes,
      timeoutMs: Number(timeoutNs / 1_000_000n),
      signal: ctx.signal,
      onUpdate: (u) => display.update(u),
    });
  } catch (err) {
    throw new UserError(`error draining nodes: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    display.close();
  }
}

/** Once the nodes are back: waits for each to be Ready in Kubernetes and uncordons it. */
export async function uncordon(
  ctx: CliContext,
  client: TalosClient,
  drained: DrainedNodes,
  wait: WaitFlags,
): Promise<void> {
  if (drained.size === 0) return;
  const display = drainDisplay(ctx, [...drained.keys()], wait);
  try {
    await uncordonNodes({
      client,
      drained,
      timeoutMs: wait.timeoutMs,
      signal: ctx.signal,
      onUpdate: (u) => display.update(u),
    });
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message : String(err), { cause: err });
  } finally {
    display.close();
  }
}
