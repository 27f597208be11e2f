// Runs Talos sequences: named phases run one after another, the tasks of a phase run
// together, and every step is announced with Sequence/Phase/Task events carrying the actor
// id of the request that started the sequence. One sequence runs at a time, guarded by
// Talos's priority lock (siderolabs/talos: internal/app/machined/pkg/runtime/v1alpha1/
// v1alpha1_sequencer.go): a new sequence either preempts the running one (when the table allows
// it, or when its caller takes over), or is not started at all and only a LOCKED SequenceEvent
// says so.
import { create } from "@bufbuild/protobuf";
import { errorMessage } from "../../errors.js";
import { Code, ErrorSchema } from "../../gen/common/common_pb.js";
import {
  PhaseEvent_Action,
  PhaseEventSchema,
  SequenceEvent_Action,
  SequenceEventSchema,
  TaskEvent_Action,
  TaskEventSchema,
} from "../../gen/machine/machine_pb.js";
import { formatGoDurationMs } from "../../wire/index.js";
import type { EventBus } from "./events.js";

export interface TaskContext {
  readonly sequence: string;
  readonly actorId: string;
  readonly signal: AbortSignal;
}

export interface Task {
  readonly name: string;
  run(ctx: TaskContext): Promise<void>;
}

export interface Phase {
  readonly name: string;
  readonly tasks: readonly Task[];
  /** A deferred check: when it returns false the phase is skipped without events. */
  readonly when?: () => boolean;
}

export interface SequenceDefinition {
  readonly name: string;
  readonly phases: readonly Phase[];
}

/** A sequence that failed: the text Talos puts in the FATAL SequenceEvent. */
export class SequenceError extends Error {
  override readonly name = "SequenceError";
  /** The sequence was preempted or its machine went away (CANCELED), rather than failing. */
  canceled = false;
}

/** The error text of a sequence refused by the lock (published with code LOCKED, no actor id). */
export const SEQUENCE_LOCKED = "sequence not started: locked";

/** A sequence the priority lock refused to start. */
export class SequenceLockedError extends Error {
  override readonly name = "SequenceLockedError";

  constructor(readonly sequence: string) {
    super(SEQUENCE_LOCKED);
  }
}

/** Which sequences may preempt a running one (anything not listed: none, except takeover callers). */
export const PREEMPTABLE_BY: Readonly<Record<string, readonly string[]>> = {
  initialize: ["maintenanceUpgrade", "reboot", "emergencyVolumeCleanup"],
  boot: ["reboot", "reset", "upgrade", "emergencyVolumeCleanup"],
  reboot: ["reboot"],
  reset: ["reboot"],
};

/** How long a preempting sequence waits for the preempted one to give up (Talos: 1 minute). */
export const LOCK_WAIT_MS = 60_000;

/** Why a preempted sequence stops: the text Talos's context cancellation carries. */
const CANCELED = "context canceled";

export interface RunOptions {
  readonly actorId?: string;
  /** Aborts the sequence from outside (the machine going away). */
  readonly signal?: AbortSignal;
  /** Preempt whatever runs (Shutdown, Rollback, signals), as Talos's takeover callers do. */
  readonly takeover?: boolean;
}

interface ActiveSequence {
  readonly name: string;
  readonly abort: AbortController;
  /** Settles when the sequence has stopped (however). */
  done: Promise<void>;
}

export function task(name: string, run: (ctx: TaskContext) => Promise<void> | void): Task {
  return { name, run: async (ctx) => run(ctx) };
}

export function phase(name: string, tasks: readonly Task[], when?: () => boolean): Phase {
  return when ? { name, tasks, when } : { name, tasks };
}

export class Sequencer {
  private active: ActiveSequence | undefined;

  constructor(
    private readonly bus: EventBus,
    /** machined's progress lines (`phase install (2/9): starting`). */
    private readonly log: (line: string) => void = () => undefined,
    private readonly now: () => number = () => Date.now(),
    /** Waits `ms` machine milliseconds (the lock's wait for a preempted sequence). */
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void> = (ms, signal) =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => clearTimeout(t), { once: true });
      }),
  ) {}

  /** The sequence running (or about to run) now, if any. */
  get running(): string | undefined {
    return this.active?.name;
  }

  /**
   * Starts a sequence under the priority lock. When the lock refuses, a LOCKED SequenceEvent
   * (without actor id) is published and the promise rejects with SequenceLockedError; a
   * failing sequence rejects with SequenceError.
   */
  run(sequence: SequenceDefinition, options: RunOptions = {}): Promise<void> {
    const previous = this.active;
    if (previous && !options.takeover && !PREEMPTABLE_BY[previous.name]?.includes(sequence.name)) {
      this.bus.publish(
        SequenceEventSchema,
        create(SequenceEventSchema, {
          sequence: sequence.name,
          action: SequenceEvent_Action.NOOP,
          error: create(ErrorSchema, { code: Code.LOCKED, message: SEQUENCE_LOCKED }),
        }),
      );
      return Promise.reject(new SequenceLockedError(sequence.name));
    }
    const abort = new AbortController();
    const entry: ActiveSequence = {
      name: sequence.name,
      abort,
      done: Promise.resolve(),
    };
    this.active = entry;
    const result = (async () => {
      try {
        if (previous) {
          previous.abort.abort(new Error(CANCELED));
          const waited = new AbortController();
          const gaveUp = await Promise.race([
            previous.done.then(() => false),
            this.sleep(LOCK_WAIT_MS, waited.signal).then(() => true),
          ]);
          waited.abort();
          if (gaveUp) throw new Error("failed to acquire lock: timeout");
        }
        await this.execute(sequence, options.actorId ?? "", abort, options.signal);
      } finally {
        // Released before the caller hears the outcome, so its next sequence finds the lock free.
        if (this.active === entry) this.active = undefined;
      }
    })();
    entry.done = result.then(noop, noop);
    return result;
  }

  private async execute(
    sequence: SequenceDefinition,
    actorId: string,
    abort: AbortController,
    signal?: AbortSignal,
  ): Promise<void> {
    if (abort.signal.aborted) throw abort.signal.reason;
    const onAbort = (): void => abort.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.bus.publish(
      SequenceEventSchema,
      create(SequenceEventSchema, { sequence: sequence.name, action: SequenceEvent_Action.START }),
      actorId,
    );
    try {
      const total = sequence.phases.length;
      const stopped = aborted(abort.signal);
      stopped.catch(noop);
      for (const [index, p] of sequence.phases.entries()) {
        if (p.when && !p.when()) continue;
        await this.runPhase(sequence.name, index + 1, total, p, actorId, abort.signal, stopped);
      }
      this.bus.publish(
        SequenceEventSchema,
        create(SequenceEventSchema, { sequence: sequence.name, action: SequenceEvent_Action.STOP }),
        actorId,
      );
    } catch (err) {
      const canceled = abort.signal.aborted;
      const message = `sequence failed: ${errorMessage(err)}`;
      this.bus.publish(
        SequenceEventSchema,
        create(SequenceEventSchema, {
          sequence: sequence.name,
          action: SequenceEvent_Action.NOOP,
          error: create(ErrorSchema, { code: canceled ? Code.CANCELED : Code.FATAL, message }),
        }),
        actorId,
      );
      const failure = new SequenceError(message, { cause: err });
      failure.canceled = canceled;
      throw failure;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private async runPhase(
    sequence: string,
    number: number,
    phases: number,
    p: Phase,
    actorId: string,
    signal: AbortSignal,
    stopped: Promise<never>,
  ): Promise<void> {
    const phaseStart = this.now();
    this.log(`phase ${p.name} (${number}/${phases}): starting`);
    this.publishPhase(p.name, PhaseEvent_Action.START, actorId);
    const total = p.tasks.length;
    const results = await Promise.allSettled(
      p.tasks.map(async (t, i) => {
        const taskStart = this.now();
        const label = `task ${t.name} (${i + 1}/${total})`;
        this.log(`${label}: starting`);
        this.publishTask(t.name, TaskEvent_Action.START, actorId);
        try {
          // A preempted sequence stops at once, whatever its tasks were waiting for.
          await Promise.race([t.run({ sequence, actorId, signal }), stopped]);
        } catch (err) {
          this.log(`${label}: failed, ${errorMessage(err)}`);
          throw err;
        }
        this.log(`${label}: done, ${elapsed(this.now() - taskStart)}`);
        this.publishTask(t.name, TaskEvent_Action.STOP, actorId);
      }),
    );
    const failed = results.findIndex((r) => r.status === "rejected");
    if (failed >= 0) {
      const reason = (results[failed] as PromiseRejectedResult).reason;
      const why = errorMessage(reason);
      throw new Error(
        `error running phase ${number} in ${sequence} sequence: task ${failed + 1}/${total}: failed, ${why}`,
      );
    }
    this.log(`phase ${p.name} (${number}/${phases}): done, ${elapsed(this.now() - phaseStart)}`);
    this.publishPhase(p.name, PhaseEvent_Action.STOP, actorId);
  }

  private publishPhase(name: string, action: PhaseEvent_Action, actorId: string): void {
    this.bus.publish(PhaseEventSchema, create(PhaseEventSchema, { phase: name, action }), actorId);
  }

  private publishTask(name: string, action: TaskEvent_Action, actorId: string): void {
    this.bus.publish(TaskEventSchema, create(TaskEventSchema, { task: name, action }), actorId);
  }
}

function noop(): void {}

/** Rejects with the signal's reason once it fires. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** Elapsed time as machined prints it (Go duration, millisecond precision). */
function elapsed(ms: number): string {
  return formatGoDurationMs(Math.round(ms));
}
