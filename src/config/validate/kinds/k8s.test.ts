// Kubernetes documents: every rule of each kind's Validate and conflict check, valid and invalid.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe } from "vitest";
import { createCertificateAuthority } from "../../../pki/ca.js";
import { CP, doc, merge, table, WORKER } from "../testkit.js";

const IMAGE = "registry.k8s.io/kube-apiserver:v1.34.0";
const pkcs8 = (key: KeyObject) => key.export({ format: "pem", type: "pkcs8" }).toString();
const ed25519 = pkcs8(generateKeyPairSync("ed25519").privateKey);
const x25519 = pkcs8(generateKeyPairSync("x25519").privateKey);
const ed448 = pkcs8(generateKeyPairSync("ed448").privateKey);
const p256 = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
const k256 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey;
const sec1 = (key: KeyObject) => key.export({ format: "pem", type: "sec1" }).toString();
const ca = await createCertificateAuthority({
  organization: "kubernetes",
  keyKind: "ecdsa",
  now: new Date(),
});
const notACertificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
const publicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
const encryption = doc("KubeEtcdEncryptionConfig", { config: { resources: [] } });
const cpWith = (patch: object) => merge(CP, patch);
const workerWith = (patch: object) => merge(WORKER, patch);

describe("KubeAdmissionControlConfig", () => {
  table([
    {
      name: "a named plugin",
      docs: [doc("KubeAdmissionControlConfig", { name: "PodSecurity", configuration: { kind: "x" } })],
    },
    {
      name: "the plugin name is required",
      docs: [doc("KubeAdmissionControlConfig", { configuration: { kind: "x" } })],
      errors: ["KubeAdmissionControlConfig name: admission control plugin name is required"],
    },
    {
      name: "conflicts with plugins in .cluster.apiServer.admissionControl",
      docs: [doc("KubeAdmissionControlConfig", { name: "PodSecurity" })],
      base: cpWith({
        cluster: { apiServer: { admissionControl: [{ name: "PodSecurity", configuration: { a: 1 } }] } },
      }),
      errors: [
        "KubeAdmissionControlConfig/PodSecurity: admission control plugin config is already set in v1alpha1 config",
      ],
    },
    {
      name: "an empty .cluster.apiServer.admissionControl list is no conflict",
      docs: [doc("KubeAdmissionControlConfig", { name: "PodSecurity" })],
      base: cpWith({ cluster: { apiServer: { admissionControl: [] } } }),
    },
  ]);
});

describe("KubeAggregatorCAConfig", () => {
  const aggregator = (body: object) => doc("KubeAggregatorCAConfig", body);
  table([
    {
      name: "an issuing CA that loads and accepted CAs",
      docs: [aggregator({ issuingCA: { cert: ca.crt, key: ca.key }, acceptedCAs: [ca.crt] })],
    },
    {
      name: "the issuing CA is required; accepted CAs must be certificate PEM blocks",
      docs: [aggregator({ acceptedCAs: [ca.crt, "nope", ca.key] })],
      errors: [
        "KubeAggregatorCAConfig issuingCA: issuing CA is not set",
        "KubeAggregatorCAConfig acceptedCAs[1]: accepted CA #1: no PEM blocks found",
        `KubeAggregatorCAConfig acceptedCAs[2]: accepted CA #2: unexpected PEM block type "EC PRIVATE KEY", expected one of ["CERTIFICATE"]`,
      ],
    },
    {
      name: "an empty issuing CA needs its certificate first",
      docs: [aggregator({ issuingCA: {} })],
      errors: ["KubeAggregatorCAConfig issuingCA: issuing CA: certificate is required"],
    },
    {
      name: "the key is required",
      docs: [aggregator({ issuingCA: { cert: ca.crt } })],
      errors: ["KubeAggregatorCAConfig issuingCA: issuing CA: key is required"],
    },
    {
      name: "the certificate must be a CERTIFICATE PEM block",
      docs: [aggregator({ issuingCA: { cert: ca.key, key: ca.key } })],
      errors: [
        `KubeAggregatorCAConfig issuingCA: issuing CA: certificate: unexpected PEM block type "EC PRIVATE KEY", expected one of ["CERTIFICATE"]`,
      ],
    },
    {
      name: "the key must be PEM",
      docs: [aggregator({ issuingCA: { cert: ca.crt, key: "junk" } })],
      errors: ["KubeAggregatorCAConfig issuingCA: issuing CA: key: no PEM blocks found"],
    },
    {
      name: "the certificate must parse",
      docs: [aggregator({ issuingCA: { cert: notACertificate, key: ca.key } })],
      errors: [
        "KubeAggregatorCAConfig issuingCA: issuing CA: certificate is invalid: failed to parse certificate: x509: malformed certificate",
      ],
    },
    {
      name: "the key must be a private key",
      docs: [aggregator({ issuingCA: { cert: ca.crt, key: publicKey } })],
      errors: [
        'KubeAggregatorCAConfig issuingCA: issuing CA: key is invalid: unsupported key type: "PUBLIC KEY"',
      ],
    },
    {
      name: "a pair's PKCS#8 key is only parsed, not asked to sign",
      docs: [aggregator({ issuingCA: { cert: ca.crt, key: x25519 } })],
    },
    {
      name: "a pair's key in PKCS#8 of an algorithm crypto/x509 does not know",
      docs: [aggregator({ issuingCA: { cert: ca.crt, key: ed448 } })],
      errors: [
        "KubeAggregatorCAConfig issuingCA: issuing CA: key is invalid: failed to parse key: x509: PKCS#8 wrapping contained private key with unknown algorithm: 1.3.101.113",
      ],
    },
    {
      name: "conflicts with .cluster.aggregatorCA",
      docs: [aggregator({ issuingCA: { cert: ca.crt, key: ca.key } })],
      base: cpWith({ cluster: { aggregatorCA: { crt: "Y3J0", key: "a2V5" } } }),
      errors: [
        "KubeAggregatorCAConfig: kube-apiserver aggregator CA is already set in v1alpha1 config (.cluster.aggregatorCA), please remove it and use the new KubeAggregatorCAConfig document instead",
      ],
    },
    {
      name: "the aggregator CA is for control planes only",
      docs: [aggregator({ issuingCA: { cert: ca.crt, key: ca.key } })],
      base: WORKER,
      errors: [
        "KubeAggregatorCAConfig: the following document kinds are only allowed on control plane machines: [KubeAggregatorCAConfig]",
      ],
    },
  ]);
});

describe("KubeAPIServerCAConfig", () => {
  const apiCA = (body: object) => doc("KubeAPIServerCAConfig", body);
  table([
    {
      name: "accepted CAs alone (a machine that only trusts the API server)",
      docs: [apiCA({ acceptedCAs: [ca.crt] }), encryption],
    },
    {
      name: "an issuing CA that loads",
      docs: [apiCA({ issuingCA: { cert: ca.crt, key: ca.key } }), encryption],
    },
    {
      name: "the issuing CA, when set, is checked like any certificate and key",
      docs: [apiCA({ issuingCA: { cert: ca.crt } }), encryption],
      errors: ["KubeAPIServerCAConfig issuingCA: issuing CA: key is required"],
    },
    {
      name: "an issuing CA whose certificate does not parse",
      docs: [apiCA({ issuingCA: { cert: notACertificate, key: ca.key } }), encryption],
      errors: [
        "KubeAPIServerCAConfig issuingCA: issuing CA: certificate is invalid: failed to parse certificate: x509: malformed certificate",
      ],
    },
    {
      name: "accepted CAs must be PEM",
      docs: [apiCA({ acceptedCAs: ["nope"] }), encryption],
      errors: ["KubeAPIServerCAConfig acceptedCAs[0]: accepted CA #0: no PEM blocks found"],
    },
    {
      name: "a control plane running kube-apiserver needs etcd encryption with it",
      docs: [apiCA({ acceptedCAs: [ca.crt] })],
      errors: [
        "KubeAPIServerCAConfig: etcd encryption config is required for control plane machines running kube-apiserver",
      ],
    },
    {
      name: "a worker may carry it",
      docs: [apiCA({ acceptedCAs: [ca.crt] })],
      base: WORKER,
    },
    {
      name: "conflicts with .cluster.ca",
      docs: [apiCA({ acceptedCAs: [ca.crt] })],
      base: workerWith({ cluster: { ca: { crt: "Y3J0", key: "" } } }),
      errors: ["KubeAPIServerCAConfig: kube-apiserver CA is already set in v1alpha1 config (.cluster.ca)"],
    },
  ]);
});

describe("KubeAPIServerConfig", () => {
  table([
    {
      name: "valid with an image and arguments no other document owns",
      docs: [doc("KubeAPIServerConfig", { image: IMAGE, extraArgs: { "feature-gates": "X=true" } })],
    },
    {
      name: "image is required",
      docs: [doc("KubeAPIServerConfig", {})],
      errors: ["KubeAPIServerConfig image: kube-apiserver image cannot be empty"],
    },
    {
      name: "arguments other documents own are refused, by prefix in sorted order",
      docs: [
        doc("KubeAPIServerConfig", {
          image: IMAGE,
          extraArgs: {
            "oidc-issuer-url": "x",
            "authorization-webhook-version": "v1",
            "authorization-mode": "RBAC",
            "authorization-config": "/x",
            "authentication-config": "/y",
            "anonymous-auth": "false",
          },
        }),
      ],
      errors: [
        'KubeAPIServerConfig extraArgs.anonymous-auth: kube-apiserver extra argument "anonymous-auth" is not allowed: use KubeAuthenticationConfig',
        'KubeAPIServerConfig extraArgs.authentication-config: kube-apiserver extra argument "authentication-config" is not allowed: use KubeAuthenticationConfig',
        'KubeAPIServerConfig extraArgs.authorization-config: kube-apiserver extra argument "authorization-config" is not allowed: use KubeAuthorizationConfig',
        'KubeAPIServerConfig extraArgs.authorization-mode: kube-apiserver extra argument "authorization-mode" is not allowed: use KubeAuthorizationConfig',
        'KubeAPIServerConfig extraArgs.authorization-webhook-version: kube-apiserver extra argument "authorization-webhook-version" is not allowed: use KubeAuthorizationConfig',
        'KubeAPIServerConfig extraArgs.oidc-issuer-url: kube-apiserver extra argument "oidc-issuer-url" is not allowed: use KubeAuthenticationConfig',
      ],
    },
    {
      name: "pod resources are cpu and memory only",
      docs: [
        doc("KubeAPIServerConfig", {
          image: IMAGE,
          resources: { requests: { cpu: 1, memory: "1Gi" }, limits: { gpu: 1 } },
        }),
      ],
      errors: ['KubeAPIServerConfig resources: unsupported pod resource "gpu"'],
    },
    {
      name: "cpu and memory limits are fine",
      docs: [doc("KubeAPIServerConfig", { image: IMAGE, resources: { limits: { cpu: 2, memory: "2Gi" } } })],
    },
    {
      name: "conflicts with .cluster.apiServer, even an empty one",
      docs: [doc("KubeAPIServerConfig", { image: IMAGE })],
      base: cpWith({ cluster: { apiServer: {} } }),
      errors: [
        "KubeAPIServerConfig: kube-apiserver config is already set in v1alpha1 config (.cluster.apiServer)",
      ],
    },
    {
      name: "conflicts with .cluster.controlPlane.localAPIServerPort",
      docs: [doc("KubeAPIServerConfig", { image: IMAGE })],
      base: cpWith({
        cluster: { controlPlane: { endpoint: "https://1.2.3.4:6443", localAPIServerPort: 7443 } },
      }),
      errors: [
        "KubeAPIServerConfig: kube-apiserver API port is already set in v1alpha1 config (.cluster.controlPlane.localAPIServerPort)",
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
      name: "the node needs a version in the image reference",
      docs: [doc("KubeAPIServerConfig", { image: "invalid-image" })],
      talosVersion: "v1.14.0",
      errors: [
        'KubeAPIServerConfig image: kube-apiserver image is not valid: failed to parse Kubernetes version from image reference "invalid-image": invalid image reference: "invalid-image"',
      ],
    },
    {
      name: "talosctl validate does not check the Kubernetes version",
      docs: [doc("KubeAPIServerConfig", { image: "invalid-image" })],
    },
  ]);
});

describe("KubeAuditPolicyConfig", () => {
  table([
    { name: "any policy", docs: [doc("KubeAuditPolicyConfig", { configuration: { rules: [] } })] },
    {
      name: "an empty .cluster.apiServer.auditPolicy is no conflict",
      docs: [doc("KubeAuditPolicyConfig", { configuration: { rules: [] } })],
      base: cpWith({ cluster: { apiServer: { auditPolicy: {} } } }),
    },
    {
      name: "conflicts with a .cluster.apiServer.auditPolicy",
      docs: [doc("KubeAuditPolicyConfig", { configuration: { rules: [] } })],
      base: cpWith({ cluster: { apiServer: { auditPolicy: { kind: "Policy" } } } }),
      errors: ["KubeAuditPolicyConfig: audit policy config is already set in v1alpha1 config"],
    },
  ]);
});

describe("KubeAuthorizerConfig", () => {
  const authorizer = (body: object) => doc("KubeAuthorizerConfig", body);
  table([
    {
      name: "node, RBAC and a webhook",
      docs: [
        authorizer({ name: "node", type: "Node" }),
        authorizer({ name: "rbac", type: "RBAC" }),
        authorizer({ name: "hook", type: "Webhook", webhook: { timeout: "3s" } }),
      ],
    },
    {
      name: "name and type are required, and an empty type is not an allowed one",
      docs: [authorizer({})],
      errors: [
        "KubeAuthorizerConfig name: authorizer name is required",
        "KubeAuthorizerConfig type: authorizer type is required",
        "KubeAuthorizerConfig type: authorizer type  is not allowed, allowed types are [Node RBAC Webhook]",
      ],
    },
    {
      name: "unknown types",
      docs: [authorizer({ name: "c", type: "Custom" })],
      errors: [
        "KubeAuthorizerConfig/c type: authorizer type Custom is not allowed, allowed types are [Node RBAC Webhook]",
      ],
    },
    {
      name: "webhook configuration: required for Webhook, a warning elsewhere",
      docs: [
        authorizer({ name: "w", type: "Webhook", webhook: {} }),
        authorizer({ name: "r", type: "RBAC", webhook: { a: 1 } }),
      ],
      errors: [
        "KubeAuthorizerConfig/w webhook: authorizer webhook configuration is required for Webhook authorizer type",
      ],
      warnings: [
        "KubeAuthorizerConfig/r webhook: authorizer webhook configuration is not allowed non-Webhook authorizer types",
      ],
    },
    {
      name: "conflicts with admission plugins in v1alpha1 (as Talos words it)",
      docs: [authorizer({ name: "rbac", type: "RBAC" })],
      base: cpWith({ cluster: { apiServer: { admissionControl: [{ name: "PodSecurity" }] } } }),
      errors: [
        "KubeAuthorizerConfig/rbac: admission control plugin config is already set in v1alpha1 config",
      ],
    },
  ]);
});

describe("KubeClusterConfig", () => {
  const clusterDoc = (body: object) => doc("KubeClusterConfig", body);
  table([
    { name: "valid", docs: [clusterDoc({ clusterName: "c", endpoint: "https://1.2.3.4:6443" })] },
    {
      name: "valid with a bracketed IPv6 host and no port",
      docs: [clusterDoc({ clusterName: "c", endpoint: "https://[fd00::1]" })],
    },
    {
      name: "name and endpoint are required",
      docs: [clusterDoc({})],
      errors: [
        "KubeClusterConfig clusterName: clusterName must be specified",
        "KubeClusterConfig endpoint: endpoint must be specified",
      ],
    },
    {
      name: "the port must be in range",
      docs: [clusterDoc({ clusterName: "c", endpoint: "https://1.2.3.4:99999" })],
      errors: [
        "KubeClusterConfig endpoint: cluster endpoint is invalid: port number must be between 1 and 65535",
      ],
    },
    {
      name: "the endpoint needs a host",
      docs: [clusterDoc({ clusterName: "c", endpoint: "example.com" })],
      errors: ["KubeClusterConfig endpoint: cluster endpoint is invalid: hostname must not be blank"],
    },
    {
      name: "IPv6 hosts are bracketed",
      docs: [clusterDoc({ clusterName: "c", endpoint: "https://fd00::1:6443" })],
      errors: [
        "KubeClusterConfig endpoint: cluster endpoint is invalid: IPv6 addresses MUST be enclosed by square brackets",
      ],
    },
    {
      name: "conflicts with .cluster.clusterName",
      docs: [clusterDoc({ clusterName: "c", endpoint: "https://1.2.3.4:6443" })],
      base: workerWith({ cluster: { clusterName: "old" } }),
      errors: [
        "KubeClusterConfig: cluster name is already set in the v1alpha1 config (.cluster.clusterName). Please remove it and use only the new KubeClusterConfig document to avoid conflicts",
      ],
    },
    {
      name: "conflicts with .cluster.controlPlane.endpoint",
      docs: [clusterDoc({ clusterName: "c", endpoint: "https://1.2.3.4:6443" })],
      base: workerWith({ cluster: { controlPlane: { endpoint: "https://1.2.3.4:6443" } } }),
      errors: [
        "KubeClusterConfig: cluster endpoint is already set in the v1alpha1 config (.cluster.controlPlane.endpoint). Please remove it and use only the new KubeClusterConfig document to avoid conflicts",
      ],
    },
  ]);
});

describe("KubeControllerManagerConfig and KubeSchedulerConfig", () => {
  const cm = (body: object) => doc("KubeControllerManagerConfig", body);
  const sched = (body: object) => doc("KubeSchedulerConfig", body);
  table([
    {
      name: "enabled with images",
      docs: [
        cm({ image: "registry.k8s.io/kube-controller-manager:v1.34.0" }),
        sched({ image: "registry.k8s.io/kube-scheduler:v1.34.0", enabled: true }),
      ],
    },
    {
      name: "disabled components need no image and their other settings are not looked at",
      docs: [
        cm({ enabled: false, resources: { requests: { gpu: 1 } } }),
        sched({ enabled: false, resources: { requests: { gpu: 1 } } }),
      ],
    },
    {
      name: "enabled components need an image, explicitly enabled or not",
      docs: [cm({}), sched({ enabled: true })],
      errors: [
        "KubeControllerManagerConfig image: kube-controller-manager image cannot be empty",
        "KubeSchedulerConfig image: scheduler image cannot be empty",
      ],
    },
    {
      name: "pod resources",
      docs: [
        cm({ image: "registry.k8s.io/kube-controller-manager:v1.34.0", resources: { requests: { gpu: 1 } } }),
        sched({ image: "registry.k8s.io/kube-scheduler:v1.34.0", resources: { limits: { storage: 1 } } }),
      ],
      errors: [
        'KubeControllerManagerConfig resources: unsupported pod resource "gpu"',
        'KubeSchedulerConfig resources: unsupported pod resource "storage"',
      ],
    },
    {
      name: "the node checks the images' Kubernetes versions",
      docs: [cm({ image: "invalid-image" }), sched({ image: "registry.k8s.io/kube-scheduler:v1.99.0" })],
      talosVersion: "v1.14.0",
      errors: [
        'KubeControllerManagerConfig image: kube-controller-manager image is not valid: failed to parse Kubernetes version from image reference "invalid-image": invalid image reference: "invalid-image"',
        "KubeSchedulerConfig image: scheduler image is not valid: version of Kubernetes 1.99.0 is too new to be used with Talos 1.14.0",
      ],
    },
    {
      name: "conflicts with .cluster.controllerManager and .cluster.scheduler",
      docs: [cm({ enabled: false }), sched({ enabled: false })],
      base: cpWith({ cluster: { controllerManager: {}, scheduler: {} } }),
      errors: [
        "KubeControllerManagerConfig: kube-controller-manager config is already set in v1alpha1 config (.cluster.controllerManager)",
        "KubeSchedulerConfig: kube-scheduler config is already set in v1alpha1 config (.cluster.scheduler)",
      ],
    },
    {
      name: "conflicts with .machine.controlPlane.controllerManager and .scheduler",
      docs: [cm({ enabled: false }), sched({ enabled: false })],
      base: cpWith({ machine: { controlPlane: { controllerManager: {}, scheduler: {} } } }),
      errors: [
        "KubeControllerManagerConfig: kube-controller-manager config is already set in v1alpha1 config (.machine.controlplane.controllerManager)",
        "KubeSchedulerConfig: kube-scheduler config is already set in v1alpha1 config (.machine.controlplane.scheduler)",
      ],
    },
  ]);
});

describe("KubeProxyConfig", () => {
  const proxy = (body: object) => doc("KubeProxyConfig", body);
  const image = "registry.k8s.io/kube-proxy:v1.34.0";
  table([
    { name: "nftables (or no mode) is quiet", docs: [proxy({ image, mode: "nftables" })] },
    { name: "disabled needs no image", docs: [proxy({ enabled: false, mode: "userspace" })] },
    {
      name: "an image is required",
      docs: [proxy({})],
      errors: ["KubeProxyConfig image: proxy image cannot be empty"],
    },
    {
      name: "iptables and ipvs warn, as do extra arguments",
      docs: [proxy({ image, mode: "ipvs", extraArgs: { v: "2" } })],
      warnings: [
        'KubeProxyConfig mode: proxy mode "ipvs" is not recommended, please switch to nftables if possible',
        "KubeProxyConfig extraArgs: extra arguments for kube-proxy may not work as expected, please use configuration instead",
      ],
    },
    {
      name: "iptables warns, and stays a warning under strict validation",
      docs: [proxy({ image, mode: "iptables" })],
      strict: true,
      warnings: [
        'KubeProxyConfig mode: proxy mode "iptables" is not recommended, please switch to nftables if possible',
      ],
    },
    {
      name: "unknown modes and resources are refused",
      docs: [proxy({ image, mode: "userspace", resources: { requests: { gpu: 1 } } })],
      errors: [
        'KubeProxyConfig mode: invalid proxy mode "userspace": supported modes are iptables, ipvs and nftables',
        'KubeProxyConfig resources: unsupported pod resource "gpu"',
      ],
    },
    {
      name: "the node checks the image's Kubernetes version",
      docs: [proxy({ image: "registry.k8s.io/kube-proxy:v1.20.0" })],
      talosVersion: "v1.14.0",
      errors: [
        "KubeProxyConfig image: proxy image is not valid: version of Kubernetes 1.20.0 is too old to be used with Talos 1.14.0",
      ],
    },
    {
      name: "conflicts with .cluster.proxy",
      docs: [proxy({ enabled: false })],
      base: cpWith({ cluster: { proxy: {} } }),
      errors: [
        "KubeProxyConfig: cluster proxy config in v1alpha1 config (.machine.cluster.proxy) can't be used with KubeProxyConfig document, please remove it to avoid conflicts",
      ],
    },
  ]);
});

describe("KubeCoreDNSConfig and KubeCredentialProviderConfig", () => {
  table([
    {
      name: "no rules of their own",
      docs: [doc("KubeCoreDNSConfig", { enabled: false })],
    },
    {
      name: "a credential provider on a worker",
      docs: [doc("KubeCredentialProviderConfig", { configuration: { kind: "CredentialProviderConfig" } })],
      base: WORKER,
    },
    {
      name: "CoreDNS conflicts with .cluster.coreDNS",
      docs: [doc("KubeCoreDNSConfig", { enabled: false })],
      base: cpWith({ cluster: { coreDNS: { disabled: true } } }),
      errors: ["KubeCoreDNSConfig: CoreDNS config is already set in v1alpha1 config (.cluster.coreDNS)"],
    },
    {
      name: "the credential provider conflicts with any .machine.kubelet",
      docs: [doc("KubeCredentialProviderConfig", { configuration: { a: 1 } })],
      base: workerWith({ machine: { kubelet: {} } }),
      errors: [
        "KubeCredentialProviderConfig: cannot use KubeCredentialProviderConfig with legacy kubelet configuration (.machine.kubelet)",
      ],
    },
  ]);
});

describe("KubeEtcdEncryptionConfig", () => {
  table([
    { name: "a configuration", docs: [encryption] },
    {
      name: "the configuration is required",
      docs: [doc("KubeEtcdEncryptionConfig", { config: {} })],
      errors: ["KubeEtcdEncryptionConfig config: etcd encryption config is required"],
    },
    {
      name: "conflicts with .cluster.secretboxEncryptionSecret",
      docs: [encryption],
      base: cpWith({ cluster: { secretboxEncryptionSecret: "c2VjcmV0" } }),
      errors: ["KubeEtcdEncryptionConfig: etcd encryption config is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with .cluster.aescbcEncryptionSecret",
      docs: [encryption],
      base: cpWith({ cluster: { aescbcEncryptionSecret: "c2VjcmV0" } }),
      errors: ["KubeEtcdEncryptionConfig: etcd encryption config is already set in v1alpha1 config"],
    },
  ]);
});

describe("KubeExternalManifestConfig, KubeInlineManifestConfig and KubeStaticPodConfig", () => {
  table([
    {
      name: "valid manifests and a static pod",
      docs: [
        doc("KubeExternalManifestConfig", { name: "cni", url: "https://example.com/cni.yaml" }),
        doc("KubeExternalManifestConfig", { name: "plain", url: "http://example.com/x.yaml" }),
        doc("KubeExternalManifestConfig", { name: "upper", url: "HTTPS://example.com/x.yaml" }),
        doc("KubeInlineManifestConfig", { name: "ns.ci", manifest: "kind: Namespace" }),
        doc("KubeStaticPodConfig", { name: "nginx", pod: { kind: "Pod" } }),
      ],
      base: WORKER,
    },
    {
      name: "names and specs are required",
      docs: [
        doc("KubeExternalManifestConfig", {}),
        doc("KubeInlineManifestConfig", { manifest: "x" }),
        doc("KubeStaticPodConfig", {}),
      ],
      base: WORKER,
      errors: [
        "KubeExternalManifestConfig name: manifest name is required",
        "KubeExternalManifestConfig url: manifest URL is required",
        "KubeInlineManifestConfig name: manifest name is required",
        "KubeStaticPodConfig name: static pod name is required",
        "KubeStaticPodConfig pod: static pod spec is required",
      ],
    },
    {
      name: "names must be DNS-1123 subdomains; URLs http or https",
      docs: [
        doc("KubeInlineManifestConfig", { name: "Bad_Name", manifest: "x" }),
        doc("KubeExternalManifestConfig", { name: "-x", url: "ftp://x/y" }),
        doc("KubeStaticPodConfig", { name: "pod.", pod: {} }),
      ],
      base: WORKER,
      errors: [
        'KubeInlineManifestConfig/Bad_Name name: manifest name is invalid: domain doesn\'t match required format: "Bad_Name"',
        'KubeExternalManifestConfig/-x name: manifest name is invalid: domain doesn\'t match required format: "-x"',
        'KubeExternalManifestConfig/-x url: manifest URL scheme must be http or https: "ftp"',
        'KubeStaticPodConfig/pod. name: static pod name is invalid: domain doesn\'t match required format: "pod."',
        "KubeStaticPodConfig/pod. pod: static pod spec is required",
      ],
    },
    {
      name: "a URL without a scheme",
      docs: [doc("KubeExternalManifestConfig", { name: "m", url: "example.com/x.yaml" })],
      base: WORKER,
      errors: ['KubeExternalManifestConfig/m url: manifest URL scheme must be http or https: ""'],
    },
  ]);
});

describe("KubeFlannelCNIConfig", () => {
  table([
    { name: "a backend", docs: [doc("KubeFlannelCNIConfig", { backendType: "vxlan" })] },
    {
      name: "the backend type is required; resources are cpu and memory",
      docs: [doc("KubeFlannelCNIConfig", { resources: { requests: { gpu: 1 } } })],
      errors: [
        "KubeFlannelCNIConfig backendType: flannel backend type must be specified",
        'KubeFlannelCNIConfig resources: unsupported pod resource "gpu"',
      ],
    },
    {
      name: "conflicts with .cluster.network",
      docs: [doc("KubeFlannelCNIConfig", { backendType: "vxlan" })],
      base: cpWith({ cluster: { network: {} } }),
      errors: [
        "KubeFlannelCNIConfig: cluster network config in v1alpha1 config (.machine.cluster.network) can't be used with KubeFlannelCNIConfig document, please remove it to avoid conflicts",
      ],
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

describe("KubeletConfig", () => {
  table([
    {
      name: "valid kubelet",
      docs: [doc("KubeletConfig", { image: "ghcr.io/siderolabs/kubelet:v1.34.0", config: { maxPods: 200 } })],
      base: WORKER,
    },
    {
      name: "image required; fields Talos manages can't be overridden, in Talos's order",
      docs: [doc("KubeletConfig", { config: { staticPodPath: "/x", port: 1, apiVersion: "v1" } })],
      base: WORKER,
      errors: [
        "KubeletConfig image: kubelet image cannot be empty",
        'KubeletConfig config.apiVersion: kubelet configuration field "apiVersion" can\'t be overridden',
        'KubeletConfig config.port: kubelet configuration field "port" can\'t be overridden',
        'KubeletConfig config.staticPodPath: kubelet configuration field "staticPodPath" can\'t be overridden',
      ],
    },
    {
      name: "the node checks the image's Kubernetes version",
      docs: [doc("KubeletConfig", { image: "ghcr.io/siderolabs/kubelet:v1.20.0" })],
      base: WORKER,
      talosVersion: "v1.14.0",
      errors: [
        "KubeletConfig image: kubelet image is not valid: version of Kubernetes 1.20.0 is too old to be used with Talos 1.14.0",
      ],
    },
    {
      name: "an empty .machine.kubelet counts as set",
      docs: [doc("KubeletConfig", { image: "k:v1.34.0" })],
      base: workerWith({ machine: { kubelet: {} } }),
      errors: ["KubeletConfig: kubelet config is already set in v1alpha1 config (.machine.kubelet)"],
    },
  ]);
});

describe("KubeNetworkConfig", () => {
  const net = (body: object) => doc("KubeNetworkConfig", body);
  const v4 = { podSubnets: ["10.244.0.0/16"], serviceSubnets: ["10.96.0.0/12"] };
  table([
    {
      name: "valid dual-stack",
      docs: [
        net({ podSubnets: ["10.244.0.0/16", "fd00::/56"], serviceSubnets: ["10.96.0.0/12", "fd01::/108"] }),
      ],
    },
    {
      name: "zero node CIDR mask sizes mean the defaults",
      docs: [net({ ...v4, nodeCIDRMaskSizeIPv4: 0, nodeCIDRMaskSizeIPv6: 0 })],
    },
    {
      name: "node CIDR mask sizes at the ends of their ranges",
      docs: [net({ podSubnets: ["0.0.0.0/1"], serviceSubnets: ["10.96.0.0/12"], nodeCIDRMaskSizeIPv4: 1 })],
    },
    {
      name: "node CIDR mask sizes are ranged",
      docs: [net({ ...v4, nodeCIDRMaskSizeIPv4: 33, nodeCIDRMaskSizeIPv6: 129 })],
      errors: [
        "KubeNetworkConfig nodeCIDRMaskSizeIPv4: nodeCIDRMaskSizeIPv4 must be between 1 and 32",
        "KubeNetworkConfig nodeCIDRMaskSizeIPv6: nodeCIDRMaskSizeIPv6 must be between 1 and 128",
      ],
    },
    {
      name: "a negative mask size; pod subnets of that family are then not sized against it",
      docs: [net({ podSubnets: ["10.0.0.0/7"], serviceSubnets: ["10.96.0.0/12"], nodeCIDRMaskSizeIPv4: -1 })],
      errors: ["KubeNetworkConfig nodeCIDRMaskSizeIPv4: nodeCIDRMaskSizeIPv4 must be between 1 and 32"],
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
      name: "at most two subnets, one per family",
      docs: [
        net({
          podSubnets: ["10.244.0.0/16", "10.245.0.0/16"],
          serviceSubnets: ["10.96.0.0/12", "fd01::/108", "fd02::/108"],
        }),
      ],
      errors: [
        "KubeNetworkConfig podSubnets: pod subnets: at most one IPv4 and one IPv6 subnet can be specified for dual-stack clusters",
        "KubeNetworkConfig serviceSubnets: service subnets: at most two subnets can be specified for dual-stack clusters",
        "KubeNetworkConfig serviceSubnets: the number of pod subnets must match the number of service subnets",
      ],
    },
    {
      name: "subnets must be masked and large enough",
      docs: [net({ podSubnets: ["10.244.0.1/16"], serviceSubnets: ["10.96.0.0/29"] })],
      errors: [
        "KubeNetworkConfig podSubnets: pod subnets: invalid subnet: 10.244.0.1/16 is not a valid CIDR",
        "KubeNetworkConfig serviceSubnets: service subnets: invalid subnet: /29 is too small, it must be larger than /25",
      ],
    },
    {
      name: "an empty subnet",
      docs: [net({ podSubnets: [""], serviceSubnets: ["10.96.0.0/12"] })],
      errors: ["KubeNetworkConfig podSubnets: pod subnets: invalid subnet: invalid Prefix"],
    },
    {
      name: "service subnets hold at most 20 host bits",
      docs: [net({ podSubnets: ["10.244.0.0/16"], serviceSubnets: ["10.0.0.0/8"] })],
      errors: [
        "KubeNetworkConfig serviceSubnets: service subnets: invalid subnet: 10.0.0.0/8 is too large, it must be at least /12 (at most 20 host identifier bits)",
      ],
    },
    {
      name: "pod subnets against the per-node mask",
      docs: [net({ podSubnets: ["10.244.0.0/25"], serviceSubnets: ["10.96.0.0/12"] })],
      errors: [
        "KubeNetworkConfig podSubnets: pod subnets: invalid subnet: 10.244.0.0/25 is smaller than the per-node pod CIDR mask size /24",
      ],
    },
    {
      name: "pod subnets at most 16 bits wider than the per-node mask",
      docs: [net({ podSubnets: ["2.0.0.0/7"], serviceSubnets: ["10.96.0.0/12"] })],
      errors: [
        "KubeNetworkConfig podSubnets: pod subnets: invalid subnet: 2.0.0.0/7 is too large for the per-node pod CIDR mask size /24, the difference must be at most 16 bits",
      ],
    },
    {
      name: "a configured IPv6 per-node mask; IPv6 prefixes are shown as Go prints them",
      docs: [
        net({
          podSubnets: ["FC00:0DB8:0010:0000::/56"],
          serviceSubnets: ["FD01:0:0:0:0:0:0:0/108"],
          nodeCIDRMaskSizeIPv6: 80,
        }),
      ],
      errors: [
        "KubeNetworkConfig podSubnets: pod subnets: invalid subnet: fc00:db8:10::/56 is too large for the per-node pod CIDR mask size /80, the difference must be at most 16 bits",
      ],
    },
    {
      name: "an unmasked IPv6 subnet",
      docs: [net({ podSubnets: ["fd00:0:0:0:1::/56"], serviceSubnets: ["::ffff:0.0.0.0/100"] })],
      errors: [
        "KubeNetworkConfig podSubnets: pod subnets: invalid subnet: fd00::1:0:0:0/56 is not a valid CIDR",
        "KubeNetworkConfig serviceSubnets: service subnets: invalid subnet: ::ffff:0.0.0.0/100 is too large, it must be at least /108 (at most 20 host identifier bits)",
      ],
    },
    {
      name: "conflicts with .cluster.network",
      docs: [net(v4)],
      base: workerWith({ cluster: { network: {} } }),
      errors: [
        "KubeNetworkConfig: cluster network config is already set in the v1alpha1 config (.machine.cluster.network). Please remove it and use only the new KubeNetworkConfig document to avoid conflicts",
      ],
    },
  ]);
});

describe("KubeNodeConfig", () => {
  const node = (body: object) => doc("KubeNodeConfig", body);
  table([
    {
      name: "subnets, addresses, exclusions, labels, annotations and taints",
      docs: [
        node({
          nodeIP: { validSubnets: ["10.0.0.0/8", "!10.0.0.3/32", "10.0.0.1", "fdc7::/16", "fe80::1%eth0"] },
          labels: { "example.com/role": "db", plain: "" },
          annotations: { "customer.io/rack": "r13a25" },
          taints: { dedicated: "db:NoSchedule", gpu: "NoExecute" },
        }),
      ],
      base: WORKER,
    },
    {
      name: "each subnet must be a prefix or an address",
      docs: [node({ nodeIP: { validSubnets: ["10.0.0.0/8", "!bad", "10.0.0.0/08", "10.0.0.0/33"] } })],
      base: WORKER,
      errors: [
        'KubeNodeConfig nodeIP.validSubnets[1]: nodeIP subnet is not valid: "bad"',
        'KubeNodeConfig nodeIP.validSubnets[2]: nodeIP subnet is not valid: "10.0.0.0/08"',
        'KubeNodeConfig nodeIP.validSubnets[3]: nodeIP subnet is not valid: "10.0.0.0/33"',
      ],
    },
    {
      name: "label, annotation and taint problems are gathered per map",
      docs: [
        node({
          labels: { "-x": "v", ok: "bad value!" },
          annotations: { "talos.dev/owned-labels": "x" },
          taints: { a: "v:Never" },
        }),
      ],
      base: WORKER,
      errors: [
        'KubeNodeConfig labels: invalid node labels: 2 errors occurred:\n\t* name "-x" is invalid\n\t* label value "bad value!" is invalid\n\n',
        'KubeNodeConfig annotations: invalid node annotations: 1 error occurred:\n\t* annotation "talos.dev/owned-labels" is reserved\n\n',
        'KubeNodeConfig taints: invalid node taints: 1 error occurred:\n\t* invalid taint effect: "Never"\n\n',
      ],
    },
    {
      name: "conflicts with .cluster.allowSchedulingOnControlPlanes first",
      docs: [node({})],
      base: workerWith({
        cluster: { allowSchedulingOnControlPlanes: false, allowSchedulingOnMasters: false },
        machine: { nodeLabels: {} },
      }),
      errors: ["KubeNodeConfig: .cluster.allowSchedulingOnControlPlanes is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with .cluster.allowSchedulingOnMasters",
      docs: [node({})],
      base: workerWith({ cluster: { allowSchedulingOnMasters: true } }),
      errors: ["KubeNodeConfig: .cluster.allowSchedulingOnMasters is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with .machine.kubelet.skipNodeRegistration",
      docs: [node({})],
      base: workerWith({ machine: { kubelet: { skipNodeRegistration: false, registerWithFQDN: true } } }),
      errors: ["KubeNodeConfig: .machine.kubelet.skipNodeRegistration is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with .machine.kubelet.registerWithFQDN",
      docs: [node({})],
      base: workerWith({ machine: { kubelet: { registerWithFQDN: true } } }),
      errors: ["KubeNodeConfig: .machine.kubelet.registerWithFQDN is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with .machine.kubelet.nodeIP",
      docs: [node({})],
      base: workerWith({ machine: { kubelet: { nodeIP: { validSubnets: ["10.0.0.0/8"] } } } }),
      errors: ["KubeNodeConfig: .machine.kubelet.nodeIP is already set in v1alpha1 config"],
    },
    {
      name: "other .machine.kubelet settings are no conflict",
      docs: [node({})],
      base: workerWith({ machine: { kubelet: { extraArgs: { v: "2" } } } }),
    },
    {
      name: "conflicts with .machine.nodeLabels, even empty",
      docs: [node({})],
      base: workerWith({ machine: { nodeLabels: {}, nodeTaints: {} } }),
      errors: ["KubeNodeConfig: .machine.nodeLabels is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with .machine.nodeAnnotations",
      docs: [node({})],
      base: workerWith({ machine: { nodeAnnotations: { a: "b" } } }),
      errors: ["KubeNodeConfig: .machine.nodeAnnotations is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with .machine.nodeTaints",
      docs: [node({})],
      base: workerWith({ machine: { nodeTaints: { a: "NoSchedule" } } }),
      errors: ["KubeNodeConfig: .machine.nodeTaints is already set in v1alpha1 config"],
    },
  ]);
});

describe("KubePrismConfig", () => {
  table([
    { name: "a port", docs: [doc("KubePrismConfig", { port: 7445 })], base: WORKER },
    { name: "the highest port", docs: [doc("KubePrismConfig", { port: 65535 })], base: WORKER },
    {
      name: "the port is required",
      docs: [doc("KubePrismConfig", {})],
      base: WORKER,
      errors: ["KubePrismConfig port: invalid port 0: must be in range 1-65535"],
    },
    {
      name: "ports out of range",
      docs: [doc("KubePrismConfig", { port: 65536 })],
      base: WORKER,
      errors: ["KubePrismConfig port: invalid port 65536: must be in range 1-65535"],
    },
    {
      name: "conflicts with .machine.features.kubePrism",
      docs: [doc("KubePrismConfig", { port: 7445 })],
      base: workerWith({ machine: { features: { kubePrism: { enabled: true, port: 7445 } } } }),
      errors: [
        "KubePrismConfig: KubePrism config in v1alpha1 config (.machine.features.kubePrism) can't be used with KubePrismConfig document, please remove it to avoid conflicts",
      ],
    },
  ]);
});

describe("KubeServiceAccountConfig", () => {
  const sa = (issuer: object) => doc("KubeServiceAccountConfig", { issuer });
  table([
    {
      name: "a key that loads and an issuer URL",
      docs: [sa({ privateKey: ed25519, issuerURL: "https://k" })],
    },
    {
      name: "the issuer's key and URL are required",
      docs: [sa({})],
      errors: [
        "KubeServiceAccountConfig issuer.privateKey: service issuer private key is required",
        "KubeServiceAccountConfig issuer.issuerURL: service issuer URL is required",
      ],
    },
    {
      name: "the key must parse",
      docs: [sa({ privateKey: "junk", issuerURL: "https://k" })],
      errors: [
        "KubeServiceAccountConfig issuer.privateKey: service issuer private key is invalid: failed to parse PEM block",
      ],
    },
    {
      name: "the key must be a private key",
      docs: [sa({ privateKey: publicKey, issuerURL: "https://k" })],
      errors: [
        'KubeServiceAccountConfig issuer.privateKey: service issuer private key is invalid: unsupported key type "PUBLIC KEY"',
      ],
    },
    {
      name: "ECDSA keys on the NIST curves, in either format",
      docs: [sa({ privateKey: sec1(p256), issuerURL: "https://k" })],
    },
    {
      name: "a PKCS#8 NIST curve key",
      docs: [sa({ privateKey: pkcs8(p256), issuerURL: "https://k" })],
    },
    {
      name: "curves crypto/x509 does not know",
      docs: [sa({ privateKey: sec1(k256), issuerURL: "https://k" })],
      errors: [
        "KubeServiceAccountConfig issuer.privateKey: service issuer private key is invalid: failed to parse ECDSA key: x509: unknown elliptic curve",
      ],
    },
    {
      name: "curves crypto/x509 does not know, wrapped in PKCS#8",
      docs: [sa({ privateKey: pkcs8(k256), issuerURL: "https://k" })],
      errors: [
        "KubeServiceAccountConfig issuer.privateKey: service issuer private key is invalid: failed to parse key: x509: failed to parse EC private key embedded in PKCS#8: x509: unknown elliptic curve",
      ],
    },
    {
      name: "PKCS#8 algorithms crypto/x509 does not know",
      docs: [sa({ privateKey: ed448, issuerURL: "https://k" })],
      errors: [
        "KubeServiceAccountConfig issuer.privateKey: service issuer private key is invalid: failed to parse key: x509: PKCS#8 wrapping contained private key with unknown algorithm: 1.3.101.113",
      ],
    },
    {
      name: "X25519 keys parse but cannot sign",
      docs: [sa({ privateKey: x25519, issuerURL: "https://k" })],
      errors: [
        "KubeServiceAccountConfig issuer.privateKey: service issuer private key is invalid: unsupported key type *ecdh.PrivateKey",
      ],
    },
    {
      name: "conflicts with .cluster.serviceAccount",
      docs: [sa({ privateKey: ed25519, issuerURL: "https://k" })],
      base: cpWith({ cluster: { serviceAccount: { key: "a2V5" } } }),
      errors: [
        "KubeServiceAccountConfig: service account is already set in v1alpha1 config (.cluster.serviceAccount)",
      ],
    },
  ]);
});

describe("KubeTalosAPIAccessConfig", () => {
  table([
    {
      name: "known roles",
      docs: [doc("KubeTalosAPIAccessConfig", { allowedRoles: ["os:reader", "os:etcd:backup"] })],
    },
    {
      name: "every unknown role",
      docs: [doc("KubeTalosAPIAccessConfig", { allowedRoles: ["os:reader", "reader", ""] })],
      errors: [
        'KubeTalosAPIAccessConfig allowedRoles[1]: invalid role "reader" in .allowedRoles',
        'KubeTalosAPIAccessConfig allowedRoles[2]: invalid role "" in .allowedRoles',
      ],
    },
    {
      name: "conflicts with .machine.features.kubernetesTalosAPIAccess",
      docs: [doc("KubeTalosAPIAccessConfig", { allowedRoles: ["os:reader"] })],
      base: cpWith({ machine: { features: { kubernetesTalosAPIAccess: { enabled: true } } } }),
      errors: [
        "KubeTalosAPIAccessConfig: .machine.features.kubernetesTalosAPIAccess is already set in v1alpha1 config",
      ],
    },
  ]);
});
