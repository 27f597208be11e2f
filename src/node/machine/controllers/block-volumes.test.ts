// The block layout and the volume controllers: Talos's partitions on the installed system disk,
// user volume documents provisioned on the disks their selectors match (fixed sizes before
// growing ones, none on a disk without room), UUIDs stable per machine, and the VolumeConfig,
// VolumeStatus and mount resources following the config as it changes.
import { describe, expect, it } from "vitest";
import type { VolumeConfigSpec } from "../../../gen/resource/definitions/block/block_pb.js";
import { createClock } from "../../clock.js";
import { type Disk, parseDiskFlag } from "../../platform/index.js";
import { ControllerRuntime, checkedExprText, NS, ResourceStore } from "../../resources/index.js";
import { type MachineConfig, parseMachineConfig } from "../config.js";
import { SystemVolumes } from "../volumes.js";
import { BLOCK_CONTROLLERS } from "./block.js";
import { BLOCK_DISCOVERY_CONTROLLERS } from "./block-discovery.js";
import { blockLayout, MIN_USER_VOLUME_SIZE, stableUuid } from "./block-layout.js";
import { BLOCK_MOUNT_CONTROLLERS } from "./block-mounts.js";
import { BLOCK_VOLUME_CONTROLLERS } from "./block-volumes.js";
import { INPUT, type MachineSource } from "./source.js";

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const MACHINE = `version: v1alpha1
machine:
  type: worker
  token: abcdef.0123456789abcdef
  ca:
    crt: ""
cluster:
  controlPlane:
    endpoint: https://127.0.0.1:6443
`;

function volumeDoc(kind: string, name: string, provisioning: string): string {
  return `---\napiVersion: v1alpha1\nkind: ${kind}\nname: ${name}\nprovisioning:\n${provisioning}`;
}

const config = (...docs: string[]): MachineConfig => parseMachineConfig(MACHINE + docs.join(""));
const disks = (): Disk[] => [parseDiskFlag("/dev/sda:10GiB", 0), parseDiskFlag("/dev/sdb:20GiB", 1)];

describe("block layout", () => {
  it("lays Talos's partitions on the installed system disk only", () => {
    const l = blockLayout(disks(), true, "uuid-1", undefined);
    expect(l.disks[0]!.partitions.map((p) => `${p.id}:${p.partitionLabel}:${p.probedName}`)).toEqual([
      "sda1:EFI:vfat",
      "sda2:BIOS:",
      "sda3:BOOT:xfs",
      "sda4:META:talosmeta",
      "sda5:STATE:xfs",
      "sda6:EPHEMERAL:xfs",
    ]);
    const ephemeral = l.disks[0]!.partitions[5]!;
    expect(ephemeral.offset + ephemeral.size).toBe(10 * GIB);
    expect(l.disks[1]!.partitions).toEqual([]);
    expect(l.disks[1]!.ptUuid).toBe("");
    expect(blockLayout(disks(), false, "uuid-1", undefined).disks[0]!.partitions).toEqual([]);
  });

  it("derives UUIDs from the machine, the same on every boot", () => {
    const a = blockLayout(disks(), true, "uuid-1", undefined).disks[0]!;
    expect(blockLayout(disks(), true, "uuid-1", undefined).disks[0]).toEqual(a);
    const b = blockLayout(disks(), true, "uuid-2", undefined).disks[0]!;
    expect(b.ptUuid).not.toBe(a.ptUuid);
    expect(b.partitions[5]!.fsUuid).not.toBe(a.partitions[5]!.fsUuid);
    expect(stableUuid("x", "y")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("provisions user, raw and swap volumes on the disks their selectors match", () => {
    const cfg = config(
      volumeDoc("UserVolumeConfig", "grow", `  diskSelector:\n    match: "!system_disk"\n  grow: true\n`),
      volumeDoc(
        "UserVolumeConfig",
        "small",
        `  diskSelector:\n    match: disk.dev_path == '/dev/sdb'\n  maxSize: 1GiB\n`,
      ),
      volumeDoc("RawVolumeConfig", "raw", `  diskSelector:\n    match: "!system_disk"\n  maxSize: 2GiB\n`),
      volumeDoc("SwapVolumeConfig", "swap", `  diskSelector:\n    match: "!system_disk"\n  maxSize: 50%\n`),
      volumeDoc("UserVolumeConfig", "sys", `  diskSelector:\n    match: system_disk\n  minSize: 1GiB\n`),
      volumeDoc(
        "UserVolumeConfig",
        "none",
        `  diskSelector:\n    match: disk.transport == 'nvme'\n  minSize: 1GiB\n`,
      ),
    );
    const l = blockLayout(disks(), true, "uuid-1", cfg);
    expect(l.volumes.map((v) => v.id)).toEqual(["u-grow", "u-small", "r-raw", "s-swap", "u-sys", "u-none"]);
    const sdb = l.disks[1]!;
    // Fixed sizes first, smaller first; the growing volume takes what is left.
    expect(sdb.partitions.map((p) => `${p.id}:${p.partitionLabel}:${p.filesystem}:${p.size / MIB}`)).toEqual([
      "sdb1:u-small:xfs:1024",
      "sdb2:r-raw:none:2048",
      "sdb3:s-swap:swap:8703",
      "sdb4:u-grow:xfs:8703",
    ]);
    const last = sdb.partitions[3]!;
    expect(last.offset + last.size).toBe(20 * GIB - MIB);
    expect(l.placements.get("u-sys")).toEqual({
      ok: false,
      error:
        "no disks matched for volume (1 matched selector): 1 have not enough space, 0 have wrong format, 0 have other issues",
    });
    expect(l.placements.get("u-none")).toEqual({ ok: false, error: "no disks matched selector for volume" });
    expect(l.volumes.find((v) => v.id === "u-grow")!.minSize).toBe(MIN_USER_VOLUME_SIZE);
  });
});

function machine(initial: MachineConfig, installed = true) {
  const store = ResourceStore.forNode(createClock());
  let active = initial;
  const diskList = disks();
  const volumes = new SystemVolumes({
    store,
    state: undefined as never,
    systemDisk: diskList[0],
    rootDir: "/nonexistent",
    log: () => undefined,
  });
  const source = {
    disks: diskList,
    machineUuid: "uuid-1",
    installed: () => installed,
    active: () => active,
  } as unknown as MachineSource;
  const rt = new ControllerRuntime(store, source, [
    ...BLOCK_CONTROLLERS,
    ...BLOCK_DISCOVERY_CONTROLLERS,
    ...BLOCK_VOLUME_CONTROLLERS,
    ...BLOCK_MOUNT_CONTROLLERS,
  ]);
  rt.start();
  return {
    store,
    mount: () => volumes.mount(),
    apply: (cfg: MachineConfig) => {
      active = cfg;
      rt.changed(INPUT.config);
    },
    ids: (type: string) => store.list(NS.runtime, type).map((r) => r.id),
  };
}

describe("volume controllers", () => {
  it("follow a user volume added and removed, mounting it under /var/mnt once EPHEMERAL is", () => {
    const m = machine(config());
    expect(m.ids("VolumeConfigs.block.talos.dev")).toEqual(["/var/mnt", "EPHEMERAL", "META", "STATE"]);
    expect(m.ids("MountStatuses.block.talos.dev")).toEqual([]);
    m.mount();
    expect(m.ids("MountStatuses.block.talos.dev")).toEqual(["/var/mnt", "EPHEMERAL"]);

    m.apply(
      config(
        volumeDoc(
          "UserVolumeConfig",
          "data",
          `  diskSelector:\n    match: "!system_disk"\n  maxSize: 5GiB\n`,
        ),
      ),
    );
    const vc = m.store.get(NS.runtime, "VolumeConfigs.block.talos.dev", "u-data")!;
    expect(vc.labels).toEqual({ "talos.dev/user-volume": "" });
    const spec = vc.spec as VolumeConfigSpec;
    expect(checkedExprText(spec.provisioning?.diskSelector?.match)).toBe("!system_disk");
    expect(checkedExprText(spec.locator?.match)).toBe('volume.partition_label == "u-data"');
    expect(spec.mount?.parentId).toBe("/var/mnt");
    const ms = m.store.get(NS.runtime, "MountStatuses.block.talos.dev", "u-data")!.spec as {
      source: string;
      target: string;
    };
    expect([ms.source, ms.target]).toEqual(["/dev/sdb1", "/var/mnt/data"]);
    expect(m.ids("VolumeMountStatuses.block.talos.dev")).toEqual(["/var/mnt", "EPHEMERAL", "u-data"]);
    expect(m.ids("DiscoveredVolumes.block.talos.dev")).toContain("sdb1");

    m.apply(config());
    for (const type of [
      "VolumeConfigs.block.talos.dev",
      "VolumeStatuses.block.talos.dev",
      "VolumeMountRequests.block.talos.dev",
      "MountRequests.block.talos.dev",
      "MountStatuses.block.talos.dev",
      "VolumeMountStatuses.block.talos.dev",
    ])
      expect(m.ids(type), type).not.toContain("u-data");
  });

  it("turns a swap volume on: its mount and the swap area /proc/swaps lists", () => {
    const m = machine(
      config(
        volumeDoc(
          "SwapVolumeConfig",
          "swap1",
          `  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\n`,
        ),
      ),
    );
    m.mount();
    expect(m.store.get(NS.runtime, "VolumeConfigs.block.talos.dev", "s-swap1")!.labels).toEqual({
      "talos.dev/swap-volume": "",
    });
    expect(m.ids("MountStatuses.block.talos.dev")).toContain("s-swap1");
    const swap = m.store.get(NS.runtime, "SwapStatuses.block.talos.dev", "/dev/sdb1")!.spec as {
      sizeBytes: bigint;
      sizeHuman: string;
      priority: number;
    };
    expect([swap.sizeBytes, swap.sizeHuman, swap.priority]).toEqual([BigInt(GIB - 4096), "1024 MiB", -2]);
    m.apply(config());
    expect(m.ids("SwapStatuses.block.talos.dev")).toEqual([]);
  });

  it("find the system disk by its META partition, also on a machine that boots from its volumes uninstalled", () => {
    const m = machine(config(), false);
    expect(m.ids("DiscoveredVolumes.block.talos.dev")).toEqual(["sda", "sdb"]);
    expect(m.ids("SystemDisks.block.talos.dev")).toEqual([]);
    m.mount();
    expect(m.ids("DiscoveredVolumes.block.talos.dev")).toEqual([
      "sda",
      "sda1",
      "sda2",
      "sda3",
      "sda4",
      "sda5",
      "sda6",
      "sdb",
    ]);
    const disk = m.store.get(NS.runtime, "SystemDisks.block.talos.dev", "system-disk")!.spec as {
      diskId: string;
      devPath: string;
    };
    expect([disk.diskId, disk.devPath]).toEqual(["sda", "/dev/sda"]);
  });

  it("configure a whole-disk user volume by its disk selector, waiting for the disk", () => {
    const doc = `---\napiVersion: v1alpha1\nkind: UserVolumeConfig\nname: whole\nvolumeType: disk\nprovisioning:\n  diskSelector:\n    match: disk.dev_path == '/dev/sdb'\n`;
    const m = machine(config(doc));
    m.mount();
    const spec = m.store.get(NS.runtime, "VolumeConfigs.block.talos.dev", "u-whole")!
      .spec as VolumeConfigSpec;
    expect(checkedExprText(spec.locator?.diskMatch)).toBe('disk.dev_path == "/dev/sdb"');
    expect(checkedExprText(spec.locator?.match)).toBe("");
    expect(spec.provisioning?.partitionSpec?.label).toBe("");
    const status = m.store.get(NS.runtime, "VolumeStatuses.block.talos.dev", "u-whole")!.spec as {
      phase: number;
    };
    expect(status.phase).toBe(0);
    expect(m.ids("MountStatuses.block.talos.dev")).not.toContain("u-whole");
    expect(m.ids("DiscoveredVolumes.block.talos.dev")).not.toContain("sdb1");
  });
});
