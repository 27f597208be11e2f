// The node's storage calls: wiping block devices (storage.StorageService), removing LVM
// volumes (machine.LVMService), destroying md arrays (machine.MDService) and the filesystem
// statistics of a path (machine.StorageService.Statfs).
import { UserError } from "../errors.js";
import { LVMService } from "../gen/machine/lvm_pb.js";
import { MDService } from "../gen/machine/md_pb.js";
import { StorageService as MachineStorageService } from "../gen/machine/storage_pb.js";
import { BlockDeviceWipeDescriptor_Method, StorageService } from "../gen/storage/storage_pb.js";
import type { NodeClient } from "./client.js";

/** `--method` values in the enum's order (talosctl lists them so, FAST first as the default). */
export const WIPE_METHODS = Object.entries(BlockDeviceWipeDescriptor_Method)
  .filter(([, v]) => typeof v === "number")
  .sort((a, b) => Number(a[1]) - Number(b[1]))
  .map(([k]) => k);

/** A `--method` value as the enum, or talosctl's error. */
export function parseWipeMethod(text: string): BlockDeviceWipeDescriptor_Method {
  const value = (BlockDeviceWipeDescriptor_Method as unknown as Record<string, unknown>)[text];
  if (typeof value !== "number") throw new UserError(`invalid wipe method ${JSON.stringify(text)}`);
  return value as BlockDeviceWipeDescriptor_Method;
}

export interface WipeOptions {
  readonly method: BlockDeviceWipeDescriptor_Method;
  readonly dropPartition: boolean;
  readonly skipVolumeCheck: boolean;
  readonly skipSecondaryCheck: boolean;
}

/** Wipes the named block devices (`sdb`, `sdb1`) of one node, all checked before any is wiped. */
export async function wipeBlockDevices(
  node: NodeClient,
  devices: readonly string[],
  options: WipeOptions,
): Promise<void> {
  await node.service(StorageService).blockDeviceWipe({
    devices: devices.map((device) => ({
      device,
      method: options.method,
      skipVolumeCheck: options.skipVolumeCheck,
      skipSecondaryCheck: options.skipSecondaryCheck,
      dropPartition: options.dropPartition,
    })),
  });
}

/** `vg/lv` split as talosctl splits it, or its error. */
export function parseLogicalVolume(text: string): { vg: string; lv: string } {
  const slash = text.indexOf("/");
  const vg = slash >= 0 ? text.slice(0, slash) : "";
  const lv = slash >= 0 ? text.slice(slash + 1) : "";
  if (slash < 0 || vg === "" || lv === "") {
    throw new UserError(`invalid logical volume ${JSON.stringify(text)}, expected <vg>/<lv>`);
  }
  return { vg, lv };
}

export async function removeLogicalVolume(node: NodeClient, vg: string, lv: string): Promise<void> {
  await node.service(LVMService).logicalVolumeRemove({ volumeGroup: vg, logicalVolume: lv });
}

export async function removeVolumeGroup(node: NodeClient, vg: string): Promise<void> {
  await node.service(LVMService).volumeGroupRemove({ volumeGroup: vg });
}

export async function removePhysicalVolume(node: NodeClient, device: string): Promise<void> {
  await node.service(LVMService).physicalVolumeRemove({ device });
}

/** Stops an md array and clears its members' superblocks (the device must be a full /dev path). */
export async function destroyArray(node: NodeClient, device: string): Promise<void> {
  if (!device.startsWith("/dev/")) throw new UserError("md device must be a full /dev path");
  await node.service(MDService).destroy({ device });
}

export interface Statfs {
  readonly size: number;
  readonly used: number;
  readonly available: number;
  readonly inodes: number;
  readonly inodesUsed: number;
  readonly inodesFree: number;
}

/** statfs(2) of a path on the node. */
export async function statfs(node: NodeClient, path: string): Promise<Statfs> {
  const r = await node.service(MachineStorageService).statfs({ path });
  return {
    size: Number(r.size),
    used: Number(r.used),
    available: Number(r.available),
    inodes: Number(r.inodes),
    inodesUsed: Number(r.inodesUsed),
    inodesFree: Number(r.inodesFree),
  };
}
