// Block devices as Talos's block controllers publish them: a Disk per emulated disk, and the
// system disk once its partitions are there (siderolabs/talos:
// internal/app/machined/pkg/controllers/block).
import {
  type DiscoveredVolumeSpec,
  DiskSpecSchema,
  SystemDiskSpecSchema,
} from "../../../gen/resource/definitions/block/block_pb.js";
import { diskFacts } from "../../platform/index.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import type { MachineSource } from "./source.js";

export const DISK = messageKind("Disks.block.talos.dev", DiskSpecSchema);
export const SYSTEM_DISK = messageKind("SystemDisks.block.talos.dev", SystemDiskSpecSchema);

const disks: Controller<MachineSource> = {
  name: "block.DisksController",
  inputs: [],
  run({ source, put }) {
    for (const disk of source.disks) {
      const f = diskFacts(disk);
      put(
        DISK,
        NS.runtime,
        f.name,
        spec(DiskSpecSchema, {
          devPath: f.devPath,
          size: BigInt(f.size),
          prettySize: f.prettySize,
          ioSize: 512n,
          sectorSize: 512n,
          readonly: false,
          cdrom: false,
          model: f.model,
          serial: f.serial,
          modalias: f.modalias,
          wwid: f.wwid,
          busPath: f.busPath,
          subSystem: "/sys/class/block",
          transport: f.transport,
          rotational: f.rotational,
          symlinks: [...f.symlinks],
        }),
      );
    }
  },
};

/** The system disk is the disk whose partition is labelled META (siderolabs/talos: system_disk.go). */
const systemDisk: Controller<MachineSource> = {
  name: "block.SystemDiskController",
  inputs: [],
  reads: [{ namespace: NS.runtime, type: "DiscoveredVolumes.block.talos.dev" }],
  run({ put, list }) {
    for (const r of list(NS.runtime, "DiscoveredVolumes.block.talos.dev")) {
      const dv = r.spec as DiscoveredVolumeSpec;
      if (dv.partitionLabel !== "META" || dv.parent.startsWith("loop")) continue;
      put(
        SYSTEM_DISK,
        NS.runtime,
        "system-disk",
        spec(SystemDiskSpecSchema, { diskId: dv.parent, devPath: dv.parentDevPath }),
      );
      return;
    }
  },
};

export const BLOCK_CONTROLLERS: readonly Controller<MachineSource>[] = [disks, systemDisk];
