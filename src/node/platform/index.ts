// The emulated hardware and platform: disks, statistics, runtime mode and addresses.
export { DEFAULT_DISK, type Disk, describeSelector, matchDisks, parseDiskFlag, parseSize } from "./disks.js";
export {
  CPU_COUNT,
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
