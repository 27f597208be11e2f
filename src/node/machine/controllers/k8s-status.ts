// What Talos reads back from the node's Kubernetes side: the Node object's status
// (siderolabs/talos: internal/app/machined/pkg/controllers/k8s/node_status.go), the digest of the
// kubelet's kubeconfig once the kubelet wrote it (kubelet_kubeconfig.go), and on control planes
// the API server's etcd encryption config rendered from the Kubernetes root secrets
// (etcd_encryption_config.go).
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { NetIPPrefixSchema } from "../../../gen/common/common_pb.js";
import {
  EtcdEncryptionConfigSpecSchema,
  KubeletKubeconfigSpecSchema,
  NodeStatusSpecSchema,
} from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import { kubernetesCa } from "../../cluster/facts.js";
import { type Controller, ipBytes, messageKind, NS, spec } from "../../resources/index.js";
import { kubePrismPort } from "./cluster-facts.js";
import { kubernetes } from "./k8s-common.js";
import { KUBERNETES_ROOT } from "./secrets-common.js";
import { INPUT, type MachineSource } from "./source.js";

export const NODE_STATUS = messageKind("NodeStatuses.kubernetes.talos.dev", NodeStatusSpecSchema);
export const KUBELET_KUBECONFIG = messageKind(
  "KubeletKubeconfigs.kubernetes.talos.dev",
  KubeletKubeconfigSpecSchema,
);
export const ETCD_ENCRYPTION_CONFIG = messageKind(
  "EtcdEncryptionConfigs.kubernetes.talos.dev",
  EtcdEncryptionConfigSpecSchema,
);

function prefix(cidr: string) {
  const [ip = "", length = "0"] = cidr.split("/");
  return spec(NetIPPrefixSchema, { ip: ipBytes(ip), prefixLength: Number(length) });
}

/** The node's Node object as the Kubernetes API has it, under the node's name. */
export const nodeStatus: Controller<MachineSource> = {
  name: "k8s.NodeStatusController",
  inputs: [INPUT.kubernetes, INPUT.config],
  run({ source, put }) {
    if (!kubernetes(source)) return;
    const node = source.kubernetes().node;
    if (!node) return;
    put(
      NODE_STATUS,
      NS.k8s,
      node.name,
      spec(NodeStatusSpecSchema, {
        nodename: node.name,
        nodeReady: node.ready,
        unschedulable: node.unschedulable,
        labels: { ...node.labels },
        annotations: { ...node.annotations },
        podCidRs: node.podCidrs.map(prefix),
      }),
    );
  },
};

/**
 * The kubeconfig the kubelet writes once its client certificate is issued: the API server it
 * talks to (KubePrism's local endpoint when enabled), the cluster's CA and its rotated client
 * certificate.
 */
export function kubeletKubeconfigText(server: string, caCrt: string): string {
  return stringify(
    {
      apiVersion: "v1",
      clusters: [
        {
          cluster: { "certificate-authority-data": Buffer.from(caCrt).toString("base64"), server },
          name: "default-cluster",
        },
      ],
      contexts: [
        {
          context: { cluster: "default-cluster", namespace: "default", user: "default-auth" },
          name: "default-context",
        },
      ],
      "current-context": "default-context",
      kind: "Config",
      preferences: {},
      users: [
        {
          name: "default-auth",
          user: {
            "client-certificate": "/var/lib/kubelet/pki/kubelet-client-current.pem",
            "client-key": "/var/lib/kubelet/pki/kubelet-client-current.pem",
          },
        },
      ],
    },
    { indentSeq: false },
  );
}

/** The SHA-256 of the kubelet's kubeconfig, once the kubelet registered the node. */
export const kubeletKubeconfig: Controller<MachineSource> = {
  name: "k8s.KubeletKubeconfigController",
  inputs: [INPUT.kubernetes, INPUT.config],
  run({ source, put }) {
    const k = kubernetes(source);
    if (!k || !source.kubernetes().node) return;
    const prism = kubePrismPort(k.config);
    const server = prism !== undefined ? `https://localhost:${prism}` : k.facts.endpoint;
    const text = kubeletKubeconfigText(server, kubernetesCa(k.config).crt);
    const hash = createHash("sha256").update(text).digest("hex");
    put(KUBELET_KUBECONFIG, NS.k8s, "kubelet", spec(KubeletKubeconfigSpecSchema, { hash }));
  },
};

interface RootSecrets {
  readonly aescbcEncryptionSecret?: string;
  readonly secretboxEncryptionSecret?: string;
  readonly etcdEncryptionConfig?: Record<string, unknown>;
}

/**
 * kube-apiserver's EncryptionConfig: the config's KubeEtcdEncryptionConfig document when there is
 * one, else secretbox (key2) and aescbc (key1) with the cluster's secrets, then identity. Written
 * as Kubernetes marshals it (keys sorted).
 */
export function encryptionConfigText(root: RootSecrets): string {
  let resources: unknown;
  if (root.etcdEncryptionConfig) {
    resources = root.etcdEncryptionConfig.resources ?? [];
  } else {
    const providers: unknown[] = [];
    if (root.secretboxEncryptionSecret)
      providers.push({ secretbox: { keys: [{ name: "key2", secret: root.secretboxEncryptionSecret }] } });
    if (root.aescbcEncryptionSecret)
      providers.push({ aescbc: { keys: [{ name: "key1", secret: root.aescbcEncryptionSecret }] } });
    providers.push({ identity: {} });
    resources = [{ providers, resources: ["secrets"] }];
  }
  return stringify(
    { apiVersion: "v1", kind: "EncryptionConfig", resources },
    { indentSeq: false, sortMapEntries: true },
  );
}

export const etcdEncryptionConfig: Controller<MachineSource> = {
  name: "k8s.EtcdEncryptionConfigController",
  inputs: [],
  reads: [{ namespace: NS.secrets, type: KUBERNETES_ROOT.definition.type }],
  run({ get, put }) {
    const root = get(NS.secrets, KUBERNETES_ROOT.definition.type, "k8s")?.spec as RootSecrets | undefined;
    if (!root) return;
    put(
      ETCD_ENCRYPTION_CONFIG,
      NS.k8s,
      "k8s",
      spec(EtcdEncryptionConfigSpecSchema, { configuration: encryptionConfigText(root) }),
    );
  },
};

export const K8S_STATUS_CONTROLLERS: readonly Controller<MachineSource>[] = [
  nodeStatus,
  kubeletKubeconfig,
  etcdEncryptionConfig,
];
