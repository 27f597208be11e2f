// The container images a Talos release uses by default (siderolabs/talos:
// pkg/machinery/constants/constants.go and pkg/images/list.go): Kubernetes' components at the
// default Kubernetes version, etcd, CoreDNS, Flannel, the pause image, and the repositories of
// Talos's own images. Shared by `talosctl image k8s-bundle/talos-bundle` and the node's image
// catalog.

export const DEFAULT_ETCD_VERSION = "3.7.1";
export const DEFAULT_COREDNS_VERSION = "v1.14.6";
export const FLANNEL_VERSION = "0.28.9";
export const KUBE_NETWORK_POLICIES_VERSION = "v1.1.1";
export const DEFAULT_SANDBOX_IMAGE = "registry.k8s.io/pause:3.10.2";

export const TALOS_REGISTRY = "ghcr.io";
export const TALOS_USERNAME = "siderolabs";

/** The Debug service's default images (a Nix shell for the host namespace, the tools image). */
export const DEBUG_HOST_NS_IMAGE = "docker.io/nixos/nix:latest";
export const DEBUG_NIXYBOX_IMAGE = "ghcr.io/siderolabs/nixybox:v2026.06.0";

export interface KubernetesImageVersions {
  /** Without the leading v (`1.37.0`) or with it. */
  readonly kubernetes: string;
  readonly etcd: string;
  readonly flannel: string;
  readonly coredns: string;
  readonly kubeNetworkPolicies: string;
}

/** The default images in talosctl's `image k8s-bundle` order. */
export function kubernetesBundle(v: KubernetesImageVersions): string[] {
  const k8s = v.kubernetes.startsWith("v") ? v.kubernetes : `v${v.kubernetes}`;
  return [
    `ghcr.io/siderolabs/flannel:${v.flannel}`,
    `registry.k8s.io/coredns/coredns:${v.coredns}`,
    `registry.k8s.io/etcd:${v.etcd}`,
    DEFAULT_SANDBOX_IMAGE,
    `registry.k8s.io/kube-apiserver:${k8s}`,
    `registry.k8s.io/kube-controller-manager:${k8s}`,
    `registry.k8s.io/kube-scheduler:${k8s}`,
    `registry.k8s.io/kube-proxy:${k8s}`,
    `ghcr.io/siderolabs/kubelet:${k8s}`,
    `registry.k8s.io/networking/kube-network-policies:${v.kubeNetworkPolicies}`,
  ];
}

/** Talos's own images of a release (`talosctl image talos-bundle`), without extensions and overlays. */
export function talosBundle(tag: string, legacyInstaller: boolean): string[] {
  const repo = (name: string): string => `${TALOS_REGISTRY}/${TALOS_USERNAME}/${name}:${tag}`;
  return [
    ...(legacyInstaller ? [repo("installer")] : []),
    repo("installer-base"),
    repo("imager"),
    repo("talos"),
    repo("talosctl-all"),
    repo("overlays"),
    repo("extensions"),
  ];
}
