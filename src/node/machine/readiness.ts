// When the machine counts as ready: the conditions MachineStatus reports unmet while the
// machine boots or runs (time, network, required services, Kubernetes; siderolabs/talos:
// internal/app/machined/pkg/controllers/runtime/machine_status.go), and the status the node
// publishes to its cluster's discovery registry for the other nodes' health checks.
import type { AffiliateStatus } from "../cluster/registry.js";
import { MEM_TOTAL_KB } from "../platform/index.js";
import { type BootServiceOptions, requiredServices } from "./catalog.js";
import type { UnmetCondition } from "./machine-status.js";
import type { ServiceManager } from "./services.js";

export interface ReadinessFacts {
  readonly timeSynced: boolean;
  readonly networkReady: boolean;
  readonly boot: BootServiceOptions;
  readonly services: ServiceManager;
  readonly kubernetesReady: boolean;
  readonly hostname: string;
}

/** The readiness conditions not met yet, in MachineStatus's order. */
export function unmetConditions(f: ReadinessFacts): UnmetCondition[] {
  const out: UnmetCondition[] = [];
  if (!f.timeSynced) out.push({ name: "time", reason: "time is not synced" });
  if (!f.networkReady) {
    out.push({ name: "network", reason: "waiting on: address, connectivity, etc-files, hostname" });
  }
  const reasons: string[] = [];
  for (const id of requiredServices(f.boot)) {
    const svc = f.services.snapshot(id);
    if (svc?.state !== "Running") reasons.push(`${id} not running`);
    else if (svc.definition.healthCheck && !svc.health.healthy) reasons.push(`${id} not healthy`);
  }
  if (reasons.length > 0) out.push({ name: "services", reason: reasons.join(", ") });
  if (f.boot.kubernetes && !f.kubernetesReady) {
    if (f.boot.controlPlane) {
      out.push({
        name: "staticPods",
        reason: "kube-apiserver pending, kube-controller-manager pending, kube-scheduler pending",
      });
    }
    out.push({ name: "nodeReady", reason: `node "${f.hostname}" status is not available yet` });
  }
  return out;
}

export interface AffiliateStatusFacts {
  readonly stage: string;
  readonly ready: boolean;
  readonly services: ServiceManager;
  readonly diskBytes: number;
  readonly kubernetesReady: boolean;
  readonly staticPods: boolean;
}

/** What the node tells the other nodes of its cluster about its health. */
export function affiliateStatus(f: AffiliateStatusFacts): AffiliateStatus {
  return {
    stage: f.stage,
    ready: f.ready,
    services: Object.fromEntries(
      f.services.list().map((s) => [
        s.id,
        {
          state: s.state,
          healthy: s.state === "Running" && (!s.definition.healthCheck || s.health.healthy),
        },
      ]),
    ),
    memoryBytes: MEM_TOTAL_KB * 1024,
    diskBytes: f.diskBytes,
    kubernetesReady: f.kubernetesReady,
    staticPods: f.staticPods,
  };
}
