// Kubernetes documents: every rule of each kind's Validate and conflict check, valid and invalid.
import { generateKeyPairSync } from "node:crypto";
import { describe } from "vitest";
import { doc, table, WORKER } from "../testkit.js";

const IMAGE = "registry.k8s.io/kube-apiserver:v1.34.0";
const ed25519 = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();

describe("KubeAPIServerConfig", () => {
  table([
    { name: "valid with an image", docs: [doc("KubeAPIServerConfig", { image: IMAGE })] },
    {
      name: "image is required",
      docs: [doc("KubeAPIServerConfig", {})],
      errors: ["KubeAPIServerConfig image: kube-apiserver image cannot be empty"],
    },
    {
      name: "arguments other documents own are refused",
      docs: [
        doc("KubeAPIServerConfig", {
          image: IMAGE,
          extraArgs: { "oidc-issuer-url": "x", "authorization-mode": "RBAC" },
        }),
      ],
      errors: [
        'KubeAPIServerConfig extraArgs.authorization-mode: kube-apiserver extra argument "authorization-mode" is not allowed: use KubeAuthorizationConfig',
        'KubeAPIServerConfig extraArgs.oidc-issuer-url: kube-apiserver extra argument "oidc-issuer-url" is not allowed: use KubeAuthenticationConfig',
      ],
    },
    {
      name: "pod resources are cpu and memory only",
      docs: [doc("KubeAPIServerConfig", { image: IMAGE, resources: { requests: { gpu: 1 } } })],
      errors: ['KubeAPIServerConfig resources: unsupported pod resource "gpu"'],
    },
    {
      name: "conflicts with .cluster.apiServer, even an empty one",
      docs: [doc("KubeAPIServerConfig", { image: IMAGE })],
      base: {
        ...WORKER,
        machine: { ...WORKER.machine, type: "controlplane", ca: { crt: "Y3J0", key: "a2V5" } },
        cluster: { apiServer: {} },
      },
      errors: [
        "KubeAPIServerConfig: kube-apiserver config is already set in v1alpha1 config (.cluster.apiServer)",
      ],
    },
    {
      name: "the node checks the image against the Kubernetes versions it supports",
      docs: [doc("KubeAPIServerConfig", { image: "registry.k8s.io/kube-apiserver:v1.20.0" })],
      talosVersion: "v1.14.0",
      errors: [
        "KubeAPIServerConfig image: kube-apiserver image is not valid: version of Kubernetes 1.20.0 is too old to be used with Talos 1.14.0",
      ],
    },
    {
      name: "talosctl validate does not check the Kubernetes version",
      docs: [doc("KubeAPIServerConfig", { image: "registry.k8s.io/kube-apiserver:v1.20.0" })],
    },
  ]);
});

describe("KubeControllerManagerConfig, KubeSchedulerConfig and KubeProxyConfig", () => {
  table([
    {
      name: "disabled components need no image",
      docs: [
        doc("KubeControllerManagerConfig", { enabled: false }),
        doc("KubeSchedulerConfig", { enabled: false }),
        doc("KubeProxyConfig", { enabled: false }),
      ],
    },
    {
      name: "enabled components need an image",
      docs: [
        doc("KubeControllerManagerConfig", {}),
        doc("KubeSchedulerConfig", {}),
        doc("KubeProxyConfig", {}),
      ],
      errors: [
        "KubeControllerManagerConfig image: kube-controller-manager image cannot be empty",
        "KubeSchedulerConfig image: scheduler image cannot be empty",
        "KubeProxyConfig image: proxy image cannot be empty",
      ],
    },
    {
      name: "proxy modes: nftables is quiet, iptables warns, others are refused; extra args warn",
      docs: [doc("KubeProxyConfig", { image: IMAGE, mode: "iptables", extraArgs: { v: "2" } })],
      warnings: [
        'KubeProxyConfig mode: proxy mode "iptables" is not recommended, please switch to nftables if possible',
        "KubeProxyConfig extraArgs: extra arguments for kube-proxy may not work as expected, please use configuration instead",
      ],
    },
    {
      name: "unknown proxy mode",
      docs: [doc("KubeProxyConfig", { image: IMAGE, mode: "userspace" })],
      errors: [
        'KubeProxyConfig mode: invalid proxy mode "userspace": supported modes are iptables, ipvs and nftables',
      ],
    },
    {
      name: "conflict with .cluster.controllerManager, .cluster.scheduler, .cluster.proxy",
      docs: [
        doc("KubeControllerManagerConfig", { enabled: false }),
        doc("KubeSchedulerConfig", { enabled: false }),
        doc("KubeProxyConfig", { enabled: false }),
      ],
      base: {
        ...WORKER,
        machine: { ...WORKER.machine, type: "controlplane", ca: { crt: "Y3J0", key: "a2V5" } },
        cluster: { controllerManager: {}, scheduler: {}, proxy: {} },
      },
      errors: [
        "KubeControllerManagerConfig: kube-controller-manager config is already set in v1alpha1 config (.cluster.controllerManager)",
        "KubeSchedulerConfig: kube-scheduler config is already set in v1alpha1 config (.cluster.scheduler)",
        "KubeProxyConfig: cluster proxy config in v1alpha1 config (.machine.cluster.proxy) can't be used with KubeProxyConfig document, please remove it to avoid conflicts",
      ],
    },
  ]);
});

describe("KubeNetworkConfig", () => {
  const net = (body: object) => doc("KubeNetworkConfig", body);
  table([
    {
      name: "valid dual-stack",
      docs: [
        net({ podSubnets: ["10.244.0.0/16", "fd00::/56"], serviceSubnets: ["10.96.0.0/12", "fd01::/108"] }),
      ],
    },
    {
      name: "node CIDR mask sizes are ranged",
      docs: [
        net({
          podSubnets: ["10.244.0.0/16"],
          serviceSubnets: ["10.96.0.0/12"],
          nodeCIDRMaskSizeIPv4: 0,
          nodeCIDRMaskSizeIPv6: 129,
        }),
      ],
      errors: [
        "KubeNetworkConfig nodeCIDRMaskSizeIPv4: nodeCIDRMaskSizeIPv4 must be between 1 and 32",
        "KubeNetworkConfig nodeCIDRMaskSizeIPv6: nodeCIDRMaskSizeIPv6 must be between 1 and 128",
      ],
    },
    {
      name: "subnets must be given and counted alike",
      docs: [net({ podSubnets: ["10.244.0.0/16"] })],
      errors: [
        "KubeNetworkConfig serviceSubnets: service subnets: at least one subnet must be specified",
        "KubeNetworkConfig serviceSubnets: the number of pod subnets must match the number of service subnets",
      ],
    },
    {
      name: "subnet sizes",
      docs: [net({ podSubnets: ["10.244.0.1/16"], serviceSubnets: ["10.0.0.0/8"] })],
      errors: [
        "KubeNetworkConfig podSubnets: pod subnets: invalid subnet: 10.244.0.1/16 is not a valid CIDR",
        "KubeNetworkConfig serviceSubnets: service subnets: invalid subnet: 10.0.0.0/8 is too large, it must be at least /12 (at most 20 host identifier bits)",
      ],
    },
    {
      name: "pod subnet against the per-node mask",
      docs: [net({ podSubnets: ["10.244.0.0/25"], serviceSubnets: ["10.96.0.0/12"] })],
      errors: [
        "KubeNetworkConfig podSubnets: pod subnets: invalid subnet: 10.244.0.0/25 is smaller than the per-node pod CIDR mask size /24",
      ],
    },
    {
      name: "conflicts with .cluster.network",
      docs: [net({ podSubnets: ["10.244.0.0/16"], serviceSubnets: ["10.96.0.0/12"] })],
      base: { ...WORKER, cluster: { network: {} } },
      errors: [
        "KubeNetworkConfig: cluster network config is already set in the v1alpha1 config (.machine.cluster.network). Please remove it and use only the new KubeNetworkConfig document to avoid conflicts",
      ],
    },
  ]);
});

describe("KubeClusterConfig", () => {
  table([
    {
      name: "valid",
      docs: [doc("KubeClusterConfig", { clusterName: "c", endpoint: "https://1.2.3.4:6443" })],
    },
    {
      name: "name and endpoint are required",
      docs: [doc("KubeClusterConfig", {})],
      errors: [
        "KubeClusterConfig clusterName: clusterName must be specified",
        "KubeClusterConfig endpoint: endpoint must be specified",
      ],
    },
    {
      name: "endpoint must be a valid endpoint URI",
      docs: [doc("KubeClusterConfig", { clusterName: "c", endpoint: "https://1.2.3.4:99999" })],
      errors: [
        "KubeClusterConfig endpoint: cluster endpoint is invalid: port number must be between 1 and 65535",
      ],
    },
    {
      name: "conflicts with .cluster.clusterName",
      docs: [doc("KubeClusterConfig", { clusterName: "c", endpoint: "https://1.2.3.4:6443" })],
      base: { ...WORKER, cluster: { clusterName: "old" } },
      errors: [
        "KubeClusterConfig: cluster name is already set in the v1alpha1 config (.cluster.clusterName). Please remove it and use only the new KubeClusterConfig document to avoid conflicts",
      ],
    },
  ]);
});

describe("KubeletConfig, KubeNodeConfig and KubeCredentialProviderConfig", () => {
  table([
    {
      name: "valid kubelet",
      docs: [doc("KubeletConfig", { image: "ghcr.io/siderolabs/kubelet:v1.34.0" })],
      base: WORKER,
    },
    {
      name: "kubelet image required, protected fields",
      docs: [doc("KubeletConfig", { config: { port: 1 } })],
      base: WORKER,
      errors: [
        "KubeletConfig image: kubelet image cannot be empty",
        'KubeletConfig config.port: kubelet configuration field "port" can\'t be overridden',
      ],
    },
    {
      name: "an empty .machine.kubelet counts as set",
      docs: [
        doc("KubeletConfig", { image: "k:v1.34.0" }),
        doc("KubeCredentialProviderConfig", { configuration: { a: 1 } }),
      ],
      base: { ...WORKER, machine: { ...WORKER.machine, kubelet: {} } },
      errors: [
        "KubeletConfig: kubelet config is already set in v1alpha1 config (.machine.kubelet)",
        "KubeCredentialProviderConfig: cannot use KubeCredentialProviderConfig with legacy kubelet configuration (.machine.kubelet)",
      ],
    },
    {
      name: "node labels, annotations, taints and subnets",
      docs: [
        doc("KubeNodeConfig", {
          nodeIP: { validSubnets: ["10.0.0.0/8", "!bad"] },
          labels: { "-x": "v" },
          annotations: { "talos.dev/owned-labels": "x" },
          taints: { a: "v:Never" },
        }),
      ],
      base: WORKER,
      errors: [
        'KubeNodeConfig nodeIP.validSubnets[1]: nodeIP subnet is not valid: "bad"',
        'KubeNodeConfig labels: invalid node labels: name "-x" is invalid',
        'KubeNodeConfig annotations: invalid node annotations: annotation "talos.dev/owned-labels" is reserved',
        'KubeNodeConfig taints: invalid node taints: invalid taint effect: "Never"',
      ],
    },
    {
      name: "node config conflicts with .machine.nodeLabels",
      docs: [doc("KubeNodeConfig", {})],
      base: { ...WORKER, machine: { ...WORKER.machine, nodeLabels: {} } },
      errors: ["KubeNodeConfig: .machine.nodeLabels is already set in v1alpha1 config"],
    },
  ]);
});

describe("CA, service account and etcd encryption documents", () => {
  table([
    {
      name: "aggregator CA is required, accepted CAs must be PEM",
      docs: [
        doc("KubeAggregatorCAConfig", { acceptedCAs: ["nope"] }),
        doc("KubeEtcdEncryptionConfig", { config: { a: 1 } }),
      ],
      errors: [
        "KubeAggregatorCAConfig issuingCA: issuing CA is not set",
        "KubeAggregatorCAConfig acceptedCAs[0]: accepted CA #0: no PEM blocks found",
      ],
    },
    {
      name: "API server CA: key required with the certificate",
      docs: [
        doc("KubeAPIServerCAConfig", { issuingCA: { cert: "x" } }),
        doc("KubeEtcdEncryptionConfig", { config: { a: 1 } }),
      ],
      errors: ["KubeAPIServerCAConfig issuingCA: issuing CA: key is required"],
    },
    {
      name: "API server CA needs etcd encryption on a control plane",
      docs: [doc("KubeAPIServerCAConfig", {})],
      errors: [
        "KubeAPIServerCAConfig: etcd encryption config is required for control plane machines running kube-apiserver",
      ],
    },
    {
      name: "etcd encryption config must not be empty",
      docs: [doc("KubeEtcdEncryptionConfig", {})],
      errors: ["KubeEtcdEncryptionConfig config: etcd encryption config is required"],
    },
    {
      name: "service account: key must parse, URL required",
      docs: [doc("KubeServiceAccountConfig", { issuer: { privateKey: "junk", issuerURL: "" } })],
      errors: [
        "KubeServiceAccountConfig issuer.privateKey: service issuer private key is invalid: failed to parse PEM block",
        "KubeServiceAccountConfig issuer.issuerURL: service issuer URL is required",
      ],
    },
    {
      name: "service account: a valid key",
      docs: [doc("KubeServiceAccountConfig", { issuer: { privateKey: ed25519, issuerURL: "https://k" } })],
    },
  ]);
});

describe("manifests, static pods, admission, authorizers, Talos API access, KubePrism, flannel", () => {
  table([
    {
      name: "names must be DNS-1123 subdomains",
      docs: [
        doc("KubeInlineManifestConfig", { name: "Bad_Name", manifest: "x" }),
        doc("KubeExternalManifestConfig", { name: "ok", url: "ftp://x/y" }),
        doc("KubeStaticPodConfig", { name: "pod", pod: {} }),
      ],
      base: WORKER,
      errors: [
        'KubeInlineManifestConfig/Bad_Name name: manifest name is invalid: domain doesn\'t match required format: "Bad_Name"',
        'KubeExternalManifestConfig/ok url: manifest URL scheme must be http or https: "ftp"',
        "KubeStaticPodConfig/pod pod: static pod spec is required",
      ],
    },
    {
      name: "authorizer types and webhook",
      docs: [
        doc("KubeAuthorizerConfig", { name: "w", type: "Webhook" }),
        doc("KubeAuthorizerConfig", { name: "r", type: "RBAC", webhook: { a: 1 } }),
      ],
      errors: [
        "KubeAuthorizerConfig/w webhook: authorizer webhook configuration is required for Webhook authorizer type",
      ],
      warnings: [
        "KubeAuthorizerConfig/r webhook: authorizer webhook configuration is not allowed non-Webhook authorizer types",
      ],
    },
    {
      name: "Talos API access roles",
      docs: [doc("KubeTalosAPIAccessConfig", { allowedRoles: ["os:reader", "os:root"] })],
      errors: ['KubeTalosAPIAccessConfig allowedRoles[1]: invalid role "os:root" in .allowedRoles'],
    },
    {
      name: "KubePrism port range",
      docs: [doc("KubePrismConfig", { port: 0 })],
      base: WORKER,
      errors: ["KubePrismConfig port: invalid port 0: must be in range 1-65535"],
    },
    {
      name: "flannel backend type",
      docs: [doc("KubeFlannelCNIConfig", {})],
      errors: ["KubeFlannelCNIConfig backendType: flannel backend type must be specified"],
    },
    {
      name: "control plane kinds on a worker",
      docs: [
        doc("KubeFlannelCNIConfig", { backendType: "vxlan" }),
        doc("KubeAPIServerConfig", { image: IMAGE }),
      ],
      base: WORKER,
      errors: [
        "KubeFlannelCNIConfig: the following document kinds are only allowed on control plane machines: [KubeAPIServerConfig KubeFlannelCNIConfig]",
      ],
    },
  ]);
});
