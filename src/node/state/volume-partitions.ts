// The partitions the volume manager created for user, raw and swap volumes. They are on the
// disks, not in the machine config: removing a volume document leaves its partition (and the
// data on it) where it was, and a document naming the same volume again finds it there instead
// of creating another. Only wiping the disk takes them away. Kept in STATE
// (`volume-partitions.json`) so they outlive reboots as disks do.
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../fsutil/index.js";

export const VOLUME_PARTITIONS_FILE = "volume-partitions.json";

export interface VolumePartition {
  /** The disk it is on: `/dev/sdb`. */
  readonly disk: string;
  /** 1-based partition number. */
  readonly index: number;
  /** Bytes from the start of the disk. */
  readonly offset: number;
  readonly size: number;
  /** The GPT partition name: the volume's id (`u-data`, `r-scratch`, `s-swap1`). */
  readonly label: string;
  /** The GPT partition type GUID (upper case). */
  readonly type: string;
  /** The filesystem on it: `xfs`, `ext4`, `swap`, ...; `none` when it has none. */
  readonly filesystem: string;
}

function valid(p: unknown): p is VolumePartition {
  if (p === null || typeof p !== "object") return false;
  const r = p as Record<string, unknown>;
  return (
    typeof r.disk === "string" &&
    typeof r.label === "string" &&
    typeof r.type === "string" &&
    typeof r.filesystem === "string" &&
    [r.index, r.offset, r.size].every((n) => typeof n === "number" && Number.isInteger(n) && n >= 0)
  );
}

const sameSpot = (a: VolumePartition, b: VolumePartition): boolean =>
  a.disk === b.disk && a.index === b.index;

const order = (a: VolumePartition, b: VolumePartition): number =>
  a.disk < b.disk ? -1 : a.disk > b.disk ? 1 : a.index - b.index;

export class VolumePartitions {
  private parts: VolumePartition[];
  private readonly file: string | undefined;

  /** Reads the record from a STATE directory; without one, it lives in memory only. */
  constructor(stateDir?: string) {
    this.file = stateDir === undefined ? undefined : path.join(stateDir, VOLUME_PARTITIONS_FILE);
    this.parts = this.read();
  }

  private read(): VolumePartition[] {
    if (this.file === undefined) return [];
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch {
      return [];
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.filter(valid).sort(order) : [];
    } catch {
      return [];
    }
  }

  private save(): void {
    if (this.file === undefined) return;
    writeFileAtomic(this.file, `${JSON.stringify(this.parts, null, 2)}\n`, { mode: 0o600 });
  }

  list(): readonly VolumePartition[] {
    return this.parts;
  }

  /** A partition was created or its filesystem made; true when the record changed. */
  record(p: VolumePartition): boolean {
    const i = this.parts.findIndex((x) => sameSpot(x, p));
    const old = i >= 0 ? this.parts[i] : undefined;
    if (old && JSON.stringify(old) === JSON.stringify(p)) return false;
    // A partition that overlaps the new one is gone (its space was reused).
    this.parts = this.parts.filter(
      (x) =>
        x.disk !== p.disk ||
        (!sameSpot(x, p) && (x.offset + x.size <= p.offset || x.offset >= p.offset + p.size)),
    );
    this.parts.push({ ...p });
    this.parts.sort(order);
    this.save();
    return true;
  }

  /** The disk's partition table was wiped: its partitions are gone; true when any were recorded. */
  forgetDisk(disk: string): boolean {
    const kept = this.parts.filter((p) => p.disk !== disk);
    if (kept.length === this.parts.length) return false;
    this.parts = kept;
    this.save();
    return true;
  }
}
