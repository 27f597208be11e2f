import { describe, expect, it } from "vitest";
import type { NodeView } from "../../health/index.js";
import type { Json } from "../kube/index.js";
import { KUBERNETES_CHECKS, type KubeClusterView, type KubeSnapshot } from "./kube-checks.js";

const talos = (node: string, staticPods = true): NodeView => ({
  node,
  hostname: node,
  stage: "running",
  services: {},
  memoryBytes: 0,
  diskBytes: 0,
  kubernetesReady: true,
  staticPods,
});

const knode = (
  name: string,
  ip: string,
  opts: { cp?: boolean; ready?: boolean; cordoned?: boolean } = {},
): Json => ({
  metadata: { name, labels: opts.cp ? { "node-role.kubernetes.io/control-plane": "" } : {} },
  spec: opts.cordoned ? { unschedulable: true } : {},
  status: {
    addresses: [
      { type: "InternalIP", address: ip },
      { type: "Hostname", address: name },
    ],
    conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
  },
});

const pod = (name: string, app: string, ready = true): Json => ({
  metadata: { name, labels: { "k8s-app": app } },
  status: {
    phase: "Running",
    conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
    containerStatuses: [{ state: { running: {} } }],
  },
});

function healthy(): KubeSnapshot {
  return {
    nodes: [knode("cp-1", "10.5.0.2", { cp: true }), knode("w-1", "10.5.0.3")],
    pods: [
      pod("kube-apiserver-cp-1", "kube-apiserver"),
      pod("kube-scheduler-cp-1", "kube-scheduler"),
      pod("kube-controller-manager-cp-1", "kube-controller-manager"),
      pod("kube-proxy-a", "kube-proxy"),
      pod("kube-proxy-b", "kube-proxy"),
      pod("coredns-a", "kube-dns"),
      pod("coredns-b", "kube-dns"),
    ],
    daemonSets: [
      { metadata: { labels: { "k8s-app": "kube-proxy" } }, status: { desiredNumberScheduled: 2 } },
    ],
    deployments: [{ metadata: { labels: { "k8s-app": "kube-dns" } }, spec: { replicas: 2 } }],
  };
}

function run(kube: Partial<KubeClusterView>, controlPlanes = [talos("10.5.0.2")]): Record<string, string> {
  const view: KubeClusterView = { controlPlanes, workers: [talos("10.5.0.3")], ...kube };
  const out: Record<string, string> = {};
  for (const check of KUBERNETES_CHECKS) {
    const r = check.run(view);
    out[check.name] = r.ok ? (r.skip ? "SKIP" : "OK") : r.error;
  }
  return out;
}

describe("the Kubernetes checks of health --server=false", () => {
  it("pass on a healthy cluster, in talosctl's order", () => {
    expect(run({ kube: healthy() })).toEqual({
      "all k8s nodes to report": "OK",
      "all control plane static pods to be running": "OK",
      "all control plane components to be ready": "OK",
      "all k8s nodes to report ready": "OK",
      "kube-proxy to report ready": "OK",
      "coredns to report ready": "OK",
      "all k8s nodes to report schedulable": "OK",
    });
  });

  it("word each failure as talosctl does", () => {
    const k = healthy();
    const broken: KubeSnapshot = {
      ...k,
      nodes: [
        knode("cp-1", "10.5.0.2", { cp: true, ready: false }),
        knode("w-1", "10.5.0.3", { cordoned: true }),
        knode("w-2", "10.5.0.9", { cordoned: true }),
      ],
      pods: [
        ...k.pods.filter((p) => (p.metadata as Json).name !== "coredns-b"),
        pod("coredns-b", "kube-dns", false),
      ],
    };
    const out = run({ kube: broken }, [talos("10.5.0.2", false)]);
    expect(out["all k8s nodes to report"]).toBe('unexpected nodes with IPs ["10.5.0.9"]');
    expect(out["all control plane static pods to be running"]).toBe(
      "missing static pods on node 10.5.0.2: [kube-system/kube-apiserver kube-system/kube-controller-manager kube-system/kube-scheduler]",
    );
    expect(out["all k8s nodes to report ready"]).toBe("some nodes are not ready: [cp-1]");
    expect(out["coredns to report ready"]).toBe("some pods are not ready: [coredns-b]");
    expect(out["all k8s nodes to report schedulable"]).toBe("some nodes are not schedulable: [w-1]");
  });

  it("name a missing node, missing control plane pods and too few ready pods", () => {
    const k = healthy();
    expect(run({ kube: { ...k, nodes: [k.nodes[0]!] } })["all k8s nodes to report"]).toBe(
      `can't find expected node with IPs ["10.5.0.3"]`,
    );
    const noScheduler = {
      ...k,
      pods: k.pods.filter((p) => (p.metadata as Json).name !== "kube-scheduler-cp-1"),
    };
    expect(run({ kube: noScheduler })["all control plane components to be ready"]).toBe(
      "expected number of pods for kube-scheduler to be 1, got 0",
    );
    const oneProxy = { ...k, pods: k.pods.filter((p) => (p.metadata as Json).name !== "kube-proxy-b") };
    expect(run({ kube: oneProxy })["kube-proxy to report ready"]).toBe("expected 2 ready pods, got 1");
    const noDns = {
      ...k,
      pods: k.pods.filter(
        (p) =>
          (p.metadata as Json).labels !== undefined &&
          ((p.metadata as Json).labels as Json)["k8s-app"] !== "kube-dns",
      ),
    };
    expect(run({ kube: noDns })["coredns to report ready"]).toBe(
      'no pods found for namespace "kube-system" and label selector "k8s-app=kube-dns"',
    );
  });

  it("skip without Kubernetes, and fail with the API's error when it does not answer", () => {
    const skipped = run({ kubeAbsent: true });
    expect(skipped["all k8s nodes to report"]).toBe("SKIP");
    expect(skipped["all k8s nodes to report schedulable"]).toBe("SKIP");
    const down = run({
      kubeError: "GET https://10.5.0.1:6443/api/v1/nodes: connect ECONNREFUSED 10.5.0.1:6443",
    });
    expect(down["all k8s nodes to report ready"]).toBe(
      "GET https://10.5.0.1:6443/api/v1/nodes: connect ECONNREFUSED 10.5.0.1:6443",
    );
    // The static pods come from the Talos API, not Kubernetes.
    expect(down["all control plane static pods to be running"]).toBe("OK");
  });
});
