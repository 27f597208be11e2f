// The adapters that present one boot of the machine to its controllers (MachineSource), to the
// cluster controller (its host) and to the live files of its root filesystem (LiveFacts), read
// through a narrow view of the machine.
import type { Clock } from "../clock.js";
import type { ClusterController } from "../cluster/controller.js";
import type { Disk, Hardware, PlatformInfo, RootFs } from "../platform/index.js";
import type { ResourceStore } from "../resources/index.js";
import { type Meta, metaTags, type StateDir } from "../state/index.js";
import type { ConfigStore } from "./config-store.js";
import {
  type ApiIdentity,
  etcFileContents,
  type KubeNodeStatus,
  type MachineSource,
} from "./controllers/index.js";
import type { LiveFacts } from "./live-files.js";
import type { MachineClusterHost } from "./machine-options.js";
import type { MachineStatusController } from "./machine-status.js";
import { affiliateStatus } from "./readiness.js";
import type { ServiceManager } from "./services.js";
import type { SystemVolumes } from "./volumes.js";
import type { Workloads } from "./workloads.js";

/** What the adapters read of the machine; every member is read when asked, never copied. */
export interface MachineView {
  readonly clock: Clock;
  readonly talosVersion: string;
  readonly platform: PlatformInfo;
  readonly disks: readonly Disk[];
  readonly hardware: Hardware;
  readonly addresses: readonly string[];
  readonly bootId: string;
  readonly stateDir: StateDir;
  readonly store: ResourceStore;
  readonly rootfs: RootFs;
  readonly meta: Meta;
  readonly config: Pick<ConfigStore, "active">;
  readonly volumes: Pick<SystemVolumes, "mounted" | "partitions">;
  readonly status: Pick<MachineStatusController, "currentStage">;
  readonly services: ServiceManager;
  readonly cluster: Pick<ClusterController, "localMemberId" | "kubeSpanPeerReachable">;
  readonly workloads: Pick<
    Workloads,
    "kubernetesReady" | "staticPodsStarted" | "activity" | "processCount" | "lastPid"
  >;
  readonly hostname: string;
  readonly installed: boolean;
  now(): Date;
  log(line: string): void;
}

/** The machine's own state that it does not show to others. */
export interface MachineInternals {
  /** The hostname talos-node was given, if any. */
  readonly hostnameFlag: string | undefined;
  networkReady(): boolean;
  timeSynced(): boolean;
  apiIdentity(): ApiIdentity | undefined;
  /** The node's Node object as the Kubernetes API has it, once the kubelet registered it. */
  kubeNode(): KubeNodeStatus | undefined;
}

/** The machine as its controllers see it. */
export function machineSource(m: MachineView, internals: MachineInternals): MachineSource {
  const identity = m.stateDir.identity();
  return {
    talosVersion: m.talosVersion,
    platform: m.platform,
    disks: m.disks,
    hardware: m.hardware,
    addresses: m.addresses,
    machineUuid: identity.uuid,
    bootId: m.bootId,
    hostnameFlag: internals.hostnameFlag,
    defaultHostname: identity.defaultHostname,
    active: () => m.config.active,
    installed: () => m.installed,
    volumePartitions: () => m.volumes.partitions.list(),
    mounted: () => m.volumes.mounted,
    meta: () => metaTags(m.meta.read()),
    stage: () => m.status.currentStage,
    networkReady: () => internals.networkReady(),
    timeSynced: () => internals.timeSynced(),
    now: () => m.now(),
    apiIdentity: () => internals.apiIdentity(),
    serviceRunning: (id) => m.services.snapshot(id)?.state === "Running",
    etcdMemberId: () => m.cluster.localMemberId(),
    timeScale: m.clock.scale,
    kubeSpanPeerReachable: (key) => m.cluster.kubeSpanPeerReachable(key),
    load: () => m.workloads.activity(),
    kubernetes: () => ({
      nodeReady: m.workloads.kubernetesReady,
      staticPodsRunning: m.workloads.staticPodsStarted,
      node: internals.kubeNode(),
    }),
  };
}

/** What the live files of the root filesystem (/proc, /etc and the rest) show. */
export function liveFacts(m: MachineView): LiveFacts {
  const state = m.stateDir;
  return {
    rootfs: m.rootfs,
    hardware: m.hardware,
    platformName: m.platform.name,
    bootId: m.bootId,
    talosVersion: m.talosVersion,
    addresses: m.addresses,
    volumesMounted: () => m.volumes.mounted,
    hostname: () => m.hostname,
    // The stable machine id: the node's UUID without dashes.
    machineId: () => state.identity().uuid.replace(/-/g, ""),
    now: () => m.now(),
    activity: () => m.workloads.activity(),
    processCount: () => m.workloads.processCount(),
    lastPid: () => m.workloads.lastPid(),
    savedConfig: () => state.readConfig(),
    etcFile: (name) => etcFileContents(m.store, name),
  };
}

/** The machine as the cluster controller sees it; `ready` says whether no readiness condition is unmet. */
export function clusterHost(m: MachineView, ready: () => boolean): MachineClusterHost {
  return {
    clock: m.clock,
    log: (line) => m.log(line),
    store: m.store,
    services: m.services,
    rootDir: m.rootfs.dir,
    machineUuid: m.stateDir.identity().uuid,
    talosVersion: m.talosVersion,
    active: () => m.config.active,
    hostname: () => m.hostname,
    addresses: () => m.addresses,
    status: () =>
      affiliateStatus({
        stage: m.status.currentStage,
        ready: ready(),
        services: m.services,
        diskBytes: m.disks[0]?.size ?? 0,
        kubernetesReady: m.workloads.kubernetesReady,
        staticPods: m.workloads.staticPodsStarted,
      }),
  };
}
