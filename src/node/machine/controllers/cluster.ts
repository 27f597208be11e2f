// Cluster resources that follow the machine config (siderolabs/talos:
// internal/app/machined/pkg/controllers/cluster/info.go, controllers/kubeaccess/config.go): the
// cluster's identity and name, and the Talos API access granted to Kubernetes workloads. The
// members, affiliates and the node's own identity come from the discovery registry the nodes of
// a cluster share (src/node/cluster), and the discovery config from config.ts.
import { InfoSpecSchema } from "../../../gen/resource/definitions/cluster/cluster_pb.js";
import { ConfigSpecSchema as KubeAccessConfigSpecSchema } from "../../../gen/resource/definitions/kubeaccess/kubeaccess_pb.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { isControlPlane, legacyDocument, type MachineConfig } from "../config.js";
import { INPUT, type MachineSource } from "./source.js";

export const CLUSTER_INFO = messageKind("Infos.cluster.talos.dev", InfoSpecSchema);
export const KUBE_ACCESS_CONFIG = messageKind(
  "KubernetesAccessConfigs.cluster.talos.dev",
  KubeAccessConfigSpecSchema,
);

function at(data: unknown, path: readonly string[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const text = (data: unknown, path: readonly string[]): string => {
  const v = at(data, path);
  return typeof v === "string" ? v : "";
};

const texts = (data: unknown, path: readonly string[]): string[] => {
  const v = at(data, path);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
};

const documentData = (config: MachineConfig, kind: string): unknown =>
  config.documents.documents.find((d) => d.kind === kind)?.data;

/** The discovery identity's cluster id (DiscoveryIdentityConfig, else `.cluster.id`), if the config has one. */
export function discoveryClusterId(config: MachineConfig): string | undefined {
  const identity = documentData(config, "DiscoveryIdentityConfig");
  if (identity !== undefined) return text(identity, ["clusterID"]);
  const cluster = at(legacyDocument(config)?.data, ["cluster"]);
  return cluster === undefined ? undefined : text(cluster, ["id"]);
}

/** The Kubernetes cluster's name (KubeClusterConfig, else `.cluster.clusterName`), if the config has a cluster. */
function clusterName(config: MachineConfig): string | undefined {
  const doc = documentData(config, "KubeClusterConfig");
  if (doc !== undefined) return text(doc, ["clusterName"]);
  const cluster = at(legacyDocument(config)?.data, ["cluster"]);
  return cluster === undefined ? undefined : text(cluster, ["clusterName"]);
}

/** cluster.InfoController: present once the config has a discovery identity and a cluster. */
const info: Controller<MachineSource> = {
  name: "cluster.InfoController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const config = source.active();
    if (!config) return;
    const id = discoveryClusterId(config);
    const name = clusterName(config);
    if (id === undefined || name === undefined) return;
    put(CLUSTER_INFO, NS.cluster, "current", spec(InfoSpecSchema, { clusterId: id, clusterName: name }));
  },
};

/** Talos API access from Kubernetes: the KubeTalosAPIAccessConfig document, else the enabled legacy feature. */
function talosApiAccess(config: MachineConfig): { roles: string[]; namespaces: string[] } | undefined {
  const doc = documentData(config, "KubeTalosAPIAccessConfig");
  if (doc !== undefined) {
    return { roles: texts(doc, ["allowedRoles"]), namespaces: texts(doc, ["allowedKubernetesNamespaces"]) };
  }
  const legacy = at(legacyDocument(config)?.data, ["machine", "features", "kubernetesTalosAPIAccess"]);
  if (at(legacy, ["enabled"]) !== true) return undefined;
  return {
    roles: texts(legacy, ["allowedRoles"]),
    namespaces: texts(legacy, ["allowedKubernetesNamespaces"]),
  };
}

/** kubeaccess.ConfigController: control planes only. */
const kubeAccess: Controller<MachineSource> = {
  name: "kubeaccess.ConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const config = source.active();
    if (!config || !legacyDocument(config)?.data || !isControlPlane(config)) return;
    const access = talosApiAccess(config);
    put(
      KUBE_ACCESS_CONFIG,
      NS.config,
      "config",
      spec(KubeAccessConfigSpecSchema, {
        enabled: access !== undefined,
        allowedApiRoles: access?.roles ?? [],
        allowedKubernetesNamespaces: access?.namespaces ?? [],
      }),
    );
  },
};

export const CLUSTER_CONTROLLERS: readonly Controller<MachineSource>[] = [info, kubeAccess];
