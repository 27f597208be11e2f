// MachineStatus: the stage derived from sequence, phase and task events, and readiness conditions.
import { create, fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Code, ErrorSchema } from "../../gen/common/common_pb.js";
import {
  MachineStatusEventSchema,
  PhaseEvent_Action,
  PhaseEventSchema,
  SequenceEvent_Action,
  SequenceEventSchema,
  MachineStatusEvent_MachineStage as Stage,
  TaskEvent_Action,
  TaskEventSchema,
} from "../../gen/machine/machine_pb.js";
import { createClock } from "../clock.js";
import { EventBus } from "./events.js";
import { MachineStatusController, type UnmetCondition } from "./machine-status.js";
import { definitionKind, NODE_KINDS, namespaceKind } from "./resources/kinds.js";
import { ResourceStore } from "./resources/store.js";

function setup(conditions: () => UnmetCondition[] = () => []) {
  const clock = createClock();
  const bus = new EventBus(clock);
  const store = new ResourceStore(clock, { namespace: namespaceKind, definition: definitionKind });
  store.registerNamespace("runtime", "");
  for (const k of NODE_KINDS) store.registerKind(k);
  const controller = new MachineStatusController(bus, store, conditions);
  const stages = () =>
    bus
      .history()
      .filter((e) => e.type === "machine.MachineStatusEvent")
      .map((e) => fromBinary(MachineStatusEventSchema, e.value))
      .map((e) => `${Stage[e.stage]}${e.status?.ready ? "+" : ""}`);
  return { bus, store, controller, stages };
}

const seq = (bus: EventBus, sequence: string, action: SequenceEvent_Action, code?: Code) =>
  bus.publish(
    SequenceEventSchema,
    create(SequenceEventSchema, {
      sequence,
      action,
      ...(code !== undefined ? { error: create(ErrorSchema, { code, message: "boom" }) } : {}),
    }),
  );

describe("machine status", () => {
  it("follows sequences, maintenance and install phases", () => {
    const { bus, stages } = setup();
    seq(bus, "initialize", SequenceEvent_Action.START);
    bus.publish(
      TaskEventSchema,
      create(TaskEventSchema, { task: "runningMaintenance", action: TaskEvent_Action.START }),
    );
    bus.publish(
      TaskEventSchema,
      create(TaskEventSchema, { task: "runningMaintenance", action: TaskEvent_Action.STOP }),
    );
    seq(bus, "install", SequenceEvent_Action.START);
    bus.publish(
      PhaseEventSchema,
      create(PhaseEventSchema, { phase: "install", action: PhaseEvent_Action.START }),
    );
    bus.publish(
      PhaseEventSchema,
      create(PhaseEventSchema, { phase: "kexec", action: PhaseEvent_Action.START }),
    );
    seq(bus, "boot", SequenceEvent_Action.START);
    seq(bus, "boot", SequenceEvent_Action.STOP);
    seq(bus, "reboot", SequenceEvent_Action.START);
    expect(stages()).toEqual([
      "BOOTING+",
      "MAINTENANCE+",
      "BOOTING+",
      "INSTALLING+",
      "REBOOTING+",
      "BOOTING+",
      "RUNNING+",
      "REBOOTING+",
    ]);
  });

  it("reports unmet conditions while booting or running only, and a fatal error as rebooting", () => {
    let unmet: UnmetCondition[] = [{ name: "time", reason: "time is not synced" }];
    const { bus, store, controller, stages } = setup(() => unmet);
    seq(bus, "boot", SequenceEvent_Action.START);
    expect(store.get("runtime", "MachineStatuses.runtime.talos.dev", "machine")?.spec).toMatchObject({
      stage: "booting",
      ready: false,
      unmetConditions: unmet,
    });
    unmet = [];
    controller.refresh();
    seq(bus, "boot", SequenceEvent_Action.NOOP, Code.FATAL);
    expect(stages()).toEqual(["BOOTING", "BOOTING+", "REBOOTING+"]);
  });
});
