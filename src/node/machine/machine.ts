// One boot of the emulated machine: it assembles the parts of a boot (event ring, resource
// store, services, sequencer, configs, kernel log, root filesystem, volumes, workloads), wires
// them to each other and to the cluster controller the node injects, and starts the start-up
// sequences. A reboot discards the Machine and starts a new one on the same STATE directory.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { ConfigLoadErrorEventSchema } from "../../gen/machine/machine_pb.js";
import type { Clock, Timer } from "../clock.js";
import type { ClusterController } from "../cluster/controller.js";
import {
  CPU_COUNT,
  type Disk,
  Hardware,
  MEM_TOTAL_KB,
  openRootFs,
  type PlatformInfo,
  preferredAddress,
  type RootFs,
} from "../platform/index.js";
import type { StateDir } from "../state/index.js";
import { LiveSet } from "../streams/index.js";
import { StartupSequences } from "./boot.js";
import { type BootServiceOptions, bootServiceOptions } from "./catalog.js";
import { configuredHostname, isComplete, isControlPlane, type MachineConfig } from "./config.js";
import { ConfigStore, readSavedConfig } from "./config-store.js";
import { EventBus } from "./events.js";
import { type FactSource, publishBootFacts, publishConfigFacts } from "./fact-resources.js";
import { KERNEL_BOOT_MS, writeKernelTranscript } from "./kernel-transcript.js";
import { KernelLog } from "./kmsg.js";
import type { PowerRequest } from "./lifecycle.js";
import { type LiveFacts, registerLiveFiles } from "./live-files.js";
import { LogManager } from "./logs.js";
import type { MachineKube, MachineOptionsOf } from "./machine-options.js";
import { MachineStatusController, onceRunningAndReady, type UnmetCondition } from "./machine-status.js";
import { affiliateStatus, unmetConditions } from "./readiness.js";
import { definitionKind, NAMESPACE_DESCRIPTIONS, NODE_KINDS, namespaceKind } from "./resources/kinds.js";
import { ResourceStore } from "./resources/store.js";
import { Sequencer } from "./sequencer.js";
import { ServiceOutput } from "./service-output.js";
import { ServiceManager } from "./services.js";
import { SystemVolumes } from "./volumes.js";
import { Workloads } from "./workloads.js";

/** How long after boot the network is configured and the clock synced (machine time). */
const NETWORK_READY_MS = 200;
const TIME_SYNCED_MS = 500;

export type MachineOptions = MachineOptionsOf<Machine>;

export class Machine {
  readonly clock: Clock;
  readonly platform: PlatformInfo;
  readonly talosVersion: string;
  /** The machine's IP addresses. */
  readonly addresses: readonly string[];
  readonly disks: readonly Disk[];
  readonly stateDir: StateDir;
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
  /** The system disk's volumes. */
  readonly volumes: SystemVolumes;
  /** Processes, containers, static pods and apid's certificate gate. */
  readonly workloads: Workloads;
  /** What open streams and timers of this boot keep alive. */
  readonly live = new LiveSet();
  readonly bootId = randomUUID();
  readonly startedAt: Date;
  /** Why the persisted config could not be loaded at boot, if it could not. */
  readonly configLoadError: string | undefined;

  private readonly abort = new AbortController();
  private readonly timers: Timer[] = [];
  private readonly startup: StartupSequences;
  private timeSynced = false;
  private networkReady = false;
  private readonly output: ServiceOutput;
  private readonly detachLog: (() => void) | undefined;
  private readonly kube: MachineKube | undefined;

  constructor(private readonly options: MachineOptions) {
    const { clock } = options;
    const log = (line: string): void => options.log(line);
    this.clock = clock;
    this.platform = options.platform;
    this.talosVersion = options.talosVersion;
    this.addresses = options.addresses;
    this.disks = options.disks;
    this.stateDir = options.state;
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
    this.rootfs = openRootFs(options.state.dir);
    this.config = new ConfigStore(clock, options.state, this.store, options.log);
    this.workloads = new Workloads({
      clock,
      services: this.services,
      hardware: this.hardware,
      kmsg: this.kmsg,
      containerLogs: this.containerLogs,
      bootId: this.bootId,
      startedAt: this.startedAt,
      talosVersion: options.talosVersion,
      hostname: () => this.hostname,
      configured: () => isComplete(this.config.active),
      later: (ms, fn) => this.later(ms, fn),
      kubernetesChanged: () => {
        this.status.refresh();
        this.cluster.nudge();
      },
      kubeletRegistered: (controlPlane) => this.kube?.kubeletRegistered(controlPlane),
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
        kubernetesReady: this.workloads.kubernetesReady,
        controlPlane: isControlPlane(this.config.active),
      }),
      log,
    );
    this.volumes = new SystemVolumes({
      store: this.store,
      state: options.state,
      systemDisk: options.disks[0],
      rootDir: this.rootfs.dir,
      log,
    });
    const saved = readSavedConfig(options.state);
    this.configLoadError = saved.error;
    this.config.boot(saved.config);
    this.status = new MachineStatusController(this.bus, this.store, () => this.conditions());
    this.cluster = options.createCluster({
      clock,
      log,
      store: this.store,
      services: this.services,
      rootDir: this.rootfs.dir,
      machineUuid: options.state.identity().uuid,
      talosVersion: options.talosVersion,
      active: () => this.config.active,
      hostname: () => this.hostname,
      addresses: () => this.addresses,
      status: () =>
        affiliateStatus({
          stage: this.status.currentStage,
          ready: this.conditions().length === 0,
          services: this.services,
          diskBytes: options.disks[0]?.size ?? 0,
          kubernetesReady: this.workloads.kubernetesReady,
          staticPods: this.workloads.staticPodsStarted,
        }),
    });
    this.startup = new StartupSequences({
      clock,
      bus: this.bus,
      kmsg: this.kmsg,
      services: this.services,
      sequencer: this.sequencer,
      state: options.state,
      platform: options.platform,
      signal: this.abort.signal,
      ...(options.failBoot !== undefined ? { failBoot: options.failBoot } : {}),
      ...(options.stagedInstall ? { stagedInstall: options.stagedInstall } : {}),
      active: () => this.config.active,
      installed: () => this.installed,
      bootOptions: () => this.bootOptions(),
      log,
      mountVolumes: () => this.volumes.mount(),
      servicesStarted: (boot, signal) => {
        if (!boot.kubernetes) return;
        this.workloads.kubeletStarted(
          boot.controlPlane,
          (s) => this.cluster.until(() => this.cluster.kubernetesApiUp(), s),
          signal,
        );
      },
      reboot: (reason) => options.onReboot(reason),
      bootFailed: (message) => options.onBootFailed?.(message),
    });
    // As on Talos, apid does not start before it has its certificate: on a worker, until a
    // control plane's trustd signed it.
    this.services.setPreState("apid", (signal) => this.workloads.waitForApiCertificate(signal));
    this.config.onActiveChange((active, previous) => this.onActiveChange(active, previous));
    if (options.onRunning) onceRunningAndReady(this.bus, options.onRunning);
    publishBootFacts(this.factSource());
    registerLiveFiles(this.liveFacts());
    this.kube = options.createKube?.(this);
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

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  now(): Date {
    return this.options.clock.now();
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

  /** Starts the boot flow in the background. */
  start(): void {
    if (this.configLoadError !== undefined) {
      this.options.log(`failed to load saved config: ${this.configLoadError}`);
      this.bus.publish(
        ConfigLoadErrorEventSchema,
        create(ConfigLoadErrorEventSchema, { error: this.configLoadError }),
      );
    }
    this.later(NETWORK_READY_MS, () => {
      this.networkReady = true;
      this.kmsg.write("kern", "info", "eth0: link is up, carrier detected");
      this.status.refresh();
    });
    this.later(TIME_SYNCED_MS, () => {
      this.timeSynced = true;
      this.status.refresh();
    });
    this.cluster.start();
    void this.startup.run();
  }

  /** Stops timers and background work (the machine is being discarded). */
  close(): void {
    this.abort.abort(new Error("machine stopped"));
    this.kube?.close();
    this.cluster.close();
    this.bus.seal();
    for (const t of this.timers) t.cancel();
    this.output.close();
    this.detachLog?.();
    this.config.close();
    this.services.close();
    this.status.close();
    this.startup.wake();
  }

  private later(ms: number, fn: () => void): void {
    this.timers.push(this.options.clock.after(ms, fn));
  }

  private bootOptions(): BootServiceOptions {
    return bootServiceOptions(this.platform.mode, this.config.active);
  }

  /** Readiness conditions while booting or running. */
  private conditions(): UnmetCondition[] {
    return unmetConditions({
      timeSynced: this.timeSynced,
      networkReady: this.networkReady,
      boot: this.bootOptions(),
      services: this.services,
      kubernetesReady: this.workloads.kubernetesReady,
      hostname: this.hostname,
    });
  }

  private factSource(): FactSource {
    return {
      store: this.store,
      bus: this.bus,
      talosVersion: this.talosVersion,
      disks: this.disks,
      mode: this.platform.mode,
      addresses: this.addresses,
      installed: () => this.installed,
      hostname: () => this.hostname,
      active: () => this.config.active,
      publishVolumes: () => this.volumes.publish(),
    };
  }

  private liveFacts(): LiveFacts {
    const { state } = this.options;
    return {
      rootfs: this.rootfs,
      hardware: this.hardware,
      platformName: this.platform.name,
      bootId: this.bootId,
      talosVersion: this.talosVersion,
      addresses: this.addresses,
      volumesMounted: () => this.volumes.mounted,
      hostname: () => this.hostname,
      // The stable machine id: the node's UUID without dashes.
      machineId: () => state.identity().uuid.replace(/-/g, ""),
      now: () => this.now(),
      activity: () => this.workloads.activity(),
      processCount: () => this.workloads.processCount(),
      lastPid: () => this.workloads.lastPid(),
      savedConfig: () => state.readConfig(),
    };
  }

  private onActiveChange(active: MachineConfig | undefined, previous: MachineConfig | undefined): void {
    publishConfigFacts(this.factSource());
    this.kube?.configChanged();
    this.startup.wake();
    if (!isComplete(active) && isComplete(previous)) {
      // A TRY config applied in maintenance rolled back to nothing: boot again without one.
      this.options.onReboot("configuration rolled back to none");
    }
  }
}
