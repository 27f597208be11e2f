// ExistingVolumeConfig documents: the `e-<name>` VolumeConfig with the document's selector as its
// locator, missing while nothing matches, failed on a partition without a filesystem, and mounted
// under /var/mnt (read-only when asked) on one with a filesystem, never provisioning a partition;
// removed with the document.
import { describe, expect, it } from "vitest";
import type { VolumeConfigSpec, VolumeStatusSpec } from "../../../gen/resource/definitions/block/block_pb.js";
import { BlockFilesystemType, BlockVolumePhase } from "../../../gen/resource/definitions/enums/enums_pb.js";
import { createClock } from "../../clock.js";
import { type Disk, parseDiskFlag } from "../../platform/index.js";
import { ControllerRuntime, checkedExprText, NS, ResourceStore } from "../../resources/index.js";
import { type MachineConfig, parseMachineConfig } from "../config.js";
import { SystemVolumes } from "../volumes.js";
import { BLOCK_CONTROLLERS } from "./block.js";
import { BLOCK_DISCOVERY_CONTROLLERS } from "./block-discovery.js";
import { existingVolumes } from "./block-existing.js";
import { BLOCK_MOUNT_CONTROLLERS } from "./block-mounts.js";
import { BLOCK_VOLUME_CONTROLLERS } from "./block-volumes.js";
import { INPUT, type MachineSource } from "./source.js";

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

const RAW = `---\napiVersion: v1alpha1\nkind: RawVolumeConfig\nname: scratch\nprovisioning:\n  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\n`;
const USER = `---\napiVersion: v1alpha1\nkind: UserVolumeConfig\nname: data\nprovisioning:\n  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\n`;

function existing(name: string, match: string, readOnly = false): string {
  return `---\napiVersion: v1alpha1\nkind: ExistingVolumeConfig\nname: ${name}\ndiscovery:\n  volumeSelector:\n    match: ${match}\n${readOnly ? "mount:\n  readOnly: true\n" : ""}`;
}

const config = (...docs: string[]): MachineConfig => parseMachineConfig(MACHINE + docs.join(""));

function machine(initial: MachineConfig) {
  const store = ResourceStore.forNode(createClock());
  let active = initial;
  const diskList: Disk[] = [parseDiskFlag("/dev/sda:10GiB", 0), parseDiskFlag("/dev/sdb:20GiB", 1)];
  const volumes = new SystemVolumes({
    store,
    // No STATE directory: the partitions volume documents make are recorded in memory.
    state: { dir: undefined } as never,
    systemDisk: diskList[0],
    rootDir: "/nonexistent",
    log: () => undefined,
  });
  const source = {
    disks: diskList,
    machineUuid: "uuid-1",
    installed: () => true,
    active: () => active,
    volumePartitions: () => volumes.partitions.list(),
  } as unknown as MachineSource;
  const rt = new ControllerRuntime(store, source, [
    ...BLOCK_CONTROLLERS,
    ...BLOCK_DISCOVERY_CONTROLLERS,
    ...BLOCK_VOLUME_CONTROLLERS,
    ...BLOCK_MOUNT_CONTROLLERS,
  ]);
  rt.start();
  volumes.mount();
  return {
    store,
    apply: (cfg: MachineConfig) => {
      active = cfg;
      rt.changed(INPUT.config);
    },
    status: (id: string) =>
      store.get(NS.runtime, "VolumeStatuses.block.talos.dev", id)?.spec as VolumeStatusSpec | undefined,
    ids: (type: string) => store.list(NS.runtime, type).map((r) => r.id),
  };
}

describe("existing volumes", () => {
  it("read the document's name, selector and mount flags", () => {
    expect(existingVolumes(config(existing("old", "volume.partition_label == 'BOOT'", true)))).toEqual([
      {
        id: "e-old",
        name: "old",
        selector: "volume.partition_label == 'BOOT'",
        readOnly: true,
        disableAccessTime: false,
        // Secure unless the document turns it off.
        secure: true,
      },
    ]);
    const flags = `---\napiVersion: v1alpha1\nkind: ExistingVolumeConfig\nname: logs\ndiscovery:\n  volumeSelector:\n    match: volume.name == 'xfs'\nmount:\n  disableAccessTime: true\n  secure: false\n`;
    const m = machine(config(flags));
    const req = m.store.get(NS.runtime, "VolumeMountRequests.block.talos.dev", "e-logs")!;
    expect(req.labels).toEqual({ "talos.dev/user-volume": "" });
    const s = req.spec as {
      readOnly: boolean;
      disableAccessTime: boolean;
      secure: boolean;
      requester: string;
    };
    expect([s.requester, s.readOnly, s.disableAccessTime, s.secure]).toEqual([
      "block.VolumeConfigController",
      false,
      true,
      false,
    ]);
  });

  it("are missing while no discovered volume matches, and never get a partition", () => {
    const m = machine(config(existing("old", "volume.partition_label == 'nothing'")));
    const vc = m.store.get(NS.runtime, "VolumeConfigs.block.talos.dev", "e-old")!;
    expect(vc.labels).toEqual({ "talos.dev/existing-volume": "" });
    const spec = vc.spec as VolumeConfigSpec;
    expect(checkedExprText(spec.locator?.match)).toBe('volume.partition_label == "nothing"');
    expect(spec.provisioning).toBeUndefined();
    expect([spec.mount?.targetPath, spec.mount?.parentId]).toEqual(["old", "/var/mnt"]);
    const s = m.status("e-old")!;
    expect([s.phase, s.errorMessage, s.location]).toEqual([BlockVolumePhase.VOLUME_PHASE_MISSING, "", ""]);
    expect(m.ids("DiscoveredVolumes.block.talos.dev")).not.toContain("sdb1");
    expect(m.ids("MountStatuses.block.talos.dev")).not.toContain("e-old");
  });

  it("fail on a partition without a filesystem, as the raw volume leaves it", () => {
    const m = machine(config(RAW, existing("old", "volume.partition_label == 'r-scratch'")));
    const s = m.status("e-old")!;
    expect([s.phase, s.preFailPhase, s.errorMessage, s.location, s.parentLocation]).toEqual([
      BlockVolumePhase.VOLUME_PHASE_FAILED,
      BlockVolumePhase.VOLUME_PHASE_PREPARED,
      "filesystem not found on /dev/sdb1",
      "/dev/sdb1",
      "/dev/sdb",
    ]);
    expect(m.ids("MountStatuses.block.talos.dev")).not.toContain("e-old");
  });

  it("mount a partition with a filesystem under /var/mnt, read-only when asked, and go with the document", () => {
    const m = machine(config(USER, existing("old", "volume.partition_label == 'u-data'", true)));
    const s = m.status("e-old")!;
    expect([s.phase, s.filesystem, s.location, s.size]).toEqual([
      BlockVolumePhase.VOLUME_PHASE_READY,
      BlockFilesystemType.FILESYSTEM_TYPE_XFS,
      "/dev/sdb1",
      BigInt(1024 ** 3),
    ]);
    expect(s.uuid).toBe(m.status("u-data")!.uuid);
    const ms = m.store.get(NS.runtime, "MountStatuses.block.talos.dev", "e-old")!.spec as {
      source: string;
      target: string;
      readOnly: boolean;
    };
    expect([ms.source, ms.target, ms.readOnly]).toEqual(["/dev/sdb1", "/var/mnt/old", true]);
    expect(m.ids("VolumeMountStatuses.block.talos.dev")).toContain("e-old");

    m.apply(config(USER));
    for (const type of [
      "VolumeConfigs.block.talos.dev",
      "VolumeStatuses.block.talos.dev",
      "VolumeMountRequests.block.talos.dev",
      "MountStatuses.block.talos.dev",
    ])
      expect(m.ids(type), type).not.toContain("e-old");
    expect(m.ids("MountStatuses.block.talos.dev")).toContain("u-data");
  });
});
