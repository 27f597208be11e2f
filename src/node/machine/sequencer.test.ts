import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
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
import { phase, Sequencer, task } from "./sequencer.js";

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

  it("reports a failing task as Talos words it, and runs sequences one at a time", async () => {
    const bus = new EventBus(createClock());
    const sequencer = new Sequencer(bus);
    const order: string[] = [];
    const failing = sequencer.run({
      name: "reset",
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
    const next = sequencer.run({
      name: "reboot",
      phases: [phase("x", [task("y", () => void order.push("reboot"))])],
    });
    await expect(failing).rejects.toThrow(
      "sequence failed: error running phase 2 in reset sequence: task 2/2: failed, disk is busy",
    );
    await next;
    expect(order).toEqual(["wipe", "reboot"]);
    expect(bus.history().map(describeEvent)).toContain(
      "seq reset NOOP FATAL sequence failed: error running phase 2 in reset sequence: task 2/2: failed, disk is busy",
    );
  });
});
