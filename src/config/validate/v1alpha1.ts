// Rules of the legacy v1alpha1 document (siderolabs/talos:
// pkg/machinery/config/types/v1alpha1/v1alpha1_validation.go).
import type { ConfigDocument, ConfigPath } from "../document.js";
import { bool, type Data, filled, get, has, list, num, obj, str, strs } from "./data.js";
import type { Findings } from "./findings.js";
import type { ValidationMode } from "./modes.js";
import { requiresInstall } from "./modes.js";
import {
  decodeStdBase64,
  endpointURIError,
  isDNSDomain,
  isIPOrPrefix,
  parseIP,
  parsePrefix,
  splitHostPort,
  splitURL,
} from "./net.js";

/** Talos's machine types; "join" and "" are old spellings of worker. */
export type MachineType = "controlplane" | "worker" | "init" | "unknown";

export function machineTypeOf(doc: ConfigDocument | undefined): MachineType {
  const t = str(doc?.data, ["machine", "type"]);
  if (t === "controlplane" || t === "init") return t;
  if (t === "worker" || t === "join" || t === "") return "worker";
  return "unknown";
}

export function isControlPlane(t: MachineType): boolean {
  return t === "controlplane" || t === "init";
}

const KUBESPAN_MIN_MTU = 1280;
const LOG_FORMATS = ["json_lines"];
const SORT_ALGORITHMS = ["v1", "v2"];
const TALOS_API_ROLES = ["os:admin", "os:operator", "os:reader", "os:etcd:backup", "os:impersonator"];
/** Kubelet configuration Talos manages itself (authentication, authorization, cgroups, port). */
const PROTECTED_KUBELET_FIELDS = [
  "authentication",
  "authorization",
  "cgroupDriver",
  "cgroupRoot",
  "cgroupsPerQOS",
  "port",
];
const POD_RESOURCES = ["cpu", "memory"];
const CNI_NAMES = ["flannel", "custom", "none"];
const BOND_MODES = [
  "balance-rr",
  "active-backup",
  "balance-xor",
  "broadcast",
  "802.3ad",
  "balance-tlb",
  "balance-alb",
];

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** A Kubernetes qualified name (`prefix/name` or `name`), as label and annotation keys are. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !LABEL_PREFIX.test(prefix))) {
    return `invalid prefix "${prefix}" in key "${key}"`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return `invalid key "${key}"`;
  return undefined;
}

export function labelValueError(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) return `invalid label value "${value}"`;
  return undefined;
}

/** Subnets with an optional leading `!` (exclusion). */
function isSubnetMatch(text: string): boolean {
  return isIPOrPrefix(text.startsWith("!") ? text.slice(1) : text);
}

export function validateV1Alpha1(doc: ConfigDocument, mode: ValidationMode, f: Findings): void {
  const d = doc.data;
  const err = (path: ConfigPath, message: string) => f.error(doc, path, message);
  const warn = (path: ConfigPath, message: string) => f.warn(doc, path, message);

  if (get(d, ["persist"]) === false) err(["persist"], ".persist should be enabled");

  const machine = obj(d, ["machine"]);
  if (machine === undefined) {
    err(["machine"], "machine instructions are required");
    return;
  }
  if (obj(d, ["cluster"]) === undefined) err(["cluster"], "cluster instructions are required");

  // Machine type.
  const rawType = str(d, ["machine", "type"]);
  const type = machineTypeOf(doc);
  if (rawType === "" || rawType === "join") {
    warn(["machine", "type"], `use "worker" instead of "${rawType}" for machine type`);
  } else if (type === "unknown") {
    err(["machine", "type"], `unknown machine type "${rawType}"`);
  }
  const cp = isControlPlane(type);
  // An unknown type gets neither the control plane nor the worker rules.
  const worker = type === "worker";

  // Deprecated fields.
  if (filled(d, ["machine", "files"])) {
    warn(["machine", "files"], ".machine.files is deprecated; use dedicated configuration documents instead");
  }
  if (filled(d, ["machine", "baseRuntimeSpecOverrides"])) {
    warn(
      ["machine", "baseRuntimeSpecOverrides"],
      ".machine.baseRuntimeSpecOverrides is deprecated; use a CRIBaseRuntimeSpecConfig document instead",
    );
  }

  checkCAs(doc, cp, worker, f);
  checkCluster(doc, cp, worker, f);
  checkInstall(doc, mode, f);
  checkFeatures(doc, cp, f);
  checkNetwork(doc, worker, f);
  checkDisks(doc, f);
  checkKubelet(doc, f);
  checkEncryption(doc, f);
  checkLogging(doc, f);
  checkNodeMetadata(doc, f);
  checkRegistries(doc, f);
}

function checkCAs(doc: ConfigDocument, cp: boolean, worker: boolean, f: Findings): void {
  const d = doc.data;
  const ca = obj(d, ["machine", "ca"]);
  const accepted = list(d, ["machine", "acceptedCAs"]);
  if (ca === undefined && accepted.length === 0) {
    f.error(
      doc,
      ["machine", "ca"],
      "issuing CA or some accepted CAs are required (.machine.ca, machine.acceptedCAs)",
    );
  }
  if (cp) {
    if (ca === undefined) f.error(doc, ["machine", "ca"], "issuing CA is required (.machine.ca)");
    else if (str(ca, ["key"]) === "") {
      f.error(
        doc,
        ["machine", "ca", "key"],
        "issuing CA key is required for controlplane nodes (.machine.ca.key)",
      );
    }
  } else if (worker) {
    if (str(ca, ["key"]) !== "") {
      f.error(
        doc,
        ["machine", "ca", "key"],
        "issuing Talos API CA key is not allowed on non-controlplane nodes (.machine.ca)",
      );
    }
    if (str(ca, ["crt"]) === "" && accepted.length === 0) {
      f.error(
        doc,
        ["machine", "ca"],
        "trusted CA certificates are required on non-controlplane nodes (.machine.ca.crt, .machine.acceptedCAs)",
      );
    }
    if (str(d, ["cluster", "ca", "key"]) !== "") {
      f.error(
        doc,
        ["cluster", "ca", "key"],
        "cluster CA key is not allowed on non-controlplane nodes (.cluster.ca)",
      );
      f.error(
        doc,
        ["cluster", "ca", "key"],
        "issuing Kubernetes API CA key is not allowed on non-controlplane nodes (.cluster.ca)",
      );
    }
  }
}

function checkCluster(doc: ConfigDocument, cp: boolean, worker: boolean, f: Findings): void {
  const d = doc.data;
  const err = (path: ConfigPath, message: string) => f.error(doc, path, message);
  const cluster = obj(d, ["cluster"]);
  if (cluster === undefined) return;

  if (has(d, ["cluster", "controlPlane"])) {
    const endpoint = str(d, ["cluster", "controlPlane", "endpoint"]);
    if (endpoint === "")
      err(["cluster", "controlPlane", "endpoint"], "cluster controlplane endpoint is required");
    else {
      const e = endpointURIError(endpoint);
      if (e !== undefined)
        err(["cluster", "controlPlane", "endpoint"], `invalid controlplane endpoint: ${e}`);
    }
  }

  const dnsDomain = str(d, ["cluster", "network", "dnsDomain"]);
  if (has(d, ["cluster", "network"]) && dnsDomain !== "" && !isDNSDomain(dnsDomain)) {
    err(["cluster", "network", "dnsDomain"], `"${dnsDomain}" is not a valid DNS name`);
  }

  // etcd.
  const etcd = obj(d, ["cluster", "etcd"]);
  if (etcd !== undefined && worker) {
    err(["cluster", "etcd"], "etcd config is only allowed on control plane machines");
  }
  if (cp && (str(etcd, ["ca", "crt"]) === "" || str(etcd, ["ca", "key"]) === "")) {
    err(["cluster", "etcd", "ca"], "key/cert combination should not be empty");
  }
  if (etcd !== undefined) {
    if (str(etcd, ["subnet"]) !== "" && list(etcd, ["advertisedSubnets"]).length > 0) {
      err(["cluster", "etcd", "subnet"], "etcd subnet can't be set when advertised subnets are set");
    }
    strs(etcd, ["advertisedSubnets"]).forEach((s, i) => {
      if (!isSubnetMatch(s))
        err(["cluster", "etcd", "advertisedSubnets", i], `etcd advertised subnet is not valid: "${s}"`);
    });
    strs(etcd, ["listenSubnets"]).forEach((s, i) => {
      if (!isSubnetMatch(s))
        err(["cluster", "etcd", "listenSubnets", i], `etcd listen subnet is not valid: "${s}"`);
    });
  }

  // External cloud provider.
  const ecp = obj(d, ["cluster", "externalCloudProvider"]);
  if (ecp !== undefined) {
    const manifests = strs(ecp, ["manifests"]);
    if (bool(ecp, ["enabled"]) !== true && manifests.length > 0) {
      err(
        ["cluster", "externalCloudProvider", "manifests"],
        "external cloud provider is disabled, but manifests are provided",
      );
    }
    manifests.forEach((u, i) => {
      const url = splitURL(u);
      if (url === undefined || url.host === "") {
        err(
          ["cluster", "externalCloudProvider", "manifests", i],
          `invalid external cloud provider manifest url "${u}": not an absolute URL`,
        );
      }
    });
  }

  // Inline manifests.
  const seen = new Set<string>();
  list(d, ["cluster", "inlineManifests"]).forEach((m, i) => {
    const name = str(m, ["name"]);
    if (name === "") err(["cluster", "inlineManifests", i, "name"], "inline manifest name can't be empty");
    else if (seen.has(name))
      err(["cluster", "inlineManifests", i, "name"], `inline manifest name "${name}" is duplicate`);
    seen.add(name);
  });

  // Legacy discovery service.
  const discovery = obj(d, ["cluster", "discovery"]);
  if (
    bool(discovery, ["enabled"]) === true &&
    bool(discovery, ["registries", "service", "disabled"]) !== true
  ) {
    const endpoint = str(discovery, ["registries", "service", "endpoint"]);
    if (endpoint !== "") {
      const url = splitURL(endpoint);
      const at: ConfigPath = ["cluster", "discovery", "registries", "service", "endpoint"];
      if (url === undefined || url.host === "")
        err(at, `cluster discovery service registry endpoint is invalid: "${endpoint}"`);
      else if (url.path !== "" && url.path !== "/") err(at, "cluster discovery service path should be empty");
    }
    if (str(d, ["cluster", "id"]) === "")
      err(["cluster", "id"], "cluster discovery service requires .cluster.id");
    if (str(d, ["cluster", "secret"]) === "")
      err(["cluster", "secret"], "cluster discovery service requires .cluster.secret");
  }

  // API server.
  const apiServer = obj(d, ["cluster", "apiServer"]);
  if (apiServer !== undefined && list(apiServer, ["authorizationConfig"]).length > 0) {
    const args = obj(apiServer, ["extraArgs"]) ?? {};
    if (Object.hasOwn(args, "authorization-mode")) {
      err(
        ["cluster", "apiServer", "extraArgs", "authorization-mode"],
        "authorization-mode cannot be used in conjunction with AuthorizationConfig, use AuthorizationConfig instead",
      );
    }
    for (const key of Object.keys(args).filter((k) => k.startsWith("authorization-webhook-"))) {
      err(
        ["cluster", "apiServer", "extraArgs", key],
        `${key} cannot be used in conjunction with AuthorizationConfig, use AuthorizationConfig instead`,
      );
    }
  }
  for (const [component, label] of [
    ["apiServer", "apiserver"],
    ["controllerManager", "controller-manager"],
    ["scheduler", "scheduler"],
  ] as const) {
    for (const part of ["requests", "limits"] as const) {
      const resources = obj(d, ["cluster", component, "resources", part]) ?? {};
      for (const key of Object.keys(resources)) {
        if (!POD_RESOURCES.includes(key)) {
          err(["cluster", component, "resources", part, key], `${label}: unsupported pod resource "${key}"`);
        }
      }
    }
  }

  // CNI (control plane only, when the network section is present).
  const cni = obj(d, ["cluster", "network", "cni"]);
  if (cp && cni !== undefined) {
    const name = str(cni, ["name"]);
    const urls = strs(cni, ["urls"]);
    const at: ConfigPath = ["cluster", "network", "cni"];
    if (!CNI_NAMES.includes(name))
      err([...at, "name"], 'cni name should be one of ["flannel", "custom", "none"]');
    if ((name === "flannel" || name === "none") && urls.length > 0) {
      err([...at, "urls"], `"urls" field should be empty for "${name}" CNI`);
    }
    if (name === "custom" && urls.length === 0)
      f.warn(doc, [...at, "urls"], '"urls" field should not be empty for "custom" CNI');
    if ((name === "custom" || name === "none") && filled(cni, ["flannel", "extraArgs"])) {
      err([...at, "flannel", "extraArgs"], `flanneld extra args are only supported for the "flannel" CNI`);
    }
    if ((name === "custom" || name === "none") && has(cni, ["flannel", "kubeNetworkPolicies"])) {
      err(
        [...at, "flannel", "kubeNetworkPolicies"],
        `kube network policies are only supported for the "flannel" CNI`,
      );
    }
    urls.forEach((u, i) => {
      const e = endpointURIError(u);
      if (e !== undefined) err([...at, "urls", i], `invalid CNI manifest URL "${u}": ${e}`);
    });
  }
}

function checkInstall(doc: ConfigDocument, mode: ValidationMode, f: Findings): void {
  const install = obj(doc.data, ["machine", "install"]);
  if (install === undefined) return;
  const at: ConfigPath = ["machine", "install"];
  // Install configuration is optional since UnattendedInstallConfig; metal checks it when present.
  if (requiresInstall(mode)) {
    if (str(install, ["disk"]) === "" && !has(install, ["diskSelector"])) {
      f.error(doc, at, "either install disk or diskSelector should be defined");
    }
    const size = get(install, ["diskSelector", "size"]);
    if (size !== undefined && size !== null && !isDiskSizeMatcher(String(size))) {
      f.error(
        doc,
        [...at, "diskSelector", "size"],
        `install disk selector is invalid: cannot parse size "${String(size)}"`,
      );
    }
  }
  if (list(install, ["extraKernelArgs"]).length > 0 && bool(install, ["grubUseUKICmdline"]) === true) {
    f.error(
      doc,
      [...at, "extraKernelArgs"],
      "install.extraKernelArgs and install.grubUseUKICmdline can't be used together",
    );
  }
  const extensions = list(install, ["extensions"]);
  if (extensions.length > 0) {
    f.warn(
      doc,
      [...at, "extensions"],
      ".machine.install.extensions is deprecated, please see the documentation",
    );
    const images = new Set<string>();
    extensions.forEach((e, i) => {
      const image = str(e, ["image"]);
      if (images.has(image))
        f.error(doc, [...at, "extensions", i, "image"], `duplicate system extension "${image}"`);
      images.add(image);
    });
  }
}

/** `[>=|<=|>|<|==]<size>` with a human-readable size (4GB, 1 TiB, 512000). */
function isDiskSizeMatcher(text: string): boolean {
  return /^\s*(>=|<=|>|<|==)?\s*\d+(\.\d+)?\s*([kKmMgGtTpPeE]i?[bB]?|[bB])?\s*$/.test(text);
}

function checkFeatures(doc: ConfigDocument, cp: boolean, f: Findings): void {
  const features = obj(doc.data, ["machine", "features"]);
  if (features === undefined) return;
  const at: ConfigPath = ["machine", "features"];
  if (
    bool(features, ["hostDNS", "forwardKubeDNSToHost"]) === true &&
    bool(features, ["hostDNS", "enabled"]) !== true
  ) {
    f.error(
      doc,
      [...at, "hostDNS", "forwardKubeDNSToHost"],
      "feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)",
    );
  }
  const access = obj(features, ["kubernetesTalosAPIAccess"]);
  if (access !== undefined && bool(access, ["enabled"]) === true) {
    if (!cp) {
      f.error(
        doc,
        [...at, "kubernetesTalosAPIAccess"],
        "feature kubernetesTalosAPIAccess is only supported on control plane machines",
      );
    }
    strs(access, ["allowedRoles"]).forEach((role, i) => {
      if (!TALOS_API_ROLES.includes(role)) {
        f.error(
          doc,
          [...at, "kubernetesTalosAPIAccess", "allowedRoles", i],
          `invalid role "${role}" in allowed roles`,
        );
      }
    });
  }
  const sort = str(features, ["nodeAddressSortAlgorithm"]);
  if (sort !== "" && !SORT_ALGORITHMS.includes(sort)) {
    f.error(
      doc,
      [...at, "nodeAddressSortAlgorithm"],
      `unknown node address sort algorithm "${sort}" (use v1 or v2)`,
    );
  }
}

function checkNetwork(doc: ConfigDocument, worker: boolean, f: Findings): void {
  const network = obj(doc.data, ["machine", "network"]);
  if (network === undefined) return;
  const base: ConfigPath = ["machine", "network"];
  const err = (path: ConfigPath, message: string) => f.error(doc, path, message);

  const linked = new Map<string, string>();
  list(network, ["interfaces"]).forEach((raw, i) => {
    const at: ConfigPath = [...base, "interfaces", i];
    const device = obj(raw);
    if (device === undefined) {
      err(at, `machine.network.interfaces[${i}] is null`);
      return;
    }
    const name = str(device, ["interface"]);
    const selector = obj(device, ["deviceSelector"]);
    if (name === "" && selector === undefined) {
      err(
        at,
        "[networking.os.device.interface], [networking.os.device.deviceSelector]: required either config section to be set",
      );
    } else if (name !== "" && selector !== undefined) {
      err(
        at,
        "[networking.os.device.interface], [networking.os.device.deviceSelector]: config sections are mutually exclusive",
      );
    }
    if (
      selector !== undefined &&
      Object.values(selector).every((v) => v === null || v === "" || v === undefined)
    ) {
      err(
        [...at, "deviceSelector"],
        "[networking.os.device.deviceSelector]: config section should contain at least one field",
      );
    }
    if (has(device, ["bond"]) && has(device, ["bridge"])) {
      err(at, "[networking.os.device]: bond and bridge config sections are mutually exclusive");
    }
    const bond = obj(device, ["bond"]);
    if (bond !== undefined) {
      if (list(bond, ["interfaces"]).length > 0 && list(bond, ["deviceSelectors"]).length > 0) {
        err(
          [...at, "bond"],
          "[networking.os.device.bond]: interfaces and deviceSelectors are mutually exclusive",
        );
      }
      const mode = str(bond, ["mode"]);
      if (mode !== "" && !BOND_MODES.includes(mode))
        err([...at, "bond", "mode"], `invalid bond mode "${mode}"`);
      if (mode !== "802.3ad" && (str(bond, ["lacpRate"]) !== "" || str(bond, ["adSelect"]) !== "")) {
        err(
          [...at, "bond"],
          `[networking.os.device.bond]: lacpRate and adSelect are only supported in 802.3ad mode`,
        );
      }
    }
    for (const [kind, members] of [
      ["bond", strs(device, ["bond", "interfaces"])],
      ["bridge", strs(device, ["bridge", "interfaces"])],
    ] as const) {
      for (const member of members) {
        const owner = linked.get(member);
        if (owner !== undefined) {
          err([...at, kind, "interfaces"], `interface "${member}" is already part of ${owner}`);
        } else linked.set(member, `${kind} ${name || `interfaces[${i}]`}`);
      }
    }
    checkAddresses(doc, [...at], device, f);
    checkRoutes(doc, [...at, "routes"], list(device, ["routes"]), f);
    if (has(device, ["vip"])) checkVIP(doc, [...at, "vip"], device.vip, worker, f);
    list(device, ["vlans"]).forEach((vlan, j) => {
      const vat: ConfigPath = [...at, "vlans", j];
      checkAddresses(doc, vat, obj(vlan) ?? {}, f);
      checkRoutes(doc, [...vat, "routes"], list(vlan, ["routes"]), f);
      if (has(vlan, ["vip"])) checkVIP(doc, [...vat, "vip"], get(vlan, ["vip"]), worker, f);
    });
    const wg = obj(device, ["wireguard"]);
    if (wg !== undefined) checkWireguard(doc, [...at, "wireguard"], wg, f);
  });

  const kubespan = obj(network, ["kubespan"]);
  if (kubespan !== undefined) {
    const mtu = num(kubespan, ["mtu"]);
    if (mtu !== undefined && mtu < KUBESPAN_MIN_MTU) {
      err([...base, "kubespan", "mtu"], `kubespan link MTU must be at least ${KUBESPAN_MIN_MTU}`);
    }
    strs(kubespan, ["filters", "endpoints"]).forEach((c, i) => {
      if (!isSubnetMatch(c))
        err(
          [...base, "kubespan", "filters", "endpoints", i],
          `KubeSpan endpoint filter is not valid: "${c}"`,
        );
    });
    strs(kubespan, ["filters", "excludeAdvertisedNetworks"]).forEach((c, i) => {
      if (parsePrefix(c) === undefined) {
        err(
          [...base, "kubespan", "filters", "excludeAdvertisedNetworks", i],
          `KubeSpan excluded network is not a valid CIDR: "${c}"`,
        );
      }
    });
  }
}

function checkAddresses(doc: ConfigDocument, at: ConfigPath, device: Data, f: Findings): void {
  const cidr = str(device, ["cidr"]);
  if (cidr !== "") {
    f.warn(doc, [...at, "cidr"], '"cidr" is deprecated, please use "addresses" instead');
    if (list(device, ["addresses"]).length > 0) {
      f.error(doc, [...at, "cidr"], '"cidr" and "addresses" are mutually exclusive');
    }
    if (!isIPOrPrefix(cidr)) f.error(doc, [...at, "cidr"], `invalid address "${cidr}"`);
  }
  strs(device, ["addresses"]).forEach((a, i) => {
    if (!isIPOrPrefix(a)) f.error(doc, [...at, "addresses", i], `invalid address "${a}"`);
  });
}

function checkRoutes(doc: ConfigDocument, at: ConfigPath, routes: unknown[], f: Findings): void {
  routes.forEach((route, i) => {
    const network = str(route, ["network"]);
    const gateway = str(route, ["gateway"]);
    const source = str(route, ["source"]);
    if (network === "" && gateway === "") {
      f.error(doc, [...at, i], "either network or gateway should be set for a route");
    }
    if (network !== "" && parsePrefix(network) === undefined) {
      f.error(doc, [...at, i, "network"], `invalid route network "${network}"`);
    }
    if (gateway !== "" && parseIP(gateway) === undefined)
      f.error(doc, [...at, i, "gateway"], `invalid route gateway "${gateway}"`);
    if (source !== "" && parseIP(source) === undefined)
      f.error(doc, [...at, i, "source"], `invalid route source "${source}"`);
  });
}

function checkVIP(doc: ConfigDocument, at: ConfigPath, vip: unknown, worker: boolean, f: Findings): void {
  if (worker) f.error(doc, at, "virtual (shared) IP is not allowed on non-controlplane nodes");
  const ip = str(vip, ["ip"]);
  if (ip !== "" && parseIP(ip) === undefined) f.error(doc, [...at, "ip"], `invalid virtual IP "${ip}"`);
}

function checkWireguard(doc: ConfigDocument, at: ConfigPath, wg: Data, f: Findings): void {
  const key = str(wg, ["privateKey"]);
  if (key !== "" && decodeStdBase64(key)?.length !== 32) {
    f.error(doc, [...at, "privateKey"], "wireguard private key is not a base64 encoded 32-byte key");
  }
  list(wg, ["peers"]).forEach((peer, i) => {
    const pat: ConfigPath = [...at, "peers", i];
    const pub = str(peer, ["publicKey"]);
    if (decodeStdBase64(pub)?.length !== 32) {
      f.error(doc, [...pat, "publicKey"], "wireguard peer public key is not a base64 encoded 32-byte key");
    }
    const endpoint = str(peer, ["endpoint"]);
    if (endpoint !== "") {
      const hp = splitHostPort(endpoint);
      if (hp.error !== undefined || hp.port === undefined || !/^\d+$/.test(hp.port)) {
        f.error(doc, [...pat, "endpoint"], `wireguard peer endpoint "${endpoint}" needs a host and a port`);
      }
    }
    strs(peer, ["allowedIPs"]).forEach((c, j) => {
      if (parsePrefix(c) === undefined)
        f.error(doc, [...pat, "allowedIPs", j], `invalid wireguard allowed IP "${c}"`);
    });
  });
}

function checkDisks(doc: ConfigDocument, f: Findings): void {
  list(doc.data, ["machine", "disks"]).forEach((disk, i) => {
    const at: ConfigPath = ["machine", "disks", i];
    if (disk === null || disk === undefined) {
      f.error(doc, at, `machine.disks[${i}] is null`);
      return;
    }
    const partitions = list(disk, ["partitions"]);
    partitions.forEach((p, j) => {
      const size = get(p, ["size"]);
      const zero = size === undefined || size === null || size === 0 || size === "" || size === "0";
      if (zero && j !== partitions.length - 1) {
        f.error(
          doc,
          [...at, "partitions", j, "size"],
          "partition for device with zero size is not the last one",
        );
      }
    });
  });
}

function checkKubelet(doc: ConfigDocument, f: Findings): void {
  const kubelet = obj(doc.data, ["machine", "kubelet"]);
  if (kubelet === undefined) return;
  const at: ConfigPath = ["machine", "kubelet"];
  strs(kubelet, ["nodeIP", "validSubnets"]).forEach((s, i) => {
    if (!isSubnetMatch(s))
      f.error(doc, [...at, "nodeIP", "validSubnets", i], `kubelet nodeIP subnet is not valid: "${s}"`);
  });
  checkKubeletConfigFields(doc, [...at, "extraConfig"], obj(kubelet, ["extraConfig"]), f);
}

export function checkKubeletConfigFields(
  doc: ConfigDocument,
  at: ConfigPath,
  config: Data | undefined,
  f: Findings,
): void {
  for (const field of PROTECTED_KUBELET_FIELDS) {
    if (config !== undefined && Object.hasOwn(config, field)) {
      f.error(doc, [...at, field], `kubelet configuration field "${field}" can't be overridden`);
    }
  }
}

function checkEncryption(doc: ConfigDocument, f: Findings): void {
  for (const part of ["state", "ephemeral"] as const) {
    const enc = obj(doc.data, ["machine", "systemDiskEncryption", part]);
    if (enc === undefined) continue;
    const at: ConfigPath = ["machine", "systemDiskEncryption", part];
    const keys = list(enc, ["keys"]);
    if (keys.length === 0)
      f.error(doc, [...at, "keys"], `no encryption keys provided for the ${part.toUpperCase()} partition`);
    const slots = new Set<number>();
    keys.forEach((key, i) => {
      const slot = num(key, ["slot"]) ?? 0;
      if (slots.has(slot)) f.error(doc, [...at, "keys", i, "slot"], `duplicate key slot ${slot}`);
      slots.add(slot);
      if (!["static", "nodeID", "kms", "tpm"].some((k) => has(key, [k]))) {
        f.error(doc, [...at, "keys", i], "encryption key has no type: set one of static, nodeID, kms or tpm");
      }
    });
  }
}

function checkLogging(doc: ConfigDocument, f: Findings): void {
  list(doc.data, ["machine", "logging", "destinations"]).forEach((dest, i) => {
    const at: ConfigPath = ["machine", "logging", "destinations", i];
    const endpoint = str(dest, ["endpoint"]);
    const url = splitURL(endpoint);
    if (endpoint === "") f.error(doc, [...at, "endpoint"], "empty logging endpoint");
    else if (url === undefined || url.host === "")
      f.error(doc, [...at, "endpoint"], `logging endpoint "${endpoint}" has no host`);
    else if (url.scheme !== "tcp" && url.scheme !== "udp") {
      f.error(doc, [...at, "endpoint"], `unknown logging endpoint scheme "${url.scheme}" (use tcp or udp)`);
    }
    const format = str(dest, ["format"]);
    if (!LOG_FORMATS.includes(format))
      f.error(doc, [...at, "format"], `unknown logging format "${format}" (use json_lines)`);
  });
}

function checkNodeMetadata(doc: ConfigDocument, f: Findings): void {
  const at = (field: string, key: string): ConfigPath => ["machine", field, key];
  for (const [key, value] of Object.entries(obj(doc.data, ["machine", "nodeLabels"]) ?? {})) {
    const e = labelKeyError(key) ?? labelValueError(value === null ? "" : String(value));
    if (e !== undefined) f.error(doc, at("nodeLabels", key), `invalid machine node labels: ${e}`);
  }
  for (const key of Object.keys(obj(doc.data, ["machine", "nodeAnnotations"]) ?? {})) {
    const e = labelKeyError(key);
    if (e !== undefined) f.error(doc, at("nodeAnnotations", key), `invalid machine node annotations: ${e}`);
  }
  for (const [key, value] of Object.entries(obj(doc.data, ["machine", "nodeTaints"]) ?? {})) {
    const e = taintError(key, value === null ? "" : String(value));
    if (e !== undefined) f.error(doc, at("nodeTaints", key), `invalid machine node taints: ${e}`);
  }
}

/** A taint `key: [value:]effect` (the effect is optional). */
export function taintError(key: string, spec: string): string | undefined {
  const keyError = labelKeyError(key);
  if (keyError !== undefined) return keyError;
  const colon = spec.lastIndexOf(":");
  const value = colon >= 0 ? spec.slice(0, colon) : TAINT_EFFECTS.includes(spec) ? "" : spec;
  const effect = colon >= 0 ? spec.slice(colon + 1) : TAINT_EFFECTS.includes(spec) ? spec : "";
  if (effect !== "" && !TAINT_EFFECTS.includes(effect)) return `invalid taint effect "${effect}"`;
  return labelValueError(value);
}

function checkRegistries(doc: ConfigDocument, f: Findings): void {
  for (const section of ["mirrors", "config"] as const) {
    for (const [key, value] of Object.entries(obj(doc.data, ["machine", "registries", section]) ?? {})) {
      if (value === null)
        f.error(doc, ["machine", "registries", section, key], `registries.${section}["${key}"] is null`);
    }
  }
}
