// The STATE directory: persisted machine config and node identity, the bootloader's slots and
// META, written atomically.
export {
  BOOTLOADER_FILE,
  Bootloader,
  type BootloaderState,
  type BootSlot,
  installerRef,
  otherSlot,
  SLOT_LABELS,
  type SlotLabel,
} from "./bootloader.js";
export { META_FILE, META_TAG, Meta, type MetaValues, metaTags, type StagedUpgrade } from "./meta.js";
export { CONFIG_FILE, IDENTITY_FILE, LOCK_FILE, type NodeIdentity, StateDir } from "./state-dir.js";
export { VOLUME_PARTITIONS_FILE, type VolumePartition, VolumePartitions } from "./volume-partitions.js";
