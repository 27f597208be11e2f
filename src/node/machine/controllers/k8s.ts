// Kubernetes resources as Talos's k8s controllers publish them (siderolabs/talos:
// internal/app/machined/pkg/controllers/k8s): the kubelet's config and spec, the node's IP,
// labels, annotations and taints, KubePrism, and on control planes the components' configs, the
// static pods (the same images and arguments the emulated kubelet runs as mirror pods) and their
// statuses, and the bootstrap and extra manifests rendered from the config.
// The controllers live in k8s-kubelet (every node), k8s-control-plane (the components and their
// static pods) and k8s-manifests; this file lists them in the order they first run.
import type { Controller } from "../../resources/index.js";
import { controlPlaneConfigs, staticPodStatus, staticPods } from "./k8s-control-plane.js";
import {
  kubeletConfig,
  kubeletSpec,
  kubeletStatus,
  kubePrism,
  nodeIp,
  nodeIpConfig,
  nodeLabels,
  nodeTaints,
  staticPodServer,
} from "./k8s-kubelet.js";
import { controlPlaneStatus, manifestStatus, manifests } from "./k8s-manifests.js";
import { K8S_STATUS_CONTROLLERS } from "./k8s-status.js";
import type { MachineSource } from "./source.js";

export {
  ADMISSION_CONTROL_CONFIG,
  APISERVER_CONFIG,
  AUDIT_POLICY_CONFIG,
  AUTHENTICATION_CONFIG,
  AUTHORIZATION_CONFIG,
  BOOTSTRAP_MANIFESTS_CONFIG,
  CONFIG_STATUS,
  CONTROLLER_MANAGER_CONFIG,
  ENDPOINT,
  EXTRA_MANIFESTS_CONFIG,
  KUBELET_CONFIG,
  KUBELET_LIFECYCLE,
  KUBELET_SPEC,
  KUBELET_STATUS,
  KUBEPRISM_CONFIG,
  KUBEPRISM_ENDPOINTS,
  KUBEPRISM_STATUSES,
  MANIFEST,
  MANIFEST_STATUS,
  NODE_ANNOTATION,
  NODE_IP,
  NODE_IP_CONFIG,
  NODE_LABEL,
  NODE_TAINT,
  SCHEDULER_CONFIG,
  SECRETS_STATUS,
  STATIC_POD,
  STATIC_POD_SERVER_STATUS,
  STATIC_POD_STATUS,
} from "./k8s-common.js";

export const K8S_CONTROLLERS: readonly Controller<MachineSource>[] = [
  staticPodServer,
  kubeletConfig,
  nodeIpConfig,
  nodeIp,
  kubeletSpec,
  kubeletStatus,
  nodeLabels,
  nodeTaints,
  kubePrism,
  controlPlaneConfigs,
  staticPods,
  staticPodStatus,
  manifests,
  manifestStatus,
  controlPlaneStatus,
  ...K8S_STATUS_CONTROLLERS,
];
