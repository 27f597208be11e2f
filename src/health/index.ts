// Cluster health checks shared by the node (server-side health) and talosctl (client-side).
export {
  type CheckResult,
  type CheckUpdate,
  type ClusterView,
  HEALTH_CHECKS,
  type HealthCheck,
  HealthCheckFailure,
  type NodeView,
  type RunChecksOptions,
  runHealthChecks,
  updateLine,
} from "./checks.js";
