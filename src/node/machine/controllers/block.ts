// Block devices as Talos's block controllers publish them: a Disk per emulated disk, and the
// system disk once the machine is installed (siderolabs/talos:
// internal/app/machined/pkg/controllers/block).
import { DiskSpecSchema, SystemDiskSpecSchema } from "../../../gen/resource/definitions/block/block_pb.js";
import { diskFacts, diskName } from "../../platform/index.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { INPUT, type MachineSource } from "./source.js";

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

const systemDisk: Controller<MachineSource> = {
  name: "block.SystemDiskController",
  inputs: [INPUT.boot],
  run({ source, put }) {
    const disk = source.disks[0];
    if (!disk || !source.installed()) return;
    put(
      SYSTEM_DISK,
      NS.runtime,
      "system-disk",
      spec(SystemDiskSpecSchema, { diskId: diskName(disk), devPath: disk.devPath }),
    );
  },
};

export const BLOCK_CONTROLLERS: readonly Controller<MachineSource>[] = [disks, systemDisk];
