// statfs(2) of the emulated filesystems: the block counts the mount table reports, and inode
// counts as the filesystem kinds have them (xfs allocates inodes on demand up to a quarter of
// its space at 512 bytes each; tmpfs offers one inode per two pages of memory; the root
// squashfs is read-only and full).
import type { MountRow } from "./hardware.js";

export interface FilesystemStats {
  readonly size: number;
  readonly used: number;
  readonly available: number;
  readonly inodes: number;
  readonly inodesUsed: number;
  readonly inodesFree: number;
}

/** Bytes one used inode stands for on the emulated filesystems (files average this size). */
const BYTES_PER_USED_INODE = 24 * 1024;
/** Inodes a fresh filesystem already uses (root directory, lost+found, quota files). */
const BASE_INODES = 3;
/** The root squashfs: its files and its size. */
const ROOTFS_INODES = 4_613;

export function filesystemStats(row: MountRow): FilesystemStats {
  const used = Math.max(0, row.size - row.available);
  if (row.filesystem === "rootfs") {
    return {
      size: row.size,
      used,
      available: row.available,
      inodes: ROOTFS_INODES,
      inodesUsed: ROOTFS_INODES,
      inodesFree: 0,
    };
  }
  const inodes =
    row.filesystem === "tmpfs" ? Math.floor(row.size / 4096 / 2) : Math.floor((row.size * 0.25) / 512);
  const inodesUsed = Math.min(inodes, BASE_INODES + Math.floor(used / BYTES_PER_USED_INODE));
  return {
    size: row.size,
    used,
    available: row.available,
    inodes,
    inodesUsed,
    inodesFree: inodes - inodesUsed,
  };
}

/** The mount a path lives on: the longest mount point that is the path or one of its parents. */
export function mountOf(rows: readonly MountRow[], path: string): MountRow | undefined {
  let best: MountRow | undefined;
  for (const row of rows) {
    const point = row.mountedOn;
    const inside = point === "/" || path === point || path.startsWith(`${point}/`);
    if (inside && (!best || point.length > best.mountedOn.length)) best = row;
  }
  return best;
}
