// The sequences machined runs when it starts, phase by phase with Talos's names (siderolabs/talos:
// internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer.go): `initialize` (early
// services, then the config, waiting in maintenance mode while there is none), `install` (when
// the machine is to be installed or a staged upgrade waits, then a reboot), and `boot` (mount
// the system partitions, start every service).

import { create } from "@bufbuild/protobuf";
import { errorMessage } from "../../errors.js";
import { RestartEventSchema, TaskEvent_Action, TaskEventSchema } from "../../gen/machine/machine_pb.js";
import type { Clock } from "../clock.js";
import type { PlatformInfo } from "../platform/index.js";
import type { StateDir } from "../state/index.js";
import { type BootServiceOptions, bootServices, SERVICES } from "./catalog.js";
import { hasMachineInstall, hasUnattendedInstall, isComplete, type MachineConfig } from "./config.js";
import type { EventBus } from "./events.js";
import type { KernelLog } from "./kmsg.js";
import { REBOOT_CMD } from "./lifecycle.js";
import {
  phase,
  type SequenceDefinition,
  SequenceError,
  SequenceLockedError,
  type Sequencer,
  task,
} from "./sequencer.js";
import type { ServiceManager } from "./services.js";

/** How long `startAllServices` waits for every service (70 minutes, as Talos). */
const START_ALL_TIMEOUT_MS = 70 * 60_000;

/** What the start-up sequences need of the machine. */
export interface BootHost {
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly kmsg: KernelLog;
  readonly services: ServiceManager;
  readonly sequencer: Sequencer;
  readonly state: StateDir;
  readonly platform: PlatformInfo;
  /** Aborted when the machine is discarded. */
  readonly signal: AbortSignal;
  /** Why this boot's image cannot boot (the boot sequence then fails). */
  readonly failBoot?: string;
  /** A staged upgrade to install in this boot's `install` sequence (then reboot). */
  readonly stagedInstall?: (signal: AbortSignal) => Promise<void>;
  active(): MachineConfig | undefined;
  installed(): boolean;
  bootOptions(): BootServiceOptions;
  log(line: string): void;
  /** The `ephemeral` phase mounted the system partitions. */
  mountVolumes(): void;
  /** Every boot service is up (or finished). */
  servicesStarted(options: BootServiceOptions, signal: AbortSignal): void;
  /** Asks the node to reboot the machine. */
  reboot(reason: string): void;
  /** A start-up sequence failed (not preempted): Talos's fatal-error path. */
  bootFailed(message: string): void;
}

export class StartupSequences {
  private readonly maintenanceWaiters = new Set<() => void>();

  constructor(private readonly host: BootHost) {}

  /** Runs initialize, then install or boot, in the background of the machine's start. */
  async run(): Promise<void> {
    const { host } = this;
    const signal = host.signal;
    try {
      await host.sequencer.run(this.initializeSequence(), { signal });
      if (this.needsInstall()) {
        await host.sequencer.run(this.installSequence(), { signal });
        return;
      }
      if (host.platform.mode === "metal" && !host.installed() && hasUnattendedInstall(host.active())) {
        // The unattended installer works without a reboot; later boots count as installed.
        host.state.updateIdentity({ installed: true });
      }
      await host.sequencer.run(this.bootSequence(), { signal });
    } catch (err) {
      if (signal.aborted) return;
      const message = errorMessage(err);
      host.log(message);
      // A sequence preempted by a lifecycle request (or refused by the lock) is not a boot failure.
      if (err instanceof SequenceLockedError || (err instanceof SequenceError && err.canceled)) return;
      host.bootFailed(message);
    }
  }

  /** The active config changed (or the machine stops): a `loadConfig` waiting in maintenance looks again. */
  wake(): void {
    for (const wake of [...this.maintenanceWaiters]) wake();
  }

  private needsInstall(): boolean {
    const { host } = this;
    if (host.stagedInstall && host.installed() && host.platform.mode !== "container") return true;
    const active = host.active();
    return (
      host.platform.mode === "metal" &&
      !host.installed() &&
      hasMachineInstall(active) &&
      !hasUnattendedInstall(active)
    );
  }

  private pause(ms: number): Promise<void> {
    return this.host.clock.sleep(ms, this.host.signal);
  }

  private initializeSequence(): SequenceDefinition {
    const { services } = this.host;
    const start = (name: string, def: Parameters<ServiceManager["start"]>[0]) =>
      task(name, () => services.start(def));
    const loadConfig = task("loadConfig", ({ signal }) => this.acquireConfig(signal));
    if (this.host.platform.mode === "container") {
      return {
        name: "initialize",
        phases: [
          phase("machined", [
            start("startApid", SERVICES.apid),
            start("startMachined", SERVICES.machined),
            start("startContainerd", SERVICES.containerd),
          ]),
          phase("config", [loadConfig]),
        ],
      };
    }
    const installed = this.host.installed();
    return {
      name: "initialize",
      phases: [
        phase("systemRequirements", [task("enforceKSPPRequirements", () => this.pause(20))]),
        phase("earlyServices", [
          start("startMachined", SERVICES.machined),
          task("waitForUdevd", async ({ signal }) => {
            services.start(SERVICES.udevd);
            await services.waitFor(() => services.isUp("udevd"), signal);
          }),
          start("startApid", SERVICES.apid),
          start("startAuditd", SERVICES.auditd),
          start("startSyslogd", SERVICES.syslogd),
          start("startContainerd", SERVICES.containerd),
        ]),
        phase("usb", [task("waitForUSB", () => this.pause(20))]),
        phase("meta", [task("reloadMeta", () => this.pause(10))]),
        phase("cleanupBootloader", [task("cleanupBootloader", () => this.pause(10))], () => installed),
        phase("dashboard", [start("startDashboard", SERVICES.dashboard)]),
        phase("config", [loadConfig]),
      ],
    };
  }

  private installSequence(): SequenceDefinition {
    const { host } = this;
    return {
      name: "install",
      phases: [
        phase("env", [task("setUserEnvVars", () => this.pause(10))]),
        phase("install", [
          task("install", async ({ signal }) => {
            const staged = host.stagedInstall;
            if (staged && host.installed()) {
              await staged(signal);
              return;
            }
            await host.clock.sleep(2_000, signal);
            host.state.updateIdentity({ installed: true });
          }),
        ]),
        phase("meta", [task("reloadMeta", () => this.pause(10))]),
        phase("saveMeta", [task("flushMeta", () => this.pause(10))]),
        phase("denyNewServices", [task("denyNewServices", () => host.services.denyNewServices())]),
        phase("volumeFinalize", [task("teardownLifecycle", () => this.pause(20))]),
        phase("stopEverything", [task("stopAllServices", () => host.services.stopAll())]),
        phase("kexec", [task("kexecPrepare", () => this.pause(20))]),
        phase("reboot", [
          task("reboot", ({ actorId, signal }) =>
            this.rebootTask(
              REBOOT_CMD.kexec,
              actorId,
              signal,
              host.stagedInstall ? "staged upgrade installed" : "install finished",
            ),
          ),
        ]),
      ],
    };
  }

  private bootSequence(): SequenceDefinition {
    const container = this.host.platform.mode === "container";
    const phases = [
      phase("memorySizeCheck", [task("memorySizeCheck", () => this.pause(5))]),
      phase("diskSizeCheck", [task("diskSizeCheck", () => this.pause(5))]),
      phase("env", [
        task("setUserEnvVars", () => this.pause(5)),
        task("waitForCARoots", () => this.pause(10)),
      ]),
      phase("dbus", [task("startDBus", () => this.pause(20))]),
      ...(container
        ? [phase("sharedFilesystems", [task("setupSharedFilesystems", () => this.pause(10))])]
        : []),
      phase("ephemeral", [
        task("mountEphemeralPartition", async () => {
          await this.pause(100);
          this.host.mountVolumes();
        }),
      ]),
      ...(container
        ? []
        : [
            phase("promotableVolumes", [task("mountPromotableSystemPartitions", () => this.pause(20))]),
            phase("userDisks", [task("mountUserDisks", () => this.pause(10))]),
          ]),
      phase("userSetup", [task("writeUserFiles", () => this.pause(10))]),
      phase("startEverything", [
        task("startAllServices", ({ signal }) => {
          if (this.host.failBoot !== undefined) throw new Error(this.host.failBoot);
          return this.startAllServices(signal);
        }),
      ]),
    ];
    return { name: "boot", phases };
  }

  /** The `loadConfig` task: with no complete config the machine waits in maintenance mode. */
  private async acquireConfig(signal: AbortSignal): Promise<void> {
    const { host } = this;
    if (isComplete(host.active())) return;
    host.bus.publish(
      TaskEventSchema,
      create(TaskEventSchema, { task: "runningMaintenance", action: TaskEvent_Action.START }),
    );
    while (!isComplete(host.active())) {
      if (signal.aborted) throw signal.reason;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.maintenanceWaiters.delete(wake);
          resolve();
        };
        this.maintenanceWaiters.add(wake);
      });
    }
    host.bus.publish(
      TaskEventSchema,
      create(TaskEventSchema, { task: "runningMaintenance", action: TaskEvent_Action.STOP }),
    );
  }

  private async startAllServices(signal: AbortSignal): Promise<void> {
    const { services, clock } = this.host;
    const options = this.host.bootOptions();
    const wanted = bootServices(options);
    for (const def of wanted) services.start(def);
    const deadline = clock.after(START_ALL_TIMEOUT_MS, () => undefined);
    try {
      await services.waitFor(
        () => wanted.every((d) => services.isUp(d.id) || services.snapshot(d.id)?.state === "Finished"),
        signal,
      );
    } finally {
      deadline.cancel();
    }
    this.host.servicesStarted(options, signal);
  }

  private async rebootTask(cmd: number, actorId: string, signal: AbortSignal, reason: string): Promise<void> {
    this.host.bus.publish(RestartEventSchema, create(RestartEventSchema, { cmd: BigInt(cmd) }), actorId);
    this.host.kmsg.write(
      "kern",
      "emerg",
      cmd === REBOOT_CMD.powerOff ? "reboot: powering off" : "reboot: restarting the machine",
    );
    this.host.reboot(reason);
    // The machine is discarded by the reboot; this task never completes.
    await new Promise<void>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  }
}
