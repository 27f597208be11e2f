// One boot of the emulated machine: it assembles the parts of a boot (event ring, resource
// store, services, sequencer, configs, kernel log, root filesystem, volumes, workloads), wires
// them to each other and to the cluster controller the node injects, and starts the start-up
// sequences. A reboot discards the Machine and starts a new one on the same STATE directory.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { AddressEventSchema, ConfigLoadErrorEventSchema } from "../../gen/machine/machine_pb.js";
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
import { ControllerRuntime, ResourceStore } from "../resources/index.js";
import { Meta, type StateDir } from "../state/index.js";
import { LiveSet } from "../streams/index.js";
import { StartupSequences } from "./boot.js";
import { type BootServiceOptions, bootServiceOptions } from "./catalog.js";
import {
  configuredHostname,
  hasUnattendedInstall,
  isComplete,
  isControlPlane,
  type MachineConfig,
} from "./config.js";
import { ConfigStore, readSavedConfig } from "./config-store.js";
import {
  type ApiIdentity,
  INPUT,
  MACHINE_CONTROLLERS,
  type MachineSource,
  perfTicker,
} from "./controllers/index.js";
import { EventBus } from "./events.js";
import { KERNEL_BOOT_MS, writeKernelTranscript } from "./kernel-transcript.js";
import { KernelLog } from "./kmsg.js";
import type { PowerRequest } from "./lifecycle.js";
import { registerLiveFiles } from "./live-files.js";
import { LogManager } from "./logs.js";
import { clusterHost, liveFacts, machineSource } from "./machine-facts.js";
import type { MachineKube, MachineOptionsOf } from "./machine-options.js";
import { MachineStatusController, onceRunningAndReady, type UnmetCondition } from "./machine-status.js";
import { watchMountPoints } from "./mount-points.js";
import { unmetConditions } from "./readiness.js";
import { Sequencer } from "./sequencer.js";
import { ServiceOutput } from "./service-output.js";
import { ServiceManager } from "./services.js";
import { SystemVolumes } from "./volumes.js";
import { Workloads, workloadImageSet } from "./workloads.js";

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
  /** The controllers that derive this boot's resources from the machine. */
  readonly controllers: ControllerRuntime<MachineSource>;
  readonly meta: Meta;
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
  private readonly detachMeta: () => void;
  private readonly detachMounts: () => void;
  private readonly detachServices: () => void;
  private lastHostname: string | undefined;
  private apiIdentity: ApiIdentity | undefined;
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
    this.store = ResourceStore.forNode(clock);
    this.meta = options.meta ?? new Meta(options.state.dir);
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
      images: () => workloadImageSet(this.config.active),
      configured: () => isComplete(this.config.active),
      later: (ms, fn) => this.later(ms, fn),
      kubernetesChanged: () => {
        this.status.refresh();
        this.controllers.changed(INPUT.kubernetes);
        this.cluster.nudge();
      },
      kubeletRegistered: (controlPlane) => this.kube?.kubeletRegistered(controlPlane),
      restartKubeletContainer: (uid, name) => this.kube?.restartContainer(uid, name) ?? false,
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
    const saved = readSavedConfig(options.state, options.talosVersion);
    this.configLoadError = saved.error;
    this.config.boot(saved.config);
    this.status = new MachineStatusController(this.bus, this.store, () => this.conditions());
    this.cluster = options.createCluster({
      ...clusterHost(this, () => this.conditions().length === 0),
      // The runtime exists once the machine starts, before the first discovery tick.
      kubeSpanChanged: () =>
        (this.controllers as ControllerRuntime<MachineSource> | undefined)?.changed(INPUT.kubeSpanPeers),
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
      mountVolumes: () => {
        this.volumes.mount();
        this.controllers.changed(INPUT.boot);
      },
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
    this.controllers = new ControllerRuntime(
      this.store,
      machineSource(this, {
        hostnameFlag: options.hostname,
        networkReady: () => this.networkReady,
        timeSynced: () => this.timeSynced,
        apiIdentity: () => this.apiIdentity,
        kubeNode: () => this.kube?.node?.(),
      }),
      MACHINE_CONTROLLERS,
      log,
    );
    this.detachMounts = watchMountPoints(this.store, this.rootfs.dir, log);
    this.controllers.start();
    // The system disk's volumes exist once installed, or when this boot installs unattended.
    if (this.installed || (this.platform.mode === "metal" && hasUnattendedInstall(this.config.active))) {
      this.volumes.publish();
    }
    this.detachMeta = this.meta.onChange(() => this.controllers.changed(INPUT.meta));
    // Service transitions come in bursts: the controllers that follow services run once after them.
    let servicesPending = false;
    this.detachServices = this.services.onTransition(() => {
      if (servicesPending) return;
      servicesPending = true;
      queueMicrotask(() => {
        servicesPending = false;
        this.controllers.changed(INPUT.services);
      });
    });
    this.announceHostname();
    registerLiveFiles(liveFacts(this));
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
      this.controllers.changed(INPUT.network);
      this.status.refresh();
    });
    this.later(TIME_SYNCED_MS, () => {
      this.timeSynced = true;
      this.controllers.changed(INPUT.time);
      this.status.refresh();
    });
    this.timers.push(perfTicker(this.options.clock, this.store, () => this.controllers.changed(INPUT.perf)));
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
    this.controllers.close();
    this.detachMeta();
    this.detachMounts();
    this.detachServices();
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

  /** The API serves this certificate now: the secrets that describe it follow. */
  setApiIdentity(identity: ApiIdentity): void {
    if (this.apiIdentity?.cert.crt === identity.cert.crt) return;
    this.apiIdentity = identity;
    this.controllers.changed(INPUT.api);
  }

  /** Announces the hostname with an AddressEvent when it is new or changed, as Talos does. */
  private announceHostname(): void {
    const hostname = this.hostname;
    if (hostname === this.lastHostname) return;
    this.lastHostname = hostname;
    this.bus.publish(
      AddressEventSchema,
      create(AddressEventSchema, { hostname, addresses: [...this.addresses] }),
    );
  }

  private onActiveChange(active: MachineConfig | undefined, previous: MachineConfig | undefined): void {
    this.controllers.changed(INPUT.config);
    this.announceHostname();
    this.kube?.configChanged();
    this.startup.wake();
    if (!isComplete(active) && isComplete(previous)) {
      // A TRY config applied in maintenance rolled back to nothing: boot again without one.
      this.options.onReboot("configuration rolled back to none");
    }
  }
}
