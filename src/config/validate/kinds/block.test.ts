// Volume and storage documents: every rule of each kind's Validate and conflict check.
import { describe } from "vitest";
import { doc, table, WORKER } from "../testkit.js";

const base = WORKER;
const disk = { diskSelector: { match: "system_disk" } };

describe("UserVolumeConfig", () => {
  table([
    {
      name: "a partition volume",
      docs: [doc("UserVolumeConfig", { name: "data", provisioning: { ...disk, maxSize: "10GiB" } })],
      base,
    },
    {
      name: "a directory volume",
      docs: [doc("UserVolumeConfig", { name: "data", volumeType: "directory" })],
      base,
    },
    {
      name: "names: characters and length",
      docs: [
        doc("UserVolumeConfig", { name: "a/b", volumeType: "directory" }),
        doc("UserVolumeConfig", { name: "x".repeat(35), volumeType: "directory" }),
      ],
      base,
      errors: [
        "UserVolumeConfig/a/b name: name can only contain lowercase and uppercase ASCII letters, digits, and hyphens",
        `UserVolumeConfig/${"x".repeat(35)} name: name must be between 1 and 34 characters long`,
      ],
    },
    {
      name: "provisioning is required for partitions, sizes are ordered",
      docs: [
        doc("UserVolumeConfig", { name: "a" }),
        doc("UserVolumeConfig", { name: "b", provisioning: { ...disk, minSize: "2GiB", maxSize: "1GiB" } }),
      ],
      base,
      errors: [
        "UserVolumeConfig/a provisioning.diskSelector.match: disk selector is required",
        "UserVolumeConfig/a provisioning: min size or max size is required",
        "UserVolumeConfig/b provisioning.minSize: min size is greater than max size",
      ],
    },
    {
      name: "directory volumes take no provisioning, filesystem or encryption",
      docs: [
        doc("UserVolumeConfig", {
          name: "d",
          volumeType: "directory",
          provisioning: disk,
          filesystem: { type: "xfs" },
        }),
      ],
      base,
      errors: [
        "UserVolumeConfig/d provisioning: provisioning spec is invalid for volumeType directory",
        "UserVolumeConfig/d filesystem: filesystem spec is invalid for volumeType directory",
      ],
    },
    {
      name: "disk volumes take no sizes; project quota is xfs only",
      docs: [
        doc("UserVolumeConfig", {
          name: "d",
          volumeType: "disk",
          provisioning: { ...disk, maxSize: "1GiB" },
          filesystem: { type: "ext4", projectQuotaSupport: true },
        }),
      ],
      base,
      errors: [
        "UserVolumeConfig/d provisioning: min size, max size and grow are not supported",
        "UserVolumeConfig/d filesystem.projectQuotaSupport: project quota support is only available for xfs filesystem",
      ],
    },
    {
      name: "encryption keys",
      docs: [
        doc("UserVolumeConfig", {
          name: "e",
          provisioning: { ...disk, maxSize: "1GiB" },
          encryption: {
            provider: "luks2",
            keys: [
              { slot: 0, static: { passphrase: "p" } },
              { slot: 0 },
              { slot: 1, tpm: { options: { pcrs: [24] } } },
            ],
          },
        }),
      ],
      base,
      errors: [
        "UserVolumeConfig/e encryption.keys[1].slot: duplicate key slot 0",
        "UserVolumeConfig/e encryption.keys[1]: at least one encryption key type must be specified for slot 0",
        "UserVolumeConfig/e encryption.keys[2].tpm.options.pcrs: TPM PCR 24 is out of range (0-23)",
      ],
    },
    {
      name: "scrub interval minimum",
      docs: [doc("UserVolumeConfig", { name: "s", volumeType: "directory", scrub: { interval: "5s" } })],
      base,
      errors: ["UserVolumeConfig/s scrub.interval: scrub interval: minimum value is 10s"],
    },
  ]);
});

describe("VolumeConfig", () => {
  table([
    {
      name: "EPHEMERAL with provisioning",
      docs: [doc("VolumeConfig", { name: "EPHEMERAL", provisioning: { maxSize: "10GiB" } })],
      base,
    },
    {
      name: "only system volumes",
      docs: [doc("VolumeConfig", { name: "DATA" })],
      base,
      errors: [
        'VolumeConfig/DATA name: only ["STATE" "EPHEMERAL" "IMAGECACHE" "ETCD" "CRI" "KUBELET" "LOG"] volumes are supported',
      ],
    },
    {
      name: "STATE takes no provisioning or mount",
      docs: [
        doc("VolumeConfig", { name: "STATE", provisioning: { maxSize: "1GiB" }, mount: { secure: true } }),
      ],
      base,
      errors: [
        'VolumeConfig/STATE provisioning: provisioning config is not allowed for the "STATE" volume',
        'VolumeConfig/STATE mount: mount config is not allowed for the "STATE" volume',
      ],
    },
    {
      name: "ETCD mount needs a dedicated partition",
      docs: [doc("VolumeConfig", { name: "ETCD", mount: { secure: true } })],
      base,
      errors: [
        'VolumeConfig/ETCD mount: mount config for the "ETCD" volume is only supported when it is provisioned onto a dedicated partition',
      ],
    },
    {
      name: "encryption conflicts with .machine.systemDiskEncryption",
      docs: [
        doc("VolumeConfig", {
          name: "STATE",
          encryption: { provider: "luks2", keys: [{ slot: 0, nodeID: {} }] },
        }),
      ],
      base: {
        ...WORKER,
        machine: {
          ...WORKER.machine,
          systemDiskEncryption: { state: { provider: "luks2", keys: [{ slot: 0, nodeID: {} }] } },
        },
      },
      errors: [
        'VolumeConfig/STATE: system disk encryption for "STATE" is configured in both v1alpha1.Config and VolumeConfig',
      ],
    },
  ]);
});

describe("raw, swap, existing and external volumes; zswap, trim, scrub", () => {
  table([
    {
      name: "raw and swap volumes need a disk and a size",
      docs: [
        doc("RawVolumeConfig", { name: "r" }),
        doc("SwapVolumeConfig", { name: "s", provisioning: { ...disk, maxSize: "1GiB" } }),
      ],
      base,
      errors: [
        "RawVolumeConfig/r provisioning.diskSelector.match: disk selector is required",
        "RawVolumeConfig/r provisioning: min size or max size is required",
      ],
    },
    {
      name: "existing volume selector",
      docs: [doc("ExistingVolumeConfig", { name: "e" })],
      base,
      errors: ["ExistingVolumeConfig/e discovery.volumeSelector.match: volume selector is required"],
    },
    {
      name: "external volumes are virtiofs with a tag",
      docs: [doc("ExternalVolumeConfig", { name: "x", filesystemType: "virtiofs", mount: { virtiofs: {} } })],
      base,
      errors: ["ExternalVolumeConfig/x mount.virtiofs.tag: virtiofs tag is required"],
    },
    {
      name: "zswap, trim and scrub",
      docs: [
        doc("ZswapConfig", { maxPoolPercent: 101 }),
        doc("FilesystemTrimConfig", { interval: "-1h" }),
        doc("FilesystemScrubConfig", { interval: "1s" }),
      ],
      base,
      errors: [
        "ZswapConfig maxPoolPercent: maxPoolPercent must be between 0 and 100",
        "FilesystemTrimConfig interval: interval cannot be negative",
        "FilesystemScrubConfig interval: scrub interval: minimum value is 10s",
      ],
    },
    {
      name: "valid trim and scrub",
      docs: [
        doc("FilesystemTrimConfig", { interval: "24h" }),
        doc("FilesystemScrubConfig", { interval: "168h" }),
      ],
      base,
    },
  ]);
});

describe("LVM and RAID", () => {
  table([
    {
      name: "valid volume group and logical volume",
      docs: [
        doc("LVMVolumeGroupConfig", {
          name: "vg0",
          provisioning: { volumeSelector: { match: "volume.name == 'x'" } },
        }),
        doc("LVMLogicalVolumeConfig", {
          name: "lv0",
          provisioning: { volumeGroup: "vg0", maxSize: "10GiB" },
        }),
      ],
      base,
    },
    {
      name: "names, selectors, sizes",
      docs: [
        doc("LVMVolumeGroupConfig", { name: "vg.0" }),
        doc("RAIDArrayConfig", { name: "r".repeat(33) }),
        doc("LVMLogicalVolumeConfig", { name: "lv", stripes: 2, provisioning: {} }),
      ],
      base,
      errors: [
        "LVMVolumeGroupConfig/vg.0 name: name can only contain ASCII letters, digits, hyphens and underscores",
        "LVMVolumeGroupConfig/vg.0 provisioning.volumeSelector.match: provisioning.volumeSelector.match is required",
        `RAIDArrayConfig/${"r".repeat(33)} name: name must be between 1 and 32 characters long`,
        `RAIDArrayConfig/${"r".repeat(33)} provisioning.volumeSelector.match: provisioning.volumeSelector.match is required`,
        "LVMLogicalVolumeConfig/lv stripes: stripes is only valid for raid0/raid10, not linear",
        "LVMLogicalVolumeConfig/lv provisioning.volumeGroup: provisioning.volumeGroup is required",
        "LVMLogicalVolumeConfig/lv provisioning.maxSize: provisioning.maxSize is required",
      ],
    },
  ]);
});
