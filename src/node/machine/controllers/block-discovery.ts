// The block devices the kernel shows for the emulated disks and their partitions, and what
// Talos's discovery probes on them (siderolabs/talos: internal/app/machined/pkg/controllers/block:
// devices.go, discovery.go, symlinks.go): a BlockDevice, a BlockSymlink (the /dev/disk links
// udev makes) and a DiscoveredVolume per disk and partition, the discovery refresh request and
// its acknowledgement, and the VolumeLifecycle that machined creates at startup.
import {
  DeviceSpecSchema,
  DiscoveredVolumeSpecSchema,
  type DiscoveryRefreshRequestSpec,
  DiscoveryRefreshRequestSpecSchema,
  DiscoveryRefreshStatusSpecSchema,
  SymlinkSpecSchema,
} from "../../../gen/resource/definitions/block/block_pb.js";
import { bytesSI } from "../../../wire/index.js";
import { type Disk, diskFacts, diskName } from "../../platform/index.js";
import { type Controller, kindOf, messageKind, NS, type ResourceKind, spec } from "../../resources/index.js";
import { VOLUME_STATUS } from "../volumes.js";
import { blockLayout, type DiskLayout, type PartitionFacts } from "./block-layout.js";
import { INPUT, type MachineSource } from "./source.js";

export const DISCOVERED_VOLUME = messageKind("DiscoveredVolumes.block.talos.dev", DiscoveredVolumeSpecSchema);
const BLOCK_DEVICE = messageKind("BlockDevices.block.talos.dev", DeviceSpecSchema);
const BLOCK_SYMLINK = messageKind("BlockSymlinks.block.talos.dev", SymlinkSpecSchema);

const REFRESH_REQUEST = messageKind(
  "DiscoveryRefreshRequests.block.talos.dev",
  DiscoveryRefreshRequestSpecSchema,
);
const REFRESH_STATUS = messageKind(
  "DiscoveryRefreshStatuses.block.talos.dev",
  DiscoveryRefreshStatusSpecSchema,
);
/** The id of both refresh resources (siderolabs/talos: block.RefreshID). */
const REFRESH_ID = "refresh";

const SECTOR = 512n;

/**
 * The layout the machine's disks have now. The system disk holds Talos's partitions once the
 * machine is installed, or whenever the machine publishes its system volumes (it boots from them).
 */
export function currentLayout(
  source: MachineSource,
  get: (namespace: string, type: string, id: string) => unknown,
): ReturnType<typeof blockLayout> {
  const partitioned =
    source.installed() || get(NS.runtime, VOLUME_STATUS.definition.type, "META") !== undefined;
  return blockLayout(
    source.disks,
    partitioned,
    source.machineUuid,
    source.active(),
    source.volumePartitions?.() ?? [],
  );
}

const READS_VOLUMES = [{ namespace: NS.runtime, type: VOLUME_STATUS.definition.type }];

/** The sysfs device path of a disk. */
export function sysfsPath(disk: Disk): string {
  return `/sys/devices${disk.busPath}/block/${diskName(disk)}`;
}

/** Major and first minor of a disk, as the kernel numbers its driver's devices. */
function deviceNumbers(disk: Disk, index: number): { major: bigint; minor: bigint } {
  const name = diskName(disk);
  if (name.startsWith("nvme")) return { major: 259n, minor: BigInt(index * 16) };
  if (name.startsWith("vd")) return { major: 253n, minor: BigInt((name.charCodeAt(2) - 97) * 16) };
  if (name.startsWith("mmcblk")) return { major: 179n, minor: BigInt(index * 8) };
  return { major: 8n, minor: BigInt(Math.max(0, name.charCodeAt(2) - 97) * 16) };
}

/** How blkid reports a filesystem's block sizes. */
function blockSizes(name: string): { block: number; fs: number } {
  switch (name) {
    case "xfs":
    case "ext4":
    case "swap":
      return { block: 4096, fs: 4096 };
    case "vfat":
      return { block: 512, fs: 4096 };
    default:
      return { block: 0, fs: 0 };
  }
}

export function diskVolume(l: DiskLayout) {
  const f = diskFacts(l.disk);
  const probed = l.partitions.length > 0;
  return spec(DiscoveredVolumeSpecSchema, {
    devPath: f.devPath,
    type: "disk",
    devicePath: sysfsPath(l.disk),
    offset: 0n,
    size: BigInt(f.size),
    prettySize: f.prettySize,
    sectorSize: SECTOR,
    ioSize: SECTOR,
    name: probed ? "gpt" : "",
    uuid: l.ptUuid,
    blockSize: probed ? 512 : 0,
    probedSize: probed ? BigInt(f.size) : 0n,
  });
}

export function partitionVolume(l: DiskLayout, p: PartitionFacts) {
  const sizes = blockSizes(p.probedName);
  return spec(DiscoveredVolumeSpecSchema, {
    devPath: p.devPath,
    type: "partition",
    devicePath: `${sysfsPath(l.disk)}/${p.id}`,
    parent: diskName(l.disk),
    parentDevPath: l.disk.devPath,
    offset: BigInt(p.offset),
    size: BigInt(p.size),
    prettySize: bytesSI(p.size),
    sectorSize: SECTOR,
    ioSize: SECTOR,
    name: p.probedName,
    uuid: p.fsUuid,
    label: p.fsLabel,
    blockSize: sizes.block,
    filesystemBlockSize: sizes.fs,
    probedSize: p.probedName && p.probedName !== "talosmeta" ? BigInt(p.size) : 0n,
    partitionUuid: p.partitionUuid.toLowerCase(),
    partitionType: p.partitionType.toLowerCase(),
    partitionLabel: p.partitionLabel,
    partitionIndex: BigInt(p.index),
  });
}

const discovery: Controller<MachineSource> = {
  name: "block.DiscoveryController",
  inputs: [INPUT.config, INPUT.boot],
  reads: [...READS_VOLUMES, { namespace: NS.runtime, type: REFRESH_REQUEST.definition.type }],
  run({ source, put, get }) {
    // Each rescan acknowledges the last refresh request it has seen (0 before any).
    const request = get(NS.runtime, REFRESH_REQUEST.definition.type, REFRESH_ID)?.spec as
      | DiscoveryRefreshRequestSpec
      | undefined;
    put(
      REFRESH_STATUS,
      NS.runtime,
      REFRESH_ID,
      spec(DiscoveryRefreshStatusSpecSchema, { request: request?.request ?? 0n }),
    );
    for (const l of currentLayout(source, get).disks) {
      put(DISCOVERED_VOLUME, NS.runtime, diskName(l.disk), diskVolume(l));
      for (const p of l.partitions) put(DISCOVERED_VOLUME, NS.runtime, p.id, partitionVolume(l, p));
    }
  },
};

const devices: Controller<MachineSource> = {
  name: "block.DevicesController",
  inputs: [INPUT.config, INPUT.boot],
  reads: READS_VOLUMES,
  run({ source, put, get }) {
    currentLayout(source, get).disks.forEach((l, i) => {
      const { major, minor } = deviceNumbers(l.disk, i);
      const path = sysfsPath(l.disk);
      // The kernel reports a disk again (a new generation) when its partition table changes.
      put(
        BLOCK_DEVICE,
        NS.runtime,
        diskName(l.disk),
        spec(DeviceSpecSchema, {
          type: "disk",
          major,
          minor,
          devicePath: path,
          generation: BigInt(1 + l.partitions.length),
        }),
      );
      for (const p of l.partitions) {
        put(
          BLOCK_DEVICE,
          NS.runtime,
          p.id,
          spec(DeviceSpecSchema, {
            type: "partition",
            major,
            minor: minor + BigInt(p.index),
            partitionName: p.partitionLabel,
            partitionNumber: BigInt(p.index),
            devicePath: `${path}/${p.id}`,
            generation: 1n,
            parent: diskName(l.disk),
          }),
        );
      }
    });
  },
};

const symlinks: Controller<MachineSource> = {
  name: "block.SymlinksController",
  inputs: [INPUT.config, INPUT.boot],
  reads: READS_VOLUMES,
  run({ source, put, get }) {
    for (const l of currentLayout(source, get).disks) {
      const f = diskFacts(l.disk);
      put(BLOCK_SYMLINK, NS.runtime, f.name, spec(SymlinkSpecSchema, { paths: [...f.symlinks].sort() }));
      for (const p of l.partitions) {
        const paths = [
          ...f.symlinks.map((s) => `${s}-part${p.index}`),
          `/dev/disk/by-partuuid/${p.partitionUuid.toLowerCase()}`,
          ...(p.partitionLabel ? [`/dev/disk/by-partlabel/${p.partitionLabel}`] : []),
          ...(p.fsUuid ? [`/dev/disk/by-uuid/${p.fsUuid}`] : []),
          ...(p.fsLabel ? [`/dev/disk/by-label/${p.fsLabel}`] : []),
        ].sort();
        put(BLOCK_SYMLINK, NS.runtime, p.id, spec(SymlinkSpecSchema, { paths }));
      }
    }
  },
};

/**
 * Once udev reports the devices ready, one refresh request asks discovery to probe every device
 * again (siderolabs/talos v1.14: discovered_volumes_status.go; VolumeManagerController before).
 */
const refreshRequest: Controller<MachineSource> = {
  name: "block.DiscoveredVolumesStatusController",
  inputs: [],
  reads: [{ namespace: NS.runtime, type: "DevicesStatuses.runtime.talos.dev" }],
  run({ put, get }) {
    const devices = get(NS.runtime, "DevicesStatuses.runtime.talos.dev", "devices")?.spec as
      | { ready?: boolean }
      | undefined;
    if (!devices?.ready) return;
    put(REFRESH_REQUEST, NS.runtime, REFRESH_ID, spec(DiscoveryRefreshRequestSpecSchema, { request: 1n }));
  },
};

const VOLUME_LIFECYCLE = kindOf("VolumeLifecycles.block.talos.dev") as ResourceKind<null>;

/** machined creates `volumes` at startup (siderolabs/talos: internal/app/machined/pkg/startup/tasks.go). */
const volumeLifecycle: Controller<MachineSource> = {
  name: "startup.VolumeLifecycle",
  owner: "",
  inputs: [],
  run({ put }) {
    put(VOLUME_LIFECYCLE, NS.runtime, "volumes", null);
  },
};

export const BLOCK_DISCOVERY_CONTROLLERS: readonly Controller<MachineSource>[] = [
  devices,
  symlinks,
  discovery,
  refreshRequest,
  volumeLifecycle,
];
