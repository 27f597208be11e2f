// The pods the kubelet runs, as the CRI containerd holds them in this boot: each sandbox and
// container gets a PID when it starts, a container's output goes to its CRI log, and the
// images the kubelet pulled for them are remembered for the image store.
import {
  type ContainerRecord,
  criLog,
  type KubeletPod,
  kubeletLogKey,
  kubeletPodContainers,
  PAUSE_IMAGE,
} from "../platform/index.js";
import type { LogManager } from "./logs.js";

/** PIDs of the kubelet's pods' processes start here (after the static pods'). */
export const KUBELET_POD_FIRST_PID = 2_410;

/** An image the kubelet pulled for a pod, and when. */
export interface ImagePull {
  readonly ref: string;
  readonly at: Date;
}

export class KubeletPodTable {
  private pods: readonly KubeletPod[] = [];
  private readonly pids = new Map<string, number>();
  private nextPid = KUBELET_POD_FIRST_PID;
  /** Containers whose output is in their CRI log. */
  private readonly logged = new Set<string>();
  private readonly pulls: ImagePull[] = [];

  constructor(
    private readonly logs: LogManager,
    /** Whether a PID is taken by another process of the machine. */
    private readonly pidTaken: (pid: number) => boolean,
  ) {}

  /** The kubelet's pods now: new sandboxes and containers start (PID, log, image pulled). */
  update(pods: readonly KubeletPod[]): void {
    for (const pod of pods) {
      this.pull(PAUSE_IMAGE, pod.startedAt);
      this.start(pod.sandboxId);
      for (const c of pod.containers) {
        this.pull(c.image, c.startedAt);
        if (!c.exited) this.start(c.id);
        if (this.logged.has(c.id)) continue;
        this.logged.add(c.id);
        this.logs.write(kubeletLogKey(pod, c), criLog(c.output));
      }
    }
    this.pods = pods;
  }

  /** Whether `uid` is a pod the kubelet runs. */
  has(uid: string): boolean {
    return this.pods.some((p) => p.uid === uid);
  }

  containers(now: Date, driver: "cri" | "containerd"): ContainerRecord[] {
    return kubeletPodContainers(this.pods, (id) => this.pids.get(id) ?? 0, now, driver);
  }

  /** Images pulled for the pods in this boot, in the order they were pulled. */
  imagePulls(): readonly ImagePull[] {
    return this.pulls;
  }

  private start(id: string): void {
    if (this.pids.has(id)) return;
    while (this.pidTaken(this.nextPid)) this.nextPid++;
    this.pids.set(id, this.nextPid++);
  }

  private pull(ref: string, at: Date): void {
    if (!this.pulls.some((p) => p.ref === ref)) this.pulls.push({ ref, at });
  }
}
