import { describe, expect, it } from "vitest";
import { createClock } from "../../clock.js";
import { ControllerRuntime, NS, ResourceStore } from "../../resources/index.js";
import { type MachineConfig, parseMachineConfig } from "../config.js";
import {
  encryptionConfigText,
  K8S_STATUS_CONTROLLERS,
  KUBELET_KUBECONFIG,
  kubeletKubeconfigText,
  NODE_STATUS,
} from "./k8s-status.js";
import { INPUT, type KubeNodeStatus, type MachineSource } from "./source.js";

const WORKER = `version: v1alpha1
machine:
  type: worker
  token: abcdef.0123456789abcdef
  ca:
    crt: ""
cluster:
  clusterName: c
  controlPlane:
    endpoint: https://10.5.0.2:6443
`;

describe("k8s status controllers", () => {
  it("renders the API server's encryption config from the root secrets as Kubernetes marshals it", () => {
    expect(encryptionConfigText({ secretboxEncryptionSecret: "sb=", aescbcEncryptionSecret: "cbc=" })).toBe(
      [
        "apiVersion: v1",
        "kind: EncryptionConfig",
        "resources:",
        "- providers:",
        "  - secretbox:",
        "      keys:",
        "      - name: key2",
        "        secret: sb=",
        "  - aescbc:",
        "      keys:",
        "      - name: key1",
        "        secret: cbc=",
        "  - identity: {}",
        "  resources:",
        "  - secrets",
        "",
      ].join("\n"),
    );
    const custom = encryptionConfigText({
      secretboxEncryptionSecret: "ignored=",
      etcdEncryptionConfig: { resources: [{ resources: ["secrets"], providers: [{ identity: {} }] }] },
    });
    expect(custom).toContain("- providers:\n  - identity: {}\n  resources:\n  - secrets\n");
    expect(custom).not.toContain("ignored=");
  });

  it("NodeStatus follows the node's Node object; the kubelet kubeconfig digest appears once it registered", () => {
    const config: MachineConfig = parseMachineConfig(WORKER);
    let node: KubeNodeStatus | undefined;
    const source = {
      active: () => config,
      kubernetes: () => ({ nodeReady: node !== undefined, staticPodsRunning: false, node }),
    } as unknown as MachineSource;
    const store = ResourceStore.forNode(createClock());
    const rt = new ControllerRuntime(store, source, K8S_STATUS_CONTROLLERS);
    rt.start();
    expect(store.list(NS.k8s, NODE_STATUS.definition.type)).toEqual([]);
    expect(store.list(NS.k8s, KUBELET_KUBECONFIG.definition.type)).toEqual([]);
    node = {
      name: "w-1",
      unschedulable: false,
      ready: true,
      labels: { "kubernetes.io/hostname": "w-1" },
      annotations: {},
      podCidrs: ["10.244.1.0/24"],
    };
    rt.changed(INPUT.kubernetes);
    const status = () => store.get(NS.k8s, NODE_STATUS.definition.type, "w-1")!;
    expect(status().kind.yaml(status().spec)).toContain(
      "nodename: w-1\nnodeReady: true\nunschedulable: false\n",
    );
    expect(status().kind.yaml(status().spec)).toContain("10.244.1.0/24");
    node = { ...node, unschedulable: true };
    rt.changed(INPUT.kubernetes);
    expect((status().spec as { unschedulable: boolean }).unschedulable).toBe(true);
    const digest = store.get(NS.k8s, KUBELET_KUBECONFIG.definition.type, "kubelet")!.spec as { hash: string };
    expect(digest.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(kubeletKubeconfigText("https://10.5.0.2:6443", "")).toContain("server: https://10.5.0.2:6443");
    node = undefined;
    rt.changed(INPUT.kubernetes);
    expect(store.list(NS.k8s, NODE_STATUS.definition.type)).toEqual([]);
    rt.close();
  });
});
