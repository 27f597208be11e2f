// The containers the emulated machine runs, as its two containerd instances would list them:
// Talos's own containerised services in the `system` namespace, and Kubernetes pods (sandbox
// plus containers) in `k8s.io`, each with an image, a PID, a status and resource figures that
// follow from when it started (so repeated calls agree and counters only grow).
import { createHash } from "node:crypto";
import { KUBERNETES_NAMESPACE, SYSTEM_NAMESPACE } from "../../wire/index.js";

export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

export interface ContainerRecord {
  readonly namespace: string;
  /** What clients display: the service id, `<ns>/<pod>` for a sandbox, `<ns>/<pod>:<name>:<short id>`. */
  readonly id: string;
  readonly podId: string;
  readonly name: string;
  readonly image: string;
  readonly pid: number;
  readonly status: string;
  /** containerd's 64-hex container id. */
  readonly internalId: string;
  readonly uid: string;
  readonly networkNamespace: string;
  readonly startedAt: Date;
  /** Bytes of memory in use now. */
  readonly memoryBytes: number;
  /** CPU time used so far, in nanoseconds. */
  readonly cpuNanos: number;
  /** The executable and its arguments (for the process list). */
  readonly args: readonly string[];
  /** Where its CRI log is kept, when not under `<ns>/<pod>:<container>`. */
  readonly logKey?: string;
}

/** A running containerised service. */
export interface ServiceContainer {
  readonly id: string;
  readonly pid: number;
  readonly startedAt: Date;
  readonly image: string;
}

/** A container the kubelet started again after its task was killed: how often, and when last. */
export interface ContainerRestart {
  readonly count: number;
  readonly at: Date;
}

/** PIDs a restarted container's process moves up by, per restart (clear of the first ones). */
const RESTART_PID_STRIDE = 1_000;

/** A static pod the kubelet runs. */
export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly {
    readonly name: string;
    readonly image: string;
    readonly args: readonly string[];
  }[];
}

/** A container of a pod the kubelet started, as the CRI holds it. */
export interface KubeletContainer {
  readonly name: string;
  /** The image as containerd names it (normalised: `docker.io/library/nginx:latest`). */
  readonly image: string;
  /** containerd's 64-hex id (the `containerd://` id in the pod's container status). */
  readonly id: string;
  readonly args: readonly string[];
  readonly startedAt: Date;
  /** It ran to its end: an init container, or the run a restart replaced. */
  readonly exited: boolean;
  /** What it wrote, each line prefixed with its RFC 3339 time (as `kubectl logs --timestamps`). */
  readonly output: readonly string[];
}

/** A pod the kubelet runs in this boot: its sandbox and its containers. */
export interface KubeletPod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** The sandbox's 64-hex id. */
  readonly sandboxId: string;
  /** The pod shares the node's network namespace. */
  readonly hostNetwork: boolean;
  readonly startedAt: Date;
  readonly containers: readonly KubeletContainer[];
}

function hex(seed: string, length = 64): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Memory and CPU of a container from its steady footprint and age. */
function usage(seed: string, baseMiB: number, cpuShare: number, startedAt: Date, now: Date) {
  const age = Math.max(0, (now.getTime() - startedAt.getTime()) / 1000);
  const jitter = Number.parseInt(hex(seed, 4), 16) / 0xffff;
  const warm = Math.min(1, age / 120);
  return {
    memoryBytes: Math.round((baseMiB * (0.6 + 0.4 * warm) + 3 * jitter) * 1_048_576),
    cpuNanos: Math.round(age * cpuShare * 1e9),
  };
}

const FOOTPRINT: Readonly<Record<string, { mib: number; cpu: number }>> = {
  apid: { mib: 28, cpu: 0.004 },
  trustd: { mib: 18, cpu: 0.001 },
  etcd: { mib: 96, cpu: 0.03 },
  kubelet: { mib: 64, cpu: 0.02 },
  "kube-apiserver": { mib: 310, cpu: 0.05 },
  "kube-controller-manager": { mib: 72, cpu: 0.012 },
  "kube-scheduler": { mib: 30, cpu: 0.004 },
  pause: { mib: 1, cpu: 0 },
};

/** The `system` namespace: one container per containerised service, each its own "pod". */
export function systemContainers(
  running: readonly ServiceContainer[],
  bootId: string,
  now: Date,
): ContainerRecord[] {
  return running.map((s) => {
    const fp = FOOTPRINT[s.id] ?? { mib: 20, cpu: 0.002 };
    return {
      namespace: SYSTEM_NAMESPACE,
      id: s.id,
      podId: s.id,
      name: s.id,
      image: s.image,
      pid: s.pid,
      status: "RUNNING",
      internalId: s.id,
      uid: "",
      networkNamespace: "",
      startedAt: s.startedAt,
      args: [`/usr/local/bin/${s.id}`],
      ...usage(`${bootId}/${s.id}`, fp.mib, fp.cpu, s.startedAt, now),
    };
  });
}

/**
 * The `k8s.io` namespace through the CRI: per pod a sandbox row (`<ns>/<pod>`, the pause
 * image) and a row per container. With the containerd driver the same containers are named by
 * their raw ids, each its own pod.
 */
export function podContainers(
  pods: readonly PodSpec[],
  bootId: string,
  startedAt: Date,
  firstPid: number,
  now: Date,
  driver: "cri" | "containerd",
  restarts: ReadonlyMap<string, ContainerRestart> = new Map(),
): ContainerRecord[] {
  const out: ContainerRecord[] = [];
  let pid = firstPid;
  for (const pod of pods) {
    const podId = `${pod.namespace}/${pod.name}`;
    const sandboxId = hex(`${bootId}/${podId}/sandbox`);
    const podUid = uuidFrom(`${bootId}/${podId}`);
    const netns = `/var/run/netns/cni-${uuidFrom(`${bootId}/${podId}/netns`)}`;
    out.push({
      namespace: KUBERNETES_NAMESPACE,
      id: driver === "cri" ? podId : sandboxId,
      podId: driver === "cri" ? podId : sandboxId,
      // CRI names a sandbox after its pod, as `<namespace>/<pod>`.
      name: driver === "cri" ? podId : sandboxId,
      image: PAUSE_IMAGE,
      pid: pid++,
      status: driver === "cri" ? "SANDBOX_READY" : "RUNNING",
      internalId: sandboxId,
      uid: podUid,
      networkNamespace: netns,
      startedAt,
      args: ["/pause"],
      ...usage(`${bootId}/${podId}/pause`, FOOTPRINT.pause!.mib, 0, startedAt, now),
    });
    for (const c of pod.containers) {
      const restart = restarts.get(`${podId}:${c.name}`);
      // A restarted container is a new container: new id, new process, started again.
      const containerId = hex(`${bootId}/${podId}/${c.name}${restart ? `#${restart.count}` : ""}`);
      const ownPid = pid++;
      const fp = FOOTPRINT[c.name] ?? { mib: 40, cpu: 0.005 };
      const since = restart?.at ?? startedAt;
      out.push({
        namespace: KUBERNETES_NAMESPACE,
        id: driver === "cri" ? `${podId}:${c.name}:${containerId.slice(0, 12)}` : containerId,
        podId: driver === "cri" ? podId : containerId,
        name: driver === "cri" ? c.name : containerId,
        image: c.image,
        pid: restart ? ownPid + RESTART_PID_STRIDE * restart.count : ownPid,
        status: driver === "cri" ? "CONTAINER_RUNNING" : "RUNNING",
        internalId: containerId,
        uid: podUid,
        networkNamespace: netns,
        startedAt: since,
        args: c.args,
        ...usage(`${bootId}/${podId}/${c.name}`, fp.mib, fp.cpu, since, now),
      });
    }
  }
  return out;
}

/**
 * The `k8s.io` rows of the pods the kubelet runs: through the CRI a sandbox row per pod and a
 * row per container, exited ones included (PID 0, CONTAINER_EXITED); through the containerd
 * driver only the running tasks, each named by its raw id.
 */
export function kubeletPodContainers(
  pods: readonly KubeletPod[],
  pidOf: (containerId: string) => number,
  now: Date,
  driver: "cri" | "containerd",
): ContainerRecord[] {
  const out: ContainerRecord[] = [];
  for (const pod of pods) {
    const podId = `${pod.namespace}/${pod.name}`;
    const cri = driver === "cri";
    const networkNamespace = pod.hostNetwork ? "" : `/var/run/netns/cni-${uuidFrom(pod.sandboxId)}`;
    out.push({
      namespace: KUBERNETES_NAMESPACE,
      id: cri ? podId : pod.sandboxId,
      podId: cri ? podId : pod.sandboxId,
      name: cri ? podId : pod.sandboxId,
      image: PAUSE_IMAGE,
      pid: pidOf(pod.sandboxId),
      status: cri ? "SANDBOX_READY" : "RUNNING",
      internalId: pod.sandboxId,
      uid: pod.uid,
      networkNamespace,
      startedAt: pod.startedAt,
      args: ["/pause"],
      ...usage(pod.sandboxId, FOOTPRINT.pause!.mib, 0, pod.startedAt, now),
    });
    for (const c of pod.containers) {
      if (c.exited && !cri) continue;
      const fp = FOOTPRINT[c.name] ?? { mib: 40, cpu: 0.005 };
      out.push({
        namespace: KUBERNETES_NAMESPACE,
        id: cri ? `${podId}:${c.name}:${c.id.slice(0, 12)}` : c.id,
        podId: cri ? podId : c.id,
        name: cri ? c.name : c.id,
        image: c.image,
        pid: c.exited ? 0 : pidOf(c.id),
        status: cri ? (c.exited ? "CONTAINER_EXITED" : "CONTAINER_RUNNING") : "RUNNING",
        internalId: c.id,
        uid: pod.uid,
        networkNamespace,
        startedAt: c.startedAt,
        args: c.args,
        logKey: kubeletLogKey(pod, c),
        ...(c.exited ? { memoryBytes: 0, cpuNanos: 0 } : usage(c.id, fp.mib, fp.cpu, c.startedAt, now)),
      });
    }
  }
  return out;
}

/** Where the CRI log of one run of a kubelet pod's container is kept. */
export function kubeletLogKey(pod: KubeletPod, c: KubeletContainer): string {
  return `${pod.namespace}/${pod.name}:${c.name}:${c.id}`;
}

/** A container's output in the CRI log format: `<time> stderr F <line>` per line. */
export function criLog(output: readonly string[]): string {
  if (output.length === 0) return "";
  const lines = output.map((l) => {
    const space = l.indexOf(" ");
    return space < 0 ? `${l} stderr F ` : `${l.slice(0, space)} stderr F ${l.slice(space + 1)}`;
  });
  return `${lines.join("\n")}\n`;
}

/** Finds a CRI container by the id `logs -k` takes: `<ns>/<pod>:<container>[:<container id prefix>]`. */
export function findPodContainer(
  records: readonly ContainerRecord[],
  id: string,
): ContainerRecord | undefined {
  const [podPart, name, idPrefix] = id.split(":");
  return records.find((r) => {
    if (name === undefined) return r.podId === podPart && r.id === podPart;
    return (
      r.podId === podPart && r.name === name && (idPrefix === undefined || r.internalId.startsWith(idPrefix))
    );
  });
}

/** The CRI log key of a container (its id without the container-id suffix). */
export function podLogKey(record: ContainerRecord): string {
  if (record.logKey !== undefined) return record.logKey;
  return record.id === record.podId ? record.id : `${record.podId}:${record.name}`;
}
