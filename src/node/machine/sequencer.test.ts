// The sequencer: events with actor ids, failing tasks, and the priority lock's refusals and takeovers.
import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it, vi } from "vitest";
import { Code } from "../../gen/common/common_pb.js";
import {
  PhaseEvent_Action,
  PhaseEventSchema,
  SequenceEvent_Action,
  SequenceEventSchema,
  TaskEvent_Action,
  TaskEventSchema,
} from "../../gen/machine/machine_pb.js";
import { createClock } from "../clock.js";
import { EventBus, type MachineEvent } from "./events.js";
import { phase, SequenceLockedError, Sequencer, task } from "./sequencer.js";

function describeEvent(e: MachineEvent): string {
  switch (e.type) {
    case "machine.SequenceEvent": {
      const s = fromBinary(SequenceEventSchema, e.value);
      return `seq ${s.sequence} ${SequenceEvent_Action[s.action]}${s.error ? ` ${Code[s.error.code]} ${s.error.message}` : ""}`;
    }
    case "machine.PhaseEvent": {
      const p = fromBinary(PhaseEventSchema, e.value);
      return `phase ${p.phase} ${PhaseEvent_Action[p.action]}`;
    }
    case "machine.TaskEvent": {
      const t = fromBinary(TaskEventSchema, e.value);
      return `task ${t.task} ${TaskEvent_Action[t.action]}`;
    }
    default:
      return e.type;
  }
}

describe("sequencer", () => {
  it("announces sequences, phases and tasks with the actor id, skipping phases whose check fails", async () => {
    const bus = new EventBus(createClock());
    await new Sequencer(bus).run(
      {
        name: "boot",
        phases: [
          phase("one", [task("a", () => undefined)]),
          phase("skipped", [task("b", () => undefined)], () => false),
        ],
      },
      { actorId: "actor" },
    );
    expect(bus.history().map(describeEvent)).toEqual([
      "seq boot START",
      "phase one START",
      "task a START",
      "task a STOP",
      "phase one STOP",
      "seq boot STOP",
    ]);
    expect(bus.history().every((e) => e.actorId === "actor")).toBe(true);
  });

  it("reports a failing task as Talos words it, and frees the lock for the next sequence", async () => {
    const bus = new EventBus(createClock());
    const sequencer = new Sequencer(bus);
    const order: string[] = [];
    const failing = sequencer.run({
      name: "install",
      phases: [
        phase("prepare", [task("ok", () => undefined)]),
        phase("wipe", [
          task("first", async () => {
            order.push("wipe");
          }),
          task("second", () => {
            throw new Error("disk is busy");
          }),
        ]),
      ],
    });
    await expect(failing).rejects.toThrow(
      "sequence failed: error running phase 2 in install sequence: task 2/2: failed, disk is busy",
    );
    await sequencer.run({
      name: "reboot",
      phases: [phase("x", [task("y", () => void order.push("reboot"))])],
    });
    expect(order).toEqual(["wipe", "reboot"]);
    expect(bus.history().map(describeEvent)).toContain(
      "seq install NOOP FATAL sequence failed: error running phase 2 in install sequence: task 2/2: failed, disk is busy",
    );
  });

  it("refuses a sequence the running one may not be preempted by, with a LOCKED event and no actor id", async () => {
    const bus = new EventBus(createClock());
    const sequencer = new Sequencer(bus);
    let release!: () => void;
    const upgrade = sequencer.run(
      {
        name: "upgrade",
        phases: [phase("upgrade", [task("upgrade", () => new Promise<void>((r) => (release = r)))])],
      },
      { actorId: "first" },
    );
    // Its task runs (and holds the sequence) once it set `release`.
    await vi.waitFor(() => expect(release).toBeDefined());
    const second = sequencer.run({ name: "upgrade", phases: [] }, { actorId: "second" });
    await expect(second).rejects.toBeInstanceOf(SequenceLockedError);
    const reboot = sequencer.run({ name: "reboot", phases: [] }, { actorId: "third" });
    await expect(reboot).rejects.toThrow("sequence not started: locked");
    const locked = bus.history().filter((e) => describeEvent(e).includes("LOCKED"));
    expect(locked.map(describeEvent)).toEqual([
      "seq upgrade NOOP LOCKED sequence not started: locked",
      "seq reboot NOOP LOCKED sequence not started: locked",
    ]);
    expect(locked.every((e) => e.actorId === "")).toBe(true);
    release();
    await upgrade;
    expect(sequencer.running).toBeUndefined();
  });

  it("lets an allowed sequence or a takeover caller preempt the running one, which ends CANCELED", async () => {
    const bus = new EventBus(createClock());
    const sequencer = new Sequencer(bus);
    const forever = (name: string) => ({
      name,
      phases: [phase("wait", [task("wait", () => new Promise<void>(() => undefined))])],
    });
    const boot = sequencer.run(forever("boot"));
    await vi.waitFor(() => expect(bus.history().map(describeEvent)).toContain("task wait START"));
    const reset = sequencer.run(forever("reset"), { actorId: "reset-actor" });
    await expect(boot).rejects.toMatchObject({ canceled: true });
    await vi.waitFor(() => expect(sequencer.running).toBe("reset"));
    // Nothing may preempt a reset but a reboot; a takeover caller (Shutdown) may anyway.
    await expect(sequencer.run({ name: "upgrade", phases: [] })).rejects.toBeInstanceOf(SequenceLockedError);
    const shutdown = sequencer.run({ name: "shutdown", phases: [] }, { takeover: true, actorId: "s" });
    await expect(reset).rejects.toMatchObject({ canceled: true });
    await shutdown;
    const texts = bus.history().map(describeEvent);
    expect(texts).toContain(
      "seq boot NOOP CANCELED sequence failed: error running phase 1 in boot sequence: task 1/1: failed, context canceled",
    );
    expect(texts).toContain(
      "seq reset NOOP CANCELED sequence failed: error running phase 1 in reset sequence: task 1/1: failed, context canceled",
    );
    expect(texts.at(-1)).toBe("seq shutdown STOP");
  });
});
