// Volume and storage documents: every rule of each kind's Validate and conflict check.
import { describe } from "vitest";
import { doc, merge, table, WORKER } from "../testkit.js";

const base = WORKER;
const disk = { diskSelector: { match: "system_disk" } };
/** A worker complete for the older contracts' v1alpha1 rules. */
const older = merge(WORKER, {
  machine: { install: { disk: "/dev/sda" } },
  cluster: { controlPlane: { endpoint: "https://10.5.0.1:6443" } },
});

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

describe("sizes as Talos reads them", () => {
  table([
    {
      name: '"0" and "0%" are set sizes, only an empty one is missing',
      docs: [
        doc("RawVolumeConfig", { name: "a", provisioning: { ...disk, minSize: "0" } }),
        doc("RawVolumeConfig", { name: "b", provisioning: { ...disk, maxSize: "0%" } }),
        doc("RawVolumeConfig", { name: "c", provisioning: { ...disk, minSize: "" } }),
      ],
      base,
      errors: ["RawVolumeConfig/c provisioning: min size or max size is required"],
    },
    {
      name: "a relative or negative max size is not compared with the min size",
      docs: [
        doc("SwapVolumeConfig", { name: "a", provisioning: { ...disk, minSize: "20GiB", maxSize: "50%" } }),
        doc("SwapVolumeConfig", {
          name: "b",
          provisioning: { ...disk, minSize: "20GiB", maxSize: "-10GiB" },
        }),
        doc("SwapVolumeConfig", { name: "c", provisioning: { ...disk, minSize: "20GiB", maxSize: "10GiB" } }),
      ],
      base,
      errors: ["SwapVolumeConfig/c provisioning.minSize: min size is greater than max size"],
    },
    {
      name: "a negative min size",
      docs: [doc("RawVolumeConfig", { name: "n", provisioning: { ...disk, minSize: "-1GiB" } })],
      base,
      errors: ["RawVolumeConfig/n provisioning.minSize: min size cannot be negative"],
    },
    {
      name: "logical volume sizes: a 0% max size is set and relative",
      docs: [
        doc("LVMLogicalVolumeConfig", {
          name: "a",
          provisioning: { volumeGroup: "vg", minSize: "1GiB", maxSize: "0%" },
        }),
        doc("LVMLogicalVolumeConfig", {
          name: "b",
          provisioning: { volumeGroup: "vg", minSize: "2GiB", maxSize: "1GiB" },
        }),
        doc("LVMLogicalVolumeConfig", { name: "c", provisioning: { volumeGroup: "vg", maxSize: "-1GiB" } }),
      ],
      base,
      errors: [
        "LVMLogicalVolumeConfig/b provisioning.minSize: provisioning.minSize must not exceed provisioning.maxSize",
        "LVMLogicalVolumeConfig/c provisioning.maxSize: provisioning.maxSize must not be negative",
      ],
    },
  ]);
});

describe("encryption as Talos reads it", () => {
  const volume = (name: string, encryption: object) =>
    doc("UserVolumeConfig", { name, provisioning: { ...disk, maxSize: "1GiB" }, encryption });
  table([
    {
      name: "settings without a provider or keys are no encryption at all",
      docs: [
        volume("a", { cipher: "aes-xts-plain64", keySize: 512 }),
        volume("b", { provider: "none" }),
        doc("UserVolumeConfig", {
          name: "d",
          volumeType: "directory",
          encryption: { cipher: "aes-xts-plain64" },
        }),
      ],
      base,
    },
    {
      name: "keys without a provider; a provider without keys",
      docs: [volume("a", { keys: [{ slot: 0, nodeID: {} }] }), volume("b", { provider: "luks2" })],
      base,
      errors: [
        "UserVolumeConfig/a encryption.provider: unsupported encryption provider: none",
        "UserVolumeConfig/b encryption.keys: encryption keys are required",
      ],
    },
    {
      name: "a directory volume with keys",
      docs: [
        doc("UserVolumeConfig", {
          name: "d",
          volumeType: "directory",
          encryption: { keys: [{ slot: 0, nodeID: {} }] },
        }),
      ],
      base,
      errors: ["UserVolumeConfig/d encryption: encryption spec is invalid for volumeType directory"],
    },
    {
      name: "TPM PCRs within range; several key types on one slot",
      docs: [
        volume("t", {
          provider: "luks2",
          keys: [{ slot: 0, tpm: { options: { pcrs: [0, 7, 23] } }, static: { passphrase: "p" } }],
        }),
      ],
      base,
    },
    {
      name: "STATE refuses state-locked keys",
      docs: [
        doc("VolumeConfig", {
          name: "STATE",
          encryption: { provider: "luks2", keys: [{ slot: 0, nodeID: {}, lockToState: true }] },
        }),
        doc("VolumeConfig", {
          name: "EPHEMERAL",
          encryption: { provider: "luks2", keys: [{ slot: 0, nodeID: {}, lockToState: true }] },
        }),
      ],
      base,
      errors: [
        'VolumeConfig/STATE encryption.keys[0].lockToState: state-locked key is not allowed for the "STATE" volume',
      ],
    },
    {
      name: "no conflict with .machine.systemDiskEncryption unless a provider is named",
      docs: [doc("VolumeConfig", { name: "EPHEMERAL", encryption: { cipher: "aes-xts-plain64" } })],
      base: {
        ...WORKER,
        machine: {
          ...WORKER.machine,
          systemDiskEncryption: { ephemeral: { provider: "luks2", keys: [{ slot: 0, nodeID: {} }] } },
        },
      },
    },
  ]);
});

describe("names, filesystems and versions", () => {
  table([
    {
      name: "name lengths count bytes",
      docs: [doc("UserVolumeConfig", { name: "é".repeat(18), volumeType: "directory" })],
      base,
      errors: [
        `UserVolumeConfig/${"é".repeat(18)} name: name must be between 1 and 34 characters long`,
        `UserVolumeConfig/${"é".repeat(18)} name: name can only contain lowercase and uppercase ASCII letters, digits, and hyphens`,
      ],
    },
    {
      name: "longest names",
      docs: [
        doc("RawVolumeConfig", { name: "r".repeat(34), provisioning: { ...disk, maxSize: "1GiB" } }),
        doc("ExternalVolumeConfig", {
          name: "x".repeat(35),
          filesystemType: "virtiofs",
          mount: { virtiofs: { tag: "t" } },
        }),
        doc("LVMVolumeGroupConfig", {
          name: "v_".repeat(32),
          provisioning: { volumeSelector: { match: "volume.name == 'x'" } },
        }),
      ],
      base,
      errors: [
        `ExternalVolumeConfig/${"x".repeat(35)} name: name must be between 1 and 34 characters long`,
        `LVMVolumeGroupConfig/${"v_".repeat(32)} name: name must be between 1 and 63 characters long`,
      ],
    },
    {
      name: "an unset filesystem type is xfs: project quota and xfs options are fine",
      docs: [
        doc("UserVolumeConfig", {
          name: "q",
          provisioning: { ...disk, maxSize: "1GiB" },
          filesystem: { projectQuotaSupport: true, xfs: { minAllocationGroupSize: "1GiB" } },
        }),
        doc("UserVolumeConfig", { name: "d", volumeType: "directory", filesystem: { type: "none" } }),
      ],
      base,
    },
    {
      name: "filesystem types: the first problem only",
      docs: [
        doc("UserVolumeConfig", {
          name: "v",
          provisioning: { ...disk, maxSize: "1GiB" },
          filesystem: { type: "vfat" },
        }),
        doc("UserVolumeConfig", {
          name: "e",
          provisioning: { ...disk, maxSize: "1GiB" },
          filesystem: { type: "ext4", xfs: { minAllocationGroupSize: "1GiB" } },
        }),
        doc("UserVolumeConfig", {
          name: "b",
          provisioning: { ...disk, maxSize: "1GiB" },
          filesystem: { type: "btrfs" },
        }),
      ],
      base,
      errors: [
        "UserVolumeConfig/v filesystem.type: unsupported filesystem type: vfat",
        "UserVolumeConfig/e filesystem.xfs: xfs options are only available for xfs filesystem",
      ],
    },
    {
      name: "btrfs came with 1.14",
      docs: [
        doc("UserVolumeConfig", {
          name: "b",
          provisioning: { ...disk, maxSize: "1GiB" },
          filesystem: { type: "btrfs" },
        }),
      ],
      base: older,
      contract: "v1.13",
      errors: ["UserVolumeConfig/b filesystem.type: unsupported filesystem type: btrfs"],
    },
    {
      name: "directory volumes: only disableAccessTime is refused since 1.15",
      docs: [
        doc("UserVolumeConfig", { name: "s", volumeType: "directory", mount: { secure: false } }),
        doc("UserVolumeConfig", { name: "a", volumeType: "directory", mount: { disableAccessTime: true } }),
      ],
      base,
      errors: [
        "UserVolumeConfig/a mount.disableAccessTime: mount.disableAccessTime is invalid for volumeType directory",
      ],
    },
    {
      name: "directory volumes took no mount settings in 1.14",
      docs: [doc("UserVolumeConfig", { name: "s", volumeType: "directory", mount: { secure: false } })],
      base,
      contract: "v1.14",
      errors: ["UserVolumeConfig/s mount: mount spec is invalid for volumeType directory"],
    },
    {
      name: "other volume types",
      docs: [doc("UserVolumeConfig", { name: "t", volumeType: "tmpfs" })],
      base,
      errors: ['UserVolumeConfig/t volumeType: unsupported volume type "tmpfs"'],
    },
    {
      name: "system volumes before 1.14: STATE, EPHEMERAL and IMAGECACHE, STATE's rules only",
      docs: [
        doc("VolumeConfig", { name: "ETCD" }),
        doc("VolumeConfig", { name: "IMAGECACHE", provisioning: { maxSize: "10GiB" } }),
      ],
      base: older,
      contract: "v1.13",
      errors: ['VolumeConfig/ETCD name: only ["STATE" "EPHEMERAL" "IMAGECACHE"] volumes are supported'],
    },
    {
      name: "IMAGECACHE takes no mount or xfs options; a promoted volume takes a mount",
      docs: [
        doc("VolumeConfig", {
          name: "IMAGECACHE",
          mount: { disableAccessTime: true },
          filesystem: { xfs: { minAllocationGroupSize: "1GiB" } },
        }),
        doc("VolumeConfig", {
          name: "LOG",
          mount: { secure: true },
          provisioning: { ...disk, maxSize: "1GiB" },
        }),
      ],
      base,
      errors: [
        'VolumeConfig/IMAGECACHE mount: mount config is not allowed for the "IMAGECACHE" volume',
        'VolumeConfig/IMAGECACHE filesystem: filesystem config is not allowed for the "IMAGECACHE" volume',
      ],
    },
    {
      name: "system volumes take no size for disk-only options, but sizes are checked",
      docs: [doc("VolumeConfig", { name: "EPHEMERAL", provisioning: { minSize: "10GiB", maxSize: "5GiB" } })],
      base,
      errors: ["VolumeConfig/EPHEMERAL provisioning.minSize: min size is greater than max size"],
    },
    {
      name: "external volumes: virtiofs only, with a mount spec",
      docs: [
        doc("ExternalVolumeConfig", { name: "a", filesystemType: "virtiofs" }),
        doc("ExternalVolumeConfig", { name: "b", filesystemType: "ext4", mount: { virtiofs: { tag: "t" } } }),
        doc("ExternalVolumeConfig", { name: "c" }),
      ],
      base,
      errors: [
        "ExternalVolumeConfig/a mount: virtiofs mount spec is required",
        "ExternalVolumeConfig/b filesystemType: invalid filesystem type: ext4",
        "ExternalVolumeConfig/c filesystemType: invalid filesystem type: none",
      ],
    },
    {
      name: "existing volumes: name characters, selector, trim",
      docs: [
        doc("ExistingVolumeConfig", {
          name: "e_1",
          discovery: { volumeSelector: { match: "volume.partition_label == 'DATA'" } },
          trim: { interval: "-1s" },
        }),
      ],
      base,
      errors: [
        "ExistingVolumeConfig/e_1 name: name can only contain lowercase and uppercase ASCII letters, digits, and hyphens",
        "ExistingVolumeConfig/e_1 trim.interval: trim interval cannot be negative",
      ],
    },
    {
      name: "zswap within range; scrub off",
      docs: [doc("ZswapConfig", { maxPoolPercent: 0 }), doc("FilesystemScrubConfig", { interval: "0s" })],
      base,
    },
    {
      name: "logical volumes: mirrors and stripes by type",
      docs: [
        doc("LVMLogicalVolumeConfig", {
          name: "m",
          type: "raid1",
          mirrors: 0,
          provisioning: { volumeGroup: "vg", maxSize: "1GiB" },
        }),
        doc("LVMLogicalVolumeConfig", {
          name: "s",
          type: "raid10",
          mirrors: 1,
          stripes: 1,
          provisioning: { volumeGroup: "vg", maxSize: "1GiB" },
        }),
        doc("LVMLogicalVolumeConfig", {
          name: "r",
          type: "raid0",
          mirrors: 2,
          stripes: 2,
          provisioning: { volumeGroup: "vg", maxSize: "1GiB" },
        }),
      ],
      base,
      errors: [
        "LVMLogicalVolumeConfig/m mirrors: mirrors must be at least 1",
        "LVMLogicalVolumeConfig/s stripes: stripes must be at least 2",
        "LVMLogicalVolumeConfig/r mirrors: mirrors is only valid for raid1/raid10, not raid0",
      ],
    },
  ]);
});
