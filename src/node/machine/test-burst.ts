// A test and benchmark aid (talos-node --test-burst, run on SIGUSR2): floods the event ring or
// a service's log with numbered entries, so a test can count what was produced against what a
// follower received, in order. Each entry carries its production time (epoch milliseconds with
// microseconds) for latency measurements.
import { create } from "@bufbuild/protobuf";
import { ServiceStateEvent_Action, ServiceStateEventSchema } from "../../gen/machine/machine_pb.js";
import type { Machine } from "./machine.js";

export type BurstSpec =
  | {
      readonly kind: "events";
      readonly count: number;
      readonly rate?: number;
      /** Paced bursts only: hold back while a follower still reading lags far behind. */
      readonly wait?: boolean;
    }
  | {
      readonly kind: "log";
      readonly service: string;
      readonly count: number;
      readonly rate?: number;
      readonly wait?: boolean;
    };

/** Service name carried by burst events. */
export const BURST_SERVICE = "test-burst";
/** Bytes of one burst log line, newline included. */
export const BURST_LINE_BYTES = 100;
const TICK_MS = 10;
/**
 * A paced burst never emits more than this much of its schedule in one go: a process that was
 * starved for a while resumes at the pace instead of catching up with one batch, which, larger
 * than a ring, would lap every follower however fast it reads.
 */
const MAX_CATCH_UP_MS = 100;

/**
 * `events:2000`, `events:2000:500` (per second), `log:kubelet:100000`, `log:apid:5000:2000`;
 * a paced spec may end with `:wait` (hold back for followers that lag, see runBurst).
 */
export function parseBurst(text: string): BurstSpec | undefined {
  const parts = text.split(":");
  const wait = parts.length > 1 && parts[parts.length - 1] === "wait";
  if (wait) parts.pop();
  const int = (s: string | undefined): number | undefined =>
    s !== undefined && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined;
  let spec: BurstSpec | undefined;
  if (parts[0] === "events" && (parts.length === 2 || parts.length === 3)) {
    const count = int(parts[1]);
    const rate = parts.length === 3 ? int(parts[2]) : undefined;
    if (count === undefined || (parts.length === 3 && rate === undefined)) return undefined;
    spec = rate === undefined ? { kind: "events", count } : { kind: "events", count, rate };
  } else if (
    parts[0] === "log" &&
    (parts.length === 3 || parts.length === 4) &&
    /^[a-z0-9-]+$/.test(parts[1] ?? "")
  ) {
    const count = int(parts[2]);
    const rate = parts.length === 4 ? int(parts[3]) : undefined;
    if (count === undefined || (parts.length === 4 && rate === undefined)) return undefined;
    const service = parts[1]!;
    spec = rate === undefined ? { kind: "log", service, count } : { kind: "log", service, count, rate };
  }
  if (spec === undefined || !wait) return spec;
  // Only a paced burst can wait: one produced all at once has no pace to hold back.
  return spec.rate === undefined ? undefined : { ...spec, wait: true };
}

function stamp(): string {
  return (performance.timeOrigin + performance.now()).toFixed(3);
}

/** The text of burst entry `i` (1-based) of `n`. */
export function burstText(i: number, n: number): string {
  return `burst ${String(i).padStart(8, "0")}/${String(n).padStart(8, "0")} t=${stamp()}`;
}

/** A burst log line: the entry text padded to BURST_LINE_BYTES with its newline. */
export function burstLine(i: number, n: number): string {
  const text = burstText(i, n);
  return `${text} ${"x".repeat(Math.max(0, BURST_LINE_BYTES - text.length - 2))}\n`;
}

function emit(machine: Machine, spec: BurstSpec, i: number): void {
  if (spec.kind === "events") {
    machine.bus.publish(
      ServiceStateEventSchema,
      create(ServiceStateEventSchema, {
        service: BURST_SERVICE,
        action: ServiceStateEvent_Action.RUNNING,
        message: burstText(i, spec.count),
      }),
    );
  } else {
    machine.logs.write(spec.service, burstLine(i, spec.count));
  }
}

/** Whether a follower of the burst's ring that is still reading lags far behind. */
function lagging(machine: Machine, spec: BurstSpec): boolean {
  return spec.kind === "events"
    ? machine.bus.followerLagging()
    : (machine.logs.get(spec.service)?.followerLagging() ?? false);
}

/**
 * Produces one burst: all at once, or paced at `rate` entries per second. With `wait`, a paced
 * burst holds back while a follower that is still reading lags more than half the ring (one
 * that stopped reading for FOLLOWER_STALL_MS no longer holds it), so a test's follower slowed
 * by a busy machine still gets everything. Resolves when done.
 */
export function runBurst(machine: Machine, spec: BurstSpec): Promise<void> {
  if (spec.rate === undefined) {
    for (let i = 1; i <= spec.count; i++) emit(machine, spec, i);
    return Promise.resolve();
  }
  const rate = spec.rate;
  const maxBatch = Math.max(1, Math.ceil((rate * MAX_CATCH_UP_MS) / 1000));
  const release = machine.live.hold("burst-timer");
  return new Promise((resolve) => {
    // The schedule's origin moves forward when a stall left the burst behind it.
    let origin = performance.now();
    let produced = 0;
    const tick = (): void => {
      if (machine.signal.aborted) {
        release();
        resolve();
        return;
      }
      const now = performance.now();
      if (spec.wait && lagging(machine, spec)) {
        // A follower that is still reading is far behind (a busy machine): wait for it, and
        // resume at the pace from here.
        origin = now - (produced / rate) * 1000;
        setTimeout(tick, TICK_MS);
        return;
      }
      let due = Math.min(spec.count, Math.floor(((now - origin) / 1000) * rate) + 1);
      if (due - produced > maxBatch) {
        due = produced + maxBatch;
        origin = now - ((due - 1) / rate) * 1000;
      }
      while (produced < due) emit(machine, spec, ++produced);
      if (produced >= spec.count) {
        release();
        resolve();
        return;
      }
      setTimeout(tick, TICK_MS);
    };
    tick();
  });
}
