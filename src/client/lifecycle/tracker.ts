// The --wait tracker: starts a lifecycle action on every node and follows each node until it
// is done. Per node: open the event stream (wait for the node's hello, so nothing the action
// causes is missed), read the boot id, start the action, then follow the events. When the
// stream breaks (the node goes down), it reconnects until the deadline: on the same boot it
// resumes right after the last event seen (tail_id), on a new boot it reads the new boot's
// whole history; so no event is lost or shown twice. The node is done when its predicate
// event arrives and the post-check (boot id changed, or back in maintenance mode) passes. A
// ready event counts only when the events show a boot that started after the action and has not
// begun to go down again (an upgraded system that fails to boot is followed through the reboot
// into the previous one); a final check (the version) that meets the node away again follows it
// back instead of failing. A node that stays unreachable past a bound much shorter than the
// whole wait's timeout is reported as unreachable, with the last state seen: the bound follows
// the outages the run has seen end (any node's, a node's own earlier reboot included), so a node
// gone five times longer than the others were is reported without waiting out a fixed bound.
import { Code } from "@connectrpc/connect";
import { TalosError } from "../../errors.js";
import { Code as SequenceCode } from "../../gen/common/common_pb.js";
import {
  type Event,
  MachineStatusEvent_MachineStage,
  PhaseEvent_Action,
  SequenceEvent_Action,
  ServiceStateEvent_Action,
  TaskEvent_Action,
} from "../../gen/machine/machine_pb.js";
import { formatGoDuration } from "../../wire/index.js";
import type { NodeClient, TalosClient } from "../client.js";
import { NodeError, RpcError, toRpcError } from "../errors.js";
import { type DecodedEvent, decodeEvent, type EventPayload } from "../events.js";

/** Where the kernel keeps the boot id (a fresh UUID every boot). */
export const BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id";

/**
 * Longest pause between reconnection attempts while a node is down (talosctl waits 1 s). The
 * first attempts come sooner (doubling from RECONNECT_FIRST_MS): a refused connection costs
 * next to nothing, and a node back from a short outage is found at once.
 */
export const RECONNECT_INTERVAL_MS = 250;
export const RECONNECT_FIRST_MS = 25;

/**
 * How long a node may stay unreachable (refusing connections, or not answering) before it is
 * reported as such: a rebooting Talos machine is back within a few minutes, so a node gone for
 * longer was killed or hangs, and the wait should not run to its --timeout (30m) to say so.
 */
export const UNREACHABLE_TIMEOUT_MS = 5 * 60_000;

/**
 * Once outages have ended in the run, a node is reported after this many times the longest of
 * them, but never sooner than UNREACHABLE_FLOOR_MS (reboots of one cluster's machines differ) nor
 * later than UNREACHABLE_TIMEOUT_MS.
 */
export const DOWNTIME_FACTOR = 5;
export const UNREACHABLE_FLOOR_MS = 30_000;

/** The outages seen to end in one run, shared by its nodes' trackers. */
class Downtimes {
  private longest = 0;

  record(ms: number): void {
    this.longest = Math.max(this.longest, ms);
  }

  /** The bound now, and the longest outage it was derived from (0: none seen yet). */
  bound(floorMs: number): { ms: number; from: number } {
    if (this.longest === 0) return { ms: UNREACHABLE_TIMEOUT_MS, from: 0 };
    const ms = Math.min(UNREACHABLE_TIMEOUT_MS, Math.max(floorMs, DOWNTIME_FACTOR * this.longest));
    return { ms, from: this.longest };
  }
}

/** Which event says the action has done its part. */
export type Predicate =
  /** MachineStatusEvent stage RUNNING with ready=true (reboot, upgrade). */
  | "machine-ready"
  /** TaskEvent `stopAllServices` (shutdown, reset). */
  | "services-stopped";

export type PostCheck =
  | "none"
  /** The boot id differs from the one read before the action. */
  | "boot-id"
  /** Back in maintenance mode (an insecure client can list disks), or else a new boot id. */
  | "maintenance-or-boot-id";

export type TrackState = "running" | "succeeded" | "failed";

export interface TrackUpdate {
  readonly node: string;
  readonly state: TrackState;
  readonly message: string;
}

export interface NodeOutcome {
  readonly node: string;
  readonly ok: boolean;
  /** The last thing shown for the node (the error, for a failed node). */
  readonly message: string;
  readonly actorId?: string;
  readonly bootIdBefore?: string;
  readonly bootIdAfter?: string;
}

export interface TrackOptions {
  readonly client: TalosClient;
  readonly nodes: readonly string[];
  /** Starts the action on one node; resolves with its actor id. */
  readonly start: (node: NodeClient) => Promise<string>;
  readonly predicate: Predicate;
  readonly postCheck: PostCheck;
  /** The sequences the action runs (`reboot`, `upgrade`, ...): a LOCKED refusal of one fails the node. */
  readonly sequences?: readonly string[];
  /** One deadline for the whole run. */
  readonly timeoutMs: number;
  /** The command's cancellation (Ctrl+C). */
  readonly signal: AbortSignal;
  readonly onUpdate: (update: TrackUpdate) => void;
  /** After the post-check: a last check (e.g. the version an upgrade left); returns what to show. */
  readonly finalCheck?: (node: NodeClient) => Promise<string>;
  /** For `maintenance-or-boot-id`: whether the node answers in maintenance mode. */
  readonly maintenanceProbe?: (node: string, signal: AbortSignal) => Promise<boolean>;
  readonly reconnectIntervalMs?: number;
  /**
   * A node unreachable this long in a row fails as unreachable. Unset, the bound is derived from
   * the outages seen to end (DOWNTIME_FACTOR times the longest, UNREACHABLE_FLOOR_MS at least),
   * and is UNREACHABLE_TIMEOUT_MS until one has.
   */
  readonly unreachableMs?: number;
  /** The least derived bound (UNREACHABLE_FLOOR_MS unless set). */
  readonly unreachableFloorMs?: number;
}

/** Runs the action on every node in parallel and follows each to the end. */
export async function trackActions(options: TrackOptions): Promise<NodeOutcome[]> {
  const deadline = AbortSignal.timeout(Math.max(1, options.timeoutMs));
  const run = AbortSignal.any([options.signal, deadline]);
  const downtimes = new Downtimes();
  return Promise.all(
    options.nodes.map((node) => new NodeTracker(node, options, run, deadline, downtimes).track()),
  );
}

/** Ends one node's tracking with the message shown for it. */
class TrackFailure extends TalosError {
  override readonly name = "TrackFailure";
}

/** Machine stages that mean the boot is ending (its ready events are not the awaited ones). */
const LEAVING_STAGES: ReadonlySet<MachineStatusEvent_MachineStage> = new Set([
  MachineStatusEvent_MachineStage.REBOOTING,
  MachineStatusEvent_MachineStage.SHUTTING_DOWN,
  MachineStatusEvent_MachineStage.RESETTING,
  MachineStatusEvent_MachineStage.UPGRADING,
]);

type BootId = { kind: "id"; value: string } | { kind: "unknown"; why: string };

type Follow = AsyncIterator<Event>;

/** Where a (re)opened event stream starts. */
type EventsInit = { tailEvents?: number; tailId?: string };

class NodeTracker {
  private readonly nc: NodeClient;
  private readonly controller = new AbortController();
  private readonly signal: AbortSignal;
  private readonly interval: number;
  private last = "";
  private actorId = "";
  /** Once the node booted again, its boot events (which carry no actor) are shown too. */
  private showBootEvents = false;
  private seenOwnEvent = false;
  /** The id of the last event read (or of the hello), where a resumed stream starts. */
  private resumeId: string | undefined;
  private bootBefore: BootId | undefined;
  /** The boot id of the boot whose events are being read, when known. */
  private streamBoot: string | undefined;
  private bootAfter: string | undefined;
  private predicateMet = false;
  private passed = "post check passed";
  /** The events showed a boot starting after the action, and no sign of it going down since. */
  private inNewBoot = false;
  /** The last state shown that was not an outage line (what a node unreachable for long was doing). */
  private lastState = "";
  /** When the node stopped answering (real time), while it does not answer. */
  private unreachableSince: number | undefined;

  constructor(
    private readonly node: string,
    private readonly options: TrackOptions,
    run: AbortSignal,
    private readonly deadline: AbortSignal,
    private readonly downtimes: Downtimes,
  ) {
    this.nc = options.client.forNode(node);
    this.signal = AbortSignal.any([run, this.controller.signal]);
    this.interval = options.reconnectIntervalMs ?? RECONNECT_INTERVAL_MS;
  }

  private show(message: string, state: TrackState = "running"): void {
    this.last = message;
    if (!message.startsWith("unavailable, retrying")) this.lastState = message;
    this.options.onUpdate({ node: this.node, state, message });
  }

  async track(): Promise<NodeOutcome> {
    let follow: Follow | undefined;
    try {
      this.show("waiting for actor ID");
      follow = await this.open({ tailEvents: 0 });
      if (this.options.postCheck !== "none") {
        this.bootBefore = await this.readBootId();
        if (this.bootBefore.kind === "id") this.streamBoot = this.bootBefore.value;
        else this.show(`boot ID not readable (${this.bootBefore.why}): the boot check is skipped`);
      }
      try {
        this.actorId = await this.options.start(this.nc);
      } catch (err) {
        if (err instanceof NodeError || (err instanceof Error && err.name === "UserError")) {
          throw new TrackFailure(err instanceof TalosError ? err.code : "invalid", err.message);
        }
        const rpc = toRpcError(err, this.options.signal.aborted);
        throw new TrackFailure(rpc.code, `error: ${rpc.message}`);
      }
      this.show(`actor ID: ${this.actorId}`);
      await this.follow(follow);
      const done = this.options.finalCheck ? await this.finalCheck(this.options.finalCheck) : this.passed;
      this.show(done, "succeeded");
      return this.outcome(true);
    } catch (err) {
      this.show(this.failureText(err), "failed");
      return this.outcome(false);
    } finally {
      this.controller.abort();
      await follow?.return?.().catch(() => undefined);
    }
  }

  private outcome(ok: boolean): NodeOutcome {
    return {
      node: this.node,
      ok,
      message: this.last,
      ...(this.actorId !== "" ? { actorId: this.actorId } : {}),
      ...(this.bootBefore?.kind === "id" ? { bootIdBefore: this.bootBefore.value } : {}),
      ...(this.bootAfter !== undefined ? { bootIdAfter: this.bootAfter } : {}),
    };
  }

  private failureText(err: unknown): string {
    if (this.options.signal.aborted) return "canceled";
    if (this.deadline.aborted) {
      const after = formatGoDuration(BigInt(this.options.timeoutMs) * 1_000_000n);
      return `timed out after ${after}; last state: ${this.last}`;
    }
    if (err instanceof TrackFailure) return err.message;
    if (err instanceof NodeError) return err.message;
    if (err instanceof Error && err.name === "UserError") return err.message;
    return `error: ${toRpcError(err).message}`;
  }

  /**
   * Runs the final check; when it meets the node away (a connection refused, a stream reset), the
   * node is followed until it answers again, and on a new boot until that boot is ready, then
   * the check runs again: a transient failure while the node moves is never the answer.
   */
  private async finalCheck(check: (node: NodeClient) => Promise<string>): Promise<string> {
    for (;;) {
      try {
        return await check(this.nc);
      } catch (err) {
        // The check's own verdict (a NodeError, a user error) stands; a call that failed may not.
        if (this.signal.aborted || (err instanceof TalosError && !(err instanceof RpcError))) throw err;
        const rpc = toRpcError(err);
        if (!retryable(rpc)) throw err;
        const readyBoot = this.streamBoot;
        const it = await this.reconnect(outageReason(rpc));
        try {
          if (readyBoot !== undefined && this.streamBoot !== readyBoot) {
            this.predicateMet = false;
            await this.follow(it);
          }
        } finally {
          await it.return?.().catch(() => undefined);
        }
      }
    }
  }

  /** Fails the node once it has been unreachable for longer than the bound. */
  private checkReachable(): void {
    const explicit = this.options.unreachableMs;
    const { ms: bound, from } =
      explicit !== undefined
        ? { ms: explicit, from: 0 }
        : this.downtimes.bound(this.options.unreachableFloorMs ?? UNREACHABLE_FLOOR_MS);
    const now = Date.now();
    this.unreachableSince ??= now;
    if (now - this.unreachableSince < bound) return;
    const after = formatGoDuration(BigInt(bound) * 1_000_000n);
    const seen =
      from > 0
        ? ` (the longest outage that ended in this run: ${formatGoDuration(BigInt(from) * 1_000_000n)})`
        : "";
    throw new TrackFailure(
      "unavailable",
      `unreachable for ${after}, longer than a reboot takes${seen}; last state: ${this.lastState}`,
    );
  }

  /** The node answers again: its outage, if it had one, counts towards the derived bound. */
  private reachable(): void {
    if (this.unreachableSince !== undefined) this.downtimes.record(Date.now() - this.unreachableSince);
    this.unreachableSince = undefined;
  }

  /** Opens an event stream and waits for the node's hello (so later events are not missed). */
  private async open(request: EventsInit): Promise<Follow> {
    const stream = this.nc.machine.events(request, { signal: this.signal });
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) throw new RpcError(Code.Unavailable, "the node ended the event stream", {});
    const hello = decodeEvent(first.value);
    // The hello's id is fresh: events published after it sort after it.
    if (hello.kind === "hello") {
      this.resumeId ??= hello.id;
    } else {
      // A server without a hello: the first message is a real event.
      this.pending = first.value;
    }
    return it;
  }

  private pending: Event | undefined;

  /** Follows the events until the node is done; reconnects through outages. */
  private async follow(initial: Follow): Promise<void> {
    let it: Follow | undefined = initial;
    for (;;) {
      let reason = "the node ended the event stream";
      try {
        if (this.pending) {
          const event = this.pending;
          this.pending = undefined;
          if (await this.handle(event)) return;
        }
        for (;;) {
          const next = await it.next();
          if (next.done) break;
          if (await this.handle(next.value)) return;
        }
      } catch (err) {
        if (err instanceof TrackFailure || this.signal.aborted) throw err;
        const rpc = toRpcError(err);
        if (!retryable(rpc)) throw new TrackFailure(rpc.code, `error: ${rpc.message}`);
        reason = outageReason(rpc);
      }
      await it.return?.().catch(() => undefined);
      it = undefined;
      if (this.predicateMet && (await this.postCheckLoop(reason))) return;
      it = await this.reconnect(reason);
    }
  }

  private pause(attempt: number): number {
    return Math.min(this.interval, RECONNECT_FIRST_MS * 2 ** Math.min(attempt, 16));
  }

  /** Reopens the stream once the node answers; where it starts depends on the boot. */
  private async reconnect(reason: string): Promise<Follow> {
    let why = reason;
    for (let attempt = 0; ; attempt++) {
      this.show(`unavailable, retrying... (${why})`);
      this.checkReachable();
      await sleep(this.pause(attempt), this.signal);
      try {
        const request = await this.resumeRequest();
        const it = await this.open(request);
        this.reachable();
        return it;
      } catch (err) {
        if (err instanceof TrackFailure || this.signal.aborted) throw err;
        const rpc = toRpcError(err);
        if (!retryable(rpc)) throw new TrackFailure(rpc.code, `error: ${rpc.message}`);
        why = outageReason(rpc);
      }
    }
  }

  /**
   * Where the reopened stream starts: right after the last event read. A node that keeps its
   * ring across the reboot continues where it was; a node whose ring starts empty with the new
   * boot (event ids are time-ordered) gives the whole new boot. The boot id says which boot
   * answers: once it is a new one, the boot's own events (no actor) are shown too.
   */
  private async resumeRequest(): Promise<EventsInit> {
    if (this.bootBefore?.kind === "id") {
      const now = await this.readBootId();
      if (now.kind === "id" && now.value !== this.streamBoot) {
        this.streamBoot = now.value;
        if (now.value !== this.bootBefore.value) {
          this.bootAfter = now.value;
          this.showBootEvents = true;
        }
      }
    } else {
      // Without a boot id there is no telling which boot answers: show what it says.
      this.showBootEvents = true;
    }
    return this.resumeId !== undefined ? { tailId: this.resumeId } : { tailEvents: -1 };
  }

  /** Handles one event; true when the node is done. */
  private async handle(event: Event): Promise<boolean> {
    const decoded = decodeEvent(event);
    if (decoded.kind === "hello") return false;
    this.resumeId = decoded.id;
    if (decoded.kind !== "event") return false;
    const { payload } = decoded;
    const own = this.actorId !== "" && decoded.actorId === this.actorId;
    if (own) this.seenOwnEvent = true;
    this.noteBoot(payload);
    this.checkLocked(payload);
    if (own || payload.kind === "machine-status" || (this.showBootEvents && decoded.actorId === "")) {
      const text = describe(payload);
      if (text !== undefined) this.show(text);
    }
    if (own) this.checkSequenceError(payload);
    if (!this.predicateMet && this.matches(payload)) {
      this.predicateMet = true;
      this.show("events check condition met");
      // A reset still has to go down and come back: checked once the stream breaks.
      if (this.options.postCheck === "maintenance-or-boot-id") return false;
      if (this.options.postCheck === "none" || (await this.bootChanged())) return true;
      // Not yet (e.g. the ready event of the old boot): keep following.
      this.predicateMet = false;
    }
    return false;
  }

  /**
   * Boot markers in the events: a boot's first status (BOOTING) or its `initialize` sequence
   * starts a boot; a stage that leaves it (rebooting, upgrading...) or a reboot sequence ends it.
   * Only after the action started: what came before belongs to the boot being left.
   */
  private noteBoot(payload: EventPayload): void {
    if (this.actorId === "") return;
    if (payload.kind === "machine-status") {
      const stage = payload.message.stage;
      if (stage === MachineStatusEvent_MachineStage.BOOTING) this.inNewBoot = true;
      else if (LEAVING_STAGES.has(stage)) this.inNewBoot = false;
    } else if (payload.kind === "sequence" && payload.message.action === SequenceEvent_Action.START) {
      const name = payload.message.sequence;
      if (name === "initialize") this.inNewBoot = true;
      else if (name === "reboot" || name === "upgrade" || name === "shutdown" || name === "reset")
        this.inNewBoot = false;
    }
  }

  private matches(payload: EventPayload): boolean {
    if (this.options.predicate === "machine-ready") {
      // With a boot check, the ready state must be that of a boot the events saw start.
      if (this.options.postCheck === "boot-id" && !this.inNewBoot) return false;
      return (
        payload.kind === "machine-status" &&
        payload.message.stage === MachineStatusEvent_MachineStage.RUNNING &&
        payload.message.status?.ready === true
      );
    }
    return payload.kind === "task" && payload.message.task === "stopAllServices";
  }

  /** A LOCKED refusal names no actor: it is ours when our sequence has shown nothing yet. */
  private checkLocked(payload: EventPayload): void {
    if (payload.kind !== "sequence" || this.seenOwnEvent || this.actorId === "") return;
    const m = payload.message;
    if (
      m.error?.code === SequenceCode.LOCKED &&
      (this.options.sequences === undefined || this.options.sequences.includes(m.sequence))
    ) {
      throw new TrackFailure(
        "aborted",
        `sequence error: ${m.error.message || "sequence not started: locked"}`,
      );
    }
  }

  private checkSequenceError(payload: EventPayload): void {
    if (payload.kind !== "sequence" || !payload.message.error) return;
    const { message } = payload.message.error;
    // Reboots end with the reboot call's "error" (the machine is gone): that is their success.
    if (/unix\.Reboot\(/.test(message) || payload.message.sequence === "reboot") return;
    throw new TrackFailure("aborted", `sequence error: ${message}`);
  }

  /**
   * While the node is away after the predicate was met (a reset going down): the post-check
   * is retried until it passes. False sends the caller back to following events.
   */
  private async postCheckLoop(reason: string): Promise<boolean> {
    if (this.options.postCheck !== "maintenance-or-boot-id") return false;
    let why = reason;
    for (let attempt = 0; ; attempt++) {
      this.show(`unavailable, retrying... (${why})`);
      this.checkReachable();
      await sleep(this.pause(attempt), this.signal);
      const probe = this.options.maintenanceProbe;
      if (probe && (await probe(this.node, this.signal).catch(() => false))) {
        this.reachable();
        this.passed = "post check passed (maintenance mode)";
        return true;
      }
      try {
        const changed = await this.bootChanged();
        this.reachable();
        // Unchanged: the same boot answers again, the reset has not rebooted it yet.
        return changed;
      } catch (err) {
        if (err instanceof TrackFailure || this.signal.aborted) throw err;
        const rpc = toRpcError(err);
        if (!retryable(rpc)) throw new TrackFailure(rpc.code, `error: ${rpc.message}`);
        why = outageReason(rpc);
      }
    }
  }

  /** Whether the node runs a new boot (known from reconnecting, or read now). */
  private async bootChanged(): Promise<boolean> {
    const before = this.bootBefore;
    if (!before || before.kind === "unknown") return true;
    if (this.bootAfter === undefined) {
      const now = await this.readBootId();
      if (now.kind === "unknown") return true;
      if (now.value === before.value) {
        this.show("didn't reboot yet");
        return false;
      }
      this.bootAfter = now.value;
    }
    return true;
  }

  private async readBootId(): Promise<BootId> {
    try {
      let text = "";
      for await (const data of this.nc.machine.read({ path: BOOT_ID_PATH }, { signal: this.signal })) {
        const problem = data.metadata?.error ?? "";
        if (problem !== "") return { kind: "unknown", why: problem.trim() };
        text += Buffer.from(data.bytes).toString("utf8");
      }
      const value = text.trim();
      return value === "" ? { kind: "unknown", why: "empty" } : { kind: "id", value };
    } catch (err) {
      const rpc = toRpcError(err);
      if (rpc.grpcCode === Code.PermissionDenied) return { kind: "unknown", why: "unauthorized" };
      // The node answered but cannot say (no such file): the boot check is skipped, visibly.
      if (!retryable(rpc)) return { kind: "unknown", why: rpc.description };
      throw err;
    }
  }
}

/** Failures of the connection or of a node going down; anything else is the node's answer. */
function retryable(err: RpcError): boolean {
  if (err.connectionFailure) return true;
  switch (err.grpcCode) {
    case Code.Unavailable:
    case Code.Canceled:
    case Code.Aborted:
    case Code.Internal:
    case Code.DataLoss:
    case Code.DeadlineExceeded:
      return true;
    default:
      return false;
  }
}

function outageReason(err: RpcError): string {
  const text = err.description.replace(/^connection error: desc = "(.*)"$/, "$1");
  return text.replace(/^transport: (Error while dialing: )?/, "");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The progress line of an event, or undefined for events that say nothing about progress. */
export function describe(payload: EventPayload): string | undefined {
  switch (payload.kind) {
    case "phase":
      return `phase: ${payload.message.phase} action: ${PhaseEvent_Action[payload.message.action] ?? payload.message.action}`;
    case "task":
      return `task: ${payload.message.task} action: ${TaskEvent_Action[payload.message.action] ?? payload.message.action}`;
    case "sequence": {
      const m = payload.message;
      const base = `sequence: ${m.sequence} action: ${SequenceEvent_Action[m.action] ?? m.action}`;
      if (!m.error) return base;
      return `${base} error: [${m.error.message} (code ${SequenceCode[m.error.code] ?? m.error.code})]`;
    }
    case "machine-status": {
      const m = payload.message;
      const unmet = (m.status?.unmetConditions ?? []).map((c) =>
        c.reason !== "" ? `${c.name}: ${c.reason}` : c.name,
      );
      return `stage: ${MachineStatusEvent_MachineStage[m.stage] ?? m.stage} ready: ${m.status?.ready ?? false} unmetCond: [${unmet.join(", ")}]`;
    }
    case "service": {
      const m = payload.message;
      const healthy = m.health && !m.health.unknown ? String(m.health.healthy) : "unknown";
      return `service: ${m.service} ${ServiceStateEvent_Action[m.action] ?? m.action} message: ${m.message} healthy: ${healthy}`;
    }
    default:
      return undefined;
  }
}

export type { DecodedEvent };
