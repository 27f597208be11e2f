// The emulated hardware and platform: disks, statistics, runtime mode and addresses.

export {
  type DiskFacts,
  diskFacts,
  diskName,
  PARTITIONS,
  partitionPath,
  RESERVED_BEFORE_EPHEMERAL,
  systemVolumes,
  type VolumeFacts,
} from "./block.js";
export {
  blockDeviceNumber,
  type CgroupFacts,
  type CgroupPod,
  type CgroupProcess,
  cgroupHierarchy,
  cpuWeight,
  weightNice,
} from "./cgroups.js";
export {
  type ContainerRecord,
  type ContainerRestart,
  criLog,
  findPodContainer,
  type KubeletContainer,
  type KubeletPod,
  kubeletLogKey,
  kubeletPodContainers,
  PAUSE_IMAGE,
  type PodSpec,
  podContainers,
  podLogKey,
  type ServiceContainer,
  systemContainers,
} from "./containers.js";
export { type CpuInfoRow, cpuInfo } from "./cpuinfo.js";
export { DEFAULT_DISK, type Disk, describeSelector, matchDisks, parseDiskFlag, parseSize } from "./disks.js";
export {
  CPU_COUNT,
  type CpuStatSnapshot,
  type CpuTimes,
  Hardware,
  MEM_TOTAL_KB,
  type MemInfo,
  type MountRow,
  type ProcessRow,
  type RunningProcess,
} from "./hardware.js";
export {
  nodeAddresses,
  PLATFORMS,
  type PlatformFlag,
  type PlatformInfo,
  type PlatformMode,
  platformInfo,
  preferredAddress,
  withPrefix,
} from "./platform.js";
export {
  cleanComponents,
  contentBytes,
  type Entry,
  ESCAPES,
  goFileMode,
  type LiveFile,
  type LiveSource,
  MAX_SYMLINK_HOPS,
  PathError,
  ROOTFS_DIR,
  RootFs,
  type WalkItem,
  walk,
} from "./rootfs.js";
export { LIVE_PATHS, type LivePath, openRootFs } from "./rootfs-seed.js";
export { type FilesystemStats, filesystemStats, mountOf } from "./statfs.js";
export {
  type BlockDevice,
  BlockStorage,
  loadStorageLayout,
  STORAGE_FILE,
  StorageOpError,
  type StorageState,
  storageFromLayout,
} from "./storage.js";
export { entryHeader, type TarEntry, tarStream } from "./tar.js";
export { talosWalk, type WalkerItem, type WalkerOptions, type WalkFileType } from "./walker.js";
