// A running talos-node: the machine of the current boot, the API listener in front of it, and
// the switch between maintenance mode (no config) and configured mode (mTLS from the config's
// OS CA) whenever the active config changes or the machine reboots. A lifecycle reboot takes
// the listener down for the downtime and boots the next Machine from the bootloader's default
// slot; a power-off ends the node.

import { errorMessage, UserError } from "../errors.js";
import { DEFAULT_KUBERNETES_VERSION, TALOS_VERSION } from "../version.js";
import {
  API_PORT,
  CONNECT_TIMEOUT_MS,
  DEBUG_HOST_NS_IMAGE,
  DEBUG_NIXYBOX_IMAGE,
  DEFAULT_COREDNS_VERSION,
  DEFAULT_ETCD_VERSION,
  FLANNEL_VERSION,
  KUBE_NETWORK_POLICIES_VERSION,
  kubernetesBundle,
} from "../wire/index.js";
import {
  ApiListener,
  type ConfiguredTls,
  certificateAuthenticator,
  configuredSource,
  configuredTls,
  createForwarder,
  decideRoute,
  type Forwarder,
  type ListenerSetup,
  type LocalTarget,
  localTargets,
  type MaintenanceTls,
  maintenanceAuthenticator,
  maintenanceTls,
  PeerPool,
  peerIdentity,
  type TlsIdentity,
} from "./api/index.js";
import { type Clock, createClock } from "./clock.js";
import { ClusterController } from "./cluster/controller.js";
import { clusterId, controlPlanePort, kubernetesCa } from "./cluster/facts.js";
import { NodeTrust } from "./cluster/node-trust.js";
import { ClusterRegistry, defaultDiscoveryRoot } from "./cluster/registry.js";
import { type NodeNetwork, type NodeRuntime, nodeHandlers } from "./handlers/index.js";
import {
  type CatalogImage,
  commonImages,
  defaultCatalog,
  ImageCatalog,
  ImageStore,
  resolveImage,
} from "./images/index.js";
import { DEFAULT_COREDNS_IMAGE, DEFAULT_FLANNEL_IMAGE, KubeRuntime } from "./kube/index.js";
import { createNodeLog, type NodeLog } from "./log.js";
import {
  acceptedCas,
  certSans,
  INPUT,
  isComplete,
  KERNEL_VERSION,
  Machine,
  type MachineConfig,
  mountCgroupfs,
  osCa,
  type PowerRequest,
  workloadImages,
} from "./machine/index.js";
import { runInstaller } from "./machine/installer.js";
import type { NodeOptions } from "./options.js";
import {
  BlockStorage,
  CPU_COUNT,
  DEFAULT_DISK,
  type Disk,
  MEM_TOTAL_KB,
  nodeAddresses,
  type PlatformFlag,
  parseDiskFlag,
  platformInfo,
  preferredAddress,
} from "./platform/index.js";
import { CaptureHub, machineLinks } from "./platform/network/index.js";
import { Bootloader, Meta, StateDir } from "./state/index.js";

/** How long open calls may finish when the API restarts (Talos waits up to 10 s). */
export const GRACEFUL_STOP_MS = 10_000;
/** Real-time floor of the grace period, so a fast clock still lets a reply go out. */
const MIN_GRACE_REAL_MS = 200;
/** How long a new connection to another node may take (gRPC's minimum connect timeout). */
export const PEER_DIAL_TIMEOUT_MS = CONNECT_TIMEOUT_MS;
/** Real-time floor of the dial timeout, so a fast clock still lets a handshake finish. */
const MIN_DIAL_REAL_MS = 5_000;
/** apid refreshes its proxy certificate every 12 hours. */
const PEER_CERT_REFRESH_MS = 12 * 3_600_000;
/** How long the machine is "down" between a lifecycle reboot and the next boot (machine time). */
export const DEFAULT_DOWNTIME_MS = 2_000;
/** After a fatal boot error Talos waits this long before rebooting (machine time). */
export const FATAL_REBOOT_DELAY_MS = 10_000;
/** Between the last event and the power going away (machine time, with a real-time floor). */
const FLUSH_MS = 200;
const FLUSH_REAL_MS = 50;
/** The line a node prints when it powers off (then the process exits 0). */
export const POWERED_OFF_LINE = "talos-node: powered off";

export type NodeMode = "maintenance" | "configured";

export interface CreateNodeOptions {
  readonly stateDir: string;
  /** `host:port`; default 127.0.0.1:0 for in-process use. */
  readonly listen?: string;
  readonly hostname?: string;
  readonly platform?: PlatformFlag;
  readonly disks?: readonly (Disk | string)[];
  /** Tags of the virtiofs shares the host exports. */
  readonly virtiofs?: readonly string[];
  readonly talosVersion?: string;
  readonly timeScale?: number;
  /** Cluster discovery registry directory (default under the system temp directory). */
  readonly discoveryDir?: string;
  /** Machine milliseconds the node stays down during a lifecycle reboot (default 2 s). */
  readonly downtimeMs?: number;
  /** The installer images the "registry" has (default: Talos releases up to the node's version). */
  readonly catalog?: readonly CatalogImage[];
  /** Where the ready line goes (default: nowhere). */
  readonly stdout?: (text: string) => void;
  /** Where log lines go (default: nowhere). */
  readonly stderr?: (text: string) => void;
}

export interface TalosNode {
  readonly host: string;
  readonly port: number;
  /** host:port */
  readonly address: string;
  readonly mode: NodeMode;
  readonly machine: Machine;
  readonly log: NodeLog;
  /** Stops the API (graceful) and the machine; releases the STATE directory. */
  stop(): Promise<void>;
  /** Resolves when the machine powered itself off (Shutdown, or a Reset without reboot). */
  readonly poweredOff: Promise<void>;
}

/** The ready line the node prints each time its API listens. */
export function readyLine(address: string, mode: NodeMode): string {
  return `talos-node: listening on ${address} (${mode})`;
}

class Node implements TalosNode, NodeRuntime {
  readonly log: NodeLog;
  readonly clock: Clock;
  applyInProgress = false;
  installInProgress = false;
  readonly bootloader: Bootloader;
  readonly meta: Meta;
  readonly images: ImageStore;
  readonly catalog: ImageCatalog;
  readonly network: NodeNetwork;
  readonly storage: BlockStorage;
  readonly poweredOff: Promise<void>;
  private markPoweredOff!: () => void;
  private current!: Machine;
  private readonly listener: ApiListener;
  private readonly state: StateDir;
  private readonly addresses: string[];
  private maintenanceIdentity = new WeakMap<Machine, Promise<MaintenanceTls>>();
  private configuredIdentity: { source: string; tls: Promise<ConfiguredTls> } | undefined;
  /** Listener changes run one after another. */
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private currentMode: NodeMode = "maintenance";
  /** trustd on control planes; workers' API certificates from it. */
  private readonly trust: NodeTrust;
  /** Calls routed to other nodes go through this, with the pool of the current OS CA. */
  private readonly forwarder: Forwarder;
  private peers: { source: string; pool: Promise<PeerPool> } | undefined;
  private isLocal: LocalTarget = () => false;

  constructor(
    private readonly options: NodeOptions,
    private readonly out: (text: string) => void,
    err: (text: string) => void,
  ) {
    this.clock = createClock(options.timeScale);
    this.log = createNodeLog(err);
    this.state = StateDir.open(options.stateDir);
    this.bootloader = new Bootloader(this.state.dir);
    this.meta = new Meta(this.state.dir);
    this.images = new ImageStore(this.state.dir);
    this.catalog = new ImageCatalog(options.catalog ?? defaultImages(options.talosVersion));
    this.storage = new BlockStorage(this.state.dir, options.disks, options.storage, this.log);
    this.poweredOff = new Promise((resolve) => {
      this.markPoweredOff = resolve;
    });
    this.addresses = nodeAddresses(options.host);
    const links = machineLinks(this.state.identity().uuid);
    const capture = new CaptureHub({
      now: () => this.clock.now(),
      links: () => links,
      connection: (peer) => this.listener.connection(peer),
    });
    this.listener = new ApiListener(options.host, options.port, nodeHandlers(this), { observer: capture });
    this.listener.observe(capture);
    const listener = this.listener;
    this.network = {
      capture,
      connections: () => listener.connections(),
      listening: () =>
        listener.listening ? { address: listener.localAddress, port: listener.port } : undefined,
    };
    this.trust = new NodeTrust({
      host: options.host,
      clock: this.clock,
      log: this.log,
      onIdentity: (machine, source, tls) => {
        if (this.configuredIdentity?.source !== source) return;
        this.configuredIdentity = { source, tls: Promise.resolve(tls) };
        this.enqueue(() => this.syncListener(machine));
      },
    });
    this.forwarder = createForwarder({
      pool: () => this.peerPool(),
      authority: (target) => this.peerAuthority(target),
      dialTimeoutMs: () => Math.max(MIN_DIAL_REAL_MS, this.clock.real(PEER_DIAL_TIMEOUT_MS)),
    });
  }

  get machine(): Machine {
    return this.current;
  }

  get host(): string {
    return this.options.host;
  }

  get port(): number {
    return this.listener.port;
  }

  get address(): string {
    return this.listener.address;
  }

  get mode(): NodeMode {
    return this.currentMode;
  }

  async start(): Promise<void> {
    try {
      // The machine starts once the API listens, so a busy port fails before anything boots.
      this.current = this.bootMachine({ start: false });
      const setup = await this.setupFor(this.current).catch((err: unknown) => {
        const why = errorMessage(err);
        throw new UserError(`cannot issue the API certificate from the saved config's OS CA: ${why}`, {
          cause: err,
        });
      });
      await this.listener.start(setup).catch((err: unknown) => {
        throw new UserError(`cannot listen on ${this.listener.address}: ${bindReason(err)}`, { cause: err });
      });
      this.startMachine(this.current);
      this.announce(setup.identity);
    } catch (err) {
      this.current?.close();
      this.state.close();
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.chain.catch(() => undefined);
    await this.trust.stop();
    // Connections to other nodes go first: their listeners may be stopping too, and wait for them.
    void this.peers?.pool.then(
      (p) => p.close(),
      () => undefined,
    );
    await this.listener.stop(this.graceMs());
    this.current.close();
    this.state.close();
  }

  /**
   * The pool of connections to other nodes, with a client certificate from the active
   * config's OS CA (re-issued when the CA changes or the certificate is 12 hours old).
   */
  private peerPool(): Promise<PeerPool> {
    const active = this.current.config.active;
    if (!active) return Promise.reject(new Error("this node has no machine config"));
    const ca = osCa(active);
    const accepted = acceptedCas(active);
    const source = JSON.stringify([ca.crt, ca.key, accepted]);
    const now = this.clock.now();
    const current = this.peers;
    if (current?.source === source) {
      const fresh = current.pool.then(
        (p) => now.getTime() - p.identity.issuedAt.getTime() < PEER_CERT_REFRESH_MS,
      );
      return fresh.then((ok) =>
        ok ? current.pool : this.renewPeers(source, ca, accepted, now, current.pool),
      );
    }
    return this.renewPeers(source, ca, accepted, now, current?.pool);
  }

  private renewPeers(
    source: string,
    ca: { crt: string; key: string },
    accepted: readonly string[],
    now: Date,
    old: Promise<PeerPool> | undefined,
  ): Promise<PeerPool> {
    if (this.peers?.source === source && this.peers.pool !== old) return this.peers.pool;
    const pool = peerIdentity(ca, accepted, now).then((identity) => new PeerPool(identity));
    this.peers = { source, pool };
    // Calls already on the old pool's channels finish; new ones take the new pool.
    void old?.then(
      (p) => setTimeout(() => p.close(), this.graceMs()),
      () => undefined,
    );
    pool.catch(() => undefined);
    return pool;
  }

  /** Where a target is dialled: this node's own listener, or the target on this node's port. */
  private peerAuthority(target: string): string {
    const bare = target.replace(/^\[(.*)\]$/, "$1");
    if (this.isLocal(bare)) {
      const host = this.options.host;
      const own = host === "0.0.0.0" || host === "" ? "127.0.0.1" : host === "::" ? "::1" : host;
      return `${own.includes(":") ? `[${own}]` : own}:${this.port}`;
    }
    return `${bare.includes(":") ? `[${bare}]` : bare}:${this.port}`;
  }

  private graceMs(): number {
    return Math.max(MIN_GRACE_REAL_MS, this.clock.real(GRACEFUL_STOP_MS));
  }

  /** The Talos version the default boot slot holds (the flag's before anything was installed). */
  private bootSlot(): { version: string; failBoot?: string } {
    const loader = this.state.identity().installed ? this.bootloader.read() : undefined;
    const slot = loader?.slots[loader.default];
    if (!slot) return { version: this.options.talosVersion };
    return {
      version: slot.version,
      ...(slot.failBoot
        ? {
            failBoot: `boot slot ${loader!.default} (${slot.ref}) failed to boot: the image is marked failBoot`,
          }
        : {}),
    };
  }

  private bootMachine(options: { start: boolean } = { start: true }): Machine {
    this.state.updateIdentity({ boots: this.state.identity().boots + 1 });
    const slot = this.bootSlot();
    const previous = this.current as Machine | undefined;
    const machine: Machine = new Machine({
      clock: this.clock,
      state: this.state,
      platform: { ...platformInfo(this.options.platform), virtiofs: this.options.virtiofs ?? [] },
      talosVersion: slot.version,
      disks: this.options.disks,
      addresses: this.addresses,
      ...(this.options.hostname !== undefined ? { hostname: this.options.hostname } : {}),
      log: this.log,
      meta: this.meta,
      onReboot: (reason) => this.reboot(reason),
      createCluster: (host) =>
        new ClusterController({
          ...host,
          discoveryRoot: this.options.discoveryDir ?? defaultDiscoveryRoot(),
        }),
      ...(previous ? { previousEvents: previous.bus } : {}),
      ...(slot.failBoot !== undefined ? { failBoot: slot.failBoot } : {}),
      onPower: (request) => this.power(machine, request),
      onBootFailed: () => this.bootFailed(machine),
      onRunning: () => this.bootSucceeded(),
      ...(this.stagedUpgradeFor(slot.version) ?? {}),
      createKube: (m) => this.kubeFor(m),
    });
    mountCgroupfs(machine);
    machine.config.onActiveChange(() => {
      // After the reply of the call that changed the config has gone out.
      setTimeout(() => this.enqueue(() => this.syncListener(machine)), 0);
    });
    if (options.start) this.startMachine(machine);
    return machine;
  }

  /** The machine's Kubernetes side: its kubelet, and on a control plane the API server. */
  private kubeFor(machine: Machine): KubeRuntime {
    const root = this.options.discoveryDir ?? defaultDiscoveryRoot();
    const identity = this.state.identity();
    const active = (): MachineConfig | undefined => machine.config.active;
    return new KubeRuntime({
      now: () => this.clock.now(),
      scale: this.clock.scale,
      after: (ms, fn) => this.clock.after(ms, fn),
      real: (ms) => this.clock.real(ms),
      log: (line) => this.log(line),
      active,
      hostname: () => machine.hostname,
      address: () => preferredAddress(this.addresses),
      bindHost: this.options.host,
      storeDir: () => {
        const config = active();
        const id = config ? clusterId(config) : "";
        // Beside the discovery registry, which goes with its last node: the store outlives it.
        return id === "" ? undefined : `${new ClusterRegistry(root, id).dir}.etcd`;
      },
      kubernetesCa: () => {
        const config = active();
        return config ? kubernetesCa(config) : { crt: "", key: "" };
      },
      apiPort: () => {
        const config = active();
        return config ? controlPlanePort(config) : 6443;
      },
      talosVersion: machine.talosVersion,
      bootId: machine.bootId,
      machineId: identity.uuid.replace(/-/g, ""),
      systemUuid: identity.uuid,
      kernelVersion: KERNEL_VERSION,
      cpus: CPU_COUNT,
      memoryKb: MEM_TOTAL_KB,
      diskBytes: machine.disks[0]?.size ?? 0,
      podsChanged: (pods) => machine.workloads.kubeletPodsChanged(pods),
      nodeChanged: () => machine.controllers.changed(INPUT.kubernetes),
    });
  }

  private startMachine(machine: Machine): void {
    this.log(`booting (boot ${this.state.identity().boots}, id ${machine.bootId})`);
    machine.start();
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      this.log(`API listener: ${errorMessage(err)}`);
    });
  }

  private reboot(reason: string): void {
    this.enqueue(async () => {
      if (this.stopped) return;
      this.log(`rebooting: ${reason}`);
      const old = this.current;
      old.close();
      this.current = this.bootMachine();
      const setup = await this.setupFor(this.current);
      await this.listener.restart(setup, this.graceMs());
      this.announce(setup.identity);
    });
  }

  /**
   * The machine's last lifecycle task ran: the API goes away (connections are refused), the
   * machine is discarded, and after the downtime the next boot starts with a new boot id on
   * the same event ring; a power-off ends the node instead.
   */
  private power(machine: Machine, request: PowerRequest): void {
    this.enqueue(async () => {
      if (this.stopped || machine !== this.current) return;
      const off = request.action === "powerOff";
      this.log(off ? `powering off: ${request.reason}` : `rebooting: ${request.reason}`);
      // The syscall comes a moment after the RestartEvent: open streams still deliver it.
      await new Promise((resolve) => setTimeout(resolve, Math.max(FLUSH_REAL_MS, this.clock.real(FLUSH_MS))));
      machine.close();
      await this.listener.stop(this.graceMs());
      if (off) {
        this.stopped = true;
        void this.peers?.pool.then(
          (p) => p.close(),
          () => undefined,
        );
        this.state.close();
        this.out(`${POWERED_OFF_LINE}\n`);
        this.markPoweredOff();
        return;
      }
      await this.clock.sleep(this.options.downtimeMs ?? DEFAULT_DOWNTIME_MS);
      if (this.stopped) return;
      this.current = this.bootMachine({ start: false });
      const setup = await this.setupFor(this.current);
      await this.listener.start(setup);
      this.startMachine(this.current);
      this.announce(setup.identity);
    });
  }

  /**
   * A start-up sequence failed. On the first boot after an upgrade (META still names the
   * previous slot) the bootloader goes back to that slot; either way Talos reboots after 10 s.
   */
  private bootFailed(machine: Machine): void {
    const previous = this.meta.read().upgrade;
    if (previous === undefined) return;
    this.log(`reverting failed upgrade, switching to ${JSON.stringify(previous)}`);
    this.bootloader.switchTo(previous);
    this.meta.update({ upgrade: undefined });
    this.clock.after(FATAL_REBOOT_DELAY_MS, () => {
      this.power(machine, { action: "reboot", reason: "boot failed, rebooting into the previous slot" });
    });
  }

  /** The install step of a staged upgrade, when META holds one (it runs in the next install sequence). */
  private stagedUpgradeFor(
    version: string,
  ): { stagedInstall: (signal: AbortSignal) => Promise<void> } | undefined {
    const staged = this.meta.read().stagedUpgrade;
    if (!staged || !this.state.identity().installed) return undefined;
    return {
      stagedInstall: async (signal) => {
        this.meta.update({ stagedUpgrade: undefined });
        const image = resolveImage(this.catalog, staged.image);
        await runInstaller(
          {
            bootloader: this.bootloader,
            meta: this.meta,
            clock: this.clock,
            currentVersion: version,
            signal,
          },
          image,
          (line) => this.log(line),
        );
      },
    };
  }

  /** The machine is running and ready: an upgrade booted fine, so no automatic rollback any more. */
  private bootSucceeded(): void {
    if (this.meta.read().upgrade === undefined) return;
    this.log("removing fallback entry");
    this.meta.update({ upgrade: undefined });
  }

  /** Restarts the listener when the machine's TLS identity or mode changed. */
  private async syncListener(machine: Machine): Promise<void> {
    if (this.stopped || machine !== this.current) return;
    const setup = await this.setupFor(machine);
    markApiCertificate(machine, setup.identity);
    if (setup.identity === this.listener.identity) return;
    await this.listener.restart(setup, this.graceMs());
    this.announce(setup.identity);
  }

  private async setupFor(machine: Machine): Promise<ListenerSetup> {
    const active = machine.config.active;
    if (!isComplete(active)) {
      let identity = this.maintenanceIdentity.get(machine);
      if (!identity) {
        identity = maintenanceTls(this.addresses, machine.hostname, this.clock.now());
        this.maintenanceIdentity.set(machine, identity);
      }
      return { identity: await identity, authenticate: maintenanceAuthenticator() };
    }
    const identity = await this.configuredFor(machine, active);
    const isLocal = localTargets(
      () => this.addresses,
      () => [machine.hostname, this.options.host],
    );
    this.isLocal = isLocal;
    // Forwarding needs a client certificate from the OS CA: only a node holding its key can.
    const canForward = osCa(active).key !== "";
    return {
      identity,
      authenticate: certificateAuthenticator(),
      route: (call, path) => decideRoute(call, path, isLocal, canForward),
      ...(canForward ? { forwarder: this.forwarder } : {}),
    };
  }

  private configuredFor(machine: Machine, active: MachineConfig): Promise<ConfiguredTls> {
    const input = {
      osCa: osCa(active),
      acceptedCas: acceptedCas(active),
      addresses: this.addresses,
      certSans: certSans(active),
      hostname: machine.hostname,
    };
    const source = configuredSource(input);
    if (this.configuredIdentity?.source !== source) {
      const tls =
        input.osCa.key === ""
          ? this.trust.workerTls(machine, input, source)
          : configuredTls({ ...input, now: this.clock.now() });
      this.configuredIdentity = { source, tls };
      tls.then(
        (t) => {
          if (t.warning) this.log(t.warning);
        },
        () => undefined,
      );
    }
    return this.configuredIdentity.tls;
  }

  private announce(identity: TlsIdentity): void {
    markApiCertificate(this.current, identity);
    this.currentMode = identity.mode;
    this.trust.serve(this.current, identity, this.port);
    if (identity.mode === "maintenance") this.maintenanceHints(identity);
    this.out(`${readyLine(this.address, identity.mode)}\n`);
  }

  private maintenanceHints(identity: MaintenanceTls): void {
    const reachable = this.addresses.map((a) =>
      this.port === API_PORT ? a : `${a.includes(":") ? `[${a}]` : a}:${this.port}`,
    );
    this.log("this machine is reachable at:");
    for (const a of reachable) this.log(`\t${a}`);
    this.log(`server certificate issued\t{"fingerprint": "${identity.fingerprint}"}`);
    const first =
      reachable.find((a) => !a.startsWith("127.")) ?? reachable[0] ?? preferredAddress(this.addresses);
    this.log("upload configuration using talosctl:");
    this.log(`\ttalosctl apply-config --insecure --nodes ${first} --file <config.yaml>`);
    this.log("optionally with node fingerprint check:");
    this.log(
      `\ttalosctl apply-config --insecure --nodes ${first} --cert-fingerprint '${identity.fingerprint}' --file <config.yaml>`,
    );
  }
}

/**
 * The default "registry": the installers of the releases up to the node's version, and the
 * images Kubernetes, the node's workloads and debugging use.
 */
function defaultImages(talosVersion: string): CatalogImage[] {
  const running = [workloadImages(true), workloadImages(false)].flatMap((w) => [...w.system, ...w.k8s]);
  return [
    ...defaultCatalog(talosVersion),
    ...commonImages([
      ...kubernetesBundle({
        kubernetes: DEFAULT_KUBERNETES_VERSION,
        etcd: DEFAULT_ETCD_VERSION,
        flannel: FLANNEL_VERSION,
        coredns: DEFAULT_COREDNS_VERSION,
        kubeNetworkPolicies: KUBE_NETWORK_POLICIES_VERSION,
      }),
      ...running,
      // What the emulated cluster's own pods run by default.
      DEFAULT_COREDNS_IMAGE,
      DEFAULT_FLANNEL_IMAGE,
      "docker.io/library/alpine:latest",
      "docker.io/library/busybox:latest",
      "docker.io/library/nginx:latest",
      DEBUG_HOST_NS_IMAGE,
      DEBUG_NIXYBOX_IMAGE,
    ]),
  ];
}

function bindReason(err: unknown): string {
  const text = errorMessage(err);
  if (text.includes("EADDRINUSE")) return "address already in use";
  if (text.includes("EACCES")) return "permission denied";
  if (text.includes("EADDRNOTAVAIL")) return "address not available on this machine";
  return text;
}

/** Starts a node in this process (tests and embedding). */
export async function createNode(options: CreateNodeOptions): Promise<TalosNode> {
  const listen = options.listen ?? "127.0.0.1:0";
  const colon = listen.lastIndexOf(":");
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(listen.slice(colon + 1));
  const platform = options.platform ?? "metal";
  const diskInputs = options.disks ?? (platform === "container" ? [] : [DEFAULT_DISK]);
  const node = new Node(
    {
      stateDir: options.stateDir,
      host,
      port,
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      platform,
      disks: diskInputs.map((d, i) => (typeof d === "string" ? parseDiskFlag(d, i) : d)),
      ...(options.virtiofs !== undefined ? { virtiofs: options.virtiofs } : {}),
      talosVersion: options.talosVersion ?? TALOS_VERSION,
      timeScale: options.timeScale ?? 1,
      ...(options.discoveryDir !== undefined ? { discoveryDir: options.discoveryDir } : {}),
      ...(options.downtimeMs !== undefined ? { downtimeMs: options.downtimeMs } : {}),
      ...(options.catalog !== undefined ? { catalog: options.catalog } : {}),
    },
    options.stdout ?? (() => undefined),
    options.stderr ?? (() => undefined),
  );
  await node.start();
  return node;
}

/** Starts a node from parsed command-line options, printing to the given streams. */
export async function startNode(
  options: NodeOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<TalosNode> {
  const node = new Node(options, out, err);
  await node.start();
  return node;
}

/** A node-local certificate (a worker still waiting for trustd) is not one clients trust. */
function markApiCertificate(machine: Machine, identity: TlsIdentity): void {
  machine.setApiIdentity(
    identity.mode === "maintenance"
      ? { mode: identity.mode, cert: identity.cert, ca: identity.ca }
      : { mode: identity.mode, cert: identity.cert },
  );
  if (identity.mode !== "configured") return;
  if (identity.warning === undefined) machine.workloads.apiCertificateReady();
  else machine.workloads.apiCertificateUntrusted();
}
