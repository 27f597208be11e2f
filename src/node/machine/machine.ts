// One boot of the emulated machine: its event stream, resources, services and configs, and
// the sequences Talos runs at start-up (initialize, install, boot). A reboot discards the
// Machine and starts a new one on the same STATE directory.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { errorMessage } from "../../errors.js";
import {
  AddressEventSchema,
  ConfigLoadErrorEventSchema,
  type MachineStatusEvent,
  MachineStatusEvent_MachineStage,
  RestartEventSchema,
  TaskEvent_Action,
  TaskEventSchema,
} from "../../gen/machine/machine_pb.js";
import type { Clock, Timer } from "../clock.js";
import { ClusterController } from "../cluster/controller.js";
import { defaultDiscoveryRoot } from "../cluster/registry.js";
import { IMAGES_FILE } from "../images/store.js";
import type { NodeLog } from "../log.js";
import type {
  ContainerRecord,
  Disk,
  PodSpec,
  ProcessRow,
  RootFs,
  ServiceContainer,
} from "../platform/index.js";
import {
  CPU_COUNT,
  diskFacts,
  diskName,
  Hardware,
  humanizeBytes,
  MEM_TOTAL_KB,
  openRootFs,
  type PlatformInfo,
  podContainers,
  podLogKey,
  preferredAddress,
  systemContainers,
  systemVolumes,
  withPrefix,
} from "../platform/index.js";
import { Bootloader, Meta, type StateDir } from "../state/index.js";
import { LiveSet } from "../streams/index.js";
import { type BootServiceOptions, bootServices, requiredServices, SERVICES } from "./catalog.js";
import {
  configuredHostname,
  hasEtcd,
  hasKubernetes,
  hasMachineInstall,
  hasUnattendedInstall,
  isComplete,
  isControlPlane,
  type MachineConfig,
  machineType,
  parseMachineConfig,
} from "./config.js";
import { ConfigStore } from "./config-store.js";
import { EventBus } from "./events.js";
import { KERNEL_BOOT_MS, writeKernelTranscript } from "./kernel-transcript.js";
import { KernelLog } from "./kmsg.js";
import { type PowerRequest, REBOOT_CMD } from "./lifecycle.js";
import { registerLiveFiles } from "./live-files.js";
import { LogManager } from "./logs.js";
import { MachineStatusController, type UnmetCondition } from "./machine-status.js";
import {
  definitionKind,
  diskKind,
  hostnameStatusKind,
  machineTypeKind,
  NAMESPACE_DESCRIPTIONS,
  NODE_KINDS,
  NS,
  namespaceKind,
  nodeAddressKind,
  systemDiskKind,
  versionKind,
  volumeStatusKind,
} from "./resources/kinds.js";
import { ResourceStore } from "./resources/store.js";
import {
  phase,
  type SequenceDefinition,
  SequenceError,
  SequenceLockedError,
  Sequencer,
  task,
} from "./sequencer.js";
import { ServiceOutput } from "./service-output.js";
import { ETCD_VERSION, KUBERNETES_VERSION } from "./service-voices.js";
import { ServiceManager } from "./services.js";

/** PIDs of the static pods' processes start here (after the services'). */
const POD_FIRST_PID = 2_400;

/** The image a containerised service runs. */
function imageOf(id: string, talosVersion: string): string {
  if (id === "etcd") return `gcr.io/etcd-development/etcd:${ETCD_VERSION}`;
  if (id === "kubelet") return `ghcr.io/siderolabs/kubelet:${KUBERNETES_VERSION}`;
  return `ghcr.io/siderolabs/${id}:${talosVersion}`;
}

function klogStamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}`;
}

/** How long `startAllServices` waits for every service (70 minutes, as Talos). */
const START_ALL_TIMEOUT_MS = 70 * 60_000;

export interface MachineOptions {
  readonly clock: Clock;
  readonly state: StateDir;
  readonly platform: PlatformInfo;
  readonly talosVersion: string;
  readonly disks: readonly Disk[];
  /** The machine's IP addresses. */
  readonly addresses: readonly string[];
  /** The hostname given with --hostname (the config's wins). */
  readonly hostname?: string;
  /** machined's log; when it can be listened to, its lines also fill the machined buffer and the kernel log. */
  readonly log: ((line: string) => void) & { listen?: NodeLog["listen"] };
  /** Asked to reboot the machine (the node builds the next boot). */
  readonly onReboot: (reason: string) => void;
  /** Where the cluster discovery registries live (default: under the system temp directory). */
  readonly discoveryRoot?: string;
  /** The previous boot's event ring, continued by this boot. */
  readonly previousEvents?: EventBus;
  /** A lifecycle sequence reached its reboot/shutdown task (default: like onReboot). */
  readonly onPower?: (request: PowerRequest) => void;
  /** Why this boot's image cannot boot (the boot sequence then fails). */
  readonly failBoot?: string;
  /** A start-up sequence failed (not preempted): Talos's fatal-error path. */
  readonly onBootFailed?: (message: string) => void;
  /** The machine reached stage RUNNING and ready for the first time in this boot. */
  readonly onRunning?: () => void;
  /** A staged upgrade to install in this boot's `install` sequence (then reboot). */
  readonly stagedInstall?: (signal: AbortSignal) => Promise<void>;
}

export class Machine {
  readonly bus: EventBus;
  readonly store: ResourceStore;
  readonly services: ServiceManager;
  readonly sequencer: Sequencer;
  readonly config: ConfigStore;
  readonly status: MachineStatusController;
  readonly hardware: Hardware;
  /** Discovery and the emulated etcd membership of the node's cluster. */
  readonly cluster: ClusterController;
  /** Service log buffers (one per service id, in memory only). */
  readonly logs = new LogManager();
  /** CRI container logs, keyed `<ns>/<pod>:<container>`. */
  readonly containerLogs = new LogManager();
  /** The kernel's ring buffer. */
  readonly kmsg: KernelLog;
  /** The node's root filesystem (persistent, inside the STATE directory). */
  readonly rootfs: RootFs;
  /** What open streams and timers of this boot keep alive. */
  readonly live = new LiveSet();
  readonly bootId = randomUUID();
  readonly startedAt: Date;
  /** Why the persisted config could not be loaded at boot, if it could not. */
  readonly configLoadError: string | undefined;

  private readonly abort = new AbortController();
  private readonly timers: Timer[] = [];
  private readonly maintenanceWaiters = new Set<() => void>();
  private timeSynced = false;
  private networkReady = false;
  /** Whether apid has a certificate clients trust (a worker's comes from a control plane's trustd). */
  private apiCertificate: { ready: boolean; restarting: boolean; wake: Set<() => void> } = {
    ready: false,
    restarting: false,
    wake: new Set(),
  };
  private kubernetesReady = false;
  private mounted = false;
  /** When the static pods started (control planes with Kubernetes, once it answers). */
  private podsStartedAt: Date | undefined;
  private readonly output: ServiceOutput;
  private readonly detachLog: (() => void) | undefined;

  constructor(private readonly options: MachineOptions) {
    const { clock } = options;
    this.startedAt = clock.now();
    this.bus = new EventBus(clock, options.previousEvents);
    this.store = new ResourceStore(clock, { namespace: namespaceKind, definition: definitionKind });
    for (const [ns, description] of Object.entries(NAMESPACE_DESCRIPTIONS)) {
      this.store.registerNamespace(ns, description);
    }
    for (const kind of NODE_KINDS) this.store.registerKind(kind);
    this.services = new ServiceManager(clock, this.bus, this.store);
    this.sequencer = new Sequencer(this.bus, options.log, undefined, (ms, signal) =>
      clock.sleep(ms, signal).catch(() => undefined),
    );
    // The kernel ran for a while before machined (and this object) started.
    this.hardware = new Hardware(new Date(this.startedAt.getTime() - KERNEL_BOOT_MS), options.disks);
    this.kmsg = new KernelLog(this.hardware.bootTime, () => clock.now());
    writeKernelTranscript(this.kmsg, {
      platform: options.platform.name,
      memTotalKb: MEM_TOTAL_KB,
      cpus: CPU_COUNT,
      disks: options.disks,
      installed: options.state.identity().installed,
    });
    this.detachLog = options.log.listen?.((line, text) => {
      this.logs.write("machined", `${text}\n`);
      this.kmsg.write("user", "warning", `[talos] ${line}`);
    });
    this.output = new ServiceOutput(
      this.services,
      this.logs,
      clock,
      this.live,
      () => ({
        hostname: this.hostname,
        address: preferredAddress(this.addresses),
        talosVersion: this.talosVersion,
        kubernetesReady: this.kubernetesReady,
        controlPlane: isControlPlane(this.config.active),
      }),
      (line) => options.log(line),
    );
    this.rootfs = openRootFs(options.state.dir);
    this.config = new ConfigStore(clock, options.state, this.store, options.log);

    let persisted: MachineConfig | undefined;
    let loadError: string | undefined;
    const bytes = options.state.readConfig();
    if (bytes !== undefined) {
      try {
        persisted = parseMachineConfig(bytes);
      } catch (err) {
        loadError = errorMessage(err);
      }
    }
    this.configLoadError = loadError;
    this.config.boot(persisted);
    this.status = new MachineStatusController(this.bus, this.store, () => this.conditions());
    this.cluster = new ClusterController({
      clock,
      log: (line) => options.log(line),
      store: this.store,
      services: this.services,
      rootDir: this.rootfs.dir,
      machineUuid: options.state.identity().uuid,
      discoveryRoot: options.discoveryRoot ?? defaultDiscoveryRoot(),
      talosVersion: options.talosVersion,
      active: () => this.config.active,
      hostname: () => this.hostname,
      addresses: () => this.addresses,
      status: () => ({
        stage: this.status.currentStage,
        ready: this.conditions().length === 0,
        services: Object.fromEntries(
          this.services.list().map((s) => [
            s.id,
            {
              state: s.state,
              healthy: s.state === "Running" && (!s.definition.healthCheck || s.health.healthy),
            },
          ]),
        ),
        memoryBytes: MEM_TOTAL_KB * 1024,
        diskBytes: this.options.disks[0]?.size ?? 0,
        kubernetesReady: this.kubernetesReady,
        staticPods: this.podsStartedAt !== undefined,
      }),
    });
    this.services.setPreState("etcd", (signal) => this.cluster.waitForEtcd(signal));
    // As on Talos, apid does not start before it has its certificate: on a worker, until a
    // control plane's trustd signed it.
    this.services.setPreState("apid", (signal) => this.waitForApiCertificate(signal));
    let nudging = false;
    this.services.onTransition(() => {
      if (nudging) return;
      nudging = true;
      setTimeout(() => {
        nudging = false;
        this.cluster.nudge();
      }, 20);
    });
    this.config.onActiveChange((active, previous) => this.onActiveChange(active, previous));
    if (options.onRunning) {
      const onRunning = options.onRunning;
      const stop = this.bus.listen((e) => {
        if (e.type !== "machine.MachineStatusEvent") return;
        const status = e.payload as MachineStatusEvent;
        if (status.stage === MachineStatusEvent_MachineStage.RUNNING && status.status?.ready) {
          stop();
          onRunning();
        }
      });
    }
    this.publishStaticResources();
    registerLiveFiles(this);
  }

  get platform(): PlatformInfo {
    return this.options.platform;
  }

  get talosVersion(): string {
    return this.options.talosVersion;
  }

  get addresses(): readonly string[] {
    return this.options.addresses;
  }

  get disks(): readonly Disk[] {
    return this.options.disks;
  }

  /** No complete (v1alpha1) active config: the maintenance API serves. */
  get inMaintenance(): boolean {
    return !isComplete(this.config.active);
  }

  /** The machine's hostname: the config's, else --hostname, else the stable default. */
  get hostname(): string {
    return (
      configuredHostname(this.config.active) ??
      this.options.hostname ??
      this.options.state.identity().defaultHostname
    );
  }

  /** Whether the metal machine has been installed (validation then needs no install disk). */
  get installed(): boolean {
    return this.options.state.identity().installed;
  }

  /** Whether the system disk's partitions are mounted (after the boot sequence's ephemeral phase). */
  get volumesMounted(): boolean {
    return this.mounted;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get clock(): Clock {
    return this.options.clock;
  }

  get stateDir(): StateDir {
    return this.options.state;
  }

  /** A line in machined's log. */
  log(line: string): void {
    this.options.log(line);
  }

  /** The last task of a lifecycle sequence hands the machine to the node. */
  power(request: PowerRequest): void {
    if (this.options.onPower) this.options.onPower(request);
    else this.options.onReboot(request.reason);
  }

  /** The graceful stop unmounted the system partitions. */
  unmountVolumes(): void {
    this.mounted = false;
    this.publishVolumes();
  }

  /** Wipes one system volume (reset with a partition list). */
  wipeVolume(label: string): void {
    const dir = this.options.state.dir;
    switch (label) {
      case "STATE":
        this.options.state.removeConfig();
        break;
      case "EPHEMERAL":
        fs.rmSync(path.join(this.rootfs.dir, "var"), { recursive: true, force: true });
        fs.rmSync(path.join(dir, IMAGES_FILE), { force: true });
        break;
      case "META":
        new Meta(dir).remove();
        break;
      default:
        break;
    }
    this.options.log(`wiped volume ${label}`);
  }

  /** Wipes the whole system disk: every volume and the bootloader; the machine is no longer installed. */
  wipeSystemDisk(): void {
    for (const label of ["STATE", "EPHEMERAL", "META"]) this.wipeVolume(label);
    new Bootloader(this.options.state.dir).remove();
    this.options.state.updateIdentity({ installed: false });
  }

  /** Starts the boot flow in the background. */
  start(): void {
    if (this.configLoadError !== undefined) {
      this.options.log(`failed to load saved config: ${this.configLoadError}`);
      this.bus.publish(
        ConfigLoadErrorEventSchema,
        create(ConfigLoadErrorEventSchema, { error: this.configLoadError }),
      );
    }
    this.later(200, () => {
      this.networkReady = true;
      this.kmsg.write("kern", "info", "eth0: link is up, carrier detected");
      this.status.refresh();
    });
    this.later(500, () => {
      this.timeSynced = true;
      this.status.refresh();
    });
    this.cluster.start();
    void this.bootFlow();
  }

  /** Stops timers and background work (the machine is being discarded). */
  close(): void {
    this.abort.abort(new Error("machine stopped"));
    this.cluster.close();
    this.bus.seal();
    for (const t of this.timers) t.cancel();
    this.output.close();
    this.detachLog?.();
    this.config.close();
    this.services.close();
    this.status.close();
    for (const wake of [...this.maintenanceWaiters]) wake();
  }

  private later(ms: number, fn: () => void): void {
    this.timers.push(this.options.clock.after(ms, fn));
  }

  private bootOptions(): BootServiceOptions {
    const active = this.config.active;
    return {
      mode: this.platform.mode,
      controlPlane: isControlPlane(active),
      kubernetes: hasKubernetes(active),
      etcd: hasEtcd(active),
    };
  }

  private async bootFlow(): Promise<void> {
    const signal = this.abort.signal;
    try {
      await this.sequencer.run(this.initializeSequence(), { signal });
      if (this.needsInstall()) {
        await this.sequencer.run(this.installSequence(), { signal });
        return;
      }
      if (this.platform.mode === "metal" && !this.installed && hasUnattendedInstall(this.config.active)) {
        // The unattended installer works without a reboot; later boots count as installed.
        this.options.state.updateIdentity({ installed: true });
      }
      await this.sequencer.run(this.bootSequence(), { signal });
    } catch (err) {
      if (signal.aborted) return;
      const message = errorMessage(err);
      this.options.log(message);
      // A sequence preempted by a lifecycle request (or refused by the lock) is not a boot failure.
      if (err instanceof SequenceLockedError || (err instanceof SequenceError && err.canceled)) return;
      this.options.onBootFailed?.(message);
    }
  }

  private needsInstall(): boolean {
    const active = this.config.active;
    if (this.options.stagedInstall && this.installed && this.platform.mode !== "container") return true;
    return (
      this.platform.mode === "metal" &&
      !this.installed &&
      hasMachineInstall(active) &&
      !hasUnattendedInstall(active)
    );
  }

  private initializeSequence(): SequenceDefinition {
    const start = (name: string, def: Parameters<ServiceManager["start"]>[0]) =>
      task(name, () => this.services.start(def));
    const loadConfig = task("loadConfig", ({ signal }) => this.acquireConfig(signal));
    if (this.platform.mode === "container") {
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
    const installed = this.installed;
    return {
      name: "initialize",
      phases: [
        phase("systemRequirements", [task("enforceKSPPRequirements", () => this.pause(20))]),
        phase("earlyServices", [
          start("startMachined", SERVICES.machined),
          task("waitForUdevd", async ({ signal }) => {
            this.services.start(SERVICES.udevd);
            await this.services.waitFor(() => this.services.isUp("udevd"), signal);
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
    return {
      name: "install",
      phases: [
        phase("env", [task("setUserEnvVars", () => this.pause(10))]),
        phase("install", [
          task("install", async ({ signal }) => {
            const staged = this.options.stagedInstall;
            if (staged && this.installed) {
              await staged(signal);
              return;
            }
            await this.options.clock.sleep(2_000, signal);
            this.options.state.updateIdentity({ installed: true });
          }),
        ]),
        phase("meta", [task("reloadMeta", () => this.pause(10))]),
        phase("saveMeta", [task("flushMeta", () => this.pause(10))]),
        phase("denyNewServices", [task("denyNewServices", () => this.services.denyNewServices())]),
        phase("volumeFinalize", [task("teardownLifecycle", () => this.pause(20))]),
        phase("stopEverything", [task("stopAllServices", () => this.services.stopAll())]),
        phase("kexec", [task("kexecPrepare", () => this.pause(20))]),
        phase("reboot", [
          task("reboot", ({ actorId, signal }) =>
            this.rebootTask(
              REBOOT_CMD.kexec,
              actorId,
              signal,
              this.options.stagedInstall ? "staged upgrade installed" : "install finished",
            ),
          ),
        ]),
      ],
    };
  }

  private bootSequence(): SequenceDefinition {
    const container = this.platform.mode === "container";
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
          this.mounted = true;
          this.publishVolumes();
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
          if (this.options.failBoot !== undefined) throw new Error(this.options.failBoot);
          return this.startAllServices(signal);
        }),
      ]),
    ];
    return { name: "boot", phases };
  }

  private pause(ms: number): Promise<void> {
    return this.options.clock.sleep(ms, this.abort.signal);
  }

  /** The `loadConfig` task: with no complete config the machine waits in maintenance mode. */
  private async acquireConfig(signal: AbortSignal): Promise<void> {
    if (isComplete(this.config.active)) return;
    this.bus.publish(
      TaskEventSchema,
      create(TaskEventSchema, { task: "runningMaintenance", action: TaskEvent_Action.START }),
    );
    while (!isComplete(this.config.active)) {
      if (signal.aborted) throw signal.reason;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.maintenanceWaiters.delete(wake);
          resolve();
        };
        this.maintenanceWaiters.add(wake);
      });
    }
    this.bus.publish(
      TaskEventSchema,
      create(TaskEventSchema, { task: "runningMaintenance", action: TaskEvent_Action.STOP }),
    );
  }

  private async startAllServices(signal: AbortSignal): Promise<void> {
    const options = this.bootOptions();
    const wanted = bootServices(options);
    for (const def of wanted) this.services.start(def);
    const deadline = this.options.clock.after(START_ALL_TIMEOUT_MS, () => undefined);
    try {
      await this.services.waitFor(
        () =>
          wanted.every((d) => this.services.isUp(d.id) || this.services.snapshot(d.id)?.state === "Finished"),
        signal,
      );
    } finally {
      deadline.cancel();
    }
    if (options.kubernetes) {
      // The kubelet registers the node and runs the static pods shortly after it is healthy;
      // a worker's kubelet registers once a control plane's API server answers.
      const ready = (): void =>
        this.later(1_500, () => {
          this.kubernetesReady = true;
          if (options.controlPlane) this.startStaticPods();
          this.status.refresh();
          this.cluster.nudge();
        });
      if (options.controlPlane) ready();
      else {
        this.cluster.until(() => this.cluster.kubernetesApiUp(), signal).then(ready, () => undefined);
      }
    }
  }

  private async rebootTask(cmd: number, actorId: string, signal: AbortSignal, reason: string): Promise<void> {
    this.bus.publish(RestartEventSchema, create(RestartEventSchema, { cmd: BigInt(cmd) }), actorId);
    this.kmsg.write(
      "kern",
      "emerg",
      cmd === REBOOT_CMD.powerOff ? "reboot: powering off" : "reboot: restarting the machine",
    );
    this.options.onReboot(reason);
    // The machine is discarded by the reboot; this task never completes.
    await new Promise<void>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  }

  /** Readiness conditions while booting or running (behavior §4.1). */
  private conditions(): UnmetCondition[] {
    const out: UnmetCondition[] = [];
    if (!this.timeSynced) out.push({ name: "time", reason: "time is not synced" });
    if (!this.networkReady) {
      out.push({ name: "network", reason: "waiting on: address, connectivity, etc-files, hostname" });
    }
    const options = this.bootOptions();
    const reasons: string[] = [];
    for (const id of requiredServices(options)) {
      const svc = this.services.snapshot(id);
      if (svc?.state !== "Running") reasons.push(`${id} not running`);
      else if (svc.definition.healthCheck && !svc.health.healthy) reasons.push(`${id} not healthy`);
    }
    if (reasons.length > 0) out.push({ name: "services", reason: reasons.join(", ") });
    if (options.kubernetes && !this.kubernetesReady) {
      if (options.controlPlane) {
        out.push({
          name: "staticPods",
          reason: "kube-apiserver pending, kube-controller-manager pending, kube-scheduler pending",
        });
      }
      out.push({ name: "nodeReady", reason: `node "${this.hostname}" status is not available yet` });
    }
    return out;
  }

  now(): Date {
    return this.options.clock.now();
  }

  /** Share of the machine's "work" that is running, to scale memory use and load. */
  activity(): number {
    const running = this.services.list().filter((s) => s.state === "Running").length;
    return Math.min(1, running / 12);
  }

  /** The stable machine id (/etc/machine-id): the node's UUID without dashes. */
  get machineId(): string {
    return this.options.state.identity().uuid.replace(/-/g, "");
  }

  /** The machine config saved in the STATE directory, if any. */
  savedConfig(): Uint8Array | undefined {
    return this.options.state.readConfig();
  }

  /** Every process: init, the services' processes and the containers' (pods included). */
  processes(): ProcessRow[] {
    const now = this.now();
    const running = this.services
      .list()
      .filter((s) => s.state === "Running" && s.pid !== undefined && s.startedAt !== undefined)
      .map((s) => ({
        pid: s.pid!,
        startedAt: s.startedAt!,
        args: s.definition.runner.kind === "process" ? s.definition.runner.args : [`/usr/local/bin/${s.id}`],
      }));
    const pods = this.containers("k8s.io", "cri").map((c) => ({
      pid: c.pid,
      startedAt: c.startedAt,
      args: c.args,
    }));
    return this.hardware.processes(now, [...running, ...pods]);
  }

  processCount(): number {
    return this.processes().length;
  }

  lastPid(): number {
    return this.processes().reduce((max, p) => Math.max(max, p.pid), 1);
  }

  /** Containers of one containerd namespace, as the given driver names them. */
  containers(namespace: string, driver: "cri" | "containerd"): ContainerRecord[] {
    const now = this.options.clock.now();
    if (namespace === "system") {
      if (driver === "cri") return [];
      return systemContainers(this.serviceContainers(), this.bootId, now);
    }
    if (namespace === "k8s.io" && this.podsStartedAt && this.services.snapshot("cri")?.state === "Running") {
      return podContainers(this.staticPods(), this.bootId, this.podsStartedAt, POD_FIRST_PID, now, driver);
    }
    return [];
  }

  /** Containerised services that run now, with their images. */
  private serviceContainers(): ServiceContainer[] {
    return this.services
      .list()
      .filter((s) => s.state === "Running" && s.definition.runner.kind === "container" && s.pid !== undefined)
      .map((s) => ({
        id: s.id,
        pid: s.pid!,
        startedAt: s.startedAt ?? this.startedAt,
        image: imageOf(s.id, this.talosVersion),
      }));
  }

  private staticPods(): PodSpec[] {
    const host = this.hostname;
    const component = (name: string, extra: string[]): PodSpec => ({
      namespace: "kube-system",
      name: `${name}-${host}`,
      containers: [
        {
          name,
          image: `registry.k8s.io/${name}:${KUBERNETES_VERSION}`,
          args: [`/usr/local/bin/${name}`, ...extra],
        },
      ],
    });
    return [
      component("kube-apiserver", ["--secure-port=6443", "--etcd-servers=https://localhost:2379"]),
      component("kube-controller-manager", ["--leader-elect=true"]),
      component("kube-scheduler", ["--leader-elect=true"]),
    ];
  }

  /** The configured node serves its API with a certificate clients trust: apid may start. */
  apiCertificateReady(): void {
    if (this.apiCertificate.ready) return;
    this.apiCertificate.ready = true;
    for (const wake of this.apiCertificate.wake) wake();
    this.apiCertificate.wake.clear();
  }

  /**
   * The configured node serves a certificate clients do not trust (a worker waiting for
   * trustd). apid started in maintenance mode is restarted, so that it waits in its pre state.
   */
  apiCertificateUntrusted(): void {
    if (this.apiCertificate.ready || this.apiCertificate.restarting) return;
    const apid = this.services.definition("apid");
    if (!apid || !this.services.isUp("apid")) return;
    this.apiCertificate.restarting = true;
    void this.services
      .stop("apid")
      .then(() => this.services.start(apid))
      .finally(() => {
        this.apiCertificate.restarting = false;
      });
  }

  private waitForApiCertificate(signal: AbortSignal): Promise<void> {
    // Maintenance mode serves its own self-signed certificate; a configured node waits.
    if (this.apiCertificate.ready || !isComplete(this.config.active)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        signal.removeEventListener("abort", abort);
        resolve();
      };
      const abort = (): void => {
        this.apiCertificate.wake.delete(done);
        reject(signal.reason);
      };
      this.apiCertificate.wake.add(done);
      signal.addEventListener("abort", abort, { once: true });
    });
  }

  /** The static pods' containers start: their logs begin. */
  private startStaticPods(): void {
    this.podsStartedAt = this.options.clock.now();
    for (const c of this.containers("k8s.io", "cri")) {
      if (c.id === c.podId) continue;
      const at = `${this.podsStartedAt.toISOString().slice(0, 23)}000000Z`;
      const lines = [
        `${at} stderr F I${klogStamp(this.podsStartedAt)}       1 server.go:150] "Starting ${c.name}" version="${KUBERNETES_VERSION}"`,
        `${at} stderr F I${klogStamp(this.podsStartedAt)}       1 secure_serving.go:213] "Serving securely"`,
      ];
      this.containerLogs.write(podLogKey(c), `${lines.join("\n")}\n`);
    }
    this.kmsg.write("kern", "info", "cni0: bridge port added for the first pod sandbox");
  }

  private publishVolumes(): void {
    const disk = this.options.disks[0];
    if (!disk) return;
    const owner = "block.VolumeManagerController";
    for (const v of systemVolumes(disk)) {
      this.store.set(
        volumeStatusKind,
        NS.runtime,
        v.id,
        {
          phase: this.mounted ? "ready" : "waiting",
          location: v.location,
          partitionIndex: v.partitionIndex,
          parentLocation: disk.devPath,
          size: v.size,
          prettySize: humanizeBytes(v.size),
          filesystem: v.filesystem,
          target: v.target,
        },
        { owner },
      );
    }
  }

  private publishStaticResources(): void {
    this.store.set(versionKind, NS.runtime, "version", { version: this.talosVersion });
    for (const disk of this.options.disks) {
      const f = diskFacts(disk);
      this.store.set(
        diskKind,
        NS.runtime,
        f.name,
        {
          devPath: f.devPath,
          size: f.size,
          prettySize: f.prettySize,
          model: f.model,
          serial: f.serial,
          modalias: f.modalias,
          wwid: f.wwid,
          busPath: f.busPath,
          transport: f.transport,
          rotational: f.rotational,
          symlinks: f.symlinks,
        },
        { owner: "block.DisksController" },
      );
    }
    const system = this.options.disks[0];
    if (system && this.installed) {
      this.store.set(
        systemDiskKind,
        NS.runtime,
        "system-disk",
        { diskId: diskName(system), devPath: system.devPath },
        { owner: "block.SystemDiskController" },
      );
    }
    // The system disk's volumes exist once installed, or when this boot installs unattended.
    if (this.installed || (this.platform.mode === "metal" && hasUnattendedInstall(this.config.active))) {
      this.publishVolumes();
    }
    const cidrs = this.addresses.map(withPrefix);
    const owner = "network.NodeAddressController";
    const routed = cidrs.filter((c) => !c.startsWith("127."));
    this.store.set(
      nodeAddressKind,
      NS.network,
      "default",
      { addresses: (routed.length > 0 ? routed : cidrs).slice(0, 1) },
      { owner },
    );
    for (const id of ["current", "accumulative"])
      this.store.set(nodeAddressKind, NS.network, id, { addresses: cidrs }, { owner });
    this.store.set(nodeAddressKind, NS.network, "routed", { addresses: routed }, { owner });
    this.publishConfigFacts();
  }

  /** Resources that follow the active config: machine type and hostname. */
  private publishConfigFacts(): void {
    const active = this.config.active;
    if (active) {
      this.store.set(machineTypeKind, NS.config, "machine-type", machineType(active), {
        owner: "config.MachineTypeController",
      });
    } else {
      this.store.remove(NS.config, machineTypeKind.definition.type, "machine-type");
    }
    const hostname = this.hostname;
    const before = this.store.get(NS.network, hostnameStatusKind.definition.type, "hostname");
    this.store.set(
      hostnameStatusKind,
      NS.network,
      "hostname",
      { hostname, domainname: "" },
      { owner: "network.HostnameStatusController" },
    );
    if ((before?.spec as { hostname?: string } | undefined)?.hostname !== hostname) {
      this.bus.publish(
        AddressEventSchema,
        create(AddressEventSchema, {
          hostname,
          addresses: [...this.addresses],
        }),
      );
    }
  }

  private onActiveChange(active: MachineConfig | undefined, previous: MachineConfig | undefined): void {
    this.publishConfigFacts();
    for (const wake of [...this.maintenanceWaiters]) wake();
    if (!isComplete(active) && isComplete(previous)) {
      // A TRY config applied in maintenance rolled back to nothing: boot again without one.
      this.options.onReboot("configuration rolled back to none");
    }
  }
}
