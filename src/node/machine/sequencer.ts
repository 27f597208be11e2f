// Runs Talos sequences: named phases run one after another, the tasks of a phase run
// together, and every step is announced with Sequence/Phase/Task events carrying the actor
// id of the request that started the sequence. One sequence runs at a time.
import { create } from "@bufbuild/protobuf";
import { Code, ErrorSchema } from "../../gen/common/common_pb.js";
import {
  PhaseEvent_Action,
  PhaseEventSchema,
  SequenceEvent_Action,
  SequenceEventSchema,
  TaskEvent_Action,
  TaskEventSchema,
} from "../../gen/machine/machine_pb.js";
import { goDuration } from "../duration.js";
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
}

export function task(name: string, run: (ctx: TaskContext) => Promise<void> | void): Task {
  return { name, run: async (ctx) => run(ctx) };
}

export function phase(name: string, tasks: readonly Task[], when?: () => boolean): Phase {
  return when ? { name, tasks, when } : { name, tasks };
}

export class Sequencer {
  private lock: Promise<void> = Promise.resolve();
  private current: string | undefined;

  constructor(
    private readonly bus: EventBus,
    /** machined's progress lines (`phase install (2/9): starting`). */
    private readonly log: (line: string) => void = () => undefined,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The sequence running now, if any. */
  get running(): string | undefined {
    return this.current;
  }

  /** Runs a sequence after any running one finished; rejects with SequenceError on failure. */
  run(sequence: SequenceDefinition, options: { actorId?: string; signal?: AbortSignal } = {}): Promise<void> {
    const result = this.lock.then(() => this.execute(sequence, options.actorId ?? "", options.signal));
    this.lock = result.catch(() => undefined);
    return result;
  }

  private async execute(sequence: SequenceDefinition, actorId: string, signal?: AbortSignal): Promise<void> {
    this.current = sequence.name;
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    this.bus.publish(
      SequenceEventSchema,
      create(SequenceEventSchema, { sequence: sequence.name, action: SequenceEvent_Action.START }),
      actorId,
    );
    try {
      const total = sequence.phases.length;
      for (const [index, p] of sequence.phases.entries()) {
        if (p.when && !p.when()) continue;
        await this.runPhase(sequence.name, index + 1, total, p, actorId, abort.signal);
      }
      this.bus.publish(
        SequenceEventSchema,
        create(SequenceEventSchema, { sequence: sequence.name, action: SequenceEvent_Action.STOP }),
        actorId,
      );
    } catch (err) {
      const canceled = abort.signal.aborted;
      const message = `sequence failed: ${err instanceof Error ? err.message : String(err)}`;
      this.bus.publish(
        SequenceEventSchema,
        create(SequenceEventSchema, {
          sequence: sequence.name,
          action: SequenceEvent_Action.NOOP,
          error: create(ErrorSchema, { code: canceled ? Code.CANCELED : Code.FATAL, message }),
        }),
        actorId,
      );
      throw new SequenceError(message, { cause: err });
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.current = undefined;
    }
  }

  private async runPhase(
    sequence: string,
    number: number,
    phases: number,
    p: Phase,
    actorId: string,
    signal: AbortSignal,
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
          await t.run({ sequence, actorId, signal });
        } catch (err) {
          this.log(`${label}: failed, ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
        this.log(`${label}: done, ${elapsed(this.now() - taskStart)}`);
        this.publishTask(t.name, TaskEvent_Action.STOP, actorId);
      }),
    );
    const failed = results.findIndex((r) => r.status === "rejected");
    if (failed >= 0) {
      const reason = (results[failed] as PromiseRejectedResult).reason;
      const why = reason instanceof Error ? reason.message : String(reason);
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

/** Elapsed time as machined prints it (Go duration, millisecond precision). */
function elapsed(ms: number): string {
  return goDuration(Math.round(ms));
}
