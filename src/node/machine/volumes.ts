// The system disk's volumes (STATE, EPHEMERAL, META, ...): whether they are mounted, the
// VolumeStatus resources that say so, and wiping them when a reset asks for it. STATE is the
// saved machine config, EPHEMERAL the root filesystem's /var and the pulled images, META the
// key-value partition beside the boot slots.
import fs from "node:fs";
import path from "node:path";
import { bytesSI } from "../../wire/index.js";
import { IMAGES_FILE } from "../images/store.js";
import { type Disk, systemVolumes } from "../platform/index.js";
import { Bootloader, Meta, type StateDir } from "../state/index.js";
import { NS, volumeStatusKind } from "./resources/kinds.js";
import type { ResourceStore } from "./resources/store.js";

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

  constructor(private readonly host: VolumesHost) {}

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
    for (const v of systemVolumes(disk)) {
      this.host.store.set(
        volumeStatusKind,
        NS.runtime,
        v.id,
        {
          phase: this.isMounted ? "ready" : "waiting",
          location: v.location,
          partitionIndex: v.partitionIndex,
          parentLocation: disk.devPath,
          size: v.size,
          prettySize: bytesSI(v.size),
          filesystem: v.filesystem,
          target: v.target,
        },
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
    new Bootloader(this.host.state.dir).remove();
    this.host.state.updateIdentity({ installed: false });
  }
}
