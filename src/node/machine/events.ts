// The machine's event stream: a circular buffer of 1000 events (Talos's capacity), each with a
// time-sortable xid and an optional actor id. A reboot of the emulated machine continues the
// ring of the previous boot (ids keep increasing, so a follower resumes with tail_id); the old
// boot's bus is sealed first, so nothing it still does lands in the new boot's stream. Readers keep their own position; a
// reader that falls a whole buffer behind gets FellBehindError (Talos ends such a stream
// silently; here the follower is told that events were lost).
import { type DescMessage, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { EVENT_TYPE_URL_PREFIX } from "../../wire/index.js";
import type { Clock } from "../clock.js";
import { FellBehindError, FollowerPositions, Waiters } from "../streams/index.js";
import { createXidGenerator, type XidGenerator, xidSeconds } from "./xid.js";

/** Events kept per boot. */
export const EVENT_RING_CAPACITY = 1000;
/** Slots kept free between the writer and the oldest readable event. */
export const EVENT_RING_GAP = 10;

/** Type URL prefix Talos uses for event payloads (not the usual type.googleapis.com/). */

export interface MachineEvent {
  readonly id: string;
  readonly actorId: string;
  /** `talos/runtime/machine.TaskEvent` */
  readonly typeUrl: string;
  /** The payload encoded with its message type. */
  readonly value: Uint8Array;
  /** The payload's message full name (`machine.TaskEvent`). */
  readonly type: string;
  /** The decoded payload, for in-process listeners. */
  readonly payload: unknown;
}

export type EventListener = (event: MachineEvent) => void;

/** Where a reader starts (EventsRequest's tail options, already checked). */
export type StartPosition =
  | { kind: "next" }
  | { kind: "tail"; count: number }
  | { kind: "all" }
  | { kind: "after-id"; id: string }
  | { kind: "since"; seconds: number };

export interface EventReader {
  /**
   * The next event, waiting for one; undefined when aborted. Throws FellBehindError when the
   * next event to read was already overwritten.
   */
  next(signal: AbortSignal): Promise<MachineEvent | undefined>;
}

export class EventBus {
  private readonly buffer: (MachineEvent | undefined)[];
  private written = 0;
  private sealed = false;
  private readonly waiters = new Waiters();
  private readonly followers = new FollowerPositions();
  private readonly listeners = new Set<EventListener>();
  private readonly ids: XidGenerator;

  /** A new ring, or (with `previous`) the continuation of an earlier boot's ring, which is sealed. */
  constructor(
    private readonly clock: Clock,
    previous?: EventBus,
  ) {
    if (previous) {
      previous.seal();
      this.buffer = previous.buffer;
      this.written = previous.written;
      this.ids = previous.ids;
    } else {
      this.buffer = new Array(EVENT_RING_CAPACITY);
      this.ids = createXidGenerator();
    }
  }

  /** Stops storing events (the boot this bus belongs to is over). */
  seal(): void {
    this.sealed = true;
    this.listeners.clear();
  }

  /** A fresh id (also used for the "hello" event, which is not stored). */
  newId(): string {
    return this.ids.next(this.clock.now());
  }

  publish<T extends DescMessage>(schema: T, payload: MessageShape<T>, actorId = ""): MachineEvent {
    const event: MachineEvent = {
      id: this.newId(),
      actorId,
      type: schema.typeName,
      typeUrl: `${EVENT_TYPE_URL_PREFIX}${schema.typeName}`,
      value: toBinary(schema, payload),
      payload,
    };
    if (this.sealed) return event;
    this.buffer[this.written % EVENT_RING_CAPACITY] = event;
    this.written++;
    this.waiters.wake();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Calls `listener` for every later event (in-process controllers). */
  listen(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events published so far in this boot. */
  get count(): number {
    return this.written;
  }

  /** The events a reader could still get, oldest first. */
  history(): MachineEvent[] {
    const out: MachineEvent[] = [];
    for (let seq = this.oldest(); seq < this.written; seq++) out.push(this.at(seq));
    return out;
  }

  /**
   * Whether a reader that is still reading lags more than half the ring (a paced test burst
   * waits for it).
   */
  followerLagging(): boolean {
    return this.followers.lagging(this.written, EVENT_RING_CAPACITY / 2);
  }

  /** Readers parked waiting for the next event. */
  get waiting(): number {
    return this.waiters.size;
  }

  reader(start: StartPosition): EventReader {
    let pos = this.startPosition(start);
    let tracked: ReturnType<FollowerPositions["track"]> | undefined;
    return {
      next: async (signal) => {
        tracked ??= this.followers.track(pos, signal);
        while (!signal.aborted) {
          if (this.written - pos >= EVENT_RING_CAPACITY) {
            tracked.release();
            throw new FellBehindError(
              "event stream",
              `${this.written - pos} events were published since its position and the ring keeps ${EVENT_RING_CAPACITY}`,
            );
          }
          if (pos < this.written) {
            const event = this.at(pos++);
            tracked.moved(pos);
            return event;
          }
          await this.waiters.wait(signal);
        }
        return undefined;
      },
    };
  }

  private oldest(): number {
    return Math.max(0, this.written - (EVENT_RING_CAPACITY - EVENT_RING_GAP));
  }

  private at(seq: number): MachineEvent {
    return this.buffer[seq % EVENT_RING_CAPACITY]!;
  }

  private startPosition(start: StartPosition): number {
    const oldest = this.oldest();
    switch (start.kind) {
      case "next":
        return this.written;
      case "all":
        return oldest;
      case "tail":
        return Math.max(oldest, this.written - start.count);
      case "after-id":
        return this.firstMatching(oldest, (e) => e.id > start.id);
      case "since": {
        const from = Math.floor(this.clock.now().getTime() / 1000) - start.seconds;
        return this.firstMatching(oldest, (e) => xidSeconds(e.id) > from);
      }
    }
  }

  /** Binary search for the first event (ids are sorted) satisfying a monotone predicate. */
  private firstMatching(oldest: number, pred: (e: MachineEvent) => boolean): number {
    let lo = oldest;
    let hi = this.written;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred(this.at(mid))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
