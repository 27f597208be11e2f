// The event ring: payload type URLs, where readers start, the ring's capacity, aborted readers.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TaskEvent_Action, TaskEventSchema } from "../../gen/machine/machine_pb.js";
import { createClock } from "../clock.js";
import { EVENT_RING_CAPACITY, EVENT_RING_GAP, EventBus } from "./events.js";

function task(bus: EventBus, name: string, actor = ""): string {
  return bus.publish(
    TaskEventSchema,
    create(TaskEventSchema, { task: name, action: TaskEvent_Action.START }),
    actor,
  ).id;
}

const never = new AbortController().signal;

describe("event bus", () => {
  it("types payloads as talos/runtime/<message> and tells listeners", () => {
    const bus = new EventBus(createClock());
    const seen: string[] = [];
    bus.listen((e) => seen.push(e.typeUrl));
    task(bus, "a", "actor-1");
    expect(seen).toEqual(["talos/runtime/machine.TaskEvent"]);
    expect(bus.history()[0]).toMatchObject({ actorId: "actor-1", type: "machine.TaskEvent" });
  });

  it("starts readers at the next event by default, or at a tail, an id or everything", async () => {
    const bus = new EventBus(createClock());
    const ids = ["a", "b", "c", "d"].map((n) => task(bus, n));
    const next = bus.reader({ kind: "next" });
    const pending = next.next(never);
    const fresh = task(bus, "e");
    expect((await pending)?.id).toBe(fresh);

    const read = async (start: Parameters<EventBus["reader"]>[0], n: number) => {
      const r = bus.reader(start);
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await r.next(never))!.id);
      return out;
    };
    expect(await read({ kind: "tail", count: 2 }, 2)).toEqual([ids[3], fresh]);
    expect(await read({ kind: "all" }, 5)).toEqual([...ids, fresh]);
    expect(await read({ kind: "after-id", id: ids[1]! }, 3)).toEqual([ids[2], ids[3], fresh]);
    expect(await read({ kind: "since", seconds: 60 }, 1)).toEqual([ids[0]]);
  });

  it("keeps 990 past events and ends a reader that falls a whole ring behind", async () => {
    const bus = new EventBus(createClock());
    const slow = bus.reader({ kind: "next" });
    for (let i = 0; i < EVENT_RING_CAPACITY + 20; i++) task(bus, `t${i}`);
    expect(bus.history()).toHaveLength(EVENT_RING_CAPACITY - EVENT_RING_GAP);
    await expect(slow.next(never)).rejects.toThrow(/fell behind/);
    const all = bus.reader({ kind: "all" });
    expect((await all.next(never))?.id).toBe(bus.history()[0]!.id);
    const clamped = bus.reader({ kind: "tail", count: 5_000 });
    expect((await clamped.next(never))?.id).toBe(bus.history()[0]!.id);
  });

  it("returns nothing to an aborted reader", async () => {
    const bus = new EventBus(createClock());
    const ac = new AbortController();
    const pending = bus.reader({ kind: "next" }).next(ac.signal);
    ac.abort();
    expect(await pending).toBeUndefined();
  });
});
