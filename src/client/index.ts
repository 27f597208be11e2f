// The Talos API client of talosctl: connections (mTLS or maintenance), routing metadata,
// per-node fan-out, Go-style errors, the version check, and the COSI and apply helpers; for
// the observability commands, per-node server streams with backpressure and event decoding.
// Durations, sizes and file modes live in src/wire; the `copy` archive reader in ./tar.js.
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
  type NodeClient,
  type TalosClient,
  type TalosClientOptions,
} from "./client.js";
export { COMPLETION_TIMEOUT_MS, completionQuery } from "./completion.js";
export { deepEqual, isEmptyConfig, sameConfigData } from "./config-text.js";
export {
  type Connection,
  type ConnectionOptions,
  createConnection,
  DIAL_TIMEOUT_MS,
} from "./connection.js";
export {
  type DebugInput,
  DebugInputQueue,
  type DebugRunOptions,
  runDebugContainer,
} from "./debug.js";
export {
  DEFAULT_DRAIN_TIMEOUT,
  type DrainAvailability,
  type DrainedNodes,
  type DrainOptions,
  DrainUnavailableError,
  type DrainUpdate,
  drainNodes,
  kubernetesDrainAvailability,
  kubernetesNodeName,
  type UncordonOptions,
  uncordonNodes,
} from "./drain.js";
export { type Endpoint, endpointUrl, formatAuthority, parseEndpoint } from "./endpoints.js";
export {
  connectionFailure,
  FingerprintMismatchError,
  isDialFailure,
  NodeError,
  RpcError,
  toRpcError,
} from "./errors.js";
export {
  goPathError,
  readSnapshotStatus,
  recoveringLine,
  type SavedSnapshot,
  saveEtcdSnapshot,
  snapshotInfoLine,
  uploadEtcdSnapshot,
} from "./etcd.js";
export {
  type DecodedEvent,
  decodeEvent,
  type EventPayload,
  eventFields,
  eventLabel,
  eventPayloadJson,
  serviceStateName,
  xidTime,
} from "./events.js";
export {
  type ClientEnvironment,
  type ConnectionFlags,
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
  type ContainerdInstanceInit,
  containerdInstance,
  formatLabels,
  IMAGE_NAMESPACES,
  type ImageEntry,
  importNodeImage,
  listImages,
  type PullProgress,
  pullNodeImage,
  removeNodeImage,
  type VerifyResult,
  verifyNodeImage,
} from "./images.js";
export {
  controllerDependencies,
  type GraphEdge,
  graphResources,
  type LiveResource,
  renderDependencies,
  renderDependenciesWithResources,
} from "./inspect.js";
export { type IntKind, parseBigIntFlag, parseIntFlag } from "./int-flags.js";
export {
  type ClashChoice,
  type ClashComponent,
  defaultKubeconfigPath,
  encodeKubeconfig,
  type Kubeconfig,
  kubeconfigFromArchive,
  type MergeOptions,
  mergeKubeconfig,
  parseKubeconfig,
} from "./kubeconfig.js";
export {
  findPodNetns,
  type NetstatFlags,
  type NetstatRequestInit,
  netstatHeaders,
  netstatJson,
  netstatRequest,
  netstatRow,
  podNetworkNamespaces,
  stateName,
} from "./netstat.js";
export {
  containerIds,
  metaDelete,
  metaWrite,
  restartContainer,
} from "./node-ops.js";
export { completeNodePath, PATH_COMPLETION_LIMIT } from "./paths.js";
export {
  ACTIVE_CONFIG_ID,
  eventName,
  fetchMachineConfig,
  listResourceDefinitions,
  machineConfigText,
  metadataData,
  type PrintColumn,
  type ResourceDefinition,
  requireMachineConfigType,
  resolveResourceKind,
  resourceData,
  specData,
  type WatchEventName,
} from "./resources.js";
export {
  addAcceptedOsCa,
  clientFromConfig,
  dropOsCa,
  type KubernetesApi,
  type KubernetesRotation,
  k8sAddAcceptedCa,
  k8sDeleteAcceptedCa,
  k8sSetCa,
  kubernetesApi,
  NO_KUBERNETES_API,
  type RotationCluster,
  type RotationCommon,
  rotateKubernetesCa,
  rotateTalosCa,
  STEP_RETRY_MS,
  swapOsCa,
  type TalosRotation,
} from "./rotate-ca.js";
export { KUBERNETES_NAMESPACE, logIds, SYSTEM_NAMESPACE, serviceIds } from "./services.js";
export {
  destroyArray,
  parseLogicalVolume,
  parseWipeMethod,
  removeLogicalVolume,
  removePhysicalVolume,
  removeVolumeGroup,
  type Statfs,
  statfs,
  WIPE_METHODS,
  type WipeOptions,
  wipeBlockDevices,
} from "./storage.js";
export {
  COALESCE_BYTES,
  CoalescingWriter,
  LineBuffer,
  MAX_LINE_BYTES,
  type StreamEnd,
  type StreamNodesOptions,
  streamNodes,
  type WritableLike,
  writeWithBackpressure,
} from "./streams.js";
export {
  AgeEncryptor,
  type AgeRecipient,
  type BundleProgress,
  createSupportBundle,
  parseRecipient,
  type SupportBundleOptions,
} from "./support/index.js";
export { credentialsFromContext, maintenanceCredentials, type TlsCredentials } from "./tls.js";
export {
  checkServerVersions,
  compareVersions,
  formatVersion,
  parseVersion,
  type SemVer,
  type VersionCheckResult,
} from "./version-check.js";
