// Storage on the node: storage.StorageService.BlockDeviceWipe (siderolabs/talos:
// internal/app/storaged/server.go), machine.LVMService (internal/app/lvmd/lvmd.go),
// machine.MDService (internal/app/mdd/mdd.go) and machine.StorageService.Statfs
// (internal/app/storage/storage.go), over the emulated disks (src/node/platform/storage.ts) and
// the node's mount table. Wiping and removing let a reader in only while the node is in
// maintenance mode: the RBAC table admits os:reader, the handlers check the mode, as Talos's do.
import { create } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { LVMService } from "../../gen/machine/lvm_pb.js";
import { MDService } from "../../gen/machine/md_pb.js";
import {
  StorageService as MachineStorageService,
  StorageServiceStatfsResponseSchema,
} from "../../gen/machine/storage_pb.js";
import {
  BlockDeviceWipeResponseSchema,
  BlockDeviceWipeSchema,
  BlockDeviceWipeDescriptor_Method as Method,
  StorageService,
} from "../../gen/storage/storage_pb.js";
import { type Caller, NOT_AUTHORIZED, Role } from "../api/index.js";
import { StatusError } from "../errors.js";
import { INPUT } from "../machine/index.js";
import { type BlockDevice, filesystemStats, mountOf, PathError, StorageOpError } from "../platform/index.js";
import {
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  notFound,
  permissionDenied,
  unary,
} from "./define.js";

const VOLUME_STATUS = { namespace: "runtime", type: "VolumeStatuses.block.talos.dev" };

const failedPrecondition = (message: string): StatusError =>
  new StatusError(grpc.status.FAILED_PRECONDITION, message);

/**
 * Talos's rule for the destructive storage calls: an admin always, anyone the RBAC table
 * admitted (os:reader) only while the node has no complete config.
 */
export function requireAdminOutsideMaintenance(rt: NodeRuntime, caller: Caller): void {
  if (rt.machine.inMaintenance) return;
  if (!caller.roles.includes(Role.Admin)) throw permissionDenied(NOT_AUTHORIZED);
}

/** `filepath.Base` of a device path ("" stays ""). */
function base(p: string): string {
  if (p === "") return "";
  const trimmed = p.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1) || "/";
}

interface VolumeView {
  readonly id: string;
  readonly location: string;
  readonly mountLocation: string;
  readonly parentLocation: string;
}

/** The VolumeStatus resources, reduced to where each volume lives. */
function volumes(rt: NodeRuntime): VolumeView[] {
  return rt.machine.store.list(VOLUME_STATUS.namespace, VOLUME_STATUS.type).map((r) => {
    const spec = (r.spec ?? {}) as Record<string, unknown>;
    const text = (v: unknown): string => (typeof v === "string" ? v : "");
    return {
      id: r.id,
      location: text(spec.location),
      mountLocation: text(spec.mountLocation),
      parentLocation: text(spec.parentLocation),
    };
  });
}

interface WipeTarget {
  readonly device: BlockDevice;
  readonly method: Method;
  readonly dropPartition: boolean;
}

/** Talos's checks before a wipe, in its order and words. */
function validateForWipe(
  rt: NodeRuntime,
  all: readonly BlockDevice[],
  name: string,
  skipVolumeCheck: boolean,
  skipSecondaryCheck: boolean,
): BlockDevice {
  const device = all.find((d) => d.id === name);
  if (!device) throw notFound(`blockdevice ${JSON.stringify(name)} not found`);
  const parent = device.type === "partition" ? (device.parent ?? "") : "";
  if (!skipSecondaryCheck) {
    if (device.type === "disk") {
      for (const d of all) {
        if (d.type !== "disk" || d.secondaries.length === 0) continue;
        if (rt.storage.secondaryDisks(d, all).includes(name)) {
          throw failedPrecondition(
            `blockdevice ${JSON.stringify(name)} is in use by disk ${JSON.stringify(d.id)}`,
          );
        }
      }
    } else {
      for (const d of all) {
        if (d.secondaries.includes(name)) {
          throw failedPrecondition(
            `blockdevice ${JSON.stringify(name)} is in use by blockdevice ${JSON.stringify(d.id)}`,
          );
        }
      }
    }
  }
  if (!skipVolumeCheck) {
    for (const v of volumes(rt)) {
      for (const location of [base(v.location), base(v.mountLocation)]) {
        for (const dev of [name, parent]) {
          if (dev === "" || location === "") continue;
          if (location === dev) {
            throw failedPrecondition(
              `blockdevice ${JSON.stringify(dev)} is in use by volume ${JSON.stringify(v.id)}`,
            );
          }
        }
      }
      if (base(v.parentLocation) === name) {
        throw failedPrecondition(
          `blockdevice ${JSON.stringify(name)} is in use by volume ${JSON.stringify(v.id)}`,
        );
      }
    }
  }
  return device;
}

function wipe(rt: NodeRuntime, target: WipeTarget): void {
  const { device } = target;
  const log = (line: string): void => rt.machine.log(line);
  // Opening a device exclusively fails while a filesystem on it (or on a partition of it) is mounted.
  if (device.mounted) {
    throw failedPrecondition(`block device ${JSON.stringify(device.id)} is mounted or in use`);
  }
  if (device.parent) log(`locking parent block device ${JSON.stringify(device.parent)}`);
  else log(`locking block device ${JSON.stringify(device.id)}`);
  switch (target.method) {
    case Method.ZEROES:
      log(`wiping block device ${JSON.stringify(device.id)} with zeroes`);
      log(`block device ${JSON.stringify(device.id)} wiped with method "zeroes"`);
      break;
    case Method.FAST:
      log(`wiping block device ${JSON.stringify(device.id)} with fast method`);
      break;
    default:
      throw invalidArgument(`unsupported wipe method ${Method[target.method] ?? String(target.method)}`);
  }
  rt.storage.wipe(device.id, target.dropPartition && device.type === "partition");
  // A whole disk loses its partition table, with the partitions volume documents made on it.
  if (device.type === "disk" && rt.machine.volumes.forgetPartitions(`/dev/${device.id}`)) {
    rt.machine.controllers.changed(INPUT.boot);
  }
}

function lvmStatus(err: unknown): unknown {
  if (!(err instanceof StorageOpError)) return err;
  switch (err.kind) {
    case "not-found":
      return new StatusError(grpc.status.NOT_FOUND, "lvm: resource not found");
    case "in-use":
      return new StatusError(grpc.status.FAILED_PRECONDITION, "lvm: resource in use");
    case "open":
      return new StatusError(grpc.status.FAILED_PRECONDITION, "lvm: logical volume is open");
    default:
      return new StatusError(grpc.status.INTERNAL, "lvm operation failed");
  }
}

function mdStatus(err: unknown): unknown {
  if (!(err instanceof StorageOpError)) return err;
  switch (err.kind) {
    case "not-found":
      return new StatusError(grpc.status.NOT_FOUND, "md: array not found");
    case "in-use":
      return new StatusError(grpc.status.FAILED_PRECONDITION, "md: resource in use");
    case "invalid":
      return new StatusError(grpc.status.INVALID_ARGUMENT, "md: invalid argument");
    default:
      return new StatusError(grpc.status.INTERNAL, "md operation failed");
  }
}

/** Runs one LVM removal as lvmd does: log it, and on failure log the tool's words, answer the sentinel. */
function lvmRemove(
  rt: NodeRuntime,
  op: string,
  fields: string,
  action: () => void,
): ReturnType<typeof create<typeof EmptySchema>> {
  rt.machine.log(`removing LVM resource\t{"service": "lvmd", "op": "${op}", ${fields}}`);
  try {
    action();
  } catch (err) {
    if (err instanceof StorageOpError) {
      rt.machine.log(
        `lvm remove failed\t{"service": "lvmd", "op": "${op}", ${fields}, "lvm_stderr": ${JSON.stringify(err.message)}}`,
      );
    }
    throw lvmStatus(err);
  }
  return create(EmptySchema);
}

export function storageHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(StorageService.method.blockDeviceWipe, async (req, caller) => {
      requireAdminOutsideMaintenance(rt, caller);
      const all = rt.storage.devices(rt.machine.installed);
      const targets = req.devices.map((d) => ({
        device: validateForWipe(rt, all, d.device, d.skipVolumeCheck, d.skipSecondaryCheck),
        method: d.method,
        dropPartition: d.dropPartition,
      }));
      for (const t of targets) wipe(rt, t);
      return create(BlockDeviceWipeResponseSchema, { messages: [create(BlockDeviceWipeSchema, {})] });
    }),

    unary(LVMService.method.logicalVolumeRemove, async (req, caller) => {
      requireAdminOutsideMaintenance(rt, caller);
      const vg = req.volumeGroup;
      const lv = req.logicalVolume;
      if (vg === "" || lv === "") throw invalidArgument("volume_group and logical_volume must be set");
      return lvmRemove(rt, "lvremove", `"vg": ${JSON.stringify(vg)}, "lv": ${JSON.stringify(lv)}`, () =>
        rt.storage.removeLogicalVolume(vg, lv),
      );
    }),

    unary(LVMService.method.volumeGroupRemove, async (req, caller) => {
      requireAdminOutsideMaintenance(rt, caller);
      const vg = req.volumeGroup;
      if (vg === "") throw invalidArgument("volume_group must be set");
      return lvmRemove(rt, "vgremove", `"vg": ${JSON.stringify(vg)}`, () => rt.storage.removeVolumeGroup(vg));
    }),

    unary(LVMService.method.physicalVolumeRemove, async (req, caller) => {
      requireAdminOutsideMaintenance(rt, caller);
      const device = req.device;
      if (device === "") throw invalidArgument("device must be set");
      return lvmRemove(rt, "pvremove", `"device": ${JSON.stringify(device)}`, () =>
        rt.storage.removePhysicalVolume(device),
      );
    }),

    unary(MDService.method.destroy, async (req, caller) => {
      requireAdminOutsideMaintenance(rt, caller);
      const device = req.device;
      if (device === "") throw invalidArgument("device must be set");
      if (!device.startsWith("/dev/")) throw invalidArgument("device must be a full /dev path");
      rt.machine.log(`destroying MD array\t{"service": "mdd", "device": ${JSON.stringify(device)}}`);
      try {
        rt.storage.destroyArray(device);
      } catch (err) {
        if (err instanceof StorageOpError) {
          rt.machine.log(
            `md operation failed\t{"service": "mdd", "op": "destroy", "device": ${JSON.stringify(device)}, "mdadm_stderr": ${JSON.stringify(err.message)}}`,
          );
        }
        throw mdStatus(err);
      }
      return create(EmptySchema);
    }),

    unary(MachineStorageService.method.statfs, async (req) => {
      const m = rt.machine;
      // statfs follows links and needs the path to exist; Go's error is the bare errno text.
      if (req.path === "") throw new Error("no such file or directory");
      let components: string[];
      try {
        components = m.rootfs.resolve(req.path, { follow: true, op: "statfs" });
      } catch (err) {
        if (err instanceof PathError) throw new Error(err.reason);
        throw err;
      }
      const row = mountOf(m.hardware.mounts(rt.clock.now(), m.volumes.mounted), `/${components.join("/")}`);
      if (!row) throw new Error("no such file or directory");
      const s = filesystemStats(row);
      return create(StorageServiceStatfsResponseSchema, {
        size: BigInt(s.size),
        used: BigInt(s.used),
        available: BigInt(s.available),
        inodes: BigInt(s.inodes),
        inodesUsed: BigInt(s.inodesUsed),
        inodesFree: BigInt(s.inodesFree),
      });
    }),
  ];
}
