// The system disk's volumes (STATE, EPHEMERAL, META, ...): whether they are mounted, the
// VolumeStatus resources that say so, and wiping them when a reset asks for it. STATE is the
// saved machine config, EPHEMERAL the root filesystem's /var and the pulled images, META the
// key-value partition beside the boot slots.
import fs from "node:fs";
import path from "node:path";
import {
  type DiscoveredVolumeSpec,
  MountSpecSchema,
  type VolumeConfigSpec,
  VolumeStatusSpecSchema,
} from "../../gen/resource/definitions/block/block_pb.js";
import {
  BlockFilesystemType,
  BlockVolumePhase,
  BlockVolumeType,
} from "../../gen/resource/definitions/enums/enums_pb.js";
import { bytesSI } from "../../wire/index.js";
import { IMAGES_FILE } from "../images/store.js";
import { type Disk, systemVolumes } from "../platform/index.js";
import { messageKind, NS, type ResourceStore, spec } from "../resources/index.js";
import { Bootloader, Meta, type StateDir, VolumePartitions } from "../state/index.js";
import { isSystemPartition } from "./controllers/block-layout.js";

const VOLUME_CONFIGS = "VolumeConfigs.block.talos.dev";
const SYSTEM_VOLUME_IDS: ReadonlySet<string> = new Set(["STATE", "EPHEMERAL", "META"]);

/** `get volumestatus`: one per system volume, owned by Talos's volume manager. */
export const VOLUME_STATUS = messageKind("VolumeStatuses.block.talos.dev", VolumeStatusSpecSchema);

const FILESYSTEM: Readonly<Record<string, BlockFilesystemType>> = {
  none: BlockFilesystemType.FILESYSTEM_TYPE_NONE,
  xfs: BlockFilesystemType.FILESYSTEM_TYPE_XFS,
  vfat: BlockFilesystemType.FILESYSTEM_TYPE_VFAT,
};

/** What the volumes need of the machine. */
export interface VolumesHost {
  readonly store: ResourceStore;
  readonly state: StateDir;
  /** The system disk (the first one), if the machine has disks. */
  readonly systemDisk: Disk | undefined;
  /** The root filesystem's directory (EPHEMERAL holds its /var). */
  readonly rootDir: string;
  log(line: string): void;
}

export class SystemVolumes {
  private isMounted = false;
  private published = false;
  /** The partitions volume documents made on the disks (they stay when a document goes). */
  readonly partitions: VolumePartitions;

  constructor(private readonly host: VolumesHost) {
    this.partitions = new VolumePartitions(host.state.dir);
    recordVolumePartitions(host.store, this.partitions);
    // A volume's status carries the trim and scrub settings of its config as it changes.
    host.store.watch({ namespace: NS.runtime, type: VOLUME_CONFIGS }, (e) => {
      if (this.published && SYSTEM_VOLUME_IDS.has(e.resource.id)) this.publish();
    });
  }

  /** A disk's partition table was wiped; true when it held partitions volume documents made. */
  forgetPartitions(disk: string): boolean {
    return this.partitions.forgetDisk(disk);
  }

  /** Whether the system disk's partitions are mounted (after the boot sequence's ephemeral phase). */
  get mounted(): boolean {
    return this.isMounted;
  }

  /** The boot sequence mounted the system partitions. */
  mount(): void {
    this.isMounted = true;
    this.publish();
  }

  /** The graceful stop unmounted the system partitions. */
  unmount(): void {
    this.isMounted = false;
    this.publish();
  }

  /** Publishes a VolumeStatus per system volume: `ready` while mounted, else `waiting`. */
  publish(): void {
    const disk = this.host.systemDisk;
    if (!disk) return;
    const owner = "block.VolumeManagerController";
    this.published = true;
    for (const v of systemVolumes(disk)) {
      const config = this.host.store.get(NS.runtime, VOLUME_CONFIGS, v.id)?.spec as
        | VolumeConfigSpec
        | undefined;
      this.host.store.set(
        VOLUME_STATUS,
        NS.runtime,
        v.id,
        spec(VolumeStatusSpecSchema, {
          phase: this.isMounted ? BlockVolumePhase.VOLUME_PHASE_READY : BlockVolumePhase.VOLUME_PHASE_WAITING,
          type: BlockVolumeType.VOLUME_TYPE_PARTITION,
          location: v.location,
          mountLocation: v.location,
          partitionIndex: BigInt(v.partitionIndex),
          parentLocation: disk.devPath,
          size: BigInt(v.size),
          prettySize: bytesSI(v.size),
          filesystem: FILESYSTEM[v.filesystem] ?? BlockFilesystemType.FILESYSTEM_TYPE_NONE,
          ...(v.target
            ? { mountSpec: spec(MountSpecSchema, { targetPath: v.target, fileMode: 0o755 }) }
            : {}),
          trimEnabled: config?.trimEnabled ?? false,
          ...(config?.trimInterval ? { trimInterval: config.trimInterval } : {}),
          scrubEnabled: config?.scrubEnabled ?? false,
          ...(config?.scrubInterval ? { scrubInterval: config.scrubInterval } : {}),
        }),
        { owner },
      );
    }
  }

  /** Wipes one system volume (reset with a partition list). */
  wipe(label: string): void {
    const { state } = this.host;
    switch (label) {
      case "STATE":
        state.removeConfig();
        break;
      case "EPHEMERAL":
        fs.rmSync(path.join(this.host.rootDir, "var"), { recursive: true, force: true });
        fs.rmSync(path.join(state.dir, IMAGES_FILE), { force: true });
        break;
      case "META":
        new Meta(state.dir).remove();
        break;
      default:
        break;
    }
    this.host.log(`wiped volume ${label}`);
  }

  /** Wipes the whole system disk: every volume and the bootloader; the machine is no longer installed. */
  wipeSystemDisk(): void {
    for (const label of ["STATE", "EPHEMERAL", "META"]) this.wipe(label);
    if (this.host.systemDisk) this.forgetPartitions(this.host.systemDisk.devPath);
    new Bootloader(this.host.state.dir).remove();
    this.host.state.updateIdentity({ installed: false });
  }
}

/**
 * Keeps what the volume manager made on the disks: each user, raw or swap volume partition
 * discovery finds (created, or formatted since) is recorded, and stays when its document goes.
 * The store lives as long as the boot, so the watch does too.
 */
export function recordVolumePartitions(store: ResourceStore, record: VolumePartitions): void {
  store.watch({ namespace: NS.runtime, type: "DiscoveredVolumes.block.talos.dev" }, (e) => {
    if (e.type === "destroyed") return;
    const dv = e.resource.spec as DiscoveredVolumeSpec;
    if (dv.type !== "partition" || dv.partitionLabel === "" || isSystemPartition(dv.partitionLabel)) return;
    record.record({
      disk: dv.parentDevPath,
      index: Number(dv.partitionIndex),
      offset: Number(dv.offset),
      size: Number(dv.size),
      label: dv.partitionLabel,
      type: dv.partitionType.toUpperCase(),
      filesystem: dv.name === "" ? "none" : dv.name,
    });
  });
}
