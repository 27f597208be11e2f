// Local clusters and cluster-wide checks: client-side health and its progress display, and
// the process provisioner behind `talosctl cluster`.

export {
  type CreateClock,
  type CreateClusterOptions,
  type CreateReporter,
  checkNodeCounts,
  createCluster,
  NODE_START_TIMEOUT_MS,
  retryUntil,
  SYSTEM_CLOCK,
} from "./create.js";
export { type DiscoveredNodes, discoverNodes, fetchClusterView } from "./health.js";
export {
  CLUSTER_FILE,
  type ClusterRecord,
  checkClusterName,
  checkEmulationRunning,
  checkNodeRunning,
  clusterDir,
  DEFAULT_CIDR,
  DEFAULT_CLUSTER_NAME,
  EMULATE_THRESHOLD,
  EMULATION_DIR,
  launchEmulation,
  launchNode,
  type NodeRecord,
  PROVISIONER,
  planAddresses,
  readClusterRecord,
  removeClusterDir,
  stopNodes,
  useEmulation,
  writeClusterRecord,
} from "./provision.js";
export { type CheckReporter, createCheckReporter, type ReporterStream } from "./reporter.js";
export { HealthError, type HealthOptions, runClusterHealth } from "./run-health.js";
