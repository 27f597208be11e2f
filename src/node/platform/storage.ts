// What the emulated disks hold besides Talos's own system partitions: partitions on the extra
// disks (some with a mounted filesystem), LVM (physical volumes, volume groups and their logical
// volumes, each a device-mapper disk `dm-N`) and software RAID arrays (`mdNNN`). The layout is
// given once with `talos-node --storage FILE` and then lives in STATE (`storage.json`), so what
// a wipe or a removal changes survives reboots, as it would on real disks.
//
// The block devices and their relations follow Talos's block resources
// (siderolabs/talos: pkg/machinery/resources/block): a partition's parent is its disk; an LV's
// or array's device lists the devices it is built on as its secondaries, and its disk lists their
// disks as secondary disks.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { errorMessage, UserError } from "../../errors.js";
import { writeFileAtomic } from "../../fsutil/atomic.js";
import { diskName, PARTITIONS, partitionPath } from "./block.js";
import { type Disk, parseSize } from "./disks.js";

export const STORAGE_FILE = "storage.json";

/** Partition numbers of the system disk that are mounted while it is installed (STATE, EPHEMERAL). */
const SYSTEM_MOUNTED: ReadonlySet<number> = new Set([5, 6]);

/** The name the first assembled array gets (mdadm counts down from 127). */
const FIRST_MD = 127;

export interface PartitionState {
  /** `/dev/sdb` */
  readonly disk: string;
  /** 1-based, as the kernel numbers partitions. */
  readonly number: number;
  readonly size: number;
  /** `xfs`, `ext4`, `vfat`, ...; `none` after a wipe. */
  filesystem: string;
  /** Where the filesystem is mounted (the device is then in use). */
  readonly mountedOn?: string;
}

export interface LogicalVolumeState {
  readonly name: string;
  readonly size: number;
  readonly mountedOn?: string;
  /** Its device-mapper device: `dm-<n>`. */
  readonly dm: number;
}

export interface VolumeGroupState {
  readonly name: string;
  lvs: LogicalVolumeState[];
}

export interface PhysicalVolumeState {
  /** `/dev/sdc` or `/dev/sdc1` */
  readonly device: string;
  /** The volume group it belongs to, if any. */
  vg?: string;
}

export interface ArrayState {
  readonly name: string;
  /** `md<number>` */
  readonly number: number;
  readonly level: string;
  readonly members: readonly string[];
  readonly mountedOn?: string;
}

export interface StorageState {
  partitions: PartitionState[];
  pvs: PhysicalVolumeState[];
  vgs: VolumeGroupState[];
  mds: ArrayState[];
}

export interface BlockDevice {
  /** The device name Talos uses as its id: `sdb`, `sdb1`, `dm-0`, `md127`. */
  readonly id: string;
  readonly type: "disk" | "partition";
  /** For a partition: its disk's id. */
  readonly parent?: string;
  readonly partitionNumber?: number;
  /** Device ids it is built on (an LV's physical volumes, an array's members). */
  readonly secondaries: readonly string[];
  /** A filesystem on it is mounted (opening it exclusively fails). */
  readonly mounted: boolean;
}

const empty = (): StorageState => ({ partitions: [], pvs: [], vgs: [], mds: [] });

const devId = (devPath: string): string => devPath.replace(/^\/dev\//, "");

function partitionName(disk: string, n: number): string {
  const name = devId(disk);
  return `${name}${/\d$/.test(name) ? "p" : ""}${n}`;
}

/** Reads `--storage FILE`, checking it against the node's disks. */
export function loadStorageLayout(file: string, disks: readonly Disk[]): StorageState {
  const where = `--storage ${file}`;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : errorMessage(err);
    throw new UserError(`${where}: ${why}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserError(`${where}: not valid YAML: ${errorMessage(err).split("\n")[0]}`);
  }
  return storageFromLayout(doc ?? {}, disks, where);
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fields(o: Obj, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new UserError(`${where}: unknown field ${JSON.stringify(k)}`);
  }
}

function sizeOf(v: unknown, where: string): number {
  const size =
    typeof v === "number" ? (v > 0 ? v : undefined) : typeof v === "string" ? parseSize(v) : undefined;
  if (size === undefined)
    throw new UserError(`${where}: size must be a size such as 1GiB (got ${JSON.stringify(v)})`);
  return size;
}

function mountPoint(v: unknown, where: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !v.startsWith("/")) {
    throw new UserError(`${where}: mountedOn must be an absolute path (got ${JSON.stringify(v)})`);
  }
  return v;
}

/**
 * The layout (YAML): `partitions` by disk (`/dev/sdb: [{size, filesystem, mountedOn}]`), `lvm`
 * (`[{vg, pvs: [device], lvs: [{name, size, mountedOn}]}]`) and `md`
 * (`[{name, level, members: [device], mountedOn}]`). The system disk (the first) is Talos's.
 */
export function storageFromLayout(doc: unknown, disks: readonly Disk[], where: string): StorageState {
  if (!isObj(doc)) throw new UserError(`${where}: expected a mapping with partitions, lvm and md`);
  fields(doc, ["partitions", "lvm", "md"], where);
  const state = empty();
  const known = new Set(disks.slice(1).map((d) => d.devPath));
  const claimed = new Map<string, string>();
  const claim = (device: string, by: string, at: string): void => {
    const other = claimed.get(device);
    if (other) throw new UserError(`${at}: ${device} is already used by ${other}`);
    claimed.set(device, by);
  };

  const partitions = doc.partitions ?? {};
  if (!isObj(partitions)) throw new UserError(`${where}: partitions must map disks to lists of partitions`);
  for (const [disk, list] of Object.entries(partitions)) {
    const at = `${where}: partitions.${disk}`;
    if (disks[0]?.devPath === disk)
      throw new UserError(`${at}: the system disk's partitions are Talos's own`);
    if (!known.has(disk))
      throw new UserError(`${at}: not a disk of this node (add it with --disk ${disk}:SIZE)`);
    if (!Array.isArray(list)) throw new UserError(`${at}: expected a list of partitions`);
    const diskSize = disks.find((d) => d.devPath === disk)!.size;
    let used = 0;
    list.forEach((p: unknown, i) => {
      const pat = `${at}[${i}]`;
      if (!isObj(p)) throw new UserError(`${pat}: expected a mapping with size`);
      fields(p, ["size", "filesystem", "mountedOn"], pat);
      const size = sizeOf(p.size, pat);
      used += size;
      if (used > diskSize) throw new UserError(`${pat}: the partitions do not fit on ${disk}`);
      const filesystem = p.filesystem === undefined ? "none" : p.filesystem;
      if (typeof filesystem !== "string" || !/^[a-z0-9]+$/.test(filesystem)) {
        throw new UserError(
          `${pat}: filesystem must be a name such as xfs (got ${JSON.stringify(p.filesystem)})`,
        );
      }
      const mountedOn = mountPoint(p.mountedOn, pat);
      if (mountedOn !== undefined && filesystem === "none") {
        throw new UserError(`${pat}: a partition without a filesystem cannot be mounted`);
      }
      state.partitions.push({ disk, number: i + 1, size, filesystem, ...(mountedOn ? { mountedOn } : {}) });
    });
  }
  const exists = (device: string): boolean =>
    known.has(device) || state.partitions.some((p) => `/dev/${partitionName(p.disk, p.number)}` === device);
  const hasPartitions = (device: string): boolean => state.partitions.some((p) => p.disk === device);
  const devicesOf = (v: unknown, at: string): string[] => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((d) => typeof d === "string")) {
      throw new UserError(`${at}: expected a list of device paths such as /dev/sdc`);
    }
    for (const d of v as string[]) {
      if (!exists(d)) throw new UserError(`${at}: ${d} is not an extra disk or a partition of one`);
      if (hasPartitions(d)) throw new UserError(`${at}: ${d} is partitioned; use its partitions`);
    }
    return v as string[];
  };

  const lvm = doc.lvm ?? [];
  if (!Array.isArray(lvm)) throw new UserError(`${where}: lvm must be a list of volume groups`);
  let dm = 0;
  lvm.forEach((g: unknown, i) => {
    const at = `${where}: lvm[${i}]`;
    if (!isObj(g)) throw new UserError(`${at}: expected a mapping with vg, pvs and lvs`);
    fields(g, ["vg", "pvs", "lvs"], at);
    if (typeof g.vg !== "string" || !/^[A-Za-z0-9_.+-]+$/.test(g.vg)) {
      throw new UserError(`${at}: vg must be a volume group name (got ${JSON.stringify(g.vg)})`);
    }
    const name = g.vg;
    if (state.vgs.some((v) => v.name === name))
      throw new UserError(`${at}: volume group ${name} given twice`);
    for (const pv of devicesOf(g.pvs, `${at}.pvs`)) {
      claim(pv, `volume group ${name}`, `${at}.pvs`);
      state.pvs.push({ device: pv, vg: name });
    }
    const lvs = g.lvs ?? [];
    if (!Array.isArray(lvs)) throw new UserError(`${at}.lvs: expected a list of logical volumes`);
    const group: VolumeGroupState = { name, lvs: [] };
    lvs.forEach((l: unknown, j) => {
      const lat = `${at}.lvs[${j}]`;
      if (!isObj(l)) throw new UserError(`${lat}: expected a mapping with name and size`);
      fields(l, ["name", "size", "mountedOn"], lat);
      if (typeof l.name !== "string" || !/^[A-Za-z0-9_.+-]+$/.test(l.name)) {
        throw new UserError(`${lat}: name must be a logical volume name (got ${JSON.stringify(l.name)})`);
      }
      const lvName = l.name;
      if (group.lvs.some((x) => x.name === lvName))
        throw new UserError(`${lat}: ${name}/${lvName} given twice`);
      const mountedOn = mountPoint(l.mountedOn, lat);
      group.lvs.push({
        name: lvName,
        size: sizeOf(l.size, lat),
        dm: dm++,
        ...(mountedOn ? { mountedOn } : {}),
      });
    });
    state.vgs.push(group);
  });

  const md = doc.md ?? [];
  if (!Array.isArray(md)) throw new UserError(`${where}: md must be a list of arrays`);
  md.forEach((a: unknown, i) => {
    const at = `${where}: md[${i}]`;
    if (!isObj(a)) throw new UserError(`${at}: expected a mapping with name, level and members`);
    fields(a, ["name", "level", "members", "mountedOn"], at);
    if (typeof a.name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(a.name)) {
      throw new UserError(`${at}: name must be an array name (got ${JSON.stringify(a.name)})`);
    }
    const name = a.name;
    if (state.mds.some((x) => x.name === name)) throw new UserError(`${at}: array ${name} given twice`);
    const level = a.level ?? "raid1";
    if (typeof level !== "string" || !/^raid(0|1|4|5|6|10)$/.test(level)) {
      throw new UserError(
        `${at}: level must be raid0, raid1, raid4, raid5, raid6 or raid10 (got ${JSON.stringify(level)})`,
      );
    }
    const members = devicesOf(a.members, `${at}.members`);
    for (const m of members) claim(m, `array ${name}`, `${at}.members`);
    const mountedOn = mountPoint(a.mountedOn, at);
    state.mds.push({
      name,
      number: FIRST_MD - state.mds.length,
      level,
      members,
      ...(mountedOn ? { mountedOn } : {}),
    });
  });
  return state;
}

/** Failures of LVM and md operations, named by the sentinel Talos maps them from. */
export class StorageOpError extends Error {
  override readonly name = "StorageOpError";

  constructor(
    readonly kind: "not-found" | "in-use" | "open" | "invalid",
    message: string,
  ) {
    super(message);
  }
}

export class BlockStorage {
  private state: StorageState;
  private readonly file: string;

  constructor(
    stateDir: string,
    private readonly disks: readonly Disk[],
    seed: StorageState | undefined,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.file = path.join(stateDir, STORAGE_FILE);
    const saved = this.read();
    if (saved) this.state = saved;
    else {
      this.state = seed ? structuredClone(seed) : empty();
      if (seed) this.save();
    }
  }

  private read(): StorageState | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch {
      return undefined;
    }
    try {
      const s = JSON.parse(text) as StorageState;
      return { partitions: s.partitions ?? [], pvs: s.pvs ?? [], vgs: s.vgs ?? [], mds: s.mds ?? [] };
    } catch {
      return undefined;
    }
  }

  private save(): void {
    writeFileAtomic(this.file, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
  }

  /** Every block device: disks, their partitions (the system disk's once installed), LVs, arrays. */
  devices(systemInstalled: boolean): BlockDevice[] {
    const out: BlockDevice[] = [];
    const mountedPartitions = new Set(
      this.state.partitions
        .filter((p) => p.mountedOn !== undefined)
        .map((p) => partitionName(p.disk, p.number)),
    );
    this.disks.forEach((disk, i) => {
      const id = diskName(disk);
      const parts =
        i === 0
          ? systemInstalled
            ? PARTITIONS.map((_, n) => devId(partitionPath(disk, n + 1)))
            : []
          : this.state.partitions
              .filter((p) => p.disk === disk.devPath)
              .map((p) => partitionName(p.disk, p.number));
      out.push({
        id,
        type: "disk",
        secondaries: [],
        mounted: parts.some((p) => mountedPartitions.has(p)) || (i === 0 && systemInstalled),
      });
      parts.forEach((p) => {
        const number = Number(/(\d+)$/.exec(p)?.[1] ?? 0);
        out.push({
          id: p,
          type: "partition",
          parent: id,
          partitionNumber: number,
          secondaries: [],
          // On the system disk STATE and EPHEMERAL are mounted.
          mounted: mountedPartitions.has(p) || (i === 0 && SYSTEM_MOUNTED.has(number)),
        });
      });
    });
    for (const vg of this.state.vgs) {
      const pvs = this.state.pvs.filter((p) => p.vg === vg.name).map((p) => devId(p.device));
      for (const lv of vg.lvs) {
        out.push({ id: `dm-${lv.dm}`, type: "disk", secondaries: pvs, mounted: lv.mountedOn !== undefined });
      }
    }
    for (const a of this.state.mds) {
      out.push({
        id: `md${a.number}`,
        type: "disk",
        secondaries: a.members.map(devId),
        mounted: a.mountedOn !== undefined,
      });
    }
    return out;
  }

  /** The disk ids a device-mapper or md disk is built on (Talos's Disk.secondaryDisks). */
  secondaryDisks(device: BlockDevice, all: readonly BlockDevice[]): string[] {
    return [
      ...new Set(
        device.secondaries.map((s) => {
          const d = all.find((x) => x.id === s);
          return d?.type === "partition" && d.parent ? d.parent : s;
        }),
      ),
    ];
  }

  /**
   * Wipes a device's signatures (both methods end the same for what the emulation keeps): a
   * filesystem is gone, an LVM label is gone (leaving its volume group), and with
   * `dropPartition` a partition leaves its disk's table.
   */
  wipe(id: string, dropPartition: boolean): void {
    const devPath = `/dev/${id}`;
    const part = this.state.partitions.find((p) => partitionName(p.disk, p.number) === id);
    if (part) part.filesystem = "none";
    // A whole disk loses its partition table (and so its partitions).
    if (this.disks.some((d) => d.devPath === devPath)) {
      this.state.partitions = this.state.partitions.filter((p) => p.disk !== devPath);
      this.state.pvs = this.state.pvs.filter((p) => !p.device.startsWith(devPath));
    }
    this.state.pvs = this.state.pvs.filter((p) => p.device !== devPath);
    // A volume group left without physical volumes is gone with them.
    this.state.vgs = this.state.vgs.filter((v) => this.state.pvs.some((p) => p.vg === v.name));
    if (dropPartition && part) {
      this.state.partitions = this.state.partitions.filter((p) => p !== part);
      this.log(`deleted partition ${part.number} from block device ${JSON.stringify(devId(part.disk))}`);
    }
    this.save();
  }

  private group(name: string): VolumeGroupState {
    const vg = this.state.vgs.find((v) => v.name === name);
    if (!vg) throw new StorageOpError("not-found", `Volume group "${name}" not found`);
    return vg;
  }

  /** `lvremove`: an LV whose filesystem is mounted is open. */
  removeLogicalVolume(vgName: string, lvName: string): void {
    const vg = this.group(vgName);
    const lv = vg.lvs.find((l) => l.name === lvName);
    if (!lv) throw new StorageOpError("not-found", `Failed to find logical volume "${vgName}/${lvName}"`);
    if (lv.mountedOn)
      throw new StorageOpError("open", `Logical volume ${vgName}/${lvName} contains a filesystem in use.`);
    vg.lvs = vg.lvs.filter((l) => l !== lv);
    this.save();
  }

  /** `vgremove --yes`: every LV first (none may be open), then the group; its PVs keep their labels. */
  removeVolumeGroup(vgName: string): void {
    const vg = this.group(vgName);
    const open = vg.lvs.find((l) => l.mountedOn);
    if (open)
      throw new StorageOpError("open", `Logical volume ${vgName}/${open.name} contains a filesystem in use.`);
    this.state.vgs = this.state.vgs.filter((v) => v !== vg);
    for (const pv of this.state.pvs) if (pv.vg === vgName) delete pv.vg;
    this.save();
  }

  /** `pvremove --yes`: only a PV outside any volume group. */
  removePhysicalVolume(device: string): void {
    const pv = this.state.pvs.find((p) => p.device === device);
    if (!pv) throw new StorageOpError("not-found", `No physical volume label read from ${device}.`);
    if (pv.vg)
      throw new StorageOpError("in-use", `PV ${device} is used by VG ${pv.vg} so please use vgreduce first.`);
    this.state.pvs = this.state.pvs.filter((p) => p !== pv);
    this.save();
  }

  /** The array a path names: `/dev/md127` or `/dev/disk/by-id/md-name-<name>`. */
  private array(device: string): ArrayState | undefined {
    return this.state.mds.find(
      (a) => device === `/dev/md${a.number}` || device === `/dev/disk/by-id/md-name-${a.name}`,
    );
  }

  /** Stops an array and clears its members' superblocks; a mounted array is busy. */
  destroyArray(device: string): void {
    const a = this.array(device);
    if (!a) throw new StorageOpError("not-found", `mdadm: ${device} does not appear to be an md device`);
    if (a.mountedOn) throw new StorageOpError("in-use", `mdadm: Cannot get exclusive access to ${device}`);
    this.state.mds = this.state.mds.filter((x) => x !== a);
    this.log(
      `stopped md array ${a.name} (md${a.number}) and cleared the superblocks of ${a.members.join(", ")}`,
    );
    this.save();
  }

  /** What the layout holds now (for tests and diagnostics). */
  snapshot(): StorageState {
    return structuredClone(this.state);
  }
}
