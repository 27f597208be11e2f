// What the node gives one boot of the machine: its clock, STATE directory, platform, disks and
// addresses, and the callbacks and factories through which the boot reaches the node (reboots,
// power requests, the cluster controller, the Kubernetes side).
import type { Clock } from "../clock.js";
import type { ClusterController, ClusterHost } from "../cluster/controller.js";
import type { NodeLog } from "../log.js";
import type { Disk, PlatformInfo } from "../platform/index.js";
import type { Meta, StateDir } from "../state/index.js";
import type { KubeNodeStatus } from "./controllers/index.js";
import type { EventBus } from "./events.js";
import type { PowerRequest } from "./lifecycle.js";

/** What the machine gives the cluster controller; the node adds where the registry lives. */
export type MachineClusterHost = Omit<ClusterHost, "discoveryRoot">;

/** The node's Kubernetes side (kubelet, and on control planes the API server), made by the node. */
export interface MachineKube {
  kubeletRegistered(controlPlane: boolean): void;
  /** The node's Node object as the Kubernetes API has it, once the kubelet registered it. */
  node?(): KubeNodeStatus | undefined;
  configChanged(): void;
  /** A container of a pod the kubelet runs was killed (every one of the pod's, without a name): false if none. */
  restartContainer(uid: string, name?: string): boolean;
  close(): void;
}

export interface MachineOptionsOf<M> {
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
  /** Makes this boot's cluster controller (discovery and the emulated etcd membership). */
  readonly createCluster: (host: MachineClusterHost) => ClusterController;
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
  /** META as the node holds it (its changes reach the machine's resources). */
  readonly meta?: Meta;
  /** Makes this boot's Kubernetes side (it starts when the kubelet registers). */
  readonly createKube?: (machine: M) => MachineKube;
}
