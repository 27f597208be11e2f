// Every controller of the machine, in the order they first run (inputs before what reads them).
import type { Controller } from "../../resources/index.js";
import { BLOCK_CONTROLLERS } from "./block.js";
import { BLOCK_DISCOVERY_CONTROLLERS } from "./block-discovery.js";
import { BLOCK_MOUNT_CONTROLLERS } from "./block-mounts.js";
import { BLOCK_TRIM_CONTROLLERS } from "./block-trim.js";
import { BLOCK_VOLUME_CONTROLLERS } from "./block-volumes.js";
import { CLUSTER_CONTROLLERS } from "./cluster.js";
import { CONFIG_CONTROLLERS } from "./config.js";
import { CONTAINER_CONTROLLERS } from "./containers.js";
import { CRI_REGISTRIES_CONTROLLERS } from "./cri-registries.js";
import { CRI_RUNTIME_SPEC_CONTROLLERS } from "./cri-runtime-spec.js";
import { DNS_CONTROLLERS } from "./dns.js";
import { ETCD_CONTROLLERS } from "./etcd.js";
import { HARDWARE_CONTROLLERS } from "./hardware.js";
import { K8S_CONTROLLERS } from "./k8s.js";
import { KUBESPAN_CONTROLLERS } from "./kubespan.js";
import { NETWORK_CONTROLLERS } from "./network.js";
import { PERF_CONTROLLERS } from "./perf.js";
import { RUNTIME_CONTROLLERS } from "./runtime.js";
import { RUNTIME_CONFIG_CONTROLLERS } from "./runtime-config.js";
import { RUNTIME_ENV_CONTROLLERS } from "./runtime-env.js";
import { RUNTIME_SBOM_CONTROLLERS } from "./runtime-sbom.js";
import { SECRETS_CONTROLLERS } from "./secrets.js";
import type { MachineSource } from "./source.js";
import { TIME_CONTROLLERS } from "./time.js";

export { etcFileContents } from "./network.js";
export { perfTicker } from "./perf.js";
export { metaKeyId } from "./runtime.js";
export { type ApiIdentity, INPUT, type KubeNodeStatus, type MachineSource } from "./source.js";

export const MACHINE_CONTROLLERS: readonly Controller<MachineSource>[] = [
  ...CONFIG_CONTROLLERS,
  ...CRI_REGISTRIES_CONTROLLERS,
  ...CRI_RUNTIME_SPEC_CONTROLLERS,
  ...CONTAINER_CONTROLLERS,
  ...RUNTIME_CONTROLLERS,
  ...RUNTIME_ENV_CONTROLLERS,
  ...RUNTIME_SBOM_CONTROLLERS,
  ...HARDWARE_CONTROLLERS,
  ...BLOCK_CONTROLLERS,
  ...BLOCK_DISCOVERY_CONTROLLERS,
  ...BLOCK_VOLUME_CONTROLLERS,
  ...BLOCK_MOUNT_CONTROLLERS,
  ...BLOCK_TRIM_CONTROLLERS,
  ...NETWORK_CONTROLLERS,
  ...TIME_CONTROLLERS,
  ...SECRETS_CONTROLLERS,
  ...K8S_CONTROLLERS,
  ...ETCD_CONTROLLERS,
  ...CLUSTER_CONTROLLERS,
  ...KUBESPAN_CONTROLLERS,
  ...RUNTIME_CONFIG_CONTROLLERS,
  ...DNS_CONTROLLERS,
  ...PERF_CONTROLLERS,
];
