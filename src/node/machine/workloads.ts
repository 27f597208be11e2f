// What the emulated machine runs beside its service state machine: the processes and
// containers the services stand for, Kubernetes' part once the kubelet registers the node (the
// control plane's static pods and their logs, and the pods the kubelet starts from the API),
// and the gate that keeps apid from starting until the node holds an API certificate clients
// trust.

import { KUBERNETES_NAMESPACE, SYSTEM_NAMESPACE } from "../../wire/index.js";
import type { Clock } from "../clock.js";
import { imageVersion, kubeFacts } from "../kube/cluster-config.js";
import {
  type ContainerRecord,
  type ContainerRestart,
  type Hardware,
  type KubeletPod,
  PAUSE_IMAGE,
  type PodSpec,
  type ProcessRow,
  podContainers,
  podLogKey,
  type ServiceContainer,
  systemContainers,
} from "../platform/index.js";
import { legacyDocument, type MachineConfig } from "./config.js";
import type { KernelLog } from "./kmsg.js";
import { type ImagePull, KubeletPodTable } from "./kubelet-pods.js";
import type { LogManager } from "./logs.js";
import { ETCD_VERSION, KUBERNETES_VERSION } from "./service-voices.js";
import type { ServiceManager } from "./services.js";

/** PIDs of the static pods' processes start here (after the services'). */
const POD_FIRST_PID = 2_400;

/** How long after its services are up the kubelet has registered the node (machine time). */
const KUBELET_REGISTER_MS = 1_500;

/** The images of the Kubernetes and etcd workloads, as the machine config names them. */
export interface WorkloadImageSet {
  readonly etcd: string;
  readonly kubelet: string;
  readonly apiServer: string;
  readonly controllerManager: string;
  readonly scheduler: string;
}

const DEFAULT_ETCD_IMAGE = `gcr.io/etcd-development/etcd:${ETCD_VERSION}`;

const IMAGE_SETS = new WeakMap<MachineConfig, WorkloadImageSet>();
let DEFAULT_IMAGE_SET: WorkloadImageSet | undefined;

/**
 * The workload images a config names (its Kube*Config documents or v1alpha1 fields, with the
 * defaults where it names none): what the CRI runs is what the mirror pods in the Kubernetes
 * API show, and it follows `upgrade-k8s`.
 */
export function workloadImageSet(config: MachineConfig | undefined): WorkloadImageSet {
  // Asked at every container and process listing: read once per config.
  const known = config ? IMAGE_SETS.get(config) : DEFAULT_IMAGE_SET;
  if (known) return known;
  const made = readImageSet(config);
  if (config) IMAGE_SETS.set(config, made);
  else DEFAULT_IMAGE_SET = made;
  return made;
}

function readImageSet(config: MachineConfig | undefined): WorkloadImageSet {
  const facts = config ? kubeFacts(config, true) : undefined;
  const etcd = legacyDocument(config)?.data as { cluster?: { etcd?: { image?: unknown } } } | undefined;
  const etcdImage = etcd?.cluster?.etcd?.image;
  const k8s = (name: string) => `registry.k8s.io/${name}:${KUBERNETES_VERSION}`;
  return {
    etcd: typeof etcdImage === "string" && etcdImage !== "" ? etcdImage : DEFAULT_ETCD_IMAGE,
    kubelet: facts?.images.kubelet ?? `ghcr.io/siderolabs/kubelet:${KUBERNETES_VERSION}`,
    apiServer: facts?.images.apiServer ?? k8s("kube-apiserver"),
    controllerManager: facts?.images.controllerManager ?? k8s("kube-controller-manager"),
    scheduler: facts?.images.scheduler ?? k8s("kube-scheduler"),
  };
}

/** The image a containerised service runs. */
function imageOf(id: string, talosVersion: string, images: WorkloadImageSet): string {
  if (id === "etcd") return images.etcd;
  if (id === "kubelet") return images.kubelet;
  return `ghcr.io/siderolabs/${id}:${talosVersion}`;
}

/**
 * Images the CRI containerd holds for the workloads: in its `system` namespace etcd's and the
 * kubelet's, in `k8s.io` the pods' (the control plane's static pods and the pause image).
 */
export function workloadImages(
  controlPlane: boolean,
  images: WorkloadImageSet = workloadImageSet(undefined),
): { system: string[]; k8s: string[] } {
  const pods = [images.apiServer, images.controllerManager, images.scheduler];
  return {
    system: [...(controlPlane ? [images.etcd] : []), images.kubelet],
    k8s: controlPlane ? [PAUSE_IMAGE, ...pods] : [PAUSE_IMAGE],
  };
}

/** klog's header time: `MMDD hh:mm:ss.uuuuuu`. */
function klogStamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}`;
}

/** What the workloads need of the machine. */
export interface WorkloadsHost {
  readonly clock: Clock;
  readonly services: ServiceManager;
  readonly hardware: Hardware;
  readonly kmsg: KernelLog;
  /** CRI container logs, keyed `<ns>/<pod>:<container>`. */
  readonly containerLogs: LogManager;
  readonly bootId: string;
  /** When this boot's machined started. */
  readonly startedAt: Date;
  readonly talosVersion: string;
  hostname(): string;
  /** The workload images the active config names. */
  images(): WorkloadImageSet;
  /** Whether the node runs with a complete config (maintenance mode needs no trusted certificate). */
  configured(): boolean;
  /** Runs `fn` after `ms` of machine time, unless the machine stops first. */
  later(ms: number, fn: () => void): void;
  /** Kubernetes became ready: readiness and discovery have news. */
  kubernetesChanged(): void;
  /** The kubelet registered the node: the node's Kubernetes side (and a control plane's API server) starts. */
  kubeletRegistered?(controlPlane: boolean): void;
  /** A container of a pod the kubelet runs was killed (all of the pod's, without a name): false if none. */
  restartKubeletContainer?(uid: string, name?: string): boolean;
}

export class Workloads {
  private ready = false;
  /** When the static pods started (control planes with Kubernetes, once it answers). */
  private podsStartedAt: Date | undefined;
  /** Whether apid has a certificate clients trust (a worker's comes from a control plane's trustd). */
  private readonly apiCertificate = { ready: false, restarting: false, wake: new Set<() => void>() };
  /** Pod containers started again after their task was killed, by `<ns>/<pod>:<container>`. */
  private readonly restarts = new Map<string, ContainerRestart>();
  /** The pods the kubelet started in this boot (beside the static pods). */
  private readonly kubeletPods: KubeletPodTable;

  constructor(private readonly host: WorkloadsHost) {
    this.kubeletPods = new KubeletPodTable(host.containerLogs, (pid) =>
      this.processes().some((p) => p.pid === pid),
    );
  }

  /** The kubelet's pods changed: the CRI runs their sandboxes and containers. */
  kubeletPodsChanged(pods: readonly KubeletPod[]): void {
    this.kubeletPods.update(pods);
  }

  /** Images the kubelet pulled for its pods in this boot. */
  podImagePulls(): readonly ImagePull[] {
    return this.kubeletPods.imagePulls();
  }

  /** The kubelet registered the node (the Kubernetes API answers for it). */
  get kubernetesReady(): boolean {
    return this.ready;
  }

  /** Whether the control plane's static pods run. */
  get staticPodsStarted(): boolean {
    return this.podsStartedAt !== undefined;
  }

  /** Share of the machine's "work" that is running, to scale memory use and load. */
  activity(): number {
    const running = this.host.services.list().filter((s) => s.state === "Running").length;
    return Math.min(1, running / 12);
  }

  /** Every process: init, the services' processes and the containers' (pods included). */
  processes(): ProcessRow[] {
    const now = this.host.clock.now();
    const running = this.host.services
      .list()
      .filter((s) => s.state === "Running" && s.pid !== undefined && s.startedAt !== undefined)
      .map((s) => ({
        pid: s.pid!,
        startedAt: s.startedAt!,
        args: s.definition.runner.kind === "process" ? s.definition.runner.args : [`/usr/local/bin/${s.id}`],
      }));
    const pods = this.containers(KUBERNETES_NAMESPACE, "cri")
      .filter((c) => c.pid !== 0)
      .map((c) => ({
        pid: c.pid,
        startedAt: c.startedAt,
        args: c.args,
      }));
    return this.host.hardware.processes(now, [...running, ...pods]);
  }

  processCount(): number {
    return this.processes().length;
  }

  lastPid(): number {
    return this.processes().reduce((max, p) => Math.max(max, p.pid), 1);
  }

  /** Containers of one containerd namespace, as the given driver names them. */
  containers(namespace: string, driver: "cri" | "containerd"): ContainerRecord[] {
    const now = this.host.clock.now();
    if (namespace === SYSTEM_NAMESPACE) {
      if (driver === "cri") return [];
      return systemContainers(this.serviceContainers(), this.host.bootId, now);
    }
    if (namespace !== KUBERNETES_NAMESPACE || this.host.services.snapshot("cri")?.state !== "Running")
      return [];
    const staticPods = this.podsStartedAt
      ? podContainers(
          this.staticPods(),
          this.host.bootId,
          this.podsStartedAt,
          POD_FIRST_PID,
          now,
          driver,
          this.restarts,
        )
      : [];
    return [...staticPods, ...this.kubeletPods.containers(now, driver)];
  }

  /**
   * A pod's container (or, for a sandbox, every container of its pod) was killed: the
   * kubelet starts it again as a new container. False when no such container runs.
   */
  restartPodContainer(record: ContainerRecord): boolean {
    const running = this.containers(KUBERNETES_NAMESPACE, "cri");
    const sandbox = record.image === PAUSE_IMAGE;
    const named = running.find((c) => c.internalId === record.internalId);
    if (named && this.kubeletPods.has(named.uid)) {
      if (named.pid === 0) return false;
      return this.host.restartKubeletContainer?.(named.uid, sandbox ? undefined : named.name) ?? false;
    }
    const hit = running.filter(
      (c) => c.id !== c.podId && (sandbox ? c.uid === record.uid : c.internalId === record.internalId),
    );
    if (hit.length === 0) return false;
    const at = this.host.clock.now();
    for (const c of hit) {
      const key = `${c.podId}:${c.name}`;
      this.restarts.set(key, { count: (this.restarts.get(key)?.count ?? 0) + 1, at });
    }
    return true;
  }

  /**
   * After `startAllServices`: the kubelet registers the node and runs the static pods shortly
   * after it is healthy; a worker's kubelet registers once a control plane's API server answers.
   */
  kubeletStarted(
    controlPlane: boolean,
    apiServerUp: (signal: AbortSignal) => Promise<void>,
    signal: AbortSignal,
  ) {
    const registered = (): void =>
      this.host.later(KUBELET_REGISTER_MS, () => {
        this.ready = true;
        if (controlPlane) this.startStaticPods();
        this.host.kubeletRegistered?.(controlPlane);
        this.host.kubernetesChanged();
      });
    if (controlPlane) registered();
    else apiServerUp(signal).then(registered, () => undefined);
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
    const { services } = this.host;
    const apid = services.definition("apid");
    if (!apid || !services.isUp("apid")) return;
    this.apiCertificate.restarting = true;
    void services
      .stop("apid")
      .then(() => services.start(apid))
      .finally(() => {
        this.apiCertificate.restarting = false;
      });
  }

  /** apid's pre state: as on Talos, apid does not start before it has its certificate. */
  waitForApiCertificate(signal: AbortSignal): Promise<void> {
    // Maintenance mode serves its own self-signed certificate; a configured node waits.
    if (this.apiCertificate.ready || !this.host.configured()) return Promise.resolve();
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

  /** Containerised services that run now, with their images. */
  private serviceContainers(): ServiceContainer[] {
    return this.host.services
      .list()
      .filter((s) => s.state === "Running" && s.definition.runner.kind === "container" && s.pid !== undefined)
      .map((s) => ({
        id: s.id,
        pid: s.pid!,
        startedAt: s.startedAt ?? this.host.startedAt,
        image: imageOf(s.id, this.host.talosVersion, this.host.images()),
      }));
  }

  private staticPods(): PodSpec[] {
    const host = this.host.hostname();
    const images = this.host.images();
    const component = (name: string, image: string, extra: string[]): PodSpec => ({
      namespace: "kube-system",
      name: `${name}-${host}`,
      containers: [{ name, image, args: [`/usr/local/bin/${name}`, ...extra] }],
    });
    return [
      component("kube-apiserver", images.apiServer, [
        "--secure-port=6443",
        "--etcd-servers=https://localhost:2379",
      ]),
      component("kube-controller-manager", images.controllerManager, ["--leader-elect=true"]),
      component("kube-scheduler", images.scheduler, ["--leader-elect=true"]),
    ];
  }

  /** The static pods' containers start: their logs begin. */
  private startStaticPods(): void {
    const startedAt = this.host.clock.now();
    this.podsStartedAt = startedAt;
    for (const c of this.containers(KUBERNETES_NAMESPACE, "cri")) {
      if (c.id === c.podId) continue;
      const at = `${startedAt.toISOString().slice(0, 23)}000000Z`;
      const lines = [
        `${at} stderr F I${klogStamp(startedAt)}       1 server.go:150] "Starting ${c.name}" version="${imageVersion(c.image, KUBERNETES_VERSION)}"`,
        `${at} stderr F I${klogStamp(startedAt)}       1 secure_serving.go:213] "Serving securely"`,
      ];
      this.host.containerLogs.write(podLogKey(c), `${lines.join("\n")}\n`);
    }
    this.host.kmsg.write("kern", "info", "cni0: bridge port added for the first pod sandbox");
  }
}
