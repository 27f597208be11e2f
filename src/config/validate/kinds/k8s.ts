// Kubernetes documents (siderolabs/talos: pkg/machinery/config/types/k8s): each kind's Validate
// and the v1alpha1 settings it must not be combined with.
import type { Check, KindTable } from "../check.js";
import { kubernetesImageTagError } from "../compat.js";
import { type Data, filled, get, has, num, obj, str, strs } from "../data.js";
import {
  goList,
  goMultiError,
  goParseURL,
  goQuote,
  isSubnetOrAddress,
  netipParsePrefix,
  validateEndpointURI,
} from "../go.js";
import {
  annotationsErrors,
  dns1123SubdomainError,
  labelsErrors,
  TALOS_ROLES,
  taintsErrors,
} from "../labels.js";
import { assertValidPEM, certificateError, privateKeyError } from "../pem.js";

/** kubelet configuration fields Talos manages (siderolabs/talos: pkg/machinery/kubelet). */
export const PROTECTED_KUBELET_FIELDS = [
  "apiVersion",
  "authentication",
  "authorization",
  "cgroupRoot",
  "kind",
  "kubeletCgroups",
  "port",
  "protectKernelDefaults",
  "resolvConf",
  "rotateCertificates",
  "systemCgroups",
  "staticPodPath",
  "seccompDefault",
];

const AUTHORIZER_TYPES = ["Node", "RBAC", "Webhook"];
const MIN_SUBNET_HOST_BITS = 4;
const POD_SUBNET_NODE_MASK_MAX_DIFF = 16;
const MAX_HOST_BITS_FOR_SERVICE_SUBNET = 20;
const DEFAULT_NODE_MASK_IPV4 = 24;
const DEFAULT_NODE_MASK_IPV6 = 64;

/** kube-apiserver arguments other documents own, by prefix (sorted as Talos reports them). */
const DENIED_APISERVER_ARGS: readonly (readonly [string, string])[] = [
  ["anonymous-auth", "use KubeAuthenticationConfig"],
  ["authentication-config", "use KubeAuthenticationConfig"],
  ["authorization-config", "use KubeAuthorizationConfig"],
  ["authorization-mode", "use KubeAuthorizationConfig"],
  ["authorization-webhook-", "use KubeAuthorizationConfig"],
  ["oidc-", "use KubeAuthenticationConfig"],
];

/** ResourcesConfig.Validate: only cpu and memory, requests first; the first offender only. */
export function podResourcesError(resources: unknown): string | undefined {
  for (const part of ["requests", "limits"]) {
    for (const key of Object.keys(obj(resources, [part]) ?? {})) {
      if (key !== "cpu" && key !== "memory") return `unsupported pod resource ${goQuote(key)}`;
    }
  }
  return undefined;
}

/** The image checks every control-plane component shares: required, and (on a node) supported. */
function checkImage(c: Check, label: string, emptyMessage: string): void {
  const image = str(c.data, ["image"]);
  if (image === "") {
    c.error(emptyMessage, ["image"]);
    return;
  }
  const version = c.options.talosVersion;
  if (!c.options.local && version !== undefined) {
    const e = kubernetesImageTagError(image, version.text);
    if (e !== undefined) c.error(`${label} image is not valid: ${e}`, ["image"]);
  }
}

function checkResources(c: Check): void {
  const e = podResourcesError(get(c.data, ["resources"]));
  if (e !== undefined) c.error(e, ["resources"]);
}

function disabled(c: Check): boolean {
  return get(c.data, ["enabled"]) === false;
}

function checkIssuingCA(c: Check, required: boolean): void {
  const ca = obj(c.data, ["issuingCA"]);
  if (ca === undefined) {
    if (required) c.error("issuing CA is not set", ["issuingCA"]);
  } else {
    const e = certificateAndKeyError(ca, true);
    if (e !== undefined) c.error(`issuing CA: ${e}`, ["issuingCA"]);
  }
  strs(c.data, ["acceptedCAs"]).forEach((pem, i) => {
    const e = assertValidPEM(pem, "CERTIFICATE");
    if (e !== undefined) c.error(`accepted CA #${i}: ${e}`, ["acceptedCAs", i]);
  });
}

/** meta.CertificateAndKey.Validate: both set, both PEM, and (when asked) both load. */
export function certificateAndKeyError(ca: Data, tryLoading: boolean): string | undefined {
  const cert = str(ca, ["cert"]);
  const key = str(ca, ["key"]);
  if (cert === "") return "certificate is required";
  if (key === "") return "key is required";
  const certErr = assertValidPEM(cert, "CERTIFICATE");
  if (certErr !== undefined) return `certificate: ${certErr}`;
  const keyErr = assertValidPEM(key);
  if (keyErr !== undefined) return `key: ${keyErr}`;
  if (tryLoading) {
    const ce = certificateError(cert);
    if (ce !== undefined) return `certificate is invalid: ${ce}`;
    const ke = privateKeyError(key, true);
    if (ke !== undefined) return `key is invalid: ${ke}`;
  }
  return undefined;
}

function networkConfig(c: Check): void {
  const d = c.data;
  // Zero (or unset) means the default per-node mask; anything else must fit the address family.
  const mask4 = num(d, ["nodeCIDRMaskSizeIPv4"]) ?? 0;
  const mask6 = num(d, ["nodeCIDRMaskSizeIPv6"]) ?? 0;
  const mask4Valid = mask4 === 0 || (mask4 >= 1 && mask4 <= 32);
  const mask6Valid = mask6 === 0 || (mask6 >= 1 && mask6 <= 128);
  if (!mask4Valid) c.error("nodeCIDRMaskSizeIPv4 must be between 1 and 32", ["nodeCIDRMaskSizeIPv4"]);
  if (!mask6Valid) c.error("nodeCIDRMaskSizeIPv6 must be between 1 and 128", ["nodeCIDRMaskSizeIPv6"]);

  const podSize = (p: Prefix): string | undefined => {
    const mask = p.v6 ? mask6 || DEFAULT_NODE_MASK_IPV6 : mask4 || DEFAULT_NODE_MASK_IPV4;
    if (!(p.v6 ? mask6Valid : mask4Valid)) return undefined;
    if (p.bits > mask)
      return `invalid subnet: ${p.text} is smaller than the per-node pod CIDR mask size /${mask}`;
    if (mask - p.bits > POD_SUBNET_NODE_MASK_MAX_DIFF) {
      return `invalid subnet: ${p.text} is too large for the per-node pod CIDR mask size /${mask}, the difference must be at most ${POD_SUBNET_NODE_MASK_MAX_DIFF} bits`;
    }
    return undefined;
  };
  const serviceSize = (p: Prefix): string | undefined => {
    const len = p.v6 ? 128 : 32;
    if (len - p.bits > MAX_HOST_BITS_FOR_SERVICE_SUBNET) {
      return `invalid subnet: ${p.text} is too large, it must be at least /${len - MAX_HOST_BITS_FOR_SERVICE_SUBNET} (at most ${MAX_HOST_BITS_FOR_SERVICE_SUBNET} host identifier bits)`;
    }
    return undefined;
  };
  const pods = subnetsError(strs(d, ["podSubnets"]), podSize);
  if (pods !== undefined) c.error(`pod subnets: ${pods}`, ["podSubnets"]);
  const services = subnetsError(strs(d, ["serviceSubnets"]), serviceSize);
  if (services !== undefined) c.error(`service subnets: ${services}`, ["serviceSubnets"]);
  if (strs(d, ["podSubnets"]).length !== strs(d, ["serviceSubnets"]).length) {
    c.error("the number of pod subnets must match the number of service subnets", ["serviceSubnets"]);
  }
}

interface Prefix {
  readonly text: string;
  readonly bits: number;
  readonly v6: boolean;
  readonly masked: boolean;
}

/** A prefix as netip sees it (undefined when invalid); `text` is its canonical form. */
export function parseNetipPrefix(text: string): Prefix | undefined {
  if (netipParsePrefix(text) !== undefined) return undefined;
  const slash = text.lastIndexOf("/");
  const addr = text.slice(0, slash);
  const bits = Number(text.slice(slash + 1));
  const v6 = addr.includes(":");
  const value = addrValue(addr, v6);
  const hostBits = BigInt((v6 ? 128 : 32) - bits);
  const canonical = v6 ? formatIPv6(value) : addr;
  return { text: `${canonical}/${bits}`, bits, v6, masked: (value & ((1n << hostBits) - 1n)) === 0n };
}

/**
 * netip.Addr.String of an IPv6 address: lower-case hex groups, the first longest run of two or
 * more zero groups as `::`, and an IPv4-mapped address as `::ffff:a.b.c.d`.
 */
function formatIPv6(value: bigint): string {
  if (value >> 32n === 0xffffn) {
    const v4 = [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn));
    return `::ffff:${v4.join(".")}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let zeroStart = -1;
  let zeroLen = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > zeroLen) {
      zeroStart = i;
      zeroLen = j - i;
    }
  }
  if (zeroStart < 0) return groups.map((g) => g.toString(16)).join(":");
  const head = groups.slice(0, zeroStart).map((g) => g.toString(16));
  const tail = groups.slice(zeroStart + zeroLen).map((g) => g.toString(16));
  return `${head.join(":")}::${tail.join(":")}`;
}

function addrValue(addr: string, v6: boolean): bigint {
  if (!v6) return addr.split(".").reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
  let t = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4 !== null) {
    const n = addrValue(v4[1]!, false);
    t = `${t.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = t.includes("::") ? t.split("::") : [t, undefined];
  const h = head ? head.split(":") : [];
  const tl = tail ? tail.split(":") : [];
  const parts = [...h, ...Array<string>(tail === undefined ? 0 : 8 - h.length - tl.length).fill("0"), ...tl];
  return parts.reduce((acc, p) => (acc << 16n) | BigInt(Number.parseInt(p || "0", 16)), 0n);
}

function subnetsError(
  subnets: readonly string[],
  size: (p: Prefix) => string | undefined,
): string | undefined {
  if (subnets.length === 0) return "at least one subnet must be specified";
  if (subnets.length > 2) return "at most two subnets can be specified for dual-stack clusters";
  let v4 = 0;
  let v6 = 0;
  for (const s of subnets) {
    const p = parseNetipPrefix(s);
    if (p === undefined) return `invalid subnet: ${s === "" ? "invalid Prefix" : s}`;
    if (!p.masked) return `invalid subnet: ${p.text} is not a valid CIDR`;
    if ((p.v6 ? 128 : 32) - p.bits < MIN_SUBNET_HOST_BITS) {
      return `invalid subnet: /${p.bits} is too small, it must be larger than /${p.bits - MIN_SUBNET_HOST_BITS}`;
    }
    const e = size(p);
    if (e !== undefined) return e;
    if (p.v6) v6++;
    else v4++;
  }
  if (v4 > 1 || v6 > 1)
    return "at most one IPv4 and one IPv6 subnet can be specified for dual-stack clusters";
  return undefined;
}

const cluster = (legacy: Data) => obj(legacy, ["cluster"]);
const machine = (legacy: Data) => obj(legacy, ["machine"]);

export const K8S_RULES: KindTable = {
  KubeAdmissionControlConfig: {
    validate: (c) => {
      if (c.name === "") c.error("admission control plugin name is required", ["name"]);
    },
    conflict: (legacy) =>
      filled(legacy, ["cluster", "apiServer", "admissionControl"])
        ? "admission control plugin config is already set in v1alpha1 config"
        : undefined,
  },
  KubeAggregatorCAConfig: {
    validate: (c) => checkIssuingCA(c, true),
    conflict: (legacy) =>
      has(cluster(legacy), ["aggregatorCA"])
        ? "kube-apiserver aggregator CA is already set in v1alpha1 config (.cluster.aggregatorCA), please remove it and use the new KubeAggregatorCAConfig document instead"
        : undefined,
  },
  KubeAPIServerConfig: {
    validate: (c) => {
      checkImage(c, "kube-apiserver", "kube-apiserver image cannot be empty");
      const args = Object.keys(obj(c.data, ["extraArgs"]) ?? {});
      for (const [prefix, hint] of DENIED_APISERVER_ARGS) {
        for (const arg of args) {
          if (arg.startsWith(prefix))
            c.error(`kube-apiserver extra argument ${goQuote(arg)} is not allowed: ${hint}`, [
              "extraArgs",
              arg,
            ]);
        }
      }
      checkResources(c);
    },
    conflict: (legacy) => {
      if (has(cluster(legacy), ["apiServer"]))
        return "kube-apiserver config is already set in v1alpha1 config (.cluster.apiServer)";
      if ((num(cluster(legacy), ["controlPlane", "localAPIServerPort"]) ?? 0) !== 0)
        return "kube-apiserver API port is already set in v1alpha1 config (.cluster.controlPlane.localAPIServerPort)";
      return undefined;
    },
  },
  KubeAPIServerCAConfig: {
    validate: (c) => checkIssuingCA(c, false),
    conflict: (legacy) =>
      has(cluster(legacy), ["ca"])
        ? "kube-apiserver CA is already set in v1alpha1 config (.cluster.ca)"
        : undefined,
  },
  KubeAuditPolicyConfig: {
    conflict: (legacy) =>
      filled(cluster(legacy), ["apiServer", "auditPolicy"])
        ? "audit policy config is already set in v1alpha1 config"
        : undefined,
  },
  KubeAuthorizerConfig: {
    validate: (c) => {
      const type = str(c.data, ["type"]);
      if (c.name === "") c.error("authorizer name is required", ["name"]);
      if (type === "") c.error("authorizer type is required", ["type"]);
      if (!AUTHORIZER_TYPES.includes(type)) {
        c.error(`authorizer type ${type} is not allowed, allowed types are ${goList(AUTHORIZER_TYPES)}`, [
          "type",
        ]);
      }
      const webhook = filled(c.data, ["webhook"]);
      if (type === "Webhook" && !webhook)
        c.error("authorizer webhook configuration is required for Webhook authorizer type", ["webhook"]);
      if (type !== "Webhook" && webhook)
        c.warn("authorizer webhook configuration is not allowed non-Webhook authorizer types", ["webhook"]);
    },
    conflict: (legacy) =>
      filled(legacy, ["cluster", "apiServer", "admissionControl"])
        ? "admission control plugin config is already set in v1alpha1 config"
        : undefined,
  },
  KubeClusterConfig: {
    validate: (c) => {
      if (str(c.data, ["clusterName"]) === "") c.error("clusterName must be specified", ["clusterName"]);
      const endpoint = str(c.data, ["endpoint"]);
      if (endpoint === "") c.error("endpoint must be specified", ["endpoint"]);
      else {
        const e = validateEndpointURI(endpoint);
        if (e !== undefined) c.error(`cluster endpoint is invalid: ${e}`, ["endpoint"]);
      }
    },
    conflict: (legacy) => {
      if (str(cluster(legacy), ["clusterName"]) !== "") {
        return "cluster name is already set in the v1alpha1 config (.cluster.clusterName). Please remove it and use only the new KubeClusterConfig document to avoid conflicts";
      }
      if (has(cluster(legacy), ["controlPlane", "endpoint"])) {
        return "cluster endpoint is already set in the v1alpha1 config (.cluster.controlPlane.endpoint). Please remove it and use only the new KubeClusterConfig document to avoid conflicts";
      }
      return undefined;
    },
  },
  KubeControllerManagerConfig: {
    validate: (c) => {
      if (disabled(c)) return;
      checkImage(c, "kube-controller-manager", "kube-controller-manager image cannot be empty");
      checkResources(c);
    },
    conflict: (legacy) => {
      if (has(cluster(legacy), ["controllerManager"]))
        return "kube-controller-manager config is already set in v1alpha1 config (.cluster.controllerManager)";
      if (has(machine(legacy), ["controlPlane", "controllerManager"]))
        return "kube-controller-manager config is already set in v1alpha1 config (.machine.controlplane.controllerManager)";
      return undefined;
    },
  },
  KubeCoreDNSConfig: {
    conflict: (legacy) =>
      has(cluster(legacy), ["coreDNS"])
        ? "CoreDNS config is already set in v1alpha1 config (.cluster.coreDNS)"
        : undefined,
  },
  KubeCredentialProviderConfig: {
    conflict: (legacy) =>
      has(machine(legacy), ["kubelet"])
        ? "cannot use KubeCredentialProviderConfig with legacy kubelet configuration (.machine.kubelet)"
        : undefined,
  },
  KubeEtcdEncryptionConfig: {
    validate: (c) => {
      if (!filled(c.data, ["config"])) c.error("etcd encryption config is required", ["config"]);
    },
    conflict: (legacy) =>
      str(cluster(legacy), ["secretboxEncryptionSecret"]) !== "" ||
      str(cluster(legacy), ["aescbcEncryptionSecret"]) !== ""
        ? "etcd encryption config is already set in v1alpha1 config"
        : undefined,
  },
  KubeExternalManifestConfig: {
    validate: (c) => {
      checkManifestName(c);
      const url = str(c.data, ["url"]);
      if (url === "") c.error("manifest URL is required", ["url"]);
      else {
        const scheme = goParseURL(url).scheme;
        if (scheme !== "http" && scheme !== "https")
          c.error(`manifest URL scheme must be http or https: ${goQuote(scheme)}`, ["url"]);
      }
    },
  },
  KubeFlannelCNIConfig: {
    validate: (c) => {
      if (str(c.data, ["backendType"]) === "")
        c.error("flannel backend type must be specified", ["backendType"]);
      checkResources(c);
    },
    conflict: (legacy) =>
      has(cluster(legacy), ["network"])
        ? "cluster network config in v1alpha1 config (.machine.cluster.network) can't be used with KubeFlannelCNIConfig document, please remove it to avoid conflicts"
        : undefined,
  },
  KubeInlineManifestConfig: { validate: checkManifestName },
  KubeletConfig: {
    validate: (c) => {
      checkImage(c, "kubelet", "kubelet image cannot be empty");
      const config = obj(c.data, ["config"]) ?? {};
      for (const field of PROTECTED_KUBELET_FIELDS) {
        if (Object.hasOwn(config, field))
          c.error(`kubelet configuration field ${goQuote(field)} can't be overridden`, ["config", field]);
      }
    },
    conflict: (legacy) =>
      has(machine(legacy), ["kubelet"])
        ? "kubelet config is already set in v1alpha1 config (.machine.kubelet)"
        : undefined,
  },
  KubeNetworkConfig: {
    validate: networkConfig,
    conflict: (legacy) =>
      has(cluster(legacy), ["network"])
        ? "cluster network config is already set in the v1alpha1 config (.machine.cluster.network). Please remove it and use only the new KubeNetworkConfig document to avoid conflicts"
        : undefined,
  },
  KubeNodeConfig: {
    validate: (c) => {
      strs(c.data, ["nodeIP", "validSubnets"]).forEach((cidr, i) => {
        const s = cidr.replace(/^!/, "");
        if (!isSubnetOrAddress(s))
          c.error(`nodeIP subnet is not valid: ${goQuote(s)}`, ["nodeIP", "validSubnets", i]);
      });
      // Each of these checks gathers its problems into one go-multierror, wrapped as a whole.
      const checks = [
        ["labels", labelsErrors, "invalid node labels"],
        ["annotations", annotationsErrors, "invalid node annotations"],
        ["taints", taintsErrors, "invalid node taints"],
      ] as const;
      for (const [field, errorsOf, what] of checks) {
        const errs = errorsOf(obj(c.data, [field]) ?? {});
        if (errs.length > 0) c.error(`${what}: ${goMultiError(errs)}`, [field]);
      }
    },
    conflict: (legacy) => {
      const cl = cluster(legacy);
      const m = machine(legacy);
      if (has(cl, ["allowSchedulingOnControlPlanes"]))
        return ".cluster.allowSchedulingOnControlPlanes is already set in v1alpha1 config";
      if (has(cl, ["allowSchedulingOnMasters"]))
        return ".cluster.allowSchedulingOnMasters is already set in v1alpha1 config";
      if (m !== undefined) {
        if (has(m, ["kubelet", "skipNodeRegistration"]))
          return ".machine.kubelet.skipNodeRegistration is already set in v1alpha1 config";
        if (has(m, ["kubelet", "registerWithFQDN"]))
          return ".machine.kubelet.registerWithFQDN is already set in v1alpha1 config";
        if (has(m, ["kubelet", "nodeIP"])) return ".machine.kubelet.nodeIP is already set in v1alpha1 config";
        if (has(m, ["nodeLabels"])) return ".machine.nodeLabels is already set in v1alpha1 config";
        if (has(m, ["nodeAnnotations"])) return ".machine.nodeAnnotations is already set in v1alpha1 config";
        if (has(m, ["nodeTaints"])) return ".machine.nodeTaints is already set in v1alpha1 config";
      }
      return undefined;
    },
  },
  KubePrismConfig: {
    validate: (c) => {
      const port = num(c.data, ["port"]) ?? 0;
      if (port <= 0 || port > 65535) c.error(`invalid port ${port}: must be in range 1-65535`, ["port"]);
    },
    conflict: (legacy) =>
      has(machine(legacy), ["features", "kubePrism"])
        ? "KubePrism config in v1alpha1 config (.machine.features.kubePrism) can't be used with KubePrismConfig document, please remove it to avoid conflicts"
        : undefined,
  },
  KubeProxyConfig: {
    validate: (c) => {
      if (disabled(c)) return;
      checkImage(c, "proxy", "proxy image cannot be empty");
      const mode = str(c.data, ["mode"]);
      if (mode === "iptables" || mode === "ipvs") {
        c.warn(`proxy mode ${goQuote(mode)} is not recommended, please switch to nftables if possible`, [
          "mode",
        ]);
      } else if (mode !== "" && mode !== "nftables") {
        c.error(`invalid proxy mode ${goQuote(mode)}: supported modes are iptables, ipvs and nftables`, [
          "mode",
        ]);
      }
      if (filled(c.data, ["extraArgs"])) {
        c.warn("extra arguments for kube-proxy may not work as expected, please use configuration instead", [
          "extraArgs",
        ]);
      }
      checkResources(c);
    },
    conflict: (legacy) =>
      has(cluster(legacy), ["proxy"])
        ? "cluster proxy config in v1alpha1 config (.machine.cluster.proxy) can't be used with KubeProxyConfig document, please remove it to avoid conflicts"
        : undefined,
  },
  KubeSchedulerConfig: {
    validate: (c) => {
      if (disabled(c)) return;
      checkImage(c, "scheduler", "scheduler image cannot be empty");
      checkResources(c);
    },
    conflict: (legacy) => {
      if (has(cluster(legacy), ["scheduler"]))
        return "kube-scheduler config is already set in v1alpha1 config (.cluster.scheduler)";
      if (has(machine(legacy), ["controlPlane", "scheduler"]))
        return "kube-scheduler config is already set in v1alpha1 config (.machine.controlplane.scheduler)";
      return undefined;
    },
  },
  KubeServiceAccountConfig: {
    validate: (c) => {
      const key = str(c.data, ["issuer", "privateKey"]);
      if (key === "") c.error("service issuer private key is required", ["issuer", "privateKey"]);
      else {
        const e = privateKeyError(key);
        if (e !== undefined) c.error(`service issuer private key is invalid: ${e}`, ["issuer", "privateKey"]);
      }
      if (str(c.data, ["issuer", "issuerURL"]) === "")
        c.error("service issuer URL is required", ["issuer", "issuerURL"]);
    },
    conflict: (legacy) =>
      has(cluster(legacy), ["serviceAccount"])
        ? "service account is already set in v1alpha1 config (.cluster.serviceAccount)"
        : undefined,
  },
  KubeStaticPodConfig: {
    validate: (c) => {
      if (c.name === "") c.error("static pod name is required", ["name"]);
      else {
        const e = dns1123SubdomainError(c.name);
        if (e !== undefined) c.error(`static pod name is invalid: ${e}`, ["name"]);
      }
      if (!filled(c.data, ["pod"])) c.error("static pod spec is required", ["pod"]);
    },
  },
  KubeTalosAPIAccessConfig: {
    validate: (c) => {
      strs(c.data, ["allowedRoles"]).forEach((r, i) => {
        if (!TALOS_ROLES.includes(r))
          c.error(`invalid role ${goQuote(r)} in .allowedRoles`, ["allowedRoles", i]);
      });
    },
    conflict: (legacy) =>
      has(machine(legacy), ["features", "kubernetesTalosAPIAccess"])
        ? ".machine.features.kubernetesTalosAPIAccess is already set in v1alpha1 config"
        : undefined,
  },
};

function checkManifestName(c: Check): void {
  if (c.name === "") c.error("manifest name is required", ["name"]);
  else {
    const e = dns1123SubdomainError(c.name);
    if (e !== undefined) c.error(`manifest name is invalid: ${e}`, ["name"]);
  }
}
