// The resource types this node publishes, with Talos's type names, namespaces, aliases, print
// columns and sensitivity, and how each spec is encoded (proto_spec) and viewed (yaml_spec).
import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { NetIPPrefixSchema } from "../../../gen/common/common_pb.js";
import {
  DiskSpecSchema,
  MountSpecSchema,
  SystemDiskSpecSchema,
  VolumeStatusSpecSchema,
} from "../../../gen/resource/definitions/block/block_pb.js";
import {
  BlockFilesystemType,
  BlockVolumePhase,
  BlockVolumeType,
  type RuntimeMachineStage,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import { NodenameSpecSchema } from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import {
  HostnameStatusSpecSchema,
  NodeAddressSpecSchema,
} from "../../../gen/resource/definitions/network/network_pb.js";
import {
  MachineStatusSpecSchema,
  MachineStatusStatusSchema,
  UnmetConditionSchema,
  VersionSpecSchema,
} from "../../../gen/resource/definitions/runtime/runtime_pb.js";
import { ServiceSpecSchema } from "../../../gen/resource/definitions/v1alpha1/v1alpha1_pb.js";
import { MACHINE_CONFIG_TYPE, RESOURCE_DEFINITION_TYPE } from "../../../wire/index.js";
import { defineResource, type ResourceDefinition } from "./definition.js";
import type { ResourceKind } from "./store.js";

// Namespaces Talos registers (the subset this node fills, plus the ones clients name).
export const NS = {
  meta: "meta",
  config: "config",
  runtime: "runtime",
  network: "network",
  secrets: "secrets",
  cluster: "cluster",
  k8s: "k8s",
  hardware: "hardware",
} as const;

export const NAMESPACE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [NS.config]: "Talos node configuration.",
  [NS.runtime]: "Talos runtime resources.",
  [NS.network]: "Networking resources.",
  [NS.secrets]: "Resources with secret material.",
  [NS.cluster]: "Cluster configuration and discovery resources.",
  [NS.k8s]: "Kubernetes all node types resources.",
  [NS.hardware]: "Hardware resources.",
};

// ---------------------------------------------------------------------------------------------
// meta.cosi.dev

export const namespaceKind: ResourceKind<{ description: string }> = {
  definition: defineResource({
    type: "Namespaces.meta.cosi.dev",
    defaultNamespace: NS.meta,
    aliases: ["ns"],
    printColumns: [{ name: "Description", jsonPath: "{.description}" }],
  }),
  encode: (spec) => new BinaryWriter().tag(1, 2).string(spec.description).finish(),
  view: (spec) => ({ description: spec.description }),
};

export const definitionKind: ResourceKind<ResourceDefinition> = {
  definition: defineResource({
    type: RESOURCE_DEFINITION_TYPE,
    defaultNamespace: NS.meta,
    aliases: ["api-resources"],
    printColumns: [{ name: "Aliases", jsonPath: "{.aliases[:]}" }],
  }),
  encode(rd) {
    const w = new BinaryWriter();
    w.tag(1, 2).string(rd.type);
    w.tag(2, 2).string(rd.displayType);
    w.tag(3, 2).string(rd.defaultNamespace);
    for (const a of rd.aliases) w.tag(4, 2).string(a);
    for (const a of rd.allAliases) w.tag(5, 2).string(a);
    for (const c of rd.printColumns) {
      const col = new BinaryWriter().tag(1, 2).string(c.name).tag(2, 2).string(c.jsonPath).finish();
      w.tag(6, 2).bytes(col);
    }
    if (rd.sensitive) w.tag(7, 0).int32(1);
    return w.finish();
  },
  view: (rd) => ({
    type: rd.type,
    displayType: rd.displayType,
    defaultNamespace: rd.defaultNamespace,
    aliases: [...rd.aliases],
    allAliases: [...rd.allAliases],
    printColumns: rd.printColumns.map((c) => ({ name: c.name, jsonPath: c.jsonPath })),
    ...(rd.sensitive ? { sensitivity: "sensitive" } : {}),
  }),
};

// ---------------------------------------------------------------------------------------------
// config.talos.dev

/** The whole multi-document config text (as applied). */
export const machineConfigKind: ResourceKind<string> = {
  definition: defineResource({
    type: MACHINE_CONFIG_TYPE,
    defaultNamespace: NS.config,
    sensitive: true,
  }),
  encode: (text) => new BinaryWriter().tag(1, 2).bytes(Buffer.from(text, "utf8")).finish(),
  view: (text) => text,
};

/** Annotation telling clients the yaml_spec is a YAML string holding the config. */
export const MACHINE_CONFIG_ANNOTATIONS: Readonly<Record<string, string>> = { "talos.dev/yaml-spec": "1" };

export type MachineTypeName = "unknown" | "init" | "controlplane" | "worker";
const MACHINE_TYPE_NUMBER: Readonly<Record<MachineTypeName, number>> = {
  unknown: 0,
  init: 1,
  controlplane: 2,
  worker: 3,
};

export const machineTypeKind: ResourceKind<MachineTypeName> = {
  definition: defineResource({
    type: "MachineTypes.config.talos.dev",
    defaultNamespace: NS.config,
    printColumns: [{ name: "Type", jsonPath: "{@}" }],
  }),
  encode: (t) => new BinaryWriter().tag(1, 0).int32(MACHINE_TYPE_NUMBER[t]).finish(),
  view: (t) => t,
};

// ---------------------------------------------------------------------------------------------
// runtime.talos.dev and v1alpha1.talos.dev

export const MACHINE_STAGES = [
  "unknown",
  "booting",
  "installing",
  "maintenance",
  "running",
  "rebooting",
  "shutting down",
  "resetting",
  "upgrading",
] as const;
export type MachineStageName = (typeof MACHINE_STAGES)[number];

export interface MachineStatusSpec {
  readonly stage: MachineStageName;
  readonly ready: boolean;
  readonly unmetConditions: readonly { readonly name: string; readonly reason: string }[];
}

export const machineStatusKind: ResourceKind<MachineStatusSpec> = {
  definition: defineResource({
    type: "MachineStatuses.runtime.talos.dev",
    defaultNamespace: NS.runtime,
    printColumns: [
      { name: "Stage", jsonPath: "{.stage}" },
      { name: "Ready", jsonPath: "{.status.ready}" },
    ],
  }),
  encode: (s) =>
    toBinary(
      MachineStatusSpecSchema,
      create(MachineStatusSpecSchema, {
        // Stage numbers follow RuntimeMachineStage, in the order of MACHINE_STAGES.
        stage: MACHINE_STAGES.indexOf(s.stage) as RuntimeMachineStage,
        status: create(MachineStatusStatusSchema, {
          ready: s.ready,
          unmetConditions: s.unmetConditions.map((c) => create(UnmetConditionSchema, c)),
        }),
      }),
    ),
  view: (s) => ({
    stage: s.stage,
    status: { ready: s.ready, unmetConditions: s.unmetConditions.map((c) => ({ ...c })) },
  }),
};

export interface ServiceResourceSpec {
  readonly running: boolean;
  readonly healthy: boolean;
  readonly unknown: boolean;
}

export const serviceKind: ResourceKind<ServiceResourceSpec> = {
  definition: defineResource({
    type: "Services.v1alpha1.talos.dev",
    defaultNamespace: NS.runtime,
    aliases: ["svc"],
    printColumns: [
      { name: "Running", jsonPath: "{.running}" },
      { name: "Healthy", jsonPath: "{.healthy}" },
      { name: "Health Unknown", jsonPath: "{.unknown}" },
    ],
  }),
  encode: (s) => toBinary(ServiceSpecSchema, create(ServiceSpecSchema, s)),
  view: (s) => ({ running: s.running, healthy: s.healthy, unknown: s.unknown }),
};

export const versionKind: ResourceKind<{ version: string }> = {
  definition: defineResource({
    type: "Versions.runtime.talos.dev",
    defaultNamespace: NS.runtime,
    printColumns: [{ name: "Version", jsonPath: "{.version}" }],
  }),
  encode: (s) => toBinary(VersionSpecSchema, create(VersionSpecSchema, { version: s.version })),
  view: (s) => ({ version: s.version }),
};

// ---------------------------------------------------------------------------------------------
// net.talos.dev

export interface HostnameStatusSpec {
  readonly hostname: string;
  readonly domainname: string;
}

export const hostnameStatusKind: ResourceKind<HostnameStatusSpec> = {
  definition: defineResource({
    type: "HostnameStatuses.net.talos.dev",
    defaultNamespace: NS.network,
    aliases: ["hostname"],
    printColumns: [
      { name: "Hostname", jsonPath: "{.hostname}" },
      { name: "Domainname", jsonPath: "{.domainname}" },
    ],
  }),
  encode: (s) => toBinary(HostnameStatusSpecSchema, create(HostnameStatusSpecSchema, s)),
  view: (s) => ({ hostname: s.hostname, domainname: s.domainname }),
};

/** Addresses in CIDR notation (`10.5.0.2/24`). */
export interface NodeAddressSpec {
  readonly addresses: readonly string[];
}

export const nodeAddressKind: ResourceKind<NodeAddressSpec> = {
  definition: defineResource({
    type: "NodeAddresses.net.talos.dev",
    defaultNamespace: NS.network,
    printColumns: [{ name: "Addresses", jsonPath: "{.addresses}" }],
  }),
  encode: (s) =>
    toBinary(
      NodeAddressSpecSchema,
      create(NodeAddressSpecSchema, {
        addresses: s.addresses.map((cidr) => {
          const [ip, bits] = cidr.split("/");
          return create(NetIPPrefixSchema, { ip: ipToBytes(ip ?? ""), prefixLength: Number(bits) });
        }),
      }),
    ),
  view: (s) => ({ addresses: [...s.addresses] }),
};

export function ipToBytes(ip: string): Uint8Array {
  if (ip.includes(":")) {
    const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, ""];
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const groups = [...h, ...new Array(8 - h.length - t.length).fill("0"), ...t];
    const out = new Uint8Array(16);
    groups.forEach((g, i) => {
      const v = Number.parseInt(g, 16);
      out[i * 2] = v >> 8;
      out[i * 2 + 1] = v & 0xff;
    });
    return out;
  }
  return Uint8Array.from(ip.split(".").map(Number));
}

// ---------------------------------------------------------------------------------------------
// block.talos.dev (in the runtime namespace, as Talos keeps them)

export interface DiskResourceSpec {
  readonly devPath: string;
  readonly size: number;
  readonly prettySize: string;
  readonly model: string;
  readonly serial: string;
  readonly modalias: string;
  readonly wwid: string;
  readonly busPath: string;
  readonly transport: string;
  readonly rotational: boolean;
  readonly symlinks: readonly string[];
}

export const diskKind: ResourceKind<DiskResourceSpec> = {
  definition: defineResource({
    type: "Disks.block.talos.dev",
    defaultNamespace: NS.runtime,
    printColumns: [
      { name: "Size", jsonPath: "{.pretty_size}" },
      { name: "Read Only", jsonPath: "{.readonly}" },
      { name: "Transport", jsonPath: "{.transport}" },
      { name: "Rotational", jsonPath: "{.rotational}" },
      { name: "WWID", jsonPath: "{.wwid}" },
      { name: "Model", jsonPath: "{.model}" },
      { name: "Serial", jsonPath: "{.serial}" },
    ],
  }),
  encode: (d) =>
    toBinary(
      DiskSpecSchema,
      create(DiskSpecSchema, {
        size: BigInt(d.size),
        ioSize: 512n,
        sectorSize: 512n,
        readonly: false,
        model: d.model,
        serial: d.serial,
        modalias: d.modalias,
        wwid: d.wwid,
        busPath: d.busPath,
        subSystem: "/sys/class/block",
        transport: d.transport,
        rotational: d.rotational,
        cdrom: false,
        devPath: d.devPath,
        prettySize: d.prettySize,
        symlinks: [...d.symlinks],
      }),
    ),
  view: (d) => ({
    dev_path: d.devPath,
    size: d.size,
    pretty_size: d.prettySize,
    io_size: 512,
    sector_size: 512,
    readonly: false,
    cdrom: false,
    model: d.model,
    serial: d.serial,
    modalias: d.modalias,
    ...(d.wwid ? { wwid: d.wwid } : {}),
    bus_path: d.busPath,
    sub_system: "/sys/class/block",
    transport: d.transport,
    rotational: d.rotational,
    symlinks: [...d.symlinks],
  }),
};

export const systemDiskKind: ResourceKind<{ diskId: string; devPath: string }> = {
  definition: defineResource({
    type: "SystemDisks.block.talos.dev",
    defaultNamespace: NS.runtime,
    printColumns: [{ name: "Disk", jsonPath: "{.diskID}" }],
  }),
  encode: (s) =>
    toBinary(SystemDiskSpecSchema, create(SystemDiskSpecSchema, { diskId: s.diskId, devPath: s.devPath })),
  view: (s) => ({ diskID: s.diskId, devPath: s.devPath }),
};

export type VolumePhaseName = "waiting" | "ready";

export interface VolumeStatusResourceSpec {
  readonly phase: VolumePhaseName;
  readonly location: string;
  readonly partitionIndex: number;
  readonly parentLocation: string;
  readonly size: number;
  readonly prettySize: string;
  readonly filesystem: "xfs" | "vfat" | "none";
  /** Mount target once mounted (empty for raw volumes). */
  readonly target: string;
}

const FILESYSTEM: Readonly<Record<VolumeStatusResourceSpec["filesystem"], BlockFilesystemType>> = {
  none: BlockFilesystemType.FILESYSTEM_TYPE_NONE,
  xfs: BlockFilesystemType.FILESYSTEM_TYPE_XFS,
  vfat: BlockFilesystemType.FILESYSTEM_TYPE_VFAT,
};

export const volumeStatusKind: ResourceKind<VolumeStatusResourceSpec> = {
  definition: defineResource({
    type: "VolumeStatuses.block.talos.dev",
    defaultNamespace: NS.runtime,
    printColumns: [
      { name: "Type", jsonPath: "{.type}" },
      { name: "Phase", jsonPath: "{.phase}" },
      { name: "Location", jsonPath: "{.location}" },
      { name: "Size", jsonPath: "{.prettySize}" },
    ],
  }),
  encode: (v) =>
    toBinary(
      VolumeStatusSpecSchema,
      create(VolumeStatusSpecSchema, {
        phase:
          v.phase === "ready" ? BlockVolumePhase.VOLUME_PHASE_READY : BlockVolumePhase.VOLUME_PHASE_WAITING,
        type: BlockVolumeType.VOLUME_TYPE_PARTITION,
        location: v.location,
        mountLocation: v.location,
        partitionIndex: BigInt(v.partitionIndex),
        parentLocation: v.parentLocation,
        size: BigInt(v.size),
        prettySize: v.prettySize,
        filesystem: FILESYSTEM[v.filesystem],
        ...(v.target
          ? { mountSpec: create(MountSpecSchema, { targetPath: v.target, fileMode: 0o755 }) }
          : {}),
      }),
    ),
  view: (v) => ({
    phase: v.phase,
    type: "partition",
    location: v.location,
    mountLocation: v.location,
    partitionIndex: v.partitionIndex,
    parentLocation: v.parentLocation,
    size: v.size,
    prettySize: v.prettySize,
    filesystem: v.filesystem,
    ...(v.target ? { mountSpec: { targetPath: v.target, fileMode: 493 } } : {}),
  }),
};

// ---------------------------------------------------------------------------------------------
// kubernetes.talos.dev

/** The name the kubelet registers its Node under (siderolabs/talos: k8s.NodenameController). */
export interface NodenameSpec {
  readonly nodename: string;
  /** The version of the HostnameStatus the name was derived from. */
  readonly hostnameVersion: string;
  readonly skipNodeRegistration: boolean;
}

export const nodenameKind: ResourceKind<NodenameSpec> = {
  definition: defineResource({
    type: "Nodenames.kubernetes.talos.dev",
    defaultNamespace: NS.k8s,
    printColumns: [{ name: "Nodename", jsonPath: "{.nodename}" }],
  }),
  encode: (s) => toBinary(NodenameSpecSchema, create(NodenameSpecSchema, s)),
  view: (s) => ({
    nodename: s.nodename,
    hostnameVersion: s.hostnameVersion,
    ...(s.skipNodeRegistration ? { skipNodeRegistration: true } : {}),
  }),
};

/** Every kind the node registers (besides the two meta kinds the store registers itself). */
export const NODE_KINDS: readonly ResourceKind<never>[] = [
  machineConfigKind,
  machineTypeKind,
  machineStatusKind,
  serviceKind,
  versionKind,
  hostnameStatusKind,
  nodeAddressKind,
  diskKind,
  systemDiskKind,
  volumeStatusKind,
  nodenameKind,
] as unknown as ResourceKind<never>[];
