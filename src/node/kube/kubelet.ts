// The Kubernetes side of a node's kubelet: it registers the Node (addresses, capacity from the
// emulated hardware, labels and taints from the machine config, nodeInfo with its version and
// `Talos (vX)`), renews the node's Lease, reports Ready once the pod network runs on the node
// and NotReady while it shuts down, keeps the mirror pods of a control plane's static pods,
// and "runs" the pods bound to the node: they become Running and Ready, restart with a reboot,
// and go once their deletion grace is over. The sandboxes and containers it runs for them are
// handed to the node's CRI as they start, restart and stop.
import { createHash, randomBytes } from "node:crypto";
import type { KubeletPod } from "../platform/index.js";
import { imageVersion, type KubeClusterFacts, taintsOf } from "./cluster-config.js";
import { isMirrorPod, restartContainerRun, runningContainer, startPodRun } from "./kubelet-pods.js";
import {
  type Condition,
  condition,
  type Json,
  type KObject,
  type Node,
  type Pod,
  setCondition,
  timestamp,
} from "./objects.js";
import { EVENT, LEASE, NODE, POD } from "./resources.js";
import { KubeStatusError } from "./status.js";
import type { KubeStorage } from "./storage.js";
import { NODE_LEASE_RENEW, type Period, realPeriod } from "./timing.js";

/** Machine time a container takes to start (image present, sandbox made). */
export const POD_START_MS = 1_000;
/** Machine time the kubelet takes to stop a pod's containers when it is deleted. */
export const POD_STOP_MS = 1_000;
export const NODE_LEASE_SECONDS = 40;
/** The pod capacity of a node (kubelet's --max-pods default). */
export const MAX_PODS = 110;
const CONTAINERD = "containerd://2.1.4";

export interface KubeletHost {
  readonly storage: KubeStorage;
  readonly now: () => Date;
  /** Runs `fn` after `ms` machine milliseconds (cancelled when the kubelet stops). */
  readonly after: (ms: number, fn: () => void) => { cancel(): void };
  /** Real milliseconds for machine milliseconds. */
  readonly real: (ms: number) => number;
  readonly nodeName: string;
  readonly hostname: string;
  /** The node's routed address (InternalIP). */
  readonly address: string;
  readonly controlPlane: boolean;
  readonly facts: () => KubeClusterFacts | undefined;
  readonly talosVersion: string;
  readonly bootId: string;
  readonly machineId: string;
  readonly systemUuid: string;
  readonly kernelVersion: string;
  readonly cpus: number;
  readonly memoryKb: number;
  readonly diskBytes: number;
  readonly log: (line: string) => void;
  /** The pods this kubelet runs changed (started, restarted, stopped): their sandboxes and containers. */
  readonly podsChanged?: (pods: readonly KubeletPod[]) => void;
}

const CONTROL_PLANE_COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;

function ignore(err: unknown): void {
  if (err instanceof KubeStatusError) return;
  throw err;
}

function hex(n: number): string {
  return randomBytes(n).toString("hex");
}

export class Kubelet {
  private stopped = false;
  private readonly timers = new Set<{ cancel(): void }>();
  private watch: { cancel(): void } | undefined;
  /** Pods this kubelet started in this boot (by uid). */
  private readonly started = new Set<string>();
  private readonly pending = new Set<string>();
  /** The sandboxes and containers of the pods it runs (mirror pods' static pods aside), by uid. */
  private readonly runs = new Map<string, KubeletPod>();
  /** The pods whose runs those are, as they were started. */
  private readonly specs = new Map<string, Pod>();
  private readonly bootStart: Date;
  private ready = false;
  private kubeletVersion = "";

  constructor(private readonly host: KubeletHost) {
    this.bootStart = host.now();
  }

  get name(): string {
    return this.host.nodeName;
  }

  async start(): Promise<void> {
    const facts = this.host.facts();
    if (!facts) return;
    this.kubeletVersion = imageVersion(facts.images.kubelet);
    await this.register(facts);
    await this.renewLease();
    this.every(NODE_LEASE_RENEW, () => void this.renewLease().catch(() => undefined));
    await this.event("Starting", "Starting kubelet.", "Normal");
    if (this.host.controlPlane) await this.syncStaticPods(facts);
    const rev = await this.host.storage.kv.revision();
    const pods = await this.host.storage.list(POD, undefined);
    for (const p of pods.items as Pod[]) if (p.spec.nodeName === this.name) this.syncPod(p);
    // Pods are stored as compact JSON: one not naming this node is passed without decoding it.
    const mine = `"nodeName":${JSON.stringify(this.name)}`;
    this.watch = this.host.storage.watch(POD, undefined, rev, (events) => {
      for (const e of events) {
        if (!e.text.includes(mine)) continue;
        const p = e.object as Pod;
        if (p.spec.nodeName !== this.name) continue;
        // A pod removed at once (no grace) has its containers killed.
        if (e.type === "DELETED") this.forget(p.metadata.uid!);
        else this.syncPod(p);
      }
    });
    await this.checkReady();
  }

  /** The sandboxes and containers of the pods this kubelet runs now. */
  pods(): KubeletPod[] {
    return [...this.runs.values()];
  }

  /**
   * The container `name` of pod `uid` (every container, without a name) was killed: it is
   * started again as a new container, and the pod's status counts the restart. False when
   * this kubelet runs no such container.
   */
  restartContainer(uid: string, name?: string): boolean {
    const current = this.runs.get(uid);
    if (this.stopped || !current) return false;
    const names = (name === undefined ? current.containers.filter((c) => !c.exited) : [{ name }])
      .map((c) => c.name)
      .filter((n) => runningContainer(current, n) !== undefined);
    const pod = this.specs.get(uid);
    if (names.length === 0 || !pod) return false;
    const at = new Date(timestamp(this.host.now()));
    let next = current;
    for (const n of names) next = restartContainerRun(pod, next, this.name, n, at);
    this.runs.set(uid, next);
    this.publish();
    void this.markRestarted(pod, next, names, at).catch(() => undefined);
    return true;
  }

  private publish(): void {
    if (!this.stopped) this.host.podsChanged?.(this.pods());
  }

  private forget(uid: string): void {
    this.specs.delete(uid);
    if (this.runs.delete(uid)) this.publish();
  }

  /** The node shuts down: its pods stop, the node reports NotReady, the lease is no longer renewed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watch?.cancel();
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    await this.setReady(false, "KubeletNotReady", "node is shutting down").catch(() => undefined);
  }

  /** The machine config changed: labels, taints, kubelet version and static pods follow it. */
  async refresh(): Promise<void> {
    if (this.stopped) return;
    const facts = this.host.facts();
    if (!facts) return;
    const version = imageVersion(facts.images.kubelet);
    if (version !== this.kubeletVersion) {
      // Talos restarts the kubelet with the new image: it comes back reporting its new version.
      this.host.log(`kubelet: restarting with ${facts.images.kubelet}`);
      this.kubeletVersion = version;
    }
    await this.register(facts);
    if (this.host.controlPlane) await this.syncStaticPods(facts);
  }

  private every(p: Period, fn: () => void): void {
    let handle: NodeJS.Timeout | undefined;
    this.timers.add({ cancel: () => clearTimeout(handle) });
    const schedule = (): void => {
      handle = setTimeout(tick, realPeriod(this.host.real, p));
      handle.unref();
    };
    const tick = (): void => {
      if (this.stopped) return;
      fn();
      schedule();
    };
    schedule();
  }

  private later(ms: number, fn: () => void): void {
    const t = this.host.after(ms, () => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    });
    this.timers.add(t);
  }

  // --- the Node ------------------------------------------------------------------------------------

  private nodeLabels(facts: KubeClusterFacts): Record<string, string> {
    return {
      "beta.kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/hostname": this.name,
      "kubernetes.io/os": "linux",
      ...facts.nodeLabels,
    };
  }

  private nodeStatus(): Json {
    const h = this.host;
    const memKi = h.memoryKb;
    const storage = Math.floor(h.diskBytes / 1024);
    return {
      addresses: [
        { type: "InternalIP", address: h.address },
        { type: "Hostname", address: h.hostname },
      ],
      capacity: {
        cpu: String(h.cpus),
        "ephemeral-storage": `${storage}Ki`,
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        memory: `${memKi}Ki`,
        pods: String(MAX_PODS),
      },
      allocatable: {
        cpu: `${h.cpus * 1000 - 50}m`,
        "ephemeral-storage": String(Math.floor(storage * 1024 * 0.9)),
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        memory: `${Math.max(0, memKi - 524_288)}Ki`,
        pods: String(MAX_PODS),
      },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: "amd64",
        bootID: h.bootId,
        containerRuntimeVersion: CONTAINERD,
        kernelVersion: h.kernelVersion,
        kubeProxyVersion: "",
        kubeletVersion: this.kubeletVersion,
        machineID: h.machineId,
        operatingSystem: "linux",
        osImage: `Talos (${h.talosVersion})`,
        systemUUID: h.systemUuid,
      },
      images: [],
    };
  }

  /** Creates the Node, or brings an existing one up to date (labels and taints Talos owns). */
  private async register(facts: KubeClusterFacts): Promise<void> {
    const s = this.host.storage;
    const now = timestamp(this.host.now());
    const labels = this.nodeLabels(facts);
    const taints = taintsOf(facts.nodeTaints);
    const owned = {
      "talos.dev/owned-labels": JSON.stringify(Object.keys(facts.nodeLabels).sort()),
      ...(taints.length > 0
        ? { "talos.dev/owned-taints": JSON.stringify(taints.map((t) => t.key).sort()) }
        : {}),
    };
    const existing = (await s.get(NODE, undefined, this.name)) as Node | undefined;
    if (!existing) {
      const conditions = this.baseConditions(now);
      await s
        .create(NODE, undefined, {
          metadata: {
            name: this.name,
            labels,
            annotations: {
              "node.alpha.kubernetes.io/ttl": "0",
              "volumes.kubernetes.io/controller-managed-attach-detach": "true",
              ...owned,
            },
          },
          spec: taints.length > 0 ? { taints } : {},
        })
        .catch(ignore);
      await s
        .modify(
          NODE,
          undefined,
          this.name,
          (o) => {
            (o as Json).status = { ...this.nodeStatus(), conditions };
            return o;
          },
          { subresource: "status" },
        )
        .catch(ignore);
      await this.event(
        "RegisteredNode",
        `Node ${this.name} event: Registered Node ${this.name} in Controller`,
        "Normal",
      );
      return;
    }
    await s
      .modify(NODE, undefined, this.name, (o) => {
        const n = o as Node;
        const previousOwned = JSON.parse(
          n.metadata.annotations?.["talos.dev/owned-labels"] ?? "[]",
        ) as string[];
        const nextLabels = { ...(n.metadata.labels ?? {}) };
        for (const k of previousOwned) if (!(k in facts.nodeLabels)) delete nextLabels[k];
        n.metadata.labels = { ...nextLabels, ...labels };
        n.metadata.annotations = { ...(n.metadata.annotations ?? {}), ...owned };
        const previousTaints = JSON.parse(
          n.metadata.annotations?.["talos.dev/owned-taints"] ?? "[]",
        ) as string[];
        const kept = (n.spec?.taints ?? []).filter(
          (t) => !previousTaints.includes(t.key) && !taints.some((x) => x.key === t.key),
        );
        const spec = { ...(n.spec ?? {}) };
        const next = [...kept, ...taints];
        if (next.length > 0) spec.taints = next;
        else delete spec.taints;
        n.spec = spec;
        return n;
      })
      .catch(ignore);
    await s
      .modify(
        NODE,
        undefined,
        this.name,
        (o) => {
          const n = o as Node;
          const old = n.status?.conditions ?? [];
          const conditions = old.length > 0 && this.ready ? old : this.baseConditions(now, old);
          n.status = { ...(n.status ?? {}), ...this.nodeStatus(), conditions };
          return n;
        },
        { subresource: "status" },
      )
      .catch(ignore);
  }

  private baseConditions(now: string, old: Condition[] = []): Condition[] {
    const hb = { lastHeartbeatTime: now };
    let c = old;
    c = setCondition(
      c,
      {
        type: "MemoryPressure",
        status: "False",
        reason: "KubeletHasSufficientMemory",
        message: "kubelet has sufficient memory available",
        ...hb,
      },
      now,
    );
    c = setCondition(
      c,
      {
        type: "DiskPressure",
        status: "False",
        reason: "KubeletHasNoDiskPressure",
        message: "kubelet has no disk pressure",
        ...hb,
      },
      now,
    );
    c = setCondition(
      c,
      {
        type: "PIDPressure",
        status: "False",
        reason: "KubeletHasSufficientPID",
        message: "kubelet has sufficient PID available",
        ...hb,
      },
      now,
    );
    c = setCondition(
      c,
      {
        type: "Ready",
        status: "False",
        reason: "KubeletNotReady",
        message:
          "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
        ...hb,
      },
      now,
    );
    return c;
  }

  private async setReady(ready: boolean, reason: string, message: string): Promise<void> {
    const now = timestamp(this.host.now());
    let changed = false;
    await this.host.storage.modify(
      NODE,
      undefined,
      this.name,
      (o) => {
        const n = o as Node;
        const old = condition(n, "Ready");
        if (old?.status === (ready ? "True" : "False") && old.message === message) return undefined;
        changed = true;
        let conditions = n.status?.conditions ?? [];
        for (const c of conditions.filter((x) => x.type !== "Ready" && x.status === "Unknown")) {
          conditions = setCondition(
            conditions,
            { ...this.baseConditions(now).find((b) => b.type === c.type)! },
            now,
          );
        }
        conditions = setCondition(
          conditions,
          { type: "Ready", status: ready ? "True" : "False", reason, message, lastHeartbeatTime: now },
          now,
        );
        n.status = {
          ...(n.status ?? {}),
          conditions,
          nodeInfo: {
            ...(n.status?.nodeInfo ?? {}),
            bootID: this.host.bootId,
            kubeletVersion: this.kubeletVersion,
          },
        };
        return n;
      },
      { subresource: "status" },
    );
    this.ready = ready;
    // Pods marked not ready while the node was not are ready again with it.
    if (ready && changed) {
      const pods = (await this.host.storage.list(POD, undefined)).items as Pod[];
      for (const p of pods) if (p.spec.nodeName === this.name) this.syncPod(p);
    }
    if (changed)
      await this.event(
        ready ? "NodeReady" : "NodeNotReady",
        `Node ${this.name} status is now: ${ready ? "NodeReady" : "NodeNotReady"}`,
        "Normal",
      );
  }

  /** Ready once the pod network runs here (flannel's pod on this node), or at once without flannel. */
  private async checkReady(): Promise<void> {
    if (this.stopped) return;
    const facts = this.host.facts();
    let network = facts?.cni !== "flannel";
    if (!network) {
      const pods = (await this.host.storage.list(POD, "kube-system")).items as Pod[];
      network = pods.some(
        (p) =>
          p.spec.nodeName === this.name &&
          p.metadata.labels?.["k8s-app"] === "flannel" &&
          p.status?.phase === "Running" &&
          this.started.has(p.metadata.uid!),
      );
    }
    if (network) await this.setReady(true, "KubeletReady", "kubelet is posting ready status").catch(ignore);
  }

  private async renewLease(): Promise<void> {
    if (this.stopped) return;
    const s = this.host.storage;
    const now = `${this.host.now().toISOString().slice(0, 23)}000Z`;
    const existing = await s.get(LEASE, "kube-node-lease", this.name);
    if (!existing) {
      const node = await s.get(NODE, undefined, this.name);
      await s
        .create(LEASE, "kube-node-lease", {
          metadata: {
            name: this.name,
            namespace: "kube-node-lease",
            ...(node
              ? {
                  ownerReferences: [
                    { apiVersion: "v1", kind: "Node", name: this.name, uid: node.metadata.uid! },
                  ],
                }
              : {}),
          },
          spec: { holderIdentity: this.name, leaseDurationSeconds: NODE_LEASE_SECONDS, renewTime: now },
        })
        .catch(ignore);
      return;
    }
    await s
      .modify(LEASE, "kube-node-lease", this.name, (o) => {
        (o as Json).spec = {
          ...(((o as Json).spec ?? {}) as Json),
          holderIdentity: this.name,
          renewTime: now,
        };
        return o;
      })
      .catch(ignore);
  }

  // --- pods ----------------------------------------------------------------------------------------

  private syncPod(p: Pod): void {
    if (this.stopped) return;
    const uid = p.metadata.uid!;
    if (p.metadata.deletionTimestamp !== undefined) {
      if (this.pending.has(`stop:${uid}`)) return;
      this.pending.add(`stop:${uid}`);
      const grace = (p.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
      this.later(Math.min(grace, POD_STOP_MS), () => {
        void this.host.storage
          .delete(POD, p.metadata.namespace, p.metadata.name!, {
            gracePeriodSeconds: 0,
            preconditions: { uid },
          })
          .catch(() => undefined)
          .finally(() => this.pending.delete(`stop:${uid}`));
        this.started.delete(uid);
        this.forget(uid);
      });
      return;
    }
    if (this.started.has(uid)) {
      // Running here: after the node was NotReady its pods are ready again.
      if (this.ready && condition(p, "Ready")?.status === "False" && p.status?.phase === "Running")
        void this.markRunning(p);
      return;
    }
    if (this.pending.has(`start:${uid}`)) return;
    this.pending.add(`start:${uid}`);
    this.later(POD_START_MS, () => {
      void this.startPod(p)
        .catch(() => undefined)
        .finally(() => this.pending.delete(`start:${uid}`));
    });
  }

  private async podIp(p: Pod): Promise<string> {
    if (p.spec.hostNetwork) return this.host.address;
    const node = (await this.host.storage.get(NODE, undefined, this.name)) as Node | undefined;
    const cidr = node?.spec?.podCIDR ?? "10.244.0.0/24";
    const base = cidr.split("/")[0]!.split(".").slice(0, 3).join(".");
    const pods = (await this.host.storage.list(POD, undefined)).items as Pod[];
    const used = new Set(pods.filter((x) => x.spec.nodeName === this.name).map((x) => x.status?.podIP));
    for (let i = 2; i < 255; i++) if (!used.has(`${base}.${i}`)) return `${base}.${i}`;
    return `${base}.254`;
  }

  private async startPod(p: Pod): Promise<void> {
    if (this.stopped) return;
    const s = this.host.storage;
    const current = (await s.get(POD, p.metadata.namespace, p.metadata.name!)) as Pod | undefined;
    if (
      !current ||
      current.metadata.uid !== p.metadata.uid ||
      current.metadata.deletionTimestamp !== undefined
    )
      return;
    const ip =
      current.status?.podIP && !current.spec.hostNetwork ? current.status.podIP : await this.podIp(current);
    const uid = current.metadata.uid!;
    this.started.add(uid);
    const startedAt = new Date(timestamp(this.host.now()));
    const podRun = startPodRun(current, this.name, startedAt);
    if (!isMirrorPod(current)) {
      this.runs.set(uid, podRun);
      this.specs.set(uid, current);
      this.publish();
    }
    await this.markRunning(current, ip, podRun);
    if (current.metadata.labels?.["k8s-app"] === "flannel") await this.checkReady();
  }

  private async markRunning(p: Pod, ip?: string, podRun?: KubeletPod): Promise<void> {
    const now = podRun ? timestamp(podRun.startedAt) : timestamp(this.host.now());
    const idOf = (name: string): string =>
      `containerd://${podRun?.containers.find((c) => c.name === name)?.id ?? hex(32)}`;
    const address = this.host.address;
    await this.host.storage
      .modify(
        POD,
        p.metadata.namespace,
        p.metadata.name!,
        (o) => {
          const pod = o as Pod;
          if (pod.metadata.uid !== p.metadata.uid) return undefined;
          const prior = (pod.status?.containerStatuses ?? []) as Json[];
          const restarted =
            (pod.status?.startTime ?? "") !== "" &&
            Date.parse(pod.status!.startTime!) < this.bootStart.getTime() &&
            ip !== undefined;
          const statuses = pod.spec.containers.map((c) => {
            const old = prior.find((x) => x.name === c.name);
            const fresh = ip !== undefined;
            const restarts = Number(old?.restartCount ?? 0) + (restarted ? 1 : 0);
            const running =
              fresh || !old
                ? { startedAt: now }
                : (((old.state as Json | undefined)?.running as Json | undefined) ?? { startedAt: now });
            return {
              name: c.name,
              state: { running },
              lastState:
                restarted && old
                  ? {
                      terminated: {
                        exitCode: 255,
                        reason: "Unknown",
                        startedAt:
                          ((old.state as Json | undefined)?.running as Json | undefined)?.startedAt ?? now,
                        finishedAt: now,
                        containerID: old.containerID,
                      },
                    }
                  : ((old?.lastState as Json | undefined) ?? {}),
              ready: true,
              restartCount: restarts,
              image: c.image,
              imageID: `${String(c.image ?? "").split(":")[0]}@sha256:${createHash("sha256").update(String(c.image)).digest("hex")}`,
              containerID: fresh || !old ? idOf(c.name) : old.containerID,
              started: true,
            };
          });
          let conditions = pod.status?.conditions ?? [];
          for (const type of [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled",
          ]) {
            conditions = setCondition(conditions, { type, status: "True", lastProbeTime: null }, now);
          }
          const order = [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled",
          ];
          conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
          const podIp = ip ?? pod.status?.podIP ?? address;
          const init = (pod.spec.initContainers ?? []).map((c) => ({
            name: c.name,
            state: { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now } },
            lastState: {},
            ready: true,
            restartCount: 0,
            image: c.image,
            imageID: `${String(c.image ?? "").split(":")[0]}@sha256:${createHash("sha256").update(String(c.image)).digest("hex")}`,
            containerID: idOf(c.name),
            started: false,
          }));
          pod.status = {
            ...(pod.status ?? {}),
            phase: "Running",
            conditions,
            hostIP: address,
            hostIPs: [{ ip: address }],
            podIP: podIp,
            podIPs: [{ ip: podIp }],
            startTime: ip !== undefined ? now : (pod.status?.startTime ?? now),
            containerStatuses: statuses,
            ...(init.length > 0 ? { initContainerStatuses: init } : {}),
          };
          return pod;
        },
        { subresource: "status" },
      )
      .catch(ignore);
  }

  /** The pod's status after containers `names` were started again at `at` (as new containers). */
  private async markRestarted(p: Pod, podRun: KubeletPod, names: readonly string[], at: Date): Promise<void> {
    const now = timestamp(at);
    await this.host.storage
      .modify(
        POD,
        p.metadata.namespace,
        p.metadata.name!,
        (o) => {
          const pod = o as Pod;
          if (pod.metadata.uid !== p.metadata.uid) return undefined;
          const statuses = ((pod.status?.containerStatuses ?? []) as Json[]).map((s) => {
            const name = String(s.name);
            const fresh = runningContainer(podRun, name);
            if (!names.includes(name) || !fresh) return s;
            const running = ((s.state as Json | undefined)?.running as Json | undefined) ?? {};
            return {
              ...s,
              state: { running: { startedAt: now } },
              // A task killed with SIGTERM exits with 128 + 15.
              lastState: {
                terminated: {
                  exitCode: 143,
                  reason: "Error",
                  startedAt: running.startedAt ?? now,
                  finishedAt: now,
                  containerID: s.containerID,
                },
              },
              restartCount: Number(s.restartCount ?? 0) + 1,
              containerID: `containerd://${fresh.id}`,
            };
          });
          pod.status = { ...(pod.status ?? {}), containerStatuses: statuses };
          return pod;
        },
        { subresource: "status" },
      )
      .catch(ignore);
  }

  // --- static pods -----------------------------------------------------------------------------------

  private staticPod(
    component: (typeof CONTROL_PLANE_COMPONENTS)[number],
    facts: KubeClusterFacts,
    nodeUid: string,
  ): Pod {
    const image =
      component === "kube-apiserver"
        ? facts.images.apiServer
        : component === "kube-controller-manager"
          ? facts.images.controllerManager
          : facts.images.scheduler;
    const args: Record<string, string[]> = {
      "kube-apiserver": [
        "--secure-port=6443",
        "--etcd-servers=https://localhost:2379",
        "--authorization-mode=Node,RBAC",
        `--service-cluster-ip-range=${facts.serviceSubnets.join(",")}`,
      ],
      "kube-controller-manager": [
        "--leader-elect=true",
        `--cluster-cidr=${facts.podSubnets.join(",")}`,
        "--allocate-node-cidrs=true",
      ],
      "kube-scheduler": [
        "--leader-elect=true",
        "--config=/system/config/kube-scheduler/scheduler-config.yaml",
      ],
    };
    const spec = {
      containers: [{ name: component, image, command: [`/usr/local/bin/${component}`, ...args[component]!] }],
      hostNetwork: true,
      priorityClassName: "system-cluster-critical",
      nodeName: this.name,
      tolerations: [{ operator: "Exists" as const }],
    };
    const hash = createHash("md5").update(JSON.stringify(spec)).digest("hex");
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${component}-${this.name}`,
        namespace: "kube-system",
        labels: { "k8s-app": component, tier: "control-plane" },
        annotations: {
          "kubernetes.io/config.hash": hash,
          "kubernetes.io/config.mirror": hash,
          "kubernetes.io/config.seen": `${this.host.now().toISOString().slice(0, 23)}000Z`,
          "kubernetes.io/config.source": "file",
          "talos.dev/config-version": "1",
          "talos.dev/secrets-version": "1",
        },
        ownerReferences: [
          { apiVersion: "v1", kind: "Node", name: this.name, uid: nodeUid, controller: true },
        ],
      },
      spec,
    };
  }

  /** Mirror pods follow the static pods: a changed pod spec replaces the mirror pod. */
  private async syncStaticPods(facts: KubeClusterFacts): Promise<void> {
    const s = this.host.storage;
    const node = await s.get(NODE, undefined, this.name);
    if (!node) return;
    for (const component of CONTROL_PLANE_COMPONENTS) {
      const wanted = this.staticPod(component, facts, node.metadata.uid!);
      const existing = (await s.get(POD, "kube-system", wanted.metadata.name!)) as Pod | undefined;
      const hash = wanted.metadata.annotations!["kubernetes.io/config.hash"];
      if (
        existing &&
        existing.metadata.annotations?.["kubernetes.io/config.hash"] === hash &&
        existing.metadata.deletionTimestamp === undefined
      ) {
        if (this.started.has(existing.metadata.uid!)) continue;
        this.syncPod(existing);
        continue;
      }
      if (existing) {
        const version = Number(existing.metadata.annotations?.["talos.dev/config-version"] ?? "1");
        wanted.metadata.annotations!["talos.dev/config-version"] = String(version + 1);
        await s.delete(POD, "kube-system", existing.metadata.name!, { gracePeriodSeconds: 0 }).catch(ignore);
        this.started.delete(existing.metadata.uid!);
      }
      const created = await s.create(POD, "kube-system", wanted).catch((err: unknown) => {
        ignore(err);
        return undefined;
      });
      if (created) this.syncPod(created as Pod);
    }
  }

  // --- events --------------------------------------------------------------------------------------

  private async event(reason: string, message: string, type: string): Promise<void> {
    const s = this.host.storage;
    const node = await s.get(NODE, undefined, this.name);
    const now = timestamp(this.host.now());
    await s
      .create(EVENT, "default", {
        metadata: { name: `${this.name}.${hex(8)}`, namespace: "default" },
        involvedObject: {
          kind: "Node",
          name: this.name,
          uid: node?.metadata.uid ?? this.name,
          apiVersion: "v1",
        },
        reason,
        message,
        source: { component: "kubelet", host: this.name },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: "kubelet",
        reportingInstance: this.name,
      } as KObject)
      .catch(ignore);
  }
}
