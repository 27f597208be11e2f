// The Talos API client of talosctl: connections (mTLS or maintenance), routing metadata,
// per-node fan-out, Go-style errors, the version check, and the COSI and apply helpers.
export {
  APPLY_MODE_NAMES,
  ApplyMode,
  type ApplyRequest,
  type ApplyResult,
  applyConfiguration,
  applyModeName,
  applyResultJson,
  formatApplyResult,
  parseApplyMode,
} from "./apply.js";
export {
  createTalosClient,
  METADATA,
  type NodeClient,
  type TalosClient,
  type TalosClientOptions,
} from "./client.js";
export { deepEqual, isEmptyConfig, sameConfigData } from "./config-text.js";
export {
  type Connection,
  type ConnectionOptions,
  createConnection,
  DIAL_TIMEOUT_MS,
  MAX_MESSAGE_BYTES,
} from "./connection.js";
export {
  DurationSyntaxError,
  formatGoDuration,
  fromProtoDuration,
  parseDurationFlag,
  parseGoDuration,
  toProtoDuration,
} from "./duration.js";
export { DEFAULT_API_PORT, type Endpoint, endpointUrl, formatAuthority, parseEndpoint } from "./endpoints.js";
export {
  connectionFailure,
  FingerprintMismatchError,
  goCodeName,
  isDialFailure,
  NodeError,
  RpcError,
  toRpcError,
} from "./errors.js";
export {
  type ClientEnvironment,
  type ConnectionFlags,
  connectionFlagsFrom,
  NODES_NOT_SET,
  type OpenClientOptions,
  type OpenedClient,
  openClient,
  requireOneNode,
} from "./factory.js";
export {
  DEFAULT_FANOUT_CONCURRENCY,
  errorFromNode,
  type FanOutOptions,
  fanOut,
  type NodeResult,
  throwIfAnyFailed,
} from "./fanout.js";
export { type Fingerprint, matchesFingerprint, parseFingerprint, spkiFingerprint } from "./fingerprint.js";
export {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  eventName,
  fetchMachineConfig,
  listResourceDefinitions,
  MACHINE_CONFIG_TYPE,
  META_NAMESPACE,
  machineConfigText,
  metadataData,
  type PrintColumn,
  RESOURCE_DEFINITION_TYPE,
  type ResourceDefinition,
  requireMachineConfigType,
  resolveResourceKind,
  resourceData,
  specData,
  type WatchEventName,
} from "./resources.js";
export { credentialsFromContext, maintenanceCredentials, type TlsCredentials } from "./tls.js";
export {
  checkServerVersions,
  compareVersions,
  formatVersion,
  parseVersion,
  type SemVer,
  type VersionCheckResult,
} from "./version-check.js";
