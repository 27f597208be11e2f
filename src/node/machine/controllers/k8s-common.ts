import type { JsonObject } from "@bufbuild/protobuf";
import { NetIPSchema } from "../../../gen/common/common_pb.js";
import {
  AdmissionControlConfigSpecSchema,
  APIServerConfigSpecSchema,
  ArgValuesSchema,
  AuditPolicyConfigSpecSchema,
  AuthenticationConfigSpecSchema,
  AuthorizationConfigSpecSchema,
  BootstrapManifestsConfigSpecSchema,
  ConfigStatusSpecSchema,
  ControllerManagerConfigSpecSchema,
  EndpointSpecSchema,
  ExtraManifestsConfigSpecSchema,
  KubeletConfigSpecSchema,
  KubeletSpecSpecSchema,
  KubeletStatusSpecSchema,
  KubePrismConfigSpecSchema,
  KubePrismEndpointsSpecSchema,
  KubePrismStatusesSpecSchema,
  ManifestSpecSchema,
  ManifestStatusSpecSchema,
  NodeAnnotationSpecSpecSchema,
  NodeIPConfigSpecSchema,
  NodeIPSpecSchema,
  NodeLabelSpecSpecSchema,
  NodeTaintSpecSpecSchema,
  ResourcesSchema,
  SchedulerConfigSpecSchema,
  SecretsStatusSpecSchema,
  StaticPodServerStatusSpecSchema,
  StaticPodSpecSchema,
  StaticPodStatusSpecSchema,
} from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import { type KubeClusterFacts, kubeFacts } from "../../kube/cluster-config.js";
import { type Controller, ipBytes, kindOf, messageKind, spec } from "../../resources/index.js";
import { hasKubernetes, isControlPlane, type MachineConfig } from "../config.js";
import { configDocument } from "./cluster-facts.js";
import type { MachineSource } from "./source.js";

export const KUBELET_CONFIG = messageKind("KubeletConfigs.kubernetes.talos.dev", KubeletConfigSpecSchema);
export const KUBELET_SPEC = messageKind("KubeletSpecs.kubernetes.talos.dev", KubeletSpecSpecSchema);
export const KUBELET_STATUS = messageKind("KubeletStatuses.kubernetes.talos.dev", KubeletStatusSpecSchema);
export const KUBELET_LIFECYCLE = kindOf("KubeletLifecycles.kubernetes.talos.dev");
export const NODE_IP_CONFIG = messageKind("NodeIPConfigs.kubernetes.talos.dev", NodeIPConfigSpecSchema);
export const NODE_IP = messageKind("NodeIPs.kubernetes.talos.dev", NodeIPSpecSchema);
export const NODE_LABEL = messageKind("NodeLabelSpecs.k8s.talos.dev", NodeLabelSpecSpecSchema);
export const NODE_TAINT = messageKind("NodeTaintSpecs.k8s.talos.dev", NodeTaintSpecSpecSchema);
export const NODE_ANNOTATION = messageKind("NodeAnnotationSpecs.k8s.talos.dev", NodeAnnotationSpecSpecSchema);
export const KUBEPRISM_CONFIG = messageKind(
  "KubePrismConfigs.kubernetes.talos.dev",
  KubePrismConfigSpecSchema,
);
export const KUBEPRISM_ENDPOINTS = messageKind(
  "KubePrismEndpoints.kubernetes.talos.dev",
  KubePrismEndpointsSpecSchema,
);
export const KUBEPRISM_STATUSES = messageKind(
  "KubePrismStatuses.kubernetes.talos.dev",
  KubePrismStatusesSpecSchema,
);
export const STATIC_POD = messageKind("StaticPods.kubernetes.talos.dev", StaticPodSpecSchema);
export const STATIC_POD_STATUS = messageKind(
  "StaticPodStatuses.kubernetes.talos.dev",
  StaticPodStatusSpecSchema,
);
export const STATIC_POD_SERVER_STATUS = messageKind(
  "StaticPodServerStatuses.kubernetes.talos.dev",
  StaticPodServerStatusSpecSchema,
);
export const APISERVER_CONFIG = messageKind(
  "APIServerConfigs.kubernetes.talos.dev",
  APIServerConfigSpecSchema,
);
export const CONTROLLER_MANAGER_CONFIG = messageKind(
  "ControllerManagerConfigs.kubernetes.talos.dev",
  ControllerManagerConfigSpecSchema,
);
export const SCHEDULER_CONFIG = messageKind(
  "SchedulerConfigs.kubernetes.talos.dev",
  SchedulerConfigSpecSchema,
);
export const ADMISSION_CONTROL_CONFIG = messageKind(
  "AdmissionControlConfigs.kubernetes.talos.dev",
  AdmissionControlConfigSpecSchema,
);
export const AUDIT_POLICY_CONFIG = messageKind(
  "AuditPolicyConfigs.kubernetes.talos.dev",
  AuditPolicyConfigSpecSchema,
);
export const AUTHENTICATION_CONFIG = messageKind(
  "AuthenticationConfigs.kubernetes.talos.dev",
  AuthenticationConfigSpecSchema,
);
export const AUTHORIZATION_CONFIG = messageKind(
  "AuthorizationConfigs.kubernetes.talos.dev",
  AuthorizationConfigSpecSchema,
);
export const BOOTSTRAP_MANIFESTS_CONFIG = messageKind(
  "BootstrapManifestsConfigs.kubernetes.talos.dev",
  BootstrapManifestsConfigSpecSchema,
);
export const EXTRA_MANIFESTS_CONFIG = messageKind(
  "ExtraManifestsConfigs.kubernetes.talos.dev",
  ExtraManifestsConfigSpecSchema,
);
export const MANIFEST = messageKind("Manifests.kubernetes.talos.dev", ManifestSpecSchema);
export const MANIFEST_STATUS = messageKind("ManifestStatuses.kubernetes.talos.dev", ManifestStatusSpecSchema);
export const ENDPOINT = messageKind("Endpoints.kubernetes.talos.dev", EndpointSpecSchema);
export const SECRETS_STATUS = messageKind("SecretStatuses.kubernetes.talos.dev", SecretsStatusSpecSchema);
export const CONFIG_STATUS = messageKind("ConfigStatuses.kubernetes.talos.dev", ConfigStatusSpecSchema);

export type Ctx = Parameters<Controller<MachineSource>["run"]>[0];

/** The config when it runs Kubernetes, with the facts the emulated Kubernetes uses. */
export function kubernetes(
  source: MachineSource,
): { config: MachineConfig; facts: KubeClusterFacts } | undefined {
  const config = source.active();
  if (!config || !hasKubernetes(config)) return undefined;
  return { config, facts: kubeFacts(config, isControlPlane(config)) };
}

export const argValues = (map: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [k, spec(ArgValuesSchema, { values: v })]));

export const netIp = (ip: string) => spec(NetIPSchema, { ip: ipBytes(ip) });

export function docStruct(config: MachineConfig, kind: string, key: string): JsonObject | undefined {
  const v = (configDocument(config, kind) as Record<string, unknown> | undefined)?.[key];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

export function controlPlaneOnly(
  source: MachineSource,
): { config: MachineConfig; facts: KubeClusterFacts } | undefined {
  const k = kubernetes(source);
  return k && isControlPlane(k.config) ? k : undefined;
}

export const resources = () => spec(ResourcesSchema, {});
