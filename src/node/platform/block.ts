// The emulated block layer: each disk's properties as the kernel and udev report them, Talos's
// partition layout on the system disk once installed, and the volumes living on it (the same
// sizes the mount table reports).

import { bytesSI } from "../../wire/index.js";
import type { Disk } from "./disks.js";

const MIB = 1_048_576;

/** Talos's partitions on an installed system disk, in order (the EPHEMERAL one takes the rest). */
export const PARTITIONS = [
  { label: "EFI", bytes: 100 * MIB, filesystem: "vfat" },
  { label: "BIOS", bytes: 1 * MIB, filesystem: "" },
  { label: "BOOT", bytes: 1000 * MIB, filesystem: "xfs" },
  { label: "META", bytes: 1 * MIB, filesystem: "" },
  { label: "STATE", bytes: 100 * MIB, filesystem: "xfs" },
  { label: "EPHEMERAL", bytes: 0, filesystem: "xfs" },
] as const;

/** Bytes the system disk keeps before the EPHEMERAL partition (layout plus alignment). */
export const RESERVED_BEFORE_EPHEMERAL = 1_500 * MIB;

export function diskName(disk: Disk): string {
  return disk.devPath.replace(/^\/dev\//, "");
}

export function partitionPath(disk: Disk, n: number): string {
  const name = diskName(disk);
  return `/dev/${name}${/\d$/.test(name) ? "p" : ""}${n}`;
}

export interface DiskFacts {
  readonly name: string;
  readonly devPath: string;
  readonly size: number;
  readonly model: string;
  readonly serial: string;
  readonly modalias: string;
  readonly wwid: string;
  readonly busPath: string;
  readonly transport: string;
  readonly rotational: boolean;
  readonly type: Disk["type"];
  readonly prettySize: string;
  readonly symlinks: readonly string[];
}

export function diskFacts(disk: Disk): DiskFacts {
  const name = diskName(disk);
  const nvme = disk.type === "nvme";
  return {
    name,
    devPath: disk.devPath,
    size: disk.size,
    model: disk.model,
    serial: disk.serial,
    modalias: nvme ? "nvme:v1B36d00000010" : "virtio:d00000002v00001AF4",
    wwid: nvme ? `eui.${disk.serial.toLowerCase().padEnd(16, "0")}` : "",
    busPath: disk.busPath,
    transport: nvme ? "nvme" : "virtio",
    rotational: disk.type === "hdd",
    type: disk.type,
    prettySize: bytesSI(disk.size),
    symlinks: [
      `/dev/disk/by-path/pci-0000:00:0${disk.busPath.slice(-1)}.0`,
      `/dev/disk/by-id/virtio-${disk.serial}`,
    ],
  };
}

export interface VolumeFacts {
  /** Volume id: `META`, `STATE`, `EPHEMERAL`. */
  readonly id: string;
  readonly location: string;
  readonly partitionIndex: number;
  readonly size: number;
  readonly filesystem: "xfs" | "vfat" | "none";
  /** Where it is mounted once ready (empty for raw volumes). */
  readonly target: string;
}

/** The volumes Talos manages on the system disk (STATE and EPHEMERAL mounted, META raw). */
export function systemVolumes(disk: Disk): VolumeFacts[] {
  return [
    {
      id: "META",
      location: partitionPath(disk, 4),
      partitionIndex: 4,
      size: MIB,
      filesystem: "none",
      target: "",
    },
    {
      id: "STATE",
      location: partitionPath(disk, 5),
      partitionIndex: 5,
      size: 100 * MIB,
      filesystem: "xfs",
      target: "/system/state",
    },
    {
      id: "EPHEMERAL",
      location: partitionPath(disk, 6),
      partitionIndex: 6,
      size: Math.max(0, disk.size - RESERVED_BEFORE_EPHEMERAL),
      filesystem: "xfs",
      target: "/var",
    },
  ];
}
