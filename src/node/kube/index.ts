// The emulated Kubernetes control plane and kubelets: what the node and its tests may use.
export { KubeApiServer, parseResourcePath } from "./apiserver.js";
export {
  DEFAULT_COREDNS_IMAGE,
  DEFAULT_FLANNEL_IMAGE,
  imageVersion,
  type KubeClusterFacts,
  kubeFacts,
} from "./cluster-config.js";
export { openFileKv } from "./file-kv.js";
export type { KubeKv, KvEntry, KvEvent } from "./kv.js";
export { bootstrapManifests, type Manifest } from "./manifests.js";
export { KubeRuntime, type KubeRuntimeHost } from "./runtime.js";
export { KubeStorage } from "./storage.js";
