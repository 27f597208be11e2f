// Client-side cluster health (`health --server=false`): what the checks need, fetched from
// every node over the API through the client's endpoint.
import { StorageService } from "../../gen/storage/storage_pb.js";
import type { ClusterView, NodeView } from "../../health/index.js";
import type { NodeClient, TalosClient } from "../client.js";
import { toRpcError } from "../errors.js";
import { specData } from "../resources.js";

const MEMBERS = { namespace: "cluster", type: "Members.cluster.talos.dev" };
const MACHINE_STATUS = { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", id: "machine" };

export interface DiscoveredNodes {
  readonly controlPlanes: string[];
  readonly workers: string[];
}

/** Cluster membership from a node's discovery resources (its Members). */
export async function discoverNodes(node: NodeClient): Promise<DiscoveredNodes> {
  const out: DiscoveredNodes = { controlPlanes: [], workers: [] };
  for await (const msg of node.cosi.list(MEMBERS)) {
    const spec = msg.resource ? (specData(msg.resource) as Record<string, unknown> | null) : null;
    if (!spec) continue;
    const addresses = Array.isArray(spec.addresses) ? (spec.addresses as string[]) : [];
    const name = addresses[0] ?? String(spec.hostname ?? "");
    if (name === "") continue;
    if (spec.machineType === "controlplane" || spec.machineType === "init") out.controlPlanes.push(name);
    else out.workers.push(name);
  }
  return out;
}

async function nodeView(client: TalosClient, name: string, controlPlane: boolean): Promise<NodeView> {
  const node = client.forNode(name);
  try {
    const [services, memory, status, disks, hostname] = await Promise.all([
      node.machine.serviceList({}),
      node.machine.memory({}),
      node.cosi.get(MACHINE_STATUS),
      node.service(StorageService).disks({}),
      node.machine.hostname({}),
    ]);
    const spec = (status.resource ? specData(status.resource) : null) as {
      stage?: string;
      ready?: boolean;
      status?: { unmetConditions?: { name: string }[] };
    } | null;
    const stage = spec?.stage ?? "unknown";
    const unmet = (spec?.status?.unmetConditions ?? []).map((c) => c.name);
    const svc: Record<string, { state: string; healthy: boolean }> = {};
    for (const s of services.messages.flatMap((m) => m.services)) {
      svc[s.id] = { state: s.state, healthy: s.state === "Running" && s.health?.healthy === true };
    }
    const kubeletUp = svc.kubelet?.healthy === true;
    let etcdMembers: string[] | undefined;
    if (controlPlane) {
      try {
        const list = await node.machine.etcdMemberList({ queryLocal: true });
        etcdMembers = list.messages.flatMap((m) => m.members.map((x) => x.hostname));
      } catch {
        etcdMembers = [];
      }
    }
    return {
      node: name,
      hostname: hostname.messages[0]?.hostname ?? name,
      stage,
      services: svc,
      memoryBytes: Number(memory.messages[0]?.meminfo?.memtotal ?? 0n) * 1024,
      diskBytes: Number(disks.messages[0]?.disks[0]?.size ?? 0n),
      kubernetesReady: stage === "running" && kubeletUp && !unmet.includes("nodeReady"),
      staticPods:
        controlPlane &&
        stage === "running" &&
        kubeletUp &&
        !unmet.includes("staticPods") &&
        !unmet.includes("nodeReady"),
      ...(etcdMembers !== undefined ? { etcdMembers } : {}),
    };
  } catch (err) {
    return {
      node: name,
      error: toRpcError(err, client.signal.aborted).message,
      hostname: name,
      stage: "unknown",
      services: {},
      memoryBytes: 0,
      diskBytes: 0,
      kubernetesReady: false,
      staticPods: false,
    };
  }
}

/** A fresh view of every node, fetched in parallel. */
export async function fetchClusterView(client: TalosClient, nodes: DiscoveredNodes): Promise<ClusterView> {
  const [controlPlanes, workers] = await Promise.all([
    Promise.all(nodes.controlPlanes.map((n) => nodeView(client, n, true))),
    Promise.all(nodes.workers.map((n) => nodeView(client, n, false))),
  ]);
  return { controlPlanes, workers };
}
