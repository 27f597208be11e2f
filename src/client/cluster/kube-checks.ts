// The Kubernetes checks of `health --server=false`, run as talosctl runs them
// (siderolabs/talos: pkg/cluster/check/kubernetes.go and default.go): against the cluster's
// Kubernetes API with the admin kubeconfig from the node, over a snapshot of the Nodes and the
// kube-system pods, DaemonSets and Deployments taken at each poll. Check names and failure
// messages are talosctl's.
import type { CheckResult, ClusterView, HealthCheck, NodeView } from "../../health/index.js";
import type { Json, KubeClient } from "../kube/index.js";

/** What the Kubernetes checks read, fetched at each poll. */
export interface KubeSnapshot {
  readonly nodes: readonly Json[];
  /** kube-system pods. */
  readonly pods: readonly Json[];
  /** kube-system DaemonSets. */
  readonly daemonSets: readonly Json[];
  /** kube-system Deployments. */
  readonly deployments: readonly Json[];
}

/** A cluster view with the Kubernetes snapshot, or why the API could not be read. */
export interface KubeClusterView extends ClusterView {
  readonly kube?: KubeSnapshot;
  readonly kubeError?: string;
  /** The cluster has no Kubernetes (no admin kubeconfig): the Kubernetes checks are skipped. */
  readonly kubeAbsent?: boolean;
}

/** One consistent read of what the checks need. */
export async function fetchKubeSnapshot(kube: KubeClient): Promise<KubeSnapshot> {
  const items = (list: Json): Json[] => (Array.isArray(list.items) ? (list.items as Json[]) : []);
  const [nodes, pods, daemonSets, deployments] = await Promise.all([
    kube.get("/api/v1/nodes"),
    kube.get("/api/v1/namespaces/kube-system/pods"),
    kube.get("/apis/apps/v1/namespaces/kube-system/daemonsets"),
    kube.get("/apis/apps/v1/namespaces/kube-system/deployments"),
  ]);
  return {
    nodes: items(nodes),
    pods: items(pods),
    daemonSets: items(daemonSets),
    deployments: items(deployments),
  };
}

const OK: CheckResult = { ok: true };
const SKIP: CheckResult = { ok: true, skip: true };
const fail = (error: string): CheckResult => ({ ok: false, error });

/** Go's `%v` of a string slice. */
const goList = (values: readonly string[]): string => `[${values.join(" ")}]`;
/** Go's `%q` of a slice of addresses. */
const goQuotedList = (values: readonly string[]): string =>
  `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;

const meta = (o: Json): Json => (o.metadata ?? {}) as Json;
const name = (o: Json): string => String(meta(o).name ?? "");
const labels = (o: Json): Record<string, string> => (meta(o).labels ?? {}) as Record<string, string>;
const conditionTrue = (o: Json, type: string): boolean =>
  (((o.status as Json | undefined)?.conditions ?? []) as Json[]).some(
    (c) => c.type === type && c.status === "True",
  );

/** A Node's InternalIP and ExternalIP addresses. */
function nodeIps(node: Json): string[] {
  const addresses = ((node.status as Json | undefined)?.addresses ?? []) as Json[];
  return addresses
    .filter((a) => a.type === "InternalIP" || a.type === "ExternalIP")
    .map((a) => String(a.address));
}

/** The node's addresses as the checks expect them (the address it was named by). */
const expectedIps = (n: NodeView): string[] => [n.node];

/** talosctl's cluster.NodesMatch: every expected node seen once, nothing else. */
function nodesMatch(expected: readonly string[][], actual: readonly string[][]): string | undefined {
  const left = [...actual];
  for (const ips of expected) {
    const i = left.findIndex((a) => a.some((ip) => ips.includes(ip)));
    if (i < 0) return `can't find expected node with IPs ${goQuotedList(ips)}`;
    left.splice(i, 1);
  }
  if (left.length > 0) {
    const unexpected = left.flat().sort(compareIps);
    return `unexpected nodes with IPs ${goQuotedList(unexpected)}`;
  }
  return undefined;
}

function compareIps(a: string, b: string): number {
  const parts = (ip: string) => ip.split(".").map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}

/** Runs a Kubernetes check over the snapshot: skipped without Kubernetes, failed without an answer. */
function withKube(
  check: (k: KubeSnapshot, v: KubeClusterView) => CheckResult,
): (v: ClusterView) => CheckResult {
  return (view) => {
    const v = view as KubeClusterView;
    if (v.kubeAbsent) return SKIP;
    if (v.kubeError !== undefined) return fail(v.kubeError);
    if (!v.kube) return fail("no Kubernetes client");
    return check(v.kube, v);
  };
}

/** talosctl's K8sPodReadyAssertion. */
function podsReady(k: KubeSnapshot, replicas: number, selector: Record<string, string>): CheckResult {
  const selectorText = Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const pods = k.pods.filter((p) =>
    Object.entries(selector).every(([key, value]) => labels(p)[key] === value),
  );
  if (pods.length === 0)
    return fail(
      `no pods found for namespace "kube-system" and label selector ${JSON.stringify(selectorText)}`,
    );
  const ready: string[] = [];
  const notReady: string[] = [];
  for (const p of pods) {
    if (meta(p).deletionTimestamp !== undefined && meta(p).deletionTimestamp !== null) continue;
    const status = (p.status ?? {}) as Json;
    if (status.phase === "Failed") continue;
    const containers = (status.containerStatuses ?? []) as Json[];
    if (containers.every((c) => (c.state as Json | undefined)?.terminated !== undefined)) continue;
    if (conditionTrue(p, "Ready")) ready.push(name(p));
    else notReady.push(name(p));
  }
  if (ready.length === 0)
    return fail(
      `no ready pods found for namespace "kube-system" and label selector ${JSON.stringify(selectorText)}`,
    );
  if (notReady.length === 0) {
    return ready.length === replicas ? OK : fail(`expected ${replicas} ready pods, got ${ready.length}`);
  }
  return fail(`some pods are not ready: ${goList(notReady)}`);
}

const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

/** The checks after the boot sequence ones, in talosctl's order. */
export const KUBERNETES_CHECKS: readonly HealthCheck[] = [
  {
    name: "all k8s nodes to report",
    run: withKube((k, v) => {
      const why = nodesMatch([...v.controlPlanes, ...v.workers].map(expectedIps), k.nodes.map(nodeIps));
      return why === undefined ? OK : fail(why);
    }),
  },
  {
    name: "all control plane static pods to be running",
    run: (v) => {
      for (const n of v.controlPlanes) {
        if (n.error !== undefined) return fail(n.error);
        if (!n.staticPods)
          return fail(
            `missing static pods on node ${n.node}: [kube-system/kube-apiserver kube-system/kube-controller-manager kube-system/kube-scheduler]`,
          );
      }
      return OK;
    },
  },
  {
    name: "all control plane components to be ready",
    run: withKube((k, v) => {
      const controlPlanes = k.nodes.filter((n) => CONTROL_PLANE_LABEL in labels(n));
      const why = nodesMatch(v.controlPlanes.map(expectedIps), controlPlanes.map(nodeIps));
      if (why !== undefined) return fail(why);
      for (const app of ["kube-apiserver", "kube-scheduler", "kube-controller-manager"]) {
        const pods = k.pods.filter((p) => labels(p)["k8s-app"] === app);
        if (pods.length !== controlPlanes.length)
          return fail(`expected number of pods for ${app} to be ${controlPlanes.length}, got ${pods.length}`);
        const notReady = pods
          .filter((p) => {
            const ready = (((p.status as Json | undefined)?.conditions ?? []) as Json[]).find(
              (c) => c.type === "Ready",
            );
            return ready !== undefined && ready.status !== "True";
          })
          .map(name);
        if (notReady.length > 0) return fail(`some pods are not ready for ${app}: ${goList(notReady)}`);
      }
      return OK;
    }),
  },
  {
    name: "all k8s nodes to report ready",
    run: withKube((k) => {
      const notReady = k.nodes
        .filter((n) => {
          const ready = (((n.status as Json | undefined)?.conditions ?? []) as Json[]).find(
            (c) => c.type === "Ready",
          );
          return ready !== undefined && ready.status !== "True";
        })
        .map(name);
      return notReady.length === 0 ? OK : fail(`some nodes are not ready: ${goList(notReady)}`);
    }),
  },
  {
    name: "kube-proxy to report ready",
    run: withKube((k) => {
      const ds = k.daemonSets.find((d) => labels(d)["k8s-app"] === "kube-proxy");
      const replicas = Number((ds?.status as Json | undefined)?.desiredNumberScheduled ?? 0);
      if (!ds || replicas === 0) return SKIP;
      return podsReady(k, replicas, { "k8s-app": "kube-proxy" });
    }),
  },
  {
    name: "coredns to report ready",
    run: withKube((k) => {
      const deployment = k.deployments.find((d) => labels(d)["k8s-app"] === "kube-dns");
      if (!deployment) return SKIP;
      const replicas = Number((deployment.spec as Json | undefined)?.replicas ?? 0);
      return podsReady(k, replicas, { "k8s-app": "kube-dns" });
    }),
  },
  {
    name: "all k8s nodes to report schedulable",
    run: withKube((k) => {
      // talosctl names the first cordoned node it finds.
      const cordoned = k.nodes.find((n) => (n.spec as Json | undefined)?.unschedulable === true);
      return cordoned ? fail(`some nodes are not schedulable: ${goList([name(cordoned)])}`) : OK;
    }),
  },
];
