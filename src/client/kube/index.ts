// talosctl's Kubernetes side: the client, cordon/drain/uncordon and upgrade-k8s.
import type { NodeClient } from "../client.js";
import { credentialsFromKubeconfig, fetchAdminKubeconfig, KubeClient } from "./client.js";

export {
  credentialsFromKubeconfig,
  fetchAdminKubeconfig,
  isNotFound,
  type Json,
  KubeApiError,
  KubeClient,
  type KubeCredentials,
  type WatchEvent,
} from "./client.js";
export {
  drainNode,
  EVICTION_RETRY_MS,
  type KubeDrainOptions,
  podsToEvict,
  setUnschedulable,
  uncordonNode,
} from "./drain.js";
export {
  detectLowestVersion,
  nodeIps,
  STATIC_PODS,
  type UpgradeImages,
  UpgradeK8s,
  type UpgradeK8sOptions,
} from "./upgrade.js";

/**
 * A Kubernetes client with the cluster's admin kubeconfig from a control plane; `endpoint`
 * replaces the kubeconfig's server (`https://host:port`, or a bare host for port 6443).
 */
export async function openKube(controlPlane: NodeClient, endpoint = ""): Promise<KubeClient> {
  const creds = credentialsFromKubeconfig(await fetchAdminKubeconfig(controlPlane), "the admin kubeconfig");
  if (endpoint === "") return new KubeClient(creds);
  const server = /^https?:\/\//.test(endpoint)
    ? endpoint
    : `https://${endpoint.includes(":") && !endpoint.startsWith("[") ? endpoint : `${endpoint}:6443`}`;
  return new KubeClient({ ...creds, server });
}
