// One boot of the emulated machine and its parts: configs, events, services, sequences and
// resources.
export {
  type BootServiceOptions,
  bootServices,
  earlyServices,
  requiredServices,
  SERVICES,
} from "./catalog.js";
export {
  acceptedCas,
  certSans,
  clusterName,
  configuredHostname,
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
} from "./config.js";
export { ACTIVE_ID, type ActiveListener, ConfigStore, PERSISTENT_ID } from "./config-store.js";
export {
  EVENT_RING_CAPACITY,
  EVENT_RING_GAP,
  EVENT_TYPE_PREFIX,
  EventBus,
  type EventListener,
  type EventReader,
  type MachineEvent,
  type StartPosition,
} from "./events.js";
export { Machine, type MachineOptions, REBOOT_CMD } from "./machine.js";
export { MACHINE_STATUS_ID, MachineStatusController, type UnmetCondition } from "./machine-status.js";
export * from "./resources/index.js";
export {
  type Phase,
  phase,
  type SequenceDefinition,
  SequenceError,
  Sequencer,
  type Task,
  type TaskContext,
  task,
} from "./sequencer.js";
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
} from "./services.js";
export {
  createXidGenerator,
  decodeXid,
  encodeXid,
  XID_LENGTH,
  type XidGenerator,
  xidSeconds,
} from "./xid.js";
