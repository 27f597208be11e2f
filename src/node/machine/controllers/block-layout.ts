// What the emulated disks hold as Talos's block controllers see them: Talos's partitions on the
// installed system disk, and the partitions the volume manager provisions for the user, raw and
// swap volume documents of the config (siderolabs/talos:
// internal/app/machined/pkg/controllers/block/internal/volumes: partition.go, volumes.go,
// locate.go). GPT, partition and filesystem UUIDs derive from the machine's UUID, so they stay
// the same across boots of one node.
import { createHash } from "node:crypto";
import { BlockFilesystemType } from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  type Disk,
  diskFacts,
  diskName,
  PARTITIONS,
  partitionPath,
  RESERVED_BEFORE_EPHEMERAL,
} from "../../platform/index.js";
import type { VolumePartition } from "../../state/index.js";
import type { MachineConfig } from "../config.js";
import { type CelObject, celMatches } from "./block-cel.js";
import { type UserVolume, userVolumes } from "./block-user-volumes.js";

const MIB = 1_048_576;

/** Partition type GUIDs (siderolabs/talos: internal/pkg/partition). */
export const PARTITION_TYPE = {
  efi: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
  bios: "21686148-6449-6E6F-744E-656564454649",
  linuxData: "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
  swap: "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F",
} as const;

const FILESYSTEM: Readonly<Record<string, BlockFilesystemType>> = {
  none: BlockFilesystemType.FILESYSTEM_TYPE_NONE,
  xfs: BlockFilesystemType.FILESYSTEM_TYPE_XFS,
  vfat: BlockFilesystemType.FILESYSTEM_TYPE_VFAT,
  ext4: BlockFilesystemType.FILESYSTEM_TYPE_EXT4,
  swap: BlockFilesystemType.FILESYSTEM_TYPE_SWAP,
  btrfs: BlockFilesystemType.FILESYSTEM_TYPE_BTRFS,
  iso9660: BlockFilesystemType.FILESYSTEM_TYPE_ISO9660,
  virtiofs: BlockFilesystemType.FILESYSTEM_TYPE_VIRTIOFS,
};

/** The filesystem type of a filesystem name (`none` when unknown). */
export function filesystemType(name: string): BlockFilesystemType {
  return FILESYSTEM[name] ?? BlockFilesystemType.FILESYSTEM_TYPE_NONE;
}

/** One partition of an emulated disk. */
export interface PartitionFacts {
  /** `sda6` */
  readonly id: string;
  readonly disk: Disk;
  readonly index: number;
  readonly devPath: string;
  readonly offset: number;
  readonly size: number;
  readonly partitionLabel: string;
  readonly partitionType: string;
  readonly partitionUuid: string;
  /** The filesystem the volume manager or the installer made: `xfs`, `vfat`, `swap`, `none`. */
  readonly filesystem: string;
  /** What blkid names the content (`xfs`, `vfat`, `swap`, `talosmeta`; empty when unknown). */
  readonly probedName: string;
  readonly fsLabel: string;
  readonly fsUuid: string;
  /** The volume living on it (`EPHEMERAL`, `u-data`), if any. */
  readonly volumeId?: string;
}

export interface DiskLayout {
  readonly disk: Disk;
  readonly system: boolean;
  /** The GPT's disk GUID; empty while the disk has no partition table. */
  readonly ptUuid: string;
  readonly partitions: readonly PartitionFacts[];
}

/** Where a user volume went, or why it did not (with the partition it found, if it found one). */
export type Placement =
  | { readonly ok: true; readonly partition: PartitionFacts }
  | { readonly ok: false; readonly error: string; readonly partition?: PartitionFacts };

export interface BlockLayout {
  readonly disks: readonly DiskLayout[];
  readonly volumes: readonly UserVolume[];
  /** Placements of the partition volumes, by volume id. */
  readonly placements: ReadonlyMap<string, Placement>;
}

/** A stable UUID (version 4 layout) for one thing of one machine. */
export function stableUuid(machineUuid: string, what: string): string {
  const h = createHash("sha256").update(`${machineUuid}/${what}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x40;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const SYSTEM_FS: Readonly<
  Record<string, { readonly type: string; readonly probed: string; readonly label: string }>
> = {
  EFI: { type: PARTITION_TYPE.efi, probed: "vfat", label: "EFI" },
  BIOS: { type: PARTITION_TYPE.bios, probed: "", label: "" },
  BOOT: { type: PARTITION_TYPE.linuxData, probed: "xfs", label: "BOOT" },
  META: { type: PARTITION_TYPE.linuxData, probed: "talosmeta", label: "" },
  STATE: { type: PARTITION_TYPE.linuxData, probed: "xfs", label: "STATE" },
  EPHEMERAL: { type: PARTITION_TYPE.linuxData, probed: "xfs", label: "EPHEMERAL" },
};

/** Whether a partition name is one of Talos's own on the system disk. */
export function isSystemPartition(label: string): boolean {
  return Object.hasOwn(SYSTEM_FS, label);
}

function systemPartitions(disk: Disk, machineUuid: string): PartitionFacts[] {
  const out: PartitionFacts[] = [];
  let offset = MIB;
  PARTITIONS.forEach((p, i) => {
    const index = i + 1;
    const fs = SYSTEM_FS[p.label] ?? { type: PARTITION_TYPE.linuxData, probed: "", label: "" };
    const size = p.label === "EPHEMERAL" ? Math.max(0, disk.size - RESERVED_BEFORE_EPHEMERAL) : p.bytes;
    const id = diskName(disk) + partitionPath(disk, index).slice(`/dev/${diskName(disk)}`.length);
    out.push({
      id,
      disk,
      index,
      devPath: partitionPath(disk, index),
      offset,
      size,
      partitionLabel: p.label,
      partitionType: fs.type,
      partitionUuid: stableUuid(machineUuid, `partition/${id}`),
      filesystem: p.filesystem || "none",
      probedName: fs.probed,
      fsLabel: fs.label,
      fsUuid: fs.probed && fs.probed !== "talosmeta" ? stableUuid(machineUuid, `filesystem/${id}`) : "",
      ...(["META", "STATE", "EPHEMERAL"].includes(p.label) ? { volumeId: p.label } : {}),
    });
    offset = p.label === "STATE" ? RESERVED_BEFORE_EPHEMERAL : offset + size;
  });
  return out;
}

/** Provisioning order (siderolabs/talos: volumes.CompareVolumeConfigs): fixed size before grow, smaller max size first. */
function provisioningOrder(a: UserVolume, b: UserVolume): number {
  if (a.grow !== b.grow) return a.grow ? 1 : -1;
  const sa = a.maxSize || Number.MAX_SAFE_INTEGER;
  const sb = b.maxSize || Number.MAX_SAFE_INTEGER;
  return sa !== sb ? sa - sb : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The disk as the `disk` variable of a disk selector (DiskSpec by protobuf field name). */
export function diskCelObject(disk: Disk): CelObject {
  const f = diskFacts(disk);
  return {
    dev_path: f.devPath,
    size: BigInt(f.size),
    pretty_size: f.prettySize,
    io_size: 512n,
    sector_size: 512n,
    readonly: false,
    cdrom: false,
    model: f.model,
    serial: f.serial,
    modalias: f.modalias,
    wwid: f.wwid,
    bus_path: f.busPath,
    sub_system: "/sys/class/block",
    transport: f.transport,
    rotational: f.rotational,
    symlinks: [...f.symlinks],
    secondary_disks: [],
    uuid: "",
    firmware_version: "",
  };
}

/** A partition an earlier volume document left on a disk, as the disk shows it now. */
function keptPartition(disk: Disk, kept: VolumePartition, machineUuid: string): PartitionFacts {
  const devPath = partitionPath(disk, kept.index);
  const id = devPath.slice("/dev/".length);
  const formatted = kept.filesystem !== "none";
  return {
    id,
    disk,
    index: kept.index,
    devPath,
    offset: kept.offset,
    size: kept.size,
    partitionLabel: kept.label,
    partitionType: kept.type,
    partitionUuid: stableUuid(machineUuid, `partition/${id}/${kept.label}`),
    filesystem: kept.filesystem,
    probedName: formatted ? kept.filesystem : "",
    fsLabel: "",
    fsUuid: formatted ? stableUuid(machineUuid, `filesystem/${id}/${kept.label}`) : "",
  };
}

/** A partition with a filesystem made on it. */
function formatted(p: PartitionFacts, filesystem: string, machineUuid: string): PartitionFacts {
  const made = filesystem !== "none";
  return {
    ...p,
    filesystem,
    probedName: made ? filesystem : "",
    fsUuid: made ? stableUuid(machineUuid, `filesystem/${p.id}/${p.partitionLabel}`) : "",
  };
}

/**
 * What the volume manager's format step makes of a partition it located for a volume
 * (siderolabs/talos: internal/volumes/format.go): a volume without a filesystem takes what is
 * there; an empty or swap partition is formatted; the same filesystem is kept; another one fails.
 */
function formatFound(
  v: UserVolume,
  p: PartitionFacts,
  machineUuid: string,
): { partition: PartitionFacts; error?: string } {
  const found = p.filesystem === "none" ? "" : p.filesystem;
  if (v.filesystem === "none" || found === v.filesystem) return { partition: p };
  if (found === "" || found === "swap") return { partition: formatted(p, v.filesystem, machineUuid) };
  return { partition: p, error: `filesystem type mismatch: ${found} != ${v.filesystem}` };
}

/** The block layout of the machine: installed system disk, then user volumes provisioned in order. */
export function blockLayout(
  disks: readonly Disk[],
  installed: boolean,
  machineUuid: string,
  config: MachineConfig | undefined,
  kept: readonly VolumePartition[] = [],
): BlockLayout {
  const volumes = userVolumes(config);
  const layouts = disks.map((disk, i) => {
    const system = i === 0 && installed;
    const end = Math.max(MIB, Math.floor((disk.size - MIB) / MIB) * MIB);
    // Installing lays Talos's partitions over the whole system disk.
    const left = system
      ? []
      : kept
          .filter((k) => k.disk === disk.devPath && k.offset + k.size <= disk.size)
          .sort((a, b) => a.index - b.index)
          .map((k) => keptPartition(disk, k, machineUuid));
    return {
      disk,
      system,
      parts: system ? systemPartitions(disk, machineUuid) : left,
      // The system disk's EPHEMERAL partition grows to its end; other disks keep 1 MiB at each end,
      // and new partitions go after the ones already there.
      next: system ? disk.size : Math.max(MIB, ...left.map((p) => p.offset + p.size)),
      end,
    };
  });
  const placements = new Map<string, Placement>();
  for (const v of [...volumes].filter((x) => x.volumeType === "partition").sort(provisioningOrder)) {
    // The locator first: a partition named for the volume is the volume, wherever it is.
    const at = layouts.find((l) => !l.system && l.parts.some((p) => p.partitionLabel === v.id));
    if (at) {
      const i = at.parts.findIndex((p) => p.partitionLabel === v.id);
      const { partition, error } = formatFound(v, { ...at.parts[i]!, volumeId: v.id }, machineUuid);
      at.parts[i] = partition;
      placements.set(v.id, error === undefined ? { ok: true, partition } : { ok: false, error, partition });
      continue;
    }
    const matched = layouts.filter((l) =>
      celMatches(v.diskSelector, { disk: diskCelObject(l.disk), system_disk: l.system }),
    );
    if (matched.length === 0) {
      placements.set(v.id, { ok: false, error: "no disks matched selector for volume" });
      continue;
    }
    const l = matched.find((m) => m.end - m.next >= v.minSize);
    if (!l) {
      placements.set(v.id, {
        ok: false,
        error: `no disks matched for volume (${matched.length} matched selector): ${matched.length} have not enough space, 0 have wrong format, 0 have other issues`,
      });
      continue;
    }
    const available = l.end - l.next;
    const max = v.relativeMaxSize ? Math.floor((available * v.relativeMaxSize) / 100) : v.maxSize;
    const size = max === 0 || max >= available ? available : max;
    const index = Math.max(0, ...l.parts.map((p) => p.index)) + 1;
    const devPath = partitionPath(l.disk, index);
    const id = devPath.slice("/dev/".length);
    const part: PartitionFacts = {
      id,
      disk: l.disk,
      index,
      devPath,
      offset: l.next,
      size,
      partitionLabel: v.id,
      partitionType: v.kind === "swap" ? PARTITION_TYPE.swap : PARTITION_TYPE.linuxData,
      partitionUuid: stableUuid(machineUuid, `partition/${id}/${v.id}`),
      filesystem: v.filesystem,
      probedName: v.filesystem === "none" ? "" : v.filesystem,
      fsLabel: "",
      fsUuid: v.filesystem === "none" ? "" : stableUuid(machineUuid, `filesystem/${id}/${v.id}`),
      volumeId: v.id,
    };
    l.parts.push(part);
    l.next += size;
    placements.set(v.id, { ok: true, partition: part });
  }
  return {
    volumes,
    placements,
    disks: layouts.map((l) => ({
      disk: l.disk,
      system: l.system,
      ptUuid: l.parts.length > 0 ? stableUuid(machineUuid, `gpt/${diskName(l.disk)}`) : "",
      partitions: l.parts,
    })),
  };
}
