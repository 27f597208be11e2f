// Reboot, Shutdown and Reset (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): checks first, then the
// sequence starts in the background with a fresh actor id, and the reply (carrying that id) goes
// out at once. A sequence the priority lock refuses leaves only a LOCKED event, as on Talos.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { errorMessage } from "../../errors.js";
import {
  MachineService,
  RebootRequest_Mode,
  RebootResponseSchema,
  RebootSchema,
  ResetRequest_WipeMode,
  ResetResponseSchema,
  ResetSchema,
  ShutdownResponseSchema,
  ShutdownSchema,
} from "../../gen/machine/machine_pb.js";
import {
  type Machine,
  type RebootMode,
  type ResetPlan,
  rebootSequence,
  resetSequence,
  type SequenceDefinition,
  SequenceError,
  SequenceLockedError,
  shutdownSequence,
  VOLUME_STATUS,
} from "../machine/index.js";
import { NS } from "../resources/index.js";
import { failedPrecondition, type HandlerEntry, invalidArgument, type NodeRuntime, unary } from "./define.js";

/** After a fatal sequence error Talos waits this long before rebooting (machine time). */
export const FATAL_REBOOT_DELAY_MS = 10_000;

const REBOOT_MODES: Readonly<Record<number, RebootMode>> = {
  [RebootRequest_Mode.DEFAULT]: "default",
  [RebootRequest_Mode.POWERCYCLE]: "powercycle",
  [RebootRequest_Mode.FORCE]: "force",
};

/** Refuses methods a container-mode node does not support (Talos's capability check). */
export function requireNotContainer(m: Machine): void {
  if (m.platform.mode === "container") throw failedPrecondition("method is not supported in container mode");
}

/**
 * Starts a sequence in the background on the machine of this boot. Lock refusals and failures
 * are logged (the events already say so); the caller has replied by then.
 */
export function startSequence(
  m: Machine,
  sequence: SequenceDefinition,
  options: { actorId?: string; takeover?: boolean } = {},
): void {
  m.sequencer.run(sequence, { ...options, signal: m.signal }).catch((err: unknown) => {
    if (m.signal.aborted) return;
    if (err instanceof SequenceLockedError) {
      m.log(`${sequence.name} sequence not started: locked by ${m.sequencer.running ?? "another sequence"}`);
      return;
    }
    m.log(errorMessage(err));
    // A lifecycle sequence that failed (not preempted) is fatal: Talos reboots 10 s later.
    if (err instanceof SequenceError && !err.canceled) {
      m.log(`rebooting in ${FATAL_REBOOT_DELAY_MS / 1000} seconds`);
      m.clock.after(FATAL_REBOOT_DELAY_MS, () => {
        if (!m.signal.aborted) m.power({ action: "reboot", reason: `${sequence.name} sequence failed` });
      });
    }
  });
}

/** Checks a ResetRequest against the machine, with Talos's error texts, and says what to wipe. */
export function resetPlan(
  m: Machine,
  req: {
    graceful: boolean;
    reboot: boolean;
    mode: ResetRequest_WipeMode;
    userDisksToWipe: readonly string[];
    systemPartitionsToWipe: readonly { label: string; wipe: boolean }[];
  },
): ResetPlan {
  if (ResetRequest_WipeMode[req.mode] === undefined) throw invalidArgument(`unknown wipe mode: ${req.mode}`);
  if (req.mode === ResetRequest_WipeMode.SYSTEM_DISK && req.userDisksToWipe.length > 0) {
    throw new Error(
      "reset failed: invalid input, wipe mode SYSTEM_DISK doesn't support UserDisksToWipe parameter",
    );
  }
  if (req.mode === ResetRequest_WipeMode.USER_DISKS && req.systemPartitionsToWipe.length > 0) {
    throw new Error(
      "reset failed: invalid input, wipe mode USER_DISKS doesn't support SystemPartitionsToWipe parameter",
    );
  }
  const type = VOLUME_STATUS.definition.type;
  for (const spec of req.systemPartitionsToWipe) {
    if (!m.store.get(NS.runtime, type, spec.label)) {
      throw new Error(
        `failed to get volume status with label ${JSON.stringify(spec.label)}: resource ${type}(${NS.runtime}/${spec.label}@undefined) doesn't exist`,
      );
    }
  }
  const systemDisk = m.installed ? m.disks[0]?.devPath : undefined;
  for (const dev of req.userDisksToWipe) {
    if (!m.disks.some((d) => d.devPath === dev)) {
      throw new Error(`reset user disk failed: device ${dev} wasn't found`);
    }
    if (dev === systemDisk) throw new Error(`reset user disk failed: device ${dev} is the system disk`);
  }
  const system: ResetPlan["system"] =
    req.mode === ResetRequest_WipeMode.USER_DISKS
      ? "none"
      : req.systemPartitionsToWipe.length > 0
        ? req.systemPartitionsToWipe.filter((s) => s.wipe).map((s) => s.label)
        : "disk";
  return {
    graceful: req.graceful,
    reboot: req.reboot,
    system,
    userDisks: req.mode === ResetRequest_WipeMode.SYSTEM_DISK ? [] : [...req.userDisksToWipe],
  };
}

export function lifecycleHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.reboot, async (req) => {
      const m = rt.machine;
      requireNotContainer(m);
      const mode = REBOOT_MODES[req.mode];
      if (mode === undefined) throw invalidArgument(`unknown reboot mode: ${req.mode}`);
      const actorId = randomUUID();
      startSequence(m, rebootSequence(m, mode), { actorId });
      return create(RebootResponseSchema, { messages: [create(RebootSchema, { actorId })] });
    }),

    unary(MachineService.method.shutdown, async (req) => {
      const m = rt.machine;
      requireNotContainer(m);
      const actorId = randomUUID();
      startSequence(m, shutdownSequence(m, req.force), { actorId, takeover: true });
      return create(ShutdownResponseSchema, { messages: [create(ShutdownSchema, { actorId })] });
    }),

    unary(MachineService.method.reset, async (req) => {
      const m = rt.machine;
      const plan = resetPlan(m, req);
      const actorId = randomUUID();
      startSequence(m, resetSequence(m, plan), { actorId });
      return create(ResetResponseSchema, { messages: [create(ResetSchema, { actorId })] });
    }),
  ];
}
