// Local clusters and cluster-wide checks: client-side health and its progress display, and
// the process provisioner behind `talosctl cluster`.

export { type DiscoveredNodes, discoverNodes, fetchClusterView } from "./health.js";
export {
  CLUSTER_FILE,
  type ClusterRecord,
  checkClusterName,
  checkNodeRunning,
  clusterDir,
  DEFAULT_CIDR,
  DEFAULT_CLUSTER_NAME,
  launchNode,
  type NodeRecord,
  PROVISIONER,
  planAddresses,
  readClusterRecord,
  removeClusterDir,
  stopNodes,
  writeClusterRecord,
} from "./provision.js";
export { type CheckReporter, createCheckReporter, type ReporterStream } from "./reporter.js";
export { HealthError, type HealthOptions, runClusterHealth } from "./run-health.js";
