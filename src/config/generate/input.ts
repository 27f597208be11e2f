// What one `gen config` run builds its machine configs from, and the fixed Kubernetes objects
// every generated control plane carries.
import type { SecretsBundle } from "../../pki/index.js";
import type { VersionContract } from "./contract.js";

/** `init` is the bootstrap flavour of a control plane config; it is built but never written. */
export type MachineType = "init" | "controlplane" | "worker";

export interface RegistryMirror {
  /** The registry host being mirrored (`docker.io`). */
  readonly host: string;
  /** Mirror URLs in the order given. */
  readonly endpoints: readonly string[];
}

/** Everything the configs of one cluster are built from (one input, same secrets for all). */
export interface GenerateInput {
  readonly contract: VersionContract;
  readonly clusterName: string;
  /** The validated https:// endpoint of the Kubernetes API. */
  readonly endpoint: string;
  /** Without a leading "v". */
  readonly kubernetesVersion: string;
  /** "" leaves the install settings out. */
  readonly installDisk: string;
  readonly installImage: string;
  readonly dnsDomain: string;
  readonly additionalSANs: readonly string[];
  readonly registryMirrors: readonly RegistryMirror[];
  readonly discovery: boolean;
  readonly kubeSpan: boolean;
  /** False with the hidden --skip-k8s-etcd: no Kubernetes or etcd parts at all. */
  readonly kubernetes: boolean;
  readonly secrets: SecretsBundle;
}

export const KUBE_PRISM_PORT = 7445;
export const DISCOVERY_SERVICE_ENDPOINT = "https://discovery.talos.dev/";
export const POD_SUBNETS_V4 = ["10.244.0.0/16"] as const;
export const SERVICE_SUBNETS_V4 = ["10.96.0.0/12"] as const;
export const FLANNEL_VXLAN_PORT = 4789;
export const FILESYSTEM_TRIM_INTERVAL = "168h0m0s";

export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
export const EXCLUDE_FROM_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

export const KUBELET_IMAGE = "ghcr.io/siderolabs/kubelet";
export const APISERVER_IMAGE = "registry.k8s.io/kube-apiserver";
export const CONTROLLER_MANAGER_IMAGE = "registry.k8s.io/kube-controller-manager";
export const SCHEDULER_IMAGE = "registry.k8s.io/kube-scheduler";
export const PROXY_IMAGE = "registry.k8s.io/kube-proxy";

/** The installer image `gen config` uses by default: the metal installer of Talos's image factory. */
export const INSTALLER_IMAGE_REPOSITORY =
  "factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

export function imageRef(repository: string, kubernetesVersion: string): string {
  return `${repository}:v${kubernetesVersion}`;
}

/** Pod Security admission defaults (keys sorted: the object is written as a Go map). */
export function podSecurityConfiguration(): Record<string, unknown> {
  return {
    apiVersion: "pod-security.admission.config.k8s.io/v1alpha1",
    defaults: {
      audit: "restricted",
      "audit-version": "latest",
      enforce: "baseline",
      "enforce-version": "latest",
      warn: "restricted",
      "warn-version": "latest",
    },
    exemptions: { namespaces: ["kube-system"], runtimeClasses: [], usernames: [] },
    kind: "PodSecurityConfiguration",
  };
}

/** The default audit policy: request metadata for everything. */
export function auditPolicy(): Record<string, unknown> {
  return { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "Metadata" }] };
}

/** Anonymous access only to the health endpoints. */
export function authenticationConfiguration(): Record<string, unknown> {
  return {
    anonymous: { conditions: [{ path: "/livez" }, { path: "/readyz" }, { path: "/healthz" }], enabled: true },
    jwt: [],
  };
}

/** Secrets at rest: secretbox (or AES-CBC for bundles made before Talos 1.3). */
export function etcdEncryptionConfiguration(secrets: SecretsBundle["secrets"]): Record<string, unknown> {
  const provider = secrets.secretboxEncryptionSecret
    ? { secretbox: { keys: [{ name: "key2", secret: secrets.secretboxEncryptionSecret }] } }
    : { aescbc: { keys: [{ name: "key1", secret: secrets.aescbcEncryptionSecret ?? "" }] } };
  return { resources: [{ providers: [provider], resources: ["secrets"] }] };
}

/** Base64 of a PEM text, as the legacy document carries certificates and keys. */
export function base64(pem: string): string {
  return Buffer.from(pem, "utf8").toString("base64");
}

export function isControlPlane(type: MachineType): boolean {
  return type !== "worker";
}
