// What talosctl and talos-node share below both programs: the wire protocol's constants, Go's
// status names, durations, sizes and file modes as Go and Talos write them. This folder imports
// neither program (the import rules test holds it to that).
export {
  ACTIVE_CONFIG_ID,
  API_PORT,
  CONFIG_NAMESPACE,
  CONNECT_TIMEOUT_MS,
  EMULATION_SHARD_THRESHOLD,
  EVENT_TYPE_URL_PREFIX,
  emulationProcesses,
  KUBERNETES_NAMESPACE,
  MACHINE_CONFIG_TYPE,
  MAX_MESSAGE_BYTES,
  META_NAMESPACE,
  METADATA,
  RESOURCE_DEFINITION_TYPE,
  SYSTEM_NAMESPACE,
  TRUSTD_PORT,
  trustdPortFor,
} from "./constants.js";
export {
  DEBUG_HOST_NS_IMAGE,
  DEBUG_NIXYBOX_IMAGE,
  DEFAULT_COREDNS_VERSION,
  DEFAULT_ETCD_VERSION,
  DEFAULT_SANDBOX_IMAGE,
  FLANNEL_VERSION,
  KUBE_NETWORK_POLICIES_VERSION,
  type KubernetesImageVersions,
  kubernetesBundle,
  TALOS_REGISTRY,
  TALOS_USERNAME,
  talosBundle,
} from "./default-images.js";
export {
  DurationSyntaxError,
  durationMs,
  formatGoDuration,
  formatGoDurationMs,
  fromProtoDuration,
  msToNanos,
  parseDurationFlag,
  parseGoDuration,
  toProtoDuration,
} from "./duration.js";
export { fileModeString, GO_FILE_MODE, isDirectoryMode, toGoFileMode } from "./file-mode.js";
export { errorCodeOf, goCodeName, goStatusString } from "./grpc-status.js";
export { bytesIEC, bytesSI, countSI, goAge, goTimeString, listTime, relativeTime } from "./humanize.js";
export { goQuote } from "./quote.js";
