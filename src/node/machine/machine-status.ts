// Derives the machine's stage from its sequence, phase and task events and its readiness
// from a few conditions (time, network, services, Kubernetes), keeps the MachineStatus
// resource current and announces every change with a MachineStatusEvent (siderolabs/talos:
// internal/app/machined/pkg/controllers/runtime/machine_status.go).
import { create } from "@bufbuild/protobuf";
import { Code } from "../../gen/common/common_pb.js";
import {
  type MachineStatusEvent,
  MachineStatusEvent_MachineStage,
  MachineStatusEvent_MachineStatus_UnmetConditionSchema,
  MachineStatusEvent_MachineStatusSchema,
  MachineStatusEventSchema,
  type PhaseEvent,
  PhaseEvent_Action,
  type SequenceEvent,
  SequenceEvent_Action,
  type TaskEvent,
  TaskEvent_Action,
} from "../../gen/machine/machine_pb.js";
import type { EventBus, MachineEvent } from "./events.js";
import { MACHINE_STAGES, type MachineStageName, machineStatusKind, NS } from "./resources/kinds.js";
import type { ResourceStore } from "./resources/store.js";

export interface UnmetCondition {
  readonly name: string;
  readonly reason: string;
}

/** Evaluates readiness conditions; called whenever something may have changed. */
export type ConditionSource = () => UnmetCondition[];

export const MACHINE_STATUS_ID = "machine";

const STAGE_ON_START: Readonly<Record<string, MachineStageName>> = {
  initialize: "booting",
  boot: "booting",
  shutdown: "shutting down",
  upgrade: "upgrading",
  stageUpgrade: "upgrading",
  maintenanceUpgrade: "upgrading",
  reset: "resetting",
  reboot: "rebooting",
};

export class MachineStatusController {
  private stage: MachineStageName = "booting";
  private currentSequence = "";
  private lastKey = "";
  private readonly stopListening: () => void;

  constructor(
    private readonly bus: EventBus,
    private readonly store: ResourceStore,
    private readonly conditions: ConditionSource,
  ) {
    this.stopListening = bus.listen((e) => this.onEvent(e));
    this.refresh();
  }

  get currentStage(): MachineStageName {
    return this.stage;
  }

  close(): void {
    this.stopListening();
  }

  /** Re-evaluates readiness (timers and service changes call this). */
  refresh(): void {
    const unmet = this.stage === "booting" || this.stage === "running" ? this.conditions() : [];
    const key = JSON.stringify([this.stage, unmet]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.store.set(
      machineStatusKind,
      NS.runtime,
      MACHINE_STATUS_ID,
      { stage: this.stage, ready: unmet.length === 0, unmetConditions: unmet },
      { owner: "runtime.MachineStatusController" },
    );
    this.bus.publish(
      MachineStatusEventSchema,
      create(MachineStatusEventSchema, {
        stage: MACHINE_STAGES.indexOf(this.stage) as MachineStatusEvent_MachineStage,
        status: create(MachineStatusEvent_MachineStatusSchema, {
          ready: unmet.length === 0,
          unmetConditions: unmet.map((c) => create(MachineStatusEvent_MachineStatus_UnmetConditionSchema, c)),
        }),
      }),
    );
  }

  private onEvent(e: MachineEvent): void {
    const before = this.stage;
    switch (e.type) {
      case "machine.SequenceEvent":
        this.onSequence(e.payload as SequenceEvent);
        break;
      case "machine.PhaseEvent": {
        const p = e.payload as PhaseEvent;
        if (p.action !== PhaseEvent_Action.START) break;
        if (p.phase === "install" && this.currentSequence === "install") this.stage = "installing";
        if (
          p.phase === "kexec" &&
          ["install", "upgrade", "maintenanceUpgrade"].includes(this.currentSequence)
        ) {
          this.stage = "rebooting";
        }
        break;
      }
      case "machine.TaskEvent": {
        const t = e.payload as TaskEvent;
        if (t.task !== "runningMaintenance") break;
        this.stage = t.action === TaskEvent_Action.START ? "maintenance" : "booting";
        break;
      }
      case "machine.ServiceStateEvent":
        // Service changes move readiness; the stage stays.
        this.refresh();
        return;
      default:
        return;
    }
    if (this.stage !== before) this.refresh();
  }

  private onSequence(s: SequenceEvent): void {
    if (s.action === SequenceEvent_Action.START) {
      this.currentSequence = s.sequence;
      const stage = STAGE_ON_START[s.sequence];
      if (stage) this.stage = stage;
      return;
    }
    if (s.action === SequenceEvent_Action.STOP) {
      if (s.sequence === "boot") this.stage = "running";
      this.currentSequence = "";
      return;
    }
    if (s.error && s.error.code === Code.FATAL && s.sequence !== "shutdown") this.stage = "rebooting";
  }
}

/** The stage as the MachineStatusEvent enum names it. */
export function stageEnum(stage: MachineStageName): MachineStatusEvent_MachineStage {
  return MACHINE_STAGES.indexOf(stage) as MachineStatusEvent_MachineStage;
}

/** Calls `fn` once, when the machine first reports stage RUNNING and ready. */
export function onceRunningAndReady(bus: EventBus, fn: () => void): void {
  const stop = bus.listen((e) => {
    if (e.type !== "machine.MachineStatusEvent") return;
    const status = e.payload as MachineStatusEvent;
    if (status.stage === MachineStatusEvent_MachineStage.RUNNING && status.status?.ready) {
      stop();
      fn();
    }
  });
}
