// Volume and block-device documents (siderolabs/talos: pkg/machinery/config/types/block and
// pkg/machinery/config/types/storage).
import type { Check, KindTable } from "../check.js";
import { type Data, get, has, list, num, obj, str } from "../data.js";
import { goFormatDuration, goParseDuration, goQuote, goQuoteList, humanizeParseBytes } from "../go.js";

const PARTITION_LABEL_LENGTH = 36;
const MIN_SCRUB_INTERVAL_NS = 10e9;
const SYSTEM_VOLUMES = ["STATE", "EPHEMERAL", "IMAGECACHE", "ETCD", "CRI", "KUBELET", "LOG"];
const PROMOTABLE_VOLUMES = ["ETCD", "CRI", "KUBELET", "LOG"];
const FILESYSTEMS = ["", "none", "xfs", "ext4", "btrfs"];

const VOLUME_NAME = /^[A-Za-z0-9-]*$/;
const STORAGE_NAME = /^[A-Za-z0-9_-]*$/;

/** The name rules of user, raw, swap and external volumes (`<prefix>name` fits a partition label). */
function volumeName(c: Check, prefixLength: number): void {
  const max = PARTITION_LABEL_LENGTH - prefixLength;
  if (c.name === "") c.error("name is required", ["name"]);
  const length = Buffer.byteLength(c.name);
  if (length < 1 || length > max) c.error(`name must be between 1 and ${max} characters long`, ["name"]);
  if (!VOLUME_NAME.test(c.name))
    c.error("name can only contain lowercase and uppercase ASCII letters, digits, and hyphens", ["name"]);
}

function storageName(c: Check, max: number): void {
  if (c.name === "") c.error("name is required", ["name"]);
  const length = Buffer.byteLength(c.name);
  if (length < 1 || length > max) c.error(`name must be between 1 and ${max} characters long`, ["name"]);
  if (!STORAGE_NAME.test(c.name))
    c.error("name can only contain ASCII letters, digits, hyphens and underscores", ["name"]);
}

interface Size {
  readonly zero: boolean;
  readonly negative: boolean;
  readonly relative: boolean;
  readonly value: number;
}

/**
 * block.Size as Talos reads a minSize/maxSize: bytes, or a percentage. Only an empty value is
 * zero ("0" and "0%" are set values); any percentage is relative; the sign is kept apart from the
 * value, as Talos keeps it.
 */
function size(data: unknown, path: readonly (string | number)[]): Size {
  const text = get(data, path);
  const s = text === undefined || text === null ? "" : String(text);
  if (s === "") return { zero: true, negative: false, relative: false, value: 0 };
  const negative = s.startsWith("-");
  const body = negative ? s.slice(1) : s;
  if (s.includes("%")) return { zero: false, negative, relative: true, value: 0 };
  const parsed = humanizeParseBytes(body);
  return { zero: false, negative, relative: false, value: "value" in parsed ? parsed.value : 0 };
}

/** ProvisioningSpec.Validate(required, sizeSupported). */
function provisioning(c: Check, required: boolean, sizeSupported: boolean): void {
  const p = obj(c.data, ["provisioning"]);
  c.cel(
    ["provisioning", "diskSelector", "match"],
    "disk",
    "disk selector is invalid",
    required ? "disk selector is required" : undefined,
  );
  const min = size(p, ["minSize"]);
  const max = size(p, ["maxSize"]);
  if (sizeSupported) {
    if (!min.zero && !max.zero && !max.relative && !max.negative) {
      if (min.value > max.value) c.error("min size is greater than max size", ["provisioning", "minSize"]);
    } else if (required && min.zero && max.zero) {
      c.error("min size or max size is required", ["provisioning"]);
    }
    if (min.negative) c.error("min size cannot be negative", ["provisioning", "minSize"]);
  } else if (!min.zero || !max.zero || has(p, ["grow"])) {
    c.error("min size, max size and grow are not supported", ["provisioning"]);
  }
}

function provisioningZero(c: Check): boolean {
  const p = obj(c.data, ["provisioning"]);
  return (
    !has(p, ["grow"]) &&
    size(p, ["minSize"]).zero &&
    size(p, ["maxSize"]).zero &&
    str(p, ["diskSelector", "match"]) === ""
  );
}

/** EncryptionSpec.Validate. */
function encryption(c: Check): void {
  const enc = obj(c.data, ["encryption"]);
  if (!encryptionSet(enc)) return;
  const provider = str(enc, ["provider"]);
  if (provider !== "luks2")
    c.error(`unsupported encryption provider: ${provider === "" ? "none" : provider}`, [
      "encryption",
      "provider",
    ]);
  const keys = list(enc, ["keys"]);
  if (keys.length === 0) c.error("encryption keys are required", ["encryption", "keys"]);
  const slots = new Set<number>();
  keys.forEach((key, i) => {
    const slot = num(key, ["slot"]) ?? 0;
    const at = ["encryption", "keys", i];
    if (slots.has(slot)) c.error(`duplicate key slot ${slot}`, [...at, "slot"]);
    slots.add(slot);
    if (!["static", "nodeID", "kms", "tpm"].some((k) => has(key, [k])))
      c.error(`at least one encryption key type must be specified for slot ${slot}`, at);
    for (const pcr of list(key, ["tpm", "options", "pcrs"])) {
      const n = Number(pcr);
      if (n < 0 || n > 23) c.error(`TPM PCR ${n} is out of range (0-23)`, [...at, "tpm", "options", "pcrs"]);
    }
  });
}

/** Whether an encryption provider other than "none" is named. */
function encryptionProvider(enc: Data | undefined): boolean {
  const provider = str(enc, ["provider"]);
  return provider !== "" && provider !== "none";
}

/** EncryptionSpec.IsZero negated: a provider or at least one key (other settings alone do not count). */
function encryptionSet(enc: Data | undefined): boolean {
  return encryptionProvider(enc) || list(enc, ["keys"]).length > 0;
}

/**
 * FilesystemSpec.Validate: the first problem only. An unset type formats as xfs; btrfs came with
 * Talos 1.14, as did the xfs options.
 */
function filesystem(c: Check): void {
  const type = str(c.data, ["filesystem", "type"]);
  const supported = c.atLeast(1, 14) ? FILESYSTEMS : FILESYSTEMS.filter((t) => t !== "btrfs");
  if (!supported.includes(type)) {
    c.error(`unsupported filesystem type: ${type}`, ["filesystem", "type"]);
    return;
  }
  const xfs = type === "" || type === "none" || type === "xfs";
  if (get(c.data, ["filesystem", "projectQuotaSupport"]) === true && !xfs) {
    c.error("project quota support is only available for xfs filesystem", [
      "filesystem",
      "projectQuotaSupport",
    ]);
    return;
  }
  if (c.atLeast(1, 14) && has(c.data, ["filesystem", "xfs"]) && !xfs) {
    c.error("xfs options are only available for xfs filesystem", ["filesystem", "xfs"]);
    return;
  }
}

/** FilesystemSpec.IsZero: no type (or "none"), no project quota setting, no xfs options. */
function filesystemZero(c: Check): boolean {
  const type = str(c.data, ["filesystem", "type"]);
  return (
    (type === "" || type === "none") &&
    !has(c.data, ["filesystem", "projectQuotaSupport"]) &&
    !(c.atLeast(1, 14) && has(c.data, ["filesystem", "xfs"]))
  );
}

function trimAndScrub(c: Check): void {
  const trim = goParseDuration(str(c.data, ["trim", "interval"])) ?? 0;
  if (has(c.data, ["trim"]) && trim < 0) c.error("trim interval cannot be negative", ["trim", "interval"]);
  const scrub = goParseDuration(str(c.data, ["scrub", "interval"])) ?? 0;
  if (has(c.data, ["scrub"]) && scrub !== 0 && scrub < MIN_SCRUB_INTERVAL_NS)
    c.error(`scrub interval: minimum value is ${goFormatDuration(MIN_SCRUB_INTERVAL_NS)}`, [
      "scrub",
      "interval",
    ]);
}

/** A mount section with any field set. */
function mountSet(c: Check): boolean {
  return Object.values(obj(c.data, ["mount"]) ?? {}).some((v) => v !== null && v !== undefined);
}

function provisioningRequested(c: Check): boolean {
  const p = obj(c.data, ["provisioning"]);
  return (
    str(p, ["diskSelector", "match"]) !== "" ||
    has(p, ["grow"]) ||
    !size(p, ["minSize"]).zero ||
    !size(p, ["maxSize"]).zero
  );
}

function volumeConstraints(c: Check): void {
  switch (c.name) {
    case "STATE":
      if (!provisioningZero(c))
        c.error(`provisioning config is not allowed for the "STATE" volume`, ["provisioning"]);
      list(c.data, ["encryption", "keys"]).forEach((key, i) => {
        if (get(key, ["lockToState"]) === true)
          c.error(`state-locked key is not allowed for the "STATE" volume`, [
            "encryption",
            "keys",
            i,
            "lockToState",
          ]);
      });
      if (c.atLeast(1, 14) && mountSet(c))
        c.error(`mount config is not allowed for the "STATE" volume`, ["mount"]);
      return;
    case "IMAGECACHE":
      // Before 1.14 only STATE had constraints.
      if (!c.atLeast(1, 14)) return;
      if (mountSet(c)) c.error(`mount config is not allowed for the "IMAGECACHE" volume`, ["mount"]);
      if (has(c.data, ["filesystem", "xfs"]))
        c.error(`filesystem config is not allowed for the "IMAGECACHE" volume`, ["filesystem"]);
      return;
    default:
      if (PROMOTABLE_VOLUMES.includes(c.name) && mountSet(c) && !provisioningRequested(c)) {
        c.error(
          `mount config for the "${c.name}" volume is only supported when it is provisioned onto a dedicated partition`,
          ["mount"],
        );
      }
  }
}

function storageProvisioning(c: Check): void {
  c.cel(
    ["provisioning", "volumeSelector", "match"],
    "volume",
    "provisioning.volumeSelector.match",
    "provisioning.volumeSelector.match is required",
  );
}

export const BLOCK_RULES: KindTable = {
  ExistingVolumeConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name is required", ["name"]);
      if (!VOLUME_NAME.test(c.name))
        c.error("name can only contain lowercase and uppercase ASCII letters, digits, and hyphens", ["name"]);
      c.cel(
        ["discovery", "volumeSelector", "match"],
        "volume",
        "volume selector is invalid",
        "volume selector is required",
      );
      trimAndScrub(c);
    },
  },
  ExternalVolumeConfig: {
    validate: (c) => {
      volumeName(c, 2);
      const type = str(c.data, ["filesystemType"]);
      if (type === "virtiofs") {
        if (!has(c.data, ["mount", "virtiofs"])) c.error("virtiofs mount spec is required", ["mount"]);
        else if (str(c.data, ["mount", "virtiofs", "tag"]) === "")
          c.error("virtiofs tag is required", ["mount", "virtiofs", "tag"]);
      } else c.error(`invalid filesystem type: ${type === "" ? "none" : type}`, ["filesystemType"]);
    },
  },
  FilesystemScrubConfig: {
    validate: (c) => {
      const v = goParseDuration(str(c.data, ["interval"])) ?? 0;
      if (v !== 0 && v < MIN_SCRUB_INTERVAL_NS)
        c.error(`scrub interval: minimum value is ${goFormatDuration(MIN_SCRUB_INTERVAL_NS)}`, ["interval"]);
    },
  },
  FilesystemTrimConfig: {
    validate: (c) => {
      if ((goParseDuration(str(c.data, ["interval"])) ?? 0) < 0)
        c.error("interval cannot be negative", ["interval"]);
    },
  },
  RawVolumeConfig: {
    validate: (c) => {
      volumeName(c, 2);
      provisioning(c, true, true);
      encryption(c);
    },
  },
  SwapVolumeConfig: {
    validate: (c) => {
      volumeName(c, 2);
      provisioning(c, true, true);
      encryption(c);
    },
  },
  UserVolumeConfig: {
    validate: (c) => {
      volumeName(c, 2);
      const type = has(c.data, ["volumeType"]) ? str(c.data, ["volumeType"]) : "partition";
      if (type === "directory") {
        if (!provisioningZero(c))
          c.error("provisioning spec is invalid for volumeType directory", ["provisioning"]);
        if (encryptionSet(obj(c.data, ["encryption"])))
          c.error("encryption spec is invalid for volumeType directory", ["encryption"]);
        if (!filesystemZero(c))
          c.error("filesystem spec is invalid for volumeType directory", ["filesystem"]);
        // Talos 1.13 and 1.14 took no mount settings for a directory volume (1.12 had none to
        // give); since 1.15 only disableAccessTime is refused.
        if (c.atLeast(1, 15)) {
          if (has(c.data, ["mount", "disableAccessTime"]))
            c.error("mount.disableAccessTime is invalid for volumeType directory", [
              "mount",
              "disableAccessTime",
            ]);
        } else if (
          c.atLeast(1, 13) &&
          (has(c.data, ["mount", "disableAccessTime"]) || has(c.data, ["mount", "secure"]))
        )
          c.error("mount spec is invalid for volumeType directory", ["mount"]);
      } else if (type === "disk" || type === "partition") {
        provisioning(c, true, type === "partition");
        filesystem(c);
        encryption(c);
      } else c.error(`unsupported volume type ${goQuote(type)}`, ["volumeType"]);
      trimAndScrub(c);
    },
  },
  VolumeConfig: {
    validate: (c) => {
      // The system volumes other than STATE, EPHEMERAL and IMAGECACHE became configurable in 1.14.
      const allowed = c.atLeast(1, 14) ? SYSTEM_VOLUMES : SYSTEM_VOLUMES.slice(0, 3);
      if (!allowed.includes(c.name)) {
        c.error(`only ${goQuoteList(allowed)} volumes are supported`, ["name"]);
        return;
      }
      volumeConstraints(c);
      provisioning(c, false, true);
      encryption(c);
      trimAndScrub(c);
    },
    conflict: (legacy, c) => {
      if (c.name !== "STATE" && c.name !== "EPHEMERAL") return undefined;
      if (!encryptionProvider(obj(c.data, ["encryption"]))) return undefined;
      const part = c.name === "STATE" ? "state" : "ephemeral";
      return has(legacy, ["machine", "systemDiskEncryption", part])
        ? `system disk encryption for "${c.name}" is configured in both v1alpha1.Config and VolumeConfig`
        : undefined;
    },
  },
  ZswapConfig: {
    validate: (c) => {
      const pct = num(c.data, ["maxPoolPercent"]);
      if (pct !== undefined && (pct < 0 || pct > 100))
        c.error("maxPoolPercent must be between 0 and 100", ["maxPoolPercent"]);
    },
  },
  LVMLogicalVolumeConfig: {
    validate: (c) => {
      const d = c.data;
      storageName(c, 63);
      const type = str(d, ["type"]);
      const usesMirrors = type === "raid1" || type === "raid10";
      const usesStripes = type === "raid0" || type === "raid10";
      const shown = type === "" ? "linear" : type;
      if (has(d, ["mirrors"])) {
        if (!usesMirrors) c.error(`mirrors is only valid for raid1/raid10, not ${shown}`, ["mirrors"]);
        else if ((num(d, ["mirrors"]) ?? 0) < 1) c.error("mirrors must be at least 1", ["mirrors"]);
      }
      if (has(d, ["stripes"])) {
        if (!usesStripes) c.error(`stripes is only valid for raid0/raid10, not ${shown}`, ["stripes"]);
        else if ((num(d, ["stripes"]) ?? 0) < 2) c.error("stripes must be at least 2", ["stripes"]);
      }
      const p = obj(d, ["provisioning"]);
      if (str(p, ["volumeGroup"]) === "")
        c.error("provisioning.volumeGroup is required", ["provisioning", "volumeGroup"]);
      const max = size(p, ["maxSize"]);
      const min = size(p, ["minSize"]);
      if (max.zero) c.error("provisioning.maxSize is required", ["provisioning", "maxSize"]);
      if (max.negative) c.error("provisioning.maxSize must not be negative", ["provisioning", "maxSize"]);
      if (!min.zero && !max.relative && min.value > max.value)
        c.error("provisioning.minSize must not exceed provisioning.maxSize", ["provisioning", "minSize"]);
    },
  },
  LVMVolumeGroupConfig: {
    validate: (c) => {
      storageName(c, 63);
      storageProvisioning(c);
    },
  },
  RAIDArrayConfig: {
    validate: (c) => {
      storageName(c, 32);
      storageProvisioning(c);
    },
  },
};
