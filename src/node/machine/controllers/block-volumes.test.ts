// The block layout and the volume controllers: Talos's partitions on the installed system disk,
// user volume documents provisioned on the disks their selectors match (fixed sizes before
// growing ones, none on a disk without room), UUIDs stable per machine, and the VolumeConfig,
// VolumeStatus and mount resources following the config as it changes.
import { describe, expect, it } from "vitest";
import type {
  MountStatusSpec,
  VolumeConfigSpec,
  VolumeMountRequestSpec,
  VolumeStatusSpec,
} from "../../../gen/resource/definitions/block/block_pb.js";
import {
  BlockFilesystemType,
  BlockVolumePhase,
  BlockVolumeType,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import { createClock } from "../../clock.js";
import { type Disk, parseDiskFlag } from "../../platform/index.js";
import { ControllerRuntime, checkedExprText, NS, ResourceStore } from "../../resources/index.js";
import { type MachineConfig, parseMachineConfig } from "../config.js";
import { SystemVolumes } from "../volumes.js";
import { BLOCK_CONTROLLERS } from "./block.js";
import { BLOCK_DISCOVERY_CONTROLLERS } from "./block-discovery.js";
import { blockLayout, stableUuid } from "./block-layout.js";
import { BLOCK_MOUNT_CONTROLLERS } from "./block-mounts.js";
import { MIN_USER_VOLUME_SIZE } from "./block-user-volumes.js";
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

  it("keeps the partitions earlier documents made, finds a volume's own again and adds new ones after them", () => {
    const data = volumeDoc(
      "UserVolumeConfig",
      "data",
      `  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\n`,
    );
    const first = blockLayout(disks(), true, "uuid-1", config(data)).disks[1]!.partitions[0]!;
    const kept = [
      {
        disk: "/dev/sdb",
        index: 1,
        offset: first.offset,
        size: first.size,
        label: "u-data",
        type: first.partitionType,
        filesystem: "xfs",
      },
    ];
    // The document is gone, the partition is not.
    const without = blockLayout(disks(), true, "uuid-1", config(), kept);
    expect(without.disks[1]!.partitions.map((p) => `${p.id}:${p.partitionLabel}:${p.probedName}`)).toEqual([
      "sdb1:u-data:xfs",
    ]);
    expect(without.disks[1]!.partitions[0]!.volumeId).toBeUndefined();
    expect(without.disks[1]!.ptUuid).not.toBe("");

    // Back with another volume: the same partition (same UUIDs), and the new volume after it.
    const other = volumeDoc(
      "UserVolumeConfig",
      "other",
      `  diskSelector:\n    match: "!system_disk"\n  maxSize: 512MiB\n`,
    );
    const again = blockLayout(disks(), true, "uuid-1", config(data, other), kept);
    const placed = again.placements.get("u-data");
    expect(placed).toEqual({ ok: true, partition: { ...first, volumeId: "u-data" } });
    expect(
      again.disks[1]!.partitions.map((p) => `${p.id}:${p.partitionLabel}:${p.offset / MIB}:${p.size / MIB}`),
    ).toEqual(["sdb1:u-data:1:1024", "sdb2:u-other:1025:512"]);

    // Found with another filesystem than the document asks for: the format step refuses it.
    const ext4 = volumeDoc(
      "UserVolumeConfig",
      "data",
      `  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\nfilesystem:\n  type: ext4\n`,
    );
    const mismatch = blockLayout(disks(), true, "uuid-1", config(ext4), kept).placements.get("u-data");
    expect(mismatch).toMatchObject({ ok: false, error: "filesystem type mismatch: xfs != ext4" });
    expect(mismatch?.partition?.devPath).toBe("/dev/sdb1");

    // A raw volume takes it as it is; an empty one gets the filesystem asked for.
    const raw = blockLayout(
      disks(),
      true,
      "uuid-1",
      config(volumeDoc("RawVolumeConfig", "data", `  diskSelector:\n    match: "!system_disk"\n`)),
      [{ ...kept[0]!, label: "r-data" }],
    ).placements.get("r-data");
    expect(raw?.ok && raw.partition.filesystem).toBe("xfs");
    const empty = blockLayout(disks(), true, "uuid-1", config(ext4), [{ ...kept[0]!, filesystem: "none" }]);
    const formatted = empty.placements.get("u-data");
    expect(formatted?.ok && [formatted.partition.filesystem, formatted.partition.probedName]).toEqual([
      "ext4",
      "ext4",
    ]);
  });
});

function machine(initial: MachineConfig, installed = true, talosVersion = "v1.14.0") {
  const store = ResourceStore.forNode(createClock());
  let active = initial;
  const diskList = disks();
  const volumes = new SystemVolumes({
    store,
    // No STATE directory: the partitions are recorded in memory.
    state: { dir: undefined } as never,
    systemDisk: diskList[0],
    rootDir: "/nonexistent",
    log: () => undefined,
  });
  const partitions = volumes.partitions;
  const source = {
    disks: diskList,
    machineUuid: "uuid-1",
    installed: () => installed,
    active: () => active,
    volumePartitions: () => partitions.list(),
    platform: { mode: "metal", name: "metal", virtiofs: ["share0"] },
    talosVersion,
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
    partitions,
    wipeDisk: (disk: string) => {
      partitions.forgetDisk(disk);
      rt.changed(INPUT.boot);
    },
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

  it("leave a removed user volume's partition on its disk and find it again when the document is back", () => {
    const data = volumeDoc(
      "UserVolumeConfig",
      "data",
      `  diskSelector:\n    match: "!system_disk"\n  maxSize: 5GiB\n`,
    );
    const m = machine(config(data));
    m.mount();
    const dv = () => m.store.get(NS.runtime, "DiscoveredVolumes.block.talos.dev", "sdb1");
    const before = dv()!;
    expect(m.partitions.list().map((p) => `${p.disk}:${p.index}:${p.label}:${p.filesystem}`)).toEqual([
      "/dev/sdb:1:u-data:xfs",
    ]);

    m.apply(config());
    // Not managed any more: no config, status or mount; the partition and its filesystem stay.
    for (const type of [
      "VolumeConfigs.block.talos.dev",
      "VolumeStatuses.block.talos.dev",
      "MountStatuses.block.talos.dev",
    ])
      expect(m.ids(type), type).not.toContain("u-data");
    expect(dv()!.version).toBe(before.version);
    expect(m.ids("DiscoveredVolumes.block.talos.dev").filter((id) => id.startsWith("sdb"))).toEqual([
      "sdb",
      "sdb1",
    ]);

    // Another volume goes after it; the document back finds its partition: no third one.
    const other = volumeDoc(
      "UserVolumeConfig",
      "other",
      `  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\n`,
    );
    m.apply(config(other));
    m.apply(config(data, other));
    expect(m.ids("DiscoveredVolumes.block.talos.dev").filter((id) => id.startsWith("sdb"))).toEqual([
      "sdb",
      "sdb1",
      "sdb2",
    ]);
    expect(dv()!.version).toBe(before.version);
    const status = m.store.get(NS.runtime, "VolumeStatuses.block.talos.dev", "u-data")!.spec as {
      phase: number;
      location: string;
      partitionUuid: string;
    };
    expect([status.phase, status.location]).toEqual([BlockVolumePhase.VOLUME_PHASE_READY, "/dev/sdb1"]);
    expect(status.partitionUuid).toBe((before.spec as { partitionUuid: string }).partitionUuid);
    const other2 = m.store.get(NS.runtime, "VolumeStatuses.block.talos.dev", "u-other")!.spec as {
      location: string;
    };
    expect(other2.location).toBe("/dev/sdb2");

    // Asking for another filesystem on it fails in the format step, keeping the data.
    m.apply(
      config(
        volumeDoc(
          "UserVolumeConfig",
          "data",
          `  diskSelector:\n    match: "!system_disk"\n  maxSize: 5GiB\nfilesystem:\n  type: ext4\n`,
        ),
      ),
    );
    const failed = m.store.get(NS.runtime, "VolumeStatuses.block.talos.dev", "u-data")!.spec as {
      phase: number;
      preFailPhase: number;
      errorMessage: string;
      location: string;
    };
    expect(failed).toMatchObject({
      phase: BlockVolumePhase.VOLUME_PHASE_FAILED,
      preFailPhase: BlockVolumePhase.VOLUME_PHASE_PREPARED,
      errorMessage: "filesystem type mismatch: xfs != ext4",
      location: "/dev/sdb1",
    });
    expect(m.ids("MountStatuses.block.talos.dev")).not.toContain("u-data");

    // Wiping the disk takes the partitions away.
    m.apply(config());
    m.wipeDisk("/dev/sdb");
    expect(m.partitions.list()).toEqual([]);
    expect(m.ids("DiscoveredVolumes.block.talos.dev").filter((id) => id.startsWith("sdb"))).toEqual(["sdb"]);
  });

  it("mount an external volume's virtiofs share under /var/mnt when the host exports it", () => {
    const external = (name: string, tag: string, mount = "") =>
      `---\napiVersion: v1alpha1\nkind: ExternalVolumeConfig\nname: ${name}\nfilesystemType: virtiofs\nmount:\n  virtiofs:\n    tag: ${tag}\n${mount}`;
    const m = machine(
      config(
        external("shared", "share0"),
        external("missing", "nope", "  readOnly: true\n  secure: false\n"),
      ),
    );
    const vc = m.store.get(NS.runtime, "VolumeConfigs.block.talos.dev", "x-shared")!;
    expect(vc.labels).toEqual({ "talos.dev/external-volume": "" });
    const cfg = vc.spec as VolumeConfigSpec;
    expect([
      cfg.type,
      cfg.provisioning?.diskSelector?.external,
      cfg.provisioning?.filesystemSpec?.type,
    ]).toEqual([
      BlockVolumeType.VOLUME_TYPE_EXTERNAL,
      "share0",
      BlockFilesystemType.FILESYSTEM_TYPE_VIRTIOFS,
    ]);
    expect([cfg.mount?.targetPath, cfg.mount?.parentId]).toEqual(["shared", "/var/mnt"]);
    // Secure (so noexec since v1.14) unless the document says otherwise.
    const request = (id: string) =>
      m.store.get(NS.runtime, "VolumeMountRequests.block.talos.dev", id)!.spec as VolumeMountRequestSpec;
    expect(request("x-shared")).toMatchObject({ readOnly: false, secure: true, noExec: true });
    expect(request("x-missing")).toMatchObject({ readOnly: true, secure: false, noExec: false });

    // Waiting for EPHEMERAL like every volume under /var/mnt, then ready at the share.
    const status = (id: string) =>
      m.store.get(NS.runtime, "VolumeStatuses.block.talos.dev", id)!.spec as VolumeStatusSpec;
    expect(status("x-shared").phase).toBe(BlockVolumePhase.VOLUME_PHASE_WAITING);
    m.mount();
    expect(status("x-shared")).toMatchObject({
      phase: BlockVolumePhase.VOLUME_PHASE_READY,
      type: BlockVolumeType.VOLUME_TYPE_EXTERNAL,
      location: "share0",
      mountLocation: "share0",
      filesystem: BlockFilesystemType.FILESYSTEM_TYPE_VIRTIOFS,
    });
    const ms = m.store.get(NS.runtime, "MountStatuses.block.talos.dev", "x-shared")!.spec as MountStatusSpec;
    expect([ms.source, ms.target, ms.filesystem, ms.spec?.secure, ms.spec?.noExec]).toEqual([
      "share0",
      "/var/mnt/shared",
      BlockFilesystemType.FILESYSTEM_TYPE_VIRTIOFS,
      true,
      true,
    ]);
    expect(m.ids("VolumeMountStatuses.block.talos.dev")).toContain("x-shared");
    // A tag the host does not export: requested, never mounted.
    expect(m.ids("MountRequests.block.talos.dev")).toContain("x-missing");
    expect(m.ids("MountStatuses.block.talos.dev")).not.toContain("x-missing");

    m.apply(config());
    for (const type of ["VolumeConfigs", "VolumeStatuses", "MountRequests", "MountStatuses"])
      expect(m.ids(`${type}.block.talos.dev`), type).not.toContain("x-shared");
  });

  it("carry a user volume's mount flags, noexec with secure only since Talos v1.14", () => {
    const doc = (mount: string) =>
      volumeDoc(
        "UserVolumeConfig",
        "data",
        `  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\n${mount}`,
      );
    const flags = (m: ReturnType<typeof machine>) => {
      const r = m.store.get(NS.runtime, "VolumeMountRequests.block.talos.dev", "u-data")!
        .spec as VolumeMountRequestSpec;
      return [r.disableAccessTime, r.secure, r.noExec];
    };
    expect(flags(machine(config(doc(""))))).toEqual([false, true, true]);
    expect(flags(machine(config(doc("mount:\n  secure: false\n  disableAccessTime: true\n"))))).toEqual([
      true,
      false,
      false,
    ]);
    expect(flags(machine(config(doc("")), true, "v1.13.2"))).toEqual([false, true, false]);
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
