// The lifecycle sequences Talos runs on request: reboot, shutdown, reset and the upgrade
// family, phase by phase with Talos's names (siderolabs/talos:
// internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer.go). Each ends in a `reboot`
// or `shutdown` task that publishes the RestartEvent and hands the machine to the node, which
// takes the API down and (for a reboot) boots the next Machine after the downtime.
import { create } from "@bufbuild/protobuf";
import { RestartEventSchema } from "../../gen/machine/machine_pb.js";
import type { Clock } from "../clock.js";
import type { PlatformMode } from "../platform/index.js";
import { hasKubernetes, isControlPlane, type MachineConfig } from "./config.js";
import type { EventBus } from "./events.js";
import type { KernelLog } from "./kmsg.js";
import { type Phase, phase, type SequenceDefinition, type Task, task } from "./sequencer.js";
import type { ServiceManager } from "./services.js";

/** Reboot commands of the reboot syscall, as RestartEvent reports them. */
export const REBOOT_CMD = {
  restart: 0x01234567,
  kexec: 0x45584543,
  powerOff: 0x4321fedc,
  halt: 0xcdef0123,
} as const;

export type RebootMode = "default" | "powercycle" | "force";

/** What the machine asks of the node when its last task runs. */
export interface PowerRequest {
  readonly action: "reboot" | "powerOff";
  /** For the log: `rebooting: <reason>`. */
  readonly reason: string;
}

/** What the lifecycle sequences act on (a Machine is one). */
export interface LifecycleMachine {
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly kmsg: KernelLog;
  readonly services: ServiceManager;
  readonly platform: { readonly mode: PlatformMode };
  readonly config: { readonly active: MachineConfig | undefined };
  readonly cluster: { leaveOnReset(): Promise<void> };
  readonly volumes: {
    unmount(): void;
    wipe(label: string): void;
    wipeSystemDisk(): void;
    /** The partition table of a disk (`/dev/sdb`) was wiped. */
    forgetPartitions(disk: string): boolean;
  };
  /** Whether the machine has been installed (kexec needs a system disk). */
  readonly installed: boolean;
  log(line: string): void;
  /** The last task hands the machine to the node. */
  power(request: PowerRequest): void;
}

/** Services the graceful stop's `stopServices` phase stops first (and what depends on them). */
const UPGRADE_STOPPED = ["kubelet", "etcd", "cri", "trustd"];

function pause(m: LifecycleMachine, name: string, ms: number): Task {
  return task(name, ({ signal }) => m.clock.sleep(ms, signal));
}

/**
 * The final task: announce the reboot syscall and hand the machine over. The sequence never
 * reports STOP: on Talos its FATAL `unix.Reboot(...)` event races the power going away, and
 * here the power always wins, so a follower resuming on the next boot never sees a failure.
 */
function powerTask(
  m: LifecycleMachine,
  name: "reboot" | "shutdown",
  cmd: () => number,
  reason: string,
): Task {
  return task(name, async ({ actorId, signal }) => {
    const code = cmd();
    m.bus.publish(RestartEventSchema, create(RestartEventSchema, { cmd: BigInt(code) }), actorId);
    m.kmsg.write(
      "kern",
      "emerg",
      code === REBOOT_CMD.powerOff ? "reboot: Power down" : "reboot: Restarting system",
    );
    m.power({ action: name === "shutdown" ? "powerOff" : "reboot", reason });
    // The machine is discarded by the node; this task never completes.
    await new Promise<void>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  });
}

/** Kexec preparation; skipped (with Talos's log line) when a power cycle was asked for. */
function kexecPhase(m: LifecycleMachine, state: { kexec: boolean }, powercycle: boolean): Phase {
  return phase("kexec", [
    task("kexecPrepare", async ({ signal }) => {
      if (powercycle) {
        m.log("kexec skipped as reboot with power cycle was requested");
        return;
      }
      if (!m.installed) {
        m.log("kexec skipped as no system disk was found");
        return;
      }
      await m.clock.sleep(20, signal);
      state.kexec = true;
    }),
  ]);
}

/**
 * Stopping the services and unmounting, shared by the graceful stop and the upgrade; Talos
 * names the pod-mount phase differently in the two sequences.
 */
function teardownPhases(m: LifecycleMachine, podUnmountPhase: "umount" | "unmount"): Phase[] {
  return [
    phase("stopServices", [
      task("stopServicesForUpgrade", () =>
        m.services.stopAll(UPGRADE_STOPPED.filter((id) => m.services.snapshot(id) !== undefined)),
      ),
    ]),
    phase(podUnmountPhase, [pause(m, "unmountPodMounts", 20)]),
    phase("unmountBind", [pause(m, "unmountSystemDiskBindMounts", 10)]),
    phase("unmountPromotable", [pause(m, "unmountPromotableSystemPartitions", 10)]),
    phase("unmountSystem", [
      task("unmountEphemeralPartition", async ({ signal }) => {
        await m.clock.sleep(20, signal);
        m.volumes.unmount();
      }),
    ]),
    phase("volumeFinalize", [pause(m, "teardownLifecycle", 20)]),
  ];
}

/** Talos's graceful stop ("stopAllPhaselist"); container mode just stops everything. */
function gracefulStop(m: LifecycleMachine, kexec?: Phase): Phase[] {
  const stopEverything = phase("stopEverything", [task("stopAllServices", () => m.services.stopAll())]);
  if (m.platform.mode === "container") return [stopEverything];
  return [
    phase("denyNewServices", [task("denyNewServices", () => m.services.denyNewServices())]),
    ...teardownPhases(m, "umount"),
    stopEverything,
    ...(kexec ? [kexec] : []),
  ];
}

function cleanupPhase(m: LifecycleMachine, remove = false): Phase {
  return phase("cleanup", [pause(m, remove ? "removeAllPods" : "stopAllPods", 50)]);
}

function dbusPhase(m: LifecycleMachine): Phase {
  return phase("dbus", [pause(m, "stopDBus", 10)]);
}

/** Cordon and drain happen only where Kubernetes runs (node registration not skipped). */
function drainPhase(m: LifecycleMachine): Phase[] {
  return hasKubernetes(m.config.active) ? [phase("drain", [pause(m, "cordonAndDrainNode", 100)])] : [];
}

export function rebootSequence(
  m: LifecycleMachine,
  mode: RebootMode,
  reason = "reboot requested",
): SequenceDefinition {
  const state = { kexec: false };
  const cmd = (): number => (state.kexec ? REBOOT_CMD.kexec : REBOOT_CMD.restart);
  const reboot = phase("reboot", [powerTask(m, "reboot", cmd, reason)]);
  if (mode === "force") return { name: "reboot", phases: [reboot] };
  return {
    name: "reboot",
    phases: [
      cleanupPhase(m),
      dbusPhase(m),
      ...gracefulStop(m, kexecPhase(m, state, mode === "powercycle")),
      reboot,
    ],
  };
}

export function shutdownSequence(m: LifecycleMachine, force: boolean): SequenceDefinition {
  return {
    name: "shutdown",
    phases: [
      phase("storeShutdown", [pause(m, "storeShutdownEmergency", 10)]),
      ...(force ? [] : drainPhase(m)),
      cleanupPhase(m),
      dbusPhase(m),
      ...gracefulStop(m),
      phase("shutdown", [powerTask(m, "shutdown", () => REBOOT_CMD.powerOff, "shutdown requested")]),
    ],
  };
}

/** What a reset wipes (already validated against the machine's volumes and disks). */
export interface ResetPlan {
  readonly graceful: boolean;
  readonly reboot: boolean;
  /** `disk`: the whole system disk; a list: those system volumes; none: the system disk is kept. */
  readonly system: "disk" | readonly string[] | "none";
  readonly userDisks: readonly string[];
}

export function resetSequence(m: LifecycleMachine, plan: ResetPlan): SequenceDefinition {
  if (m.platform.mode === "container") {
    return {
      name: "reset",
      phases: [
        phase("stopEverything", [task("stopAllServices", () => m.services.stopAll())]),
        phase("shutdown", [powerTask(m, "shutdown", () => REBOOT_CMD.powerOff, "reset finished")]),
      ],
    };
  }
  const labels = Array.isArray(plan.system) ? (plan.system as readonly string[]) : [];
  // Kexec only when the boot partition survives a partial wipe.
  const state = { kexec: false };
  const kexec =
    plan.reboot && Array.isArray(plan.system) && !labels.includes("BOOT")
      ? kexecPhase(m, state, false)
      : undefined;
  const phases: Phase[] = [
    ...(plan.graceful ? drainPhase(m) : []),
    cleanupPhase(m, plan.graceful),
    dbusPhase(m),
    ...(plan.graceful && isControlPlane(m.config.active)
      ? [
          phase("leave", [
            task("leaveEtcd", async ({ signal }) => {
              await m.clock.sleep(50, signal);
              await m.cluster.leaveOnReset();
            }),
          ]),
        ]
      : []),
    phase("preReset", [pause(m, "sendResetSignal", 10)]),
    ...gracefulStop(m, kexec),
    phase("forceCleanup", [pause(m, "forceCleanup", 10)]),
  ];
  if (plan.system === "disk") {
    phases.push(
      phase("reset", [
        task("resetSystemDisk", async ({ signal }) => {
          await m.clock.sleep(50, signal);
          m.volumes.wipeSystemDisk();
        }),
      ]),
    );
  } else if (labels.length > 0) {
    phases.push(
      phase("resetSpec", [
        task("resetSystemDiskSpec", async ({ signal }) => {
          await m.clock.sleep(30, signal);
          for (const label of labels) m.volumes.wipe(label);
        }),
      ]),
    );
  }
  if (plan.userDisks.length > 0) {
    phases.push(
      phase("resetUserDisks", [
        task("resetUserDisks", async ({ signal }) => {
          await m.clock.sleep(20, signal);
          for (const dev of plan.userDisks) {
            m.log(`wiping user disk ${dev}`);
            m.volumes.forgetPartitions(dev);
          }
        }),
      ]),
    );
  }
  phases.push(
    plan.reboot
      ? phase("reboot", [
          powerTask(
            m,
            "reboot",
            () => (state.kexec ? REBOOT_CMD.kexec : REBOOT_CMD.restart),
            "reset finished",
          ),
        ])
      : phase("shutdown", [powerTask(m, "shutdown", () => REBOOT_CMD.powerOff, "reset finished")]),
  );
  return { name: "reset", phases };
}

/** A legacy upgrade: what its `upgrade` task runs, and how the machine restarts afterwards. */
export interface UpgradePlan {
  /** Runs the installer (pull, write the inactive slot, switch). */
  readonly install: (signal: AbortSignal) => Promise<void>;
  /** reboot_mode POWERCYCLE: no kexec. */
  readonly powercycle: boolean;
  /** `force`/`preserve`: skip the drain (the etcd checks are not emulated). */
  readonly skipDrain?: boolean;
}

function upgradeTail(m: LifecycleMachine, plan: UpgradePlan): Phase[] {
  const state = { kexec: false };
  return [
    phase("upgrade", [task("upgrade", ({ signal }) => plan.install(signal))]),
    phase("meta", [pause(m, "reloadMeta", 10)]),
    ...(plan.powercycle ? [] : [kexecPhase(m, state, false)]),
    phase("stopEverything", [task("stopAllServices", () => m.services.stopAll())]),
    phase("reboot", [
      powerTask(
        m,
        "reboot",
        () => (state.kexec ? REBOOT_CMD.kexec : REBOOT_CMD.restart),
        "upgrade installed",
      ),
    ]),
  ];
}

/** The legacy `upgrade` sequence (MachineService.Upgrade). */
export function upgradeSequence(m: LifecycleMachine, plan: UpgradePlan): SequenceDefinition {
  return {
    name: "upgrade",
    phases: [
      phase("denyNewServices", [task("denyNewServices", () => m.services.denyNewServices())]),
      ...(plan.skipDrain ? [] : drainPhase(m)),
      cleanupPhase(m),
      dbusPhase(m),
      ...teardownPhases(m, "unmount"),
      ...upgradeTail(m, plan),
    ],
  };
}

/** A staged upgrade: just a reboot now; the next boot's `install` sequence installs it. */
export function stageUpgradeSequence(m: LifecycleMachine, powercycle: boolean): SequenceDefinition {
  const state = { kexec: false };
  return {
    name: "stageUpgrade",
    phases: [
      cleanupPhase(m),
      dbusPhase(m),
      ...gracefulStop(m, powercycle ? undefined : kexecPhase(m, state, false)),
      phase("reboot", [
        powerTask(
          m,
          "reboot",
          () => (state.kexec ? REBOOT_CMD.kexec : REBOOT_CMD.restart),
          "upgrade staged, installing on the next boot",
        ),
      ]),
    ],
  };
}

/** An upgrade requested in maintenance mode (nothing runs that needs stopping first). */
export function maintenanceUpgradeSequence(m: LifecycleMachine, plan: UpgradePlan): SequenceDefinition {
  return { name: "maintenanceUpgrade", phases: upgradeTail(m, plan) };
}
