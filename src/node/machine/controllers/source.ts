// What the machine's controllers derive resources from: the one source of truth of a boot (the
// active machine config, the emulated platform, hardware and disks, the boot state and META),
// and the names under which the machine reports that a part of it changed.
import type { Disk, Hardware, PlatformInfo } from "../../platform/index.js";
import type { VolumePartition } from "../../state/index.js";
import type { MachineConfig } from "../config.js";
import type { MachineStageName } from "../machine-status.js";

/** Inputs the machine reports changes of (ControllerRuntime.changed). */
export const INPUT = {
  /** The active machine config. */
  config: "config",
  /** Installation state and mounted volumes. */
  boot: "boot",
  /** META keys. */
  meta: "meta",
  /** The machine stage (MachineStatus). */
  stage: "stage",
  /** Network configured (links up, addresses assigned). */
  network: "network",
  /** The clock synced with its time servers. */
  time: "time",
  /** The certificate the API serves. */
  api: "api",
  /** A service changed state (etcd, kubelet, ...). */
  services: "services",
  /** The kubelet registered, static pods started, the node's Node object changed. */
  kubernetes: "kubernetes",
  /** KubeSpan peers became reachable or not, or KubeSpan's peer reconcile interval passed. */
  kubeSpanPeers: "kubespan-peers",
  /** The perf statistics' interval passed (the kernel's counters moved on). */
  perf: "perf",
} as const;

/** The certificate the API serves, and in maintenance mode the CA that issued it. */
export interface ApiIdentity {
  readonly mode: "maintenance" | "configured";
  readonly cert: { readonly crt: string; readonly key: string };
  readonly ca?: { readonly crt: string; readonly key: string };
}

/** What the Kubernetes API says of this node's Node object. */
export interface KubeNodeStatus {
  readonly name: string;
  readonly unschedulable: boolean;
  /** The Ready condition is True. */
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly podCidrs: readonly string[];
}

export interface MachineSource {
  readonly talosVersion: string;
  readonly platform: PlatformInfo;
  readonly disks: readonly Disk[];
  readonly hardware: Hardware;
  /** The machine's IP addresses (where its API listens). */
  readonly addresses: readonly string[];
  /** The machine's stable UUID (SMBIOS system UUID). */
  readonly machineUuid: string;
  readonly bootId: string;
  /** The hostname given on the command line (`--hostname`), if any. */
  readonly hostnameFlag: string | undefined;
  /** The stable hostname the machine takes when nothing names one. */
  readonly defaultHostname: string;
  active(): MachineConfig | undefined;
  installed(): boolean;
  /** The partitions earlier volume documents left on the disks (kept when a document goes). */
  volumePartitions?(): readonly VolumePartition[];
  /** Whether the system volumes are mounted (after the boot's ephemeral phase). */
  mounted(): boolean;
  /** META values by tag. */
  meta(): ReadonlyMap<number, string>;
  stage(): MachineStageName;
  networkReady(): boolean;
  timeSynced(): boolean;
  now(): Date;
  /** The certificate the API serves, once the listener has one. */
  apiIdentity(): ApiIdentity | undefined;
  /** Whether a service runs now. */
  serviceRunning(id: string): boolean;
  /** This node's etcd member id (hex), once its etcd has joined or bootstrapped a cluster. */
  etcdMemberId(): string | undefined;
  /** How busy the machine's workloads are, in [0, 1] (what its CPU and memory statistics follow). */
  load(): number;
  /**
   * The node's Kubernetes side: the kubelet registered, the control plane's static pods run, and
   * the node's Node object as the Kubernetes API has it (once the kubelet registered it).
   */
  kubernetes(): {
    readonly nodeReady: boolean;
    readonly staticPodsRunning: boolean;
    readonly node?: KubeNodeStatus | undefined;
  };
  /** How many times faster than real time the machine runs (node time over wall-clock time). */
  readonly timeScale?: number;
  /** Whether a WireGuard handshake with the KubeSpan peer of this public key goes through now. */
  kubeSpanPeerReachable?(publicKey: string): boolean;
}
