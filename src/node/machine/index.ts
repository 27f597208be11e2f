// One boot of the emulated machine and its parts: configs, events, services, the start-up and
// lifecycle sequences, workloads, volumes, readiness and resources.
export { type BootHost, StartupSequences } from "./boot.js";
export {
  type BootServiceOptions,
  bootServiceOptions,
  bootServices,
  earlyServices,
  requiredServices,
  SERVICES,
} from "./catalog.js";
export { addCgroup, CGROUP_ROOT, mountCgroupfs } from "./cgroupfs.js";
export {
  acceptedCas,
  certSans,
  clusterName,
  configText,
  configuredHostname,
  DEFAULT_TIME_SERVER,
  hasEtcd,
  hasKubernetes,
  hasMachineInstall,
  hasUnattendedInstall,
  installDiskSelector,
  isComplete,
  isControlPlane,
  legacyDocument,
  type MachineConfig,
  machineType,
  osCa,
  parseMachineConfig,
  timeServers,
} from "./config.js";
export {
  type ConfigCheckRequest,
  type ConfigCheckResult,
  checkConfig,
  configDiff,
  MAX_DIFF_LINES,
  type PlainConfigDocument,
  plainDocuments,
} from "./config-check.js";
export { type ActiveListener, ConfigStore, PERSISTENT_ID } from "./config-store.js";
export { ConfigChecker, ConfigTooComplexError, configChecker, INLINE_CHECK_BYTES } from "./config-worker.js";
export { INPUT } from "./controllers/index.js";
export {
  EVENT_RING_CAPACITY,
  EVENT_RING_GAP,
  EventBus,
  type EventListener,
  type EventReader,
  type MachineEvent,
  type StartPosition,
} from "./events.js";
export { INSTALLATION_ERROR, type InstallerContext, InstallerError, runInstaller } from "./installer.js";
export { KERNEL_BOOT_MS, KERNEL_VERSION, kernelCmdline } from "./kernel-transcript.js";
export {
  FACILITIES,
  type Facility,
  KernelLog,
  KmsgCursor,
  type KmsgRecord,
  PRIORITIES,
  type Priority,
  rfc3339Nano,
} from "./kmsg.js";
export {
  type LifecycleMachine,
  maintenanceUpgradeSequence,
  type PowerRequest,
  REBOOT_CMD,
  type RebootMode,
  type ResetPlan,
  rebootSequence,
  resetSequence,
  shutdownSequence,
  stageUpgradeSequence,
  type UpgradePlan,
  upgradeSequence,
} from "./lifecycle.js";
export { type LiveFacts, MEMINFO_KEYS, registerLiveFiles } from "./live-files.js";
export {
  LOG_CHUNK_BYTES,
  LOG_INITIAL_CHUNK_BYTES,
  LOG_SAFETY_GAP_CHUNKS,
  LOG_SEALED_CHUNKS,
  LogCursor,
  LogManager,
  LogRing,
  type LogStart,
} from "./logs.js";
export { Machine, type MachineOptions } from "./machine.js";
export type { MachineClusterHost } from "./machine-options.js";
export {
  MACHINE_STAGES,
  MACHINE_STATUS_ID,
  type MachineStageName,
  MachineStatusController,
  type UnmetCondition,
} from "./machine-status.js";
export {
  type AffiliateStatusFacts,
  affiliateStatus,
  type ReadinessFacts,
  unmetConditions,
} from "./readiness.js";
export {
  type Phase,
  phase,
  SEQUENCE_LOCKED,
  type SequenceDefinition,
  SequenceError,
  SequenceLockedError,
  Sequencer,
  type Task,
  type TaskContext,
  task,
} from "./sequencer.js";
export { type MachineFacts, ServiceOutput } from "./service-output.js";
export {
  CONTAINERD_VERSION,
  ETCD_VERSION,
  KUBERNETES_VERSION,
  type ServiceVoice,
  type VoiceContext,
  voiceOf,
} from "./service-voices.js";
export {
  HEALTH_INITIAL_DELAY_MS,
  type Runner,
  SERVICE_EVENT_HISTORY,
  type ServiceDefinition,
  type ServiceEventRecord,
  type ServiceHealth,
  ServiceManager,
  type ServiceSnapshot,
  type ServiceState,
  type ServiceTransition,
  type TransitionListener,
} from "./services.js";
export { SystemVolumes, VOLUME_STATUS, type VolumesHost } from "./volumes.js";
export {
  type WorkloadImageSet,
  Workloads,
  type WorkloadsHost,
  workloadImageSet,
  workloadImages,
} from "./workloads.js";
export {
  createXidGenerator,
  decodeXid,
  encodeXid,
  XID_LENGTH,
  type XidGenerator,
  xidSeconds,
} from "./xid.js";
