// Rules of the legacy v1alpha1 document (siderolabs/talos:
// pkg/machinery/config/types/v1alpha1/v1alpha1_validation.go): the same checks, in the same order,
// with the same words. Warnings become errors prefixed `warning: ` under --strict.
import type { ConfigDocument, ConfigPath } from "../document.js";
import type { Check } from "./check.js";
import { kubernetesImageTagError } from "./compat.js";
import { type Data, filled, get, has, list, num, obj, str, strs } from "./data.js";
import {
  goDecodeBase64,
  goMultiError,
  goParseCIDR,
  goParseDuration,
  goParseIP,
  goParseURL,
  goQuote,
  goURLPortError,
  humanizeParseBytes,
  isSubnetOrAddress,
  netipParseAddr,
  netipParsePrefix,
  validateEndpointURI,
} from "./go.js";
import { PROTECTED_KUBELET_FIELDS, podResourcesError } from "./kinds/k8s.js";
import { ociSpecError } from "./kinds/runtime.js";
import { annotationsErrors, labelsErrors, TALOS_ROLES, taintsErrors } from "./labels.js";
import { inContainer, requiresInstall } from "./modes.js";
import { deprecatedExtensions, installDiskSelectorError } from "./runtime.js";

/** Talos's machine types; "join" and "" are old spellings of worker. */
export type MachineType = "controlplane" | "worker" | "init" | "unknown";

export function machineTypeOf(doc: ConfigDocument | undefined): MachineType {
  if (doc === undefined) return "unknown";
  const t = str(doc.data, ["machine", "type"]);
  if (t === "controlplane" || t === "init") return t;
  if (t === "worker" || t === "join" || t === "") return "worker";
  return "unknown";
}

export function isControlPlane(t: MachineType): boolean {
  return t === "controlplane" || t === "init";
}

const KUBESPAN_MIN_MTU = 1280;
const KUBESPAN_DEFAULT_MTU = 1420;
const AUTHORIZER_TYPES = ["Node", "RBAC", "Webhook"];
const SORT_ALGORITHMS = ["v1", "v2"];
const DEFAULT_DISCOVERY_ENDPOINT = "https://discovery.talos.dev/";

const REQUIRED_OPTIONS = "required either config section to be set";
const MUTUALLY_EXCLUSIVE = "config sections are mutually exclusive";
const EMPTY_SECTION = "config section should contain at least one field";
const INVALID_ADDRESS = "invalid network address";

const BOND_ENUMS: readonly (readonly [string, readonly string[], string])[] = [
  [
    "mode",
    ["", "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"],
    "invalid bond type %s",
  ],
  [
    "xmitHashPolicy",
    ["", "layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4"],
    "invalid xmit hash policy %s",
  ],
  ["lacpRate", ["", "slow", "fast"], "invalid lacp rate %s"],
  [
    "arpValidate",
    ["", "none", "active", "backup", "all", "filter", "filter-active", "filter-backup"],
    "invalid arp_validate mode %s",
  ],
  ["arpAllTargets", ["", "any", "all"], "invalid arp_all_targets mode %s"],
  ["primaryReselect", ["", "always", "better", "failure"], "invalid primary_reselect mode %s"],
  ["failOverMac", ["", "none", "active", "follow"], "invalid fail_over_mac value %s"],
  ["adSelect", ["", "stable", "bandwidth", "count"], "invalid ad_select mode %s"],
];

/** Subnets with an optional leading `!` (exclusion), as siderolabs/net ParseSubnetOrAddress reads them. */
function subnetErrors(values: readonly string[], message: (cidr: string) => string): string[] {
  return values
    .map((v) => v.replace(/^!/, ""))
    .filter((v) => !isSubnetOrAddress(v))
    .map(message);
}

export function validateV1Alpha1(c: Check, strict: boolean): void {
  const d = c.data;
  const errors: [string, ConfigPath][] = [];
  const warnings: [string, ConfigPath][] = [];
  const err = (message: string, path: ConfigPath = []) => errors.push([message, path]);
  const warn = (message: string, path: ConfigPath = []) => warnings.push([message, path]);

  const machine = obj(d, ["machine"]);
  if (machine === undefined) {
    c.error("machine instructions are required", ["machine"]);
    return;
  }
  const type = machineTypeOf(c.doc);
  const cp = isControlPlane(type);

  // Talos 1.14 moved these to their own documents and deprecated the fields.
  const since14 = c.atLeast(1, 14);
  if (since14 && list(machine, ["files"]).length > 0)
    warn(".machine.files is deprecated; use dedicated configuration documents instead", ["machine", "files"]);
  if (since14 && filled(machine, ["baseRuntimeSpecOverrides"]))
    warn(".machine.baseRuntimeSpecOverrides is deprecated; use a CRIBaseRuntimeSpecConfig document instead", [
      "machine",
      "baseRuntimeSpecOverrides",
    ]);

  checkCluster(d, cp, err, since14);

  const install = obj(machine, ["install"]);
  // A size Talos cannot read fails the decoding of the document, whatever the mode.
  const sizeError = diskSizeMatcherError(get(install, ["diskSelector", "size"]));
  if (sizeError !== undefined) err(sizeError, ["machine", "install", "diskSelector", "size"]);
  // Until 1.14 (UnattendedInstallConfig) metal required the install section.
  if (requiresInstall(c.options.mode) && install === undefined && !since14)
    err(`install instructions are required in ${goQuote(c.options.mode)} mode`, ["machine", "install"]);
  if (requiresInstall(c.options.mode) && install !== undefined) {
    const selector = obj(install, ["diskSelector"]);
    const selectorError = selector === undefined ? undefined : installDiskSelectorError(selector);
    if (selectorError !== undefined)
      err(`install disk selector is invalid: ${selectorError}`, ["machine", "install", "diskSelector"]);
    // The selector matches no disk when it cannot be turned into an expression.
    if (str(install, ["disk"]) === "" && (selector === undefined || selectorError !== undefined))
      err("either install disk or diskSelector should be defined", ["machine", "install"]);
    if (list(install, ["extraKernelArgs"]).length > 0 && get(install, ["grubUseUKICmdline"]) === true)
      err("install.extraKernelArgs and install.grubUseUKICmdline can't be used together", [
        "machine",
        "install",
        "extraKernelArgs",
      ]);
  }

  const hostDNS = obj(machine, ["features", "hostDNS"]);
  // Until 1.14 (the container-wide rules) container mode's host DNS needs were v1alpha1's.
  if (inContainer(c.options.mode) && !since14) {
    if (get(hostDNS, ["enabled"]) !== true)
      err("feature HostDNS should be enabled in container mode (.machine.features.hostDNS.enabled)", [
        "machine",
        "features",
        "hostDNS",
        "enabled",
      ]);
    if (get(hostDNS, ["forwardKubeDNSToHost"]) !== true)
      err(
        "feature HostDNS should forward kube-dns to host in container mode (.machine.features.hostDNS.forwardKubeDNSToHost)",
        ["machine", "features", "hostDNS", "forwardKubeDNSToHost"],
      );
  }
  if (
    c.atLeast(1, 13) &&
    hostDNS !== undefined &&
    get(hostDNS, ["forwardKubeDNSToHost"]) === true &&
    get(hostDNS, ["enabled"]) !== true
  ) {
    err(
      "feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)",
      ["machine", "features", "hostDNS"],
    );
  }

  const rawType = str(machine, ["type"]);
  if (type !== "unknown" && type !== rawType)
    warn(`use ${goQuote(type)} instead of ${goQuote(rawType)} for machine type`, ["machine", "type"]);

  const ca = obj(machine, ["ca"]);
  const accepted = list(machine, ["acceptedCAs"]);
  if (ca === undefined && accepted.length === 0)
    err("issuing CA or some accepted CAs are required (.machine.ca, machine.acceptedCAs)", ["machine", "ca"]);

  if (cp) {
    if (has(d, ["cluster", "network"])) {
      const cni = checkCNI(obj(d, ["cluster", "network", "cni"]), c.atLeast(1, 13));
      for (const w of cni.warnings) warn(w, ["cluster", "network", "cni"]);
      for (const e of cni.errors) err(e, ["cluster", "network", "cni"]);
    }
    if (ca === undefined) err("issuing CA is required (.machine.ca)", ["machine", "ca"]);
    else if (str(ca, ["key"]) === "")
      err("issuing CA key is required for controlplane nodes (.machine.ca.key)", ["machine", "ca", "key"]);
  } else if (type === "worker") {
    list(machine, ["network", "interfaces"]).forEach((dev, i) => {
      if (has(dev, ["vip"]))
        err("virtual (shared) IP is not allowed on non-controlplane nodes", [
          "machine",
          "network",
          "interfaces",
          i,
          "vip",
        ]);
      list(dev, ["vlans"]).forEach((vlan, j) => {
        if (has(vlan, ["vip"]))
          err("virtual (shared) IP is not allowed on non-controlplane nodes", [
            "machine",
            "network",
            "interfaces",
            i,
            "vlans",
            j,
            "vip",
          ]);
      });
    });
    if (ca !== undefined) {
      if (str(ca, ["key"]) !== "")
        err("issuing Talos API CA key is not allowed on non-controlplane nodes (.machine.ca)", [
          "machine",
          "ca",
          "key",
        ]);
      if (str(ca, ["crt"]) === "" && accepted.length === 0)
        err(
          "trusted CA certificates are required on non-controlplane nodes (.machine.ca.crt, .machine.acceptedCAs)",
          ["machine", "ca"],
        );
    }
    if (str(d, ["cluster", "ca", "key"]) !== "")
      err("issuing Kubernetes API CA key is not allowed on non-controlplane nodes (.cluster.ca)", [
        "cluster",
        "ca",
        "key",
      ]);
  } else {
    err(`unknown machine type ${goQuote(rawType)}`, ["machine", "type"]);
  }

  checkNetwork(machine, err, warn);

  list(machine, ["disks"]).forEach((disk, i) => {
    if (disk === null || disk === undefined) {
      err(`machine.disks[${i}] is null`, ["machine", "disks", i]);
      return;
    }
    const partitions = list(disk, ["partitions"]);
    partitions.forEach((p, j) => {
      const size = get(p, ["size"]);
      const parsed = size === undefined || size === null ? undefined : humanizeParseBytes(String(size));
      const zero = parsed === undefined || ("value" in parsed && parsed.value === 0);
      if (zero && j !== partitions.length - 1) {
        err(
          `partition for disk ${goQuote(str(disk, ["device"]))} is set to occupy full disk, but it's not the last partition in the list`,
          ["machine", "disks", i, "partitions", j, "size"],
        );
      }
    });
  });

  const kubelet = obj(machine, ["kubelet"]);
  if (kubelet !== undefined) {
    for (const e of subnetErrors(
      strs(kubelet, ["nodeIP", "validSubnets"]),
      (s) => `kubelet nodeIP subnet is not valid: ${goQuote(s)}`,
    ))
      err(e, ["machine", "kubelet", "nodeIP", "validSubnets"]);
    const extra = obj(kubelet, ["extraConfig"]) ?? {};
    for (const field of PROTECTED_KUBELET_FIELDS) {
      if (Object.hasOwn(extra, field))
        err(`kubelet configuration field ${goQuote(field)} can't be overridden`, [
          "machine",
          "kubelet",
          "extraConfig",
          field,
        ]);
    }
  }

  for (const [label, part] of [
    ["EPHEMERAL", "ephemeral"],
    ["STATE", "state"],
  ] as const) {
    const enc = obj(machine, ["systemDiskEncryption", part]);
    if (enc === undefined) continue;
    const at: ConfigPath = ["machine", "systemDiskEncryption", part];
    const keys = list(enc, ["keys"]);
    if (keys.length === 0) err(`partition ${goQuote(label)}: no encryption keys provided`, [...at, "keys"]);
    const slots = new Set<number>();
    keys.forEach((key, i) => {
      const slot = num(key, ["slot"]) ?? 0;
      if (slots.has(slot))
        err(`partition ${goQuote(label)}: encryption key slot ${slot} is already in use`, [
          ...at,
          "keys",
          i,
          "slot",
        ]);
      slots.add(slot);
      if (!["nodeID", "static", "kms", "tpm"].some((k) => has(key, [k])))
        err(
          `partition ${goQuote(label)}: encryption key at slot ${slot} doesn't have the configuration parameters`,
          [...at, "keys", i],
        );
    });
  }

  const kubespan = obj(machine, ["network", "kubespan"]);
  if (kubespan !== undefined && get(kubespan, ["enabled"]) === true) {
    const at: ConfigPath = ["machine", "network", "kubespan", "filters"];
    // Until 1.14 (the container-wide rules) KubeSpan's needs were v1alpha1's.
    if (!since14) {
      const kat: ConfigPath = ["machine", "network", "kubespan", "enabled"];
      if (get(d, ["cluster", "discovery", "enabled"]) !== true)
        err(".cluster.discovery should be enabled when .machine.network.kubespan is enabled", kat);
      if (str(d, ["cluster", "id"]) === "")
        err(".cluster.id should be set when .machine.network.kubespan is enabled", kat);
      if (str(d, ["cluster", "secret"]) === "")
        err(".cluster.secret should be set when .machine.network.kubespan is enabled", kat);
    }
    // Talos 1.12.0-1.12.3 spelt the endpoint filter message "filer"; 1.12.4 fixed the word and
    // brought the advertised networks filter. Without a running version, 1.12 is 1.12.0.
    const since1124 = c.atLeast(1, 13) || runningAtLeast(c, 1, 12, 4);
    const filter = since1124 ? "filter" : "filer";
    for (const e of subnetErrors(
      strs(kubespan, ["filters", "endpoints"]),
      (s) => `KubeSpan endpoint ${filter} is not valid: ${goQuote(s)}`,
    ))
      err(e, [...at, "endpoints"]);
    for (const cidr of since1124 ? strs(kubespan, ["filters", "excludeAdvertisedNetworks"]) : []) {
      if (netipParsePrefix(cidr) !== undefined)
        err(`KubeSpan exclude advertised networks filter is not valid: ${goQuote(cidr)}`, [
          ...at,
          "excludeAdvertisedNetworks",
        ]);
    }
  }

  if (has(machine, ["logging"])) {
    list(machine, ["logging", "destinations"]).forEach((dest, i) => {
      const at: ConfigPath = ["machine", "logging", "destinations", i];
      // A missing endpoint is "empty"; one written as "" is an empty URL, without host or scheme.
      if (!has(dest, ["endpoint"])) err("empty logging endpoint", [...at, "endpoint"]);
      else {
        const u = goParseURL(str(dest, ["endpoint"]));
        if (u.host === "") err("empty logging endpoint's host", [...at, "endpoint"]);
        if (u.scheme !== "tcp" && u.scheme !== "udp")
          err(`unexpected logging endpoint scheme ${goQuote(u.scheme)}`, [...at, "endpoint"]);
      }
      const format = str(dest, ["format"]);
      if (format !== "json_lines") err(`unknown logging format ${goQuote(format)}`, [...at, "format"]);
    });
  }

  if (install !== undefined) {
    const seen = new Set<string>();
    list(install, ["extensions"]).forEach((e, i) => {
      const image = str(e, ["image"]);
      if (seen.has(image))
        err(`duplicate system extension ${goQuote(image)}`, ["machine", "install", "extensions", i, "image"]);
      seen.add(image);
    });
    if (seen.size > 0) warn(deprecatedExtensions(c.options), ["machine", "install", "extensions"]);
  }

  // Each of these is one error wrapping the list of its problems, in go-multierror's words.
  for (const [field, what, problems] of [
    ["nodeLabels", "labels", labelsErrors(obj(machine, ["nodeLabels"]) ?? {})],
    ["nodeAnnotations", "annotations", annotationsErrors(obj(machine, ["nodeAnnotations"]) ?? {})],
    ["nodeTaints", "taints", taintsErrors(obj(machine, ["nodeTaints"]) ?? {})],
  ] as const) {
    if (problems.length > 0)
      err(`invalid machine node ${what}: ${goMultiError(problems)}`, ["machine", field]);
  }

  const apiAccess = obj(machine, ["features", "kubernetesTalosAPIAccess"]);
  if (apiAccess !== undefined && get(apiAccess, ["enabled"]) === true) {
    const at: ConfigPath = ["machine", "features", "kubernetesTalosAPIAccess"];
    if (!cp) err("feature Kubernetes Talos API Access can only be enabled on control plane machines", at);
    strs(apiAccess, ["allowedRoles"]).forEach((r, i) => {
      if (!TALOS_ROLES.includes(r))
        err(`invalid role ${goQuote(r)} in allowed roles for Kubernetes Talos API Access`, [
          ...at,
          "allowedRoles",
          i,
        ]);
    });
  }

  const sort = str(machine, ["features", "nodeAddressSortAlgorithm"]);
  if (sort !== "" && !SORT_ALGORITHMS.includes(sort))
    err(`invalid node address sort algorithm: ${sort} does not belong to AddressSortAlgorithm values`, [
      "machine",
      "features",
      "nodeAddressSortAlgorithm",
    ]);

  if (get(d, ["persist"]) === false) err(".persist should be enabled", ["persist"]);

  const overrides = get(machine, ["baseRuntimeSpecOverrides"]);
  if (filled(machine, ["baseRuntimeSpecOverrides"])) {
    const e = ociSpecError(overrides);
    if (e !== undefined)
      err(`failed to unmarshal base runtime spec overrides: ${e}`, ["machine", "baseRuntimeSpecOverrides"]);
  }

  for (const section of ["config", "mirrors"] as const) {
    for (const [key, value] of Object.entries(obj(machine, ["registries", section]) ?? {})) {
      if (value === null)
        err(`registries.${section}[${goQuote(key)}] is null`, ["machine", "registries", section, key]);
    }
  }

  // Kubernetes versions need the running Talos version: on the node only.
  const version = c.options.talosVersion;
  if (!c.options.local && version !== undefined) {
    const image = str(machine, ["kubelet", "image"]);
    if (image !== "") {
      const e = kubernetesImageTagError(image, version.text);
      if (e !== undefined) err(`kubelet image is not valid: ${e}`, ["machine", "kubelet", "image"]);
    }
    if (cp && has(d, ["cluster"])) {
      for (const [component, label] of [
        ["apiServer", "kube-apiserver"],
        ["controllerManager", "kube-controller-manager"],
        ["scheduler", "kube-scheduler"],
      ] as const) {
        const img = str(d, ["cluster", component, "image"]);
        if (img === "") continue;
        const e = kubernetesImageTagError(img, version.text);
        if (e !== undefined) err(`${label} image is not valid: ${e}`, ["cluster", component, "image"]);
      }
    }
  }

  for (const [message, path] of errors) c.error(message, path);
  for (const [message, path] of warnings) {
    if (strict) c.error(`warning: ${message}`, path);
    else c.warn(message, path);
  }
}

/**
 * The install disk selector's size (`[>=|<=|>|<|==]<size>`, a human-readable size): Talos reads it
 * while decoding, an optional operator and then go-humanize's size.
 */
function diskSizeMatcherError(size: unknown): string | undefined {
  if (size === undefined || size === null) return undefined;
  const condition = String(size).trim();
  const op = /^(>=|<=|>|<|==)?/.exec(condition)![0];
  const rest = condition.slice(op.length);
  const r = humanizeParseBytes(rest.trim());
  return "error" in r ? `failed to parse disk size ${rest}: ${r.error}` : undefined;
}

type Report = (message: string, path?: ConfigPath) => void;

function checkCluster(d: Data, cp: boolean, err: Report, since14: boolean): void {
  const cluster = obj(d, ["cluster"]);
  if (cluster === undefined) {
    err("cluster instructions are required", ["cluster"]);
    return;
  }
  // Until 1.14 the control plane endpoint was required, and its absence the only cluster error.
  // An endpoint written as "" is set: it parses as an empty URL, which has no host.
  if (!since14 && !has(cluster, ["controlPlane", "endpoint"])) {
    err("cluster controlplane endpoint is required", ["cluster", "controlPlane", "endpoint"]);
    return;
  }
  if (has(cluster, ["controlPlane"])) {
    if (!has(cluster, ["controlPlane", "endpoint"])) {
      err("cluster controlplane endpoint is required", ["cluster", "controlPlane", "endpoint"]);
      return;
    }
    const endpoint = str(cluster, ["controlPlane", "endpoint"]);
    const e = validateEndpointURI(endpoint);
    if (e !== undefined) err(`invalid controlplane endpoint: ${e}`, ["cluster", "controlPlane", "endpoint"]);
  }
  const dnsDomain = str(cluster, ["network", "dnsDomain"]);
  if (has(cluster, ["network"]) && dnsDomain !== "" && !isValidDNSName(dnsDomain))
    err(`${goQuote(dnsDomain)} is not a valid DNS name`, ["cluster", "network", "dnsDomain"]);

  const ecp = obj(cluster, ["externalCloudProvider"]);
  if (ecp !== undefined) {
    const manifests = strs(ecp, ["manifests"]);
    if (get(ecp, ["enabled"]) !== true && manifests.length > 0)
      err("external cloud provider is disabled, but manifests are provided", [
        "cluster",
        "externalCloudProvider",
        "manifests",
      ]);
    else
      manifests.forEach((u, i) => {
        const e = validateEndpointURI(u);
        if (e !== undefined)
          err(`invalid external cloud provider manifest url ${goQuote(u)}: ${e}`, [
            "cluster",
            "externalCloudProvider",
            "manifests",
            i,
          ]);
      });
  }

  const etcd = obj(cluster, ["etcd"]);
  if (etcd !== undefined) {
    if (cp) {
      const at: ConfigPath = ["cluster", "etcd"];
      if (!has(etcd, ["ca"])) err("key/cert combination should not be empty", [...at, "ca"]);
      if (str(etcd, ["subnet"]) !== "" && list(etcd, ["advertisedSubnets"]).length > 0)
        err("etcd subnet can't be set when advertised subnets are set", [...at, "subnet"]);
      const advertised = strs(etcd, ["advertisedSubnets"]);
      const effective =
        advertised.length > 0 ? advertised : str(etcd, ["subnet"]) !== "" ? [str(etcd, ["subnet"])] : [];
      for (const e of subnetErrors(effective, (s) => `etcd advertised subnet is not valid: ${goQuote(s)}`))
        err(e, [...at, "advertisedSubnets"]);
      const listen = strs(etcd, ["listenSubnets"]);
      for (const e of subnetErrors(
        listen.length > 0 ? listen : advertised,
        (s) => `etcd listen subnet is not valid: ${goQuote(s)}`,
      ))
        err(e, [...at, "listenSubnets"]);
    } else err("etcd config is only allowed on control plane machines", ["cluster", "etcd"]);
  }

  if (has(cluster, ["ca"]) && !cp && str(cluster, ["ca", "key"]) !== "")
    err("cluster CA key is not allowed on non-controlplane nodes (.cluster.ca)", ["cluster", "ca", "key"]);

  const names = new Set<string>();
  list(cluster, ["inlineManifests"]).forEach((m, i) => {
    const name = str(m, ["name"]);
    const at: ConfigPath = ["cluster", "inlineManifests", i, "name"];
    if (name.trim() === "") err("inline manifest name can't be empty", at);
    if (names.has(name)) err(`inline manifest name ${goQuote(name)} is duplicate`, at);
    names.add(name);
  });

  const discovery = obj(cluster, ["discovery"]);
  if (
    discovery !== undefined &&
    get(discovery, ["enabled"]) === true &&
    get(discovery, ["registries", "service", "disabled"]) !== true
  ) {
    const at: ConfigPath = ["cluster", "discovery", "registries", "service", "endpoint"];
    const endpoint = str(discovery, ["registries", "service", "endpoint"]) || DEFAULT_DISCOVERY_ENDPOINT;
    const u = goParseURL(endpoint);
    const parseError = requestURIError(endpoint, u.host);
    if (parseError !== undefined)
      err(
        `cluster discovery service registry endpoint is invalid: parse ${goQuote(endpoint)}: ${parseError}`,
        at,
      );
    else {
      // A request URI without a scheme is all path, "//host" included.
      const path = u.scheme === "" ? endpoint.split("?")[0]! : u.path;
      if (path !== "" && path !== "/") err("cluster discovery service path should be empty", at);
    }
    if (str(cluster, ["id"]) === "") err("cluster discovery service requires .cluster.id", ["cluster", "id"]);
    if (str(cluster, ["secret"]) === "")
      err("cluster discovery service requires .cluster.secret", ["cluster", "secret"]);
  }

  const apiServer = obj(cluster, ["apiServer"]);
  if (apiServer !== undefined) {
    const e = apiServerError(apiServer);
    if (e !== undefined) err(e, ["cluster", "apiServer"]);
  }
  for (const [component, label] of [
    ["controllerManager", "controller-manager"],
    ["scheduler", "scheduler"],
  ] as const) {
    const section = obj(cluster, [component]);
    if (section === undefined) continue;
    const e = podResourcesError(get(section, ["resources"]));
    if (e !== undefined)
      err(`${label} resource validation failed: ${e}`, ["cluster", component, "resources"]);
  }
}

/** Whether the node runs Talos major.minor.patch or a newer patch of the contract's release. */
function runningAtLeast(c: Check, major: number, minor: number, patch: number): boolean {
  const v = c.options.talosVersion;
  if (v === undefined || v.major !== major || v.minor !== minor) return false;
  if (
    c.options.contract !== undefined &&
    (c.options.contract.major !== major || c.options.contract.minor !== minor)
  )
    return false;
  const m = /^v?\d+\.\d+\.(\d+)/.exec(v.text);
  return m !== null && Number(m[1]) >= patch;
}

/** url.ParseRequestURI's complaint: a leading colon, a relative reference, a port that is not a number. */
function requestURIError(text: string, host: string): string | undefined {
  if (text.startsWith(":")) return "missing protocol scheme";
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text) && !text.startsWith("/")) return "invalid URI for request";
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? goURLPortError(host) : undefined;
}

/** APIServerConfig.Validate: the first problem only. */
function apiServerError(apiServer: Data): string | undefined {
  const authorizers = list(apiServer, ["authorizationConfig"]);
  if (has(apiServer, ["authorizationConfig"])) {
    for (const key of Object.keys(obj(apiServer, ["extraArgs"]) ?? {})) {
      if (key === "authorization-mode")
        return "authorization-mode cannot be used in conjunction with AuthorizationConfig, use eitherr AuthorizationConfig or authorization-mode";
      if (key.startsWith("authorization-webhook-"))
        return "authorization-webhook-* flags cannot be used in conjunction with AuthorizationConfig, use either AuthorizationConfig or authorization-webhook-* flags";
    }
  }
  for (const a of authorizers) {
    const type = str(a, ["type"]);
    const name = str(a, ["name"]);
    let e: string | undefined;
    if (type === "") e = "authorizer type must be set";
    else if (name === "") e = "authorizer name must be set";
    else if (!AUTHORIZER_TYPES.includes(type))
      e = `authorizer type ${type} is not allowed, allowed types are [${AUTHORIZER_TYPES.join(" ")}]`;
    if (e !== undefined) return `apiserver authorization config validation failed: ${e}`;
  }
  const r = podResourcesError(get(apiServer, ["resources"]));
  return r === undefined ? undefined : `apiserver resource validation failed: ${r}`;
}

function isValidDNSName(name: string): boolean {
  if (name === "" || name.length - (name.match(/\./g) ?? []).length > 255) return false;
  return /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/.test(name);
}

/** ValidateCNI: the rules of each CNI name. */
export function checkCNI(cni: Data | undefined, since13 = true): { errors: string[]; warnings: string[] } {
  const name = cni === undefined ? "flannel" : str(cni, ["name"]);
  const urls = strs(cni, ["urls"]);
  const extraArgs = list(cni, ["flannel", "extraArgs"]).length > 0;
  // Flannel's network policies came with 1.13.
  const policies = since13 && get(cni, ["flannel", "kubeNetworkPoliciesEnabled"]) === true;
  const errors: string[] = [];
  const warnings: string[] = [];
  switch (name) {
    case "flannel":
      if (urls.length > 0) errors.push(`"urls" field should be empty for "flannel" CNI`);
      break;
    case "none":
    case "custom":
      if (name === "none" && urls.length > 0) errors.push(`"urls" field should be empty for "none" CNI`);
      if (name === "custom" && urls.length === 0)
        warnings.push(`"urls" field should not be empty for "custom" CNI`);
      if (extraArgs) errors.push(`"flanneldExtraArgs" field should be empty for ${goQuote(name)} CNI`);
      if (policies)
        errors.push(`"flannelKubeNetworkPoliciesEnabled" should not be enabled for ${goQuote(name)} CNI`);
      if (name === "custom") {
        for (const u of urls) {
          const e = validateEndpointURI(u);
          if (e !== undefined) errors.push(e);
        }
      }
      break;
    default:
      errors.push(`cni name should be one of ["flannel", "custom", "none"]`);
  }
  return { errors, warnings };
}

function checkNetwork(machine: Data, err: Report, warn: Report): void {
  const network = obj(machine, ["network"]);
  if (network === undefined) return;
  const base: ConfigPath = ["machine", "network", "interfaces"];
  const devices = list(network, ["interfaces"]);
  const secondary = new Map<string, string>();
  devices.forEach((dev, i) => {
    const name = str(dev, ["interface"]);
    const bond = obj(dev, ["bond"]);
    const bridge = obj(dev, ["bridge"]);
    if (bond !== undefined && bridge !== undefined)
      err(`interface has both bridge and bond sections set ${goQuote(name)}: ${MUTUALLY_EXCLUSIVE}`, [
        ...base,
        i,
      ]);
    let members: string[] = [];
    if (bond !== undefined) {
      members = strs(bond, ["interfaces"]);
      if (members.length > 0 && list(bond, ["deviceSelectors"]).length > 0)
        err(`interface ${goQuote(name)} has both interfaces and selectors set: ${MUTUALLY_EXCLUSIVE}`, [
          ...base,
          i,
          "bond",
        ]);
    }
    if (bridge !== undefined) members = strs(bridge, ["interfaces"]);
    for (const member of members) {
      const other = secondary.get(member);
      if (other !== undefined && other !== name)
        err(
          `interface ${goQuote(member)} is declared as part of two separate links: ${goQuote(other)} and ${goQuote(name)}`,
          [...base, i],
        );
      secondary.set(member, name);
    }
  });

  devices.forEach((dev, i) => {
    const at: ConfigPath = [...base, i];
    if (dev === null || dev === undefined) {
      err("empty device", at);
      return;
    }
    if (get(dev, ["ignore"]) === true) return;
    checkDeviceInterface(dev, at, err);
    checkDeviceAddressing(dev, at, secondary, err, warn);
    checkDeviceRoutes(dev, at, err);
  });

  const kubespan = obj(network, ["kubespan"]);
  if (kubespan !== undefined && get(kubespan, ["enabled"]) === true) {
    const mtu = num(kubespan, ["mtu"]) ?? KUBESPAN_DEFAULT_MTU;
    if (mtu < KUBESPAN_MIN_MTU)
      err(`kubespan link MTU must be at least ${KUBESPAN_MIN_MTU}`, [
        "machine",
        "network",
        "kubespan",
        "mtu",
      ]);
  }
}

function checkDeviceInterface(dev: unknown, at: ConfigPath, err: Report): void {
  const name = str(dev, ["interface"]);
  const selector = get(dev, ["deviceSelector"]);
  const hasSelector = selector !== undefined && selector !== null;
  const pair = "[networking.os.device.interface], [networking.os.device.deviceSelector]";
  if (name === "" && !hasSelector) err(`${pair}: ${REQUIRED_OPTIONS}`, at);
  else if (name !== "" && hasSelector) err(`${pair}: ${MUTUALLY_EXCLUSIVE}`, at);
  // Zero in Go's sense: no string set and no `physical` (false is a set pointer).
  if (hasSelector && Object.values(selector as Data).every((v) => v === null || v === undefined || v === ""))
    err(`[networking.os.device.deviceSelector]: ${EMPTY_SECTION}`, [...at, "deviceSelector"]);

  const bond = obj(dev, ["bond"]);
  if (bond !== undefined) for (const e of bondErrors(bond)) err(e, [...at, "bond"]);
  const wg = obj(dev, ["wireguard"]);
  if (wg !== undefined) for (const e of wireguardErrors(wg)) err(e, [...at, "wireguard"]);
  list(dev, ["vlans"]).forEach((vlan, j) => {
    const id = num(vlan, ["vlanId"]) ?? 0;
    const vat: ConfigPath = [...at, "vlans", j];
    const cidr = str(vlan, ["cidr"]);
    if (list(vlan, ["addresses"]).length > 0 && cidr !== "")
      err(`[networking.os.device.vlan] ${name}.${id}: vlan can't have both .cidr and .addresses set`, vat);
    if (cidr !== "") {
      const e = ipOrCIDRError(cidr);
      if (e !== undefined) err(`[networking.os.device.vlan.CIDR] ${name}.${id}: ${e}`, [...vat, "cidr"]);
    }
    for (const a of strs(vlan, ["addresses"])) {
      const e = ipOrCIDRError(a);
      if (e !== undefined)
        err(`[networking.os.device.vlan.addresses] ${name}.${id}: ${e}`, [...vat, "addresses"]);
    }
  });
}

function bondErrors(b: Data): string[] {
  const out: string[] = [];
  for (const [field, values, message] of BOND_ENUMS) {
    const v = str(b, [field]);
    if (!values.includes(v)) out.push(message.replace("%s", v));
  }
  // An unknown mode reads as the zero mode (balance-rr) for the rules below.
  const written = str(b, ["mode"]);
  const mode = BOND_ENUMS[0]![1].includes(written) && written !== "" ? written : "balance-rr";
  const miimon = num(b, ["miimon"]) ?? 0;
  const up = num(b, ["updelay"]) ?? 0;
  const down = num(b, ["downdelay"]) ?? 0;
  if (miimon === 0) {
    if (up !== 0) out.push("bond.upDelay can't be set if miiMon is zero");
    if (down !== 0) out.push("bond.downDelay can't be set if miiMon is zero");
  } else {
    if (up % miimon !== 0) out.push("bond.upDelay should be a multiple of miiMon");
    if (down % miimon !== 0) out.push("bond.downDelay should be a multiple of miiMon");
  }
  if (list(b, ["arpIPTarget"]).length > 0) out.push("bond.arpIPTarget is not supported");
  if (str(b, ["lacpRate"]) !== "" && mode !== "802.3ad")
    out.push("bond.lacpRate is only available in 802.3ad mode");
  if (str(b, ["adActorSystem"]) !== "") out.push("bond.adActorSystem is not supported");
  const lbModes = ["802.3ad", "balance-alb", "balance-tlb"];
  if (lbModes.includes(mode) && str(b, ["arpValidate"]) !== "")
    out.push(`bond.arpValidate is not available in ${mode} mode`);
  if (!["active-backup", "balance-alb", "balance-tlb"].includes(mode) && str(b, ["primary"]) !== "")
    out.push(`bond.primary is not available in ${mode} mode`);
  if (lbModes.includes(mode) && (num(b, ["arpInterval"]) ?? 0) > 0)
    out.push(`bond.arpInterval is not available in ${mode} mode`);
  if (mode !== "balance-rr" && (num(b, ["packetsPerSlave"]) ?? 0) > 1)
    out.push(`bond.packetsPerSlave is not available in ${mode} mode`);
  if (mode !== "balance-alb" && mode !== "balance-tlb" && (num(b, ["tlbDynamicLb"]) ?? 0) > 0)
    out.push(`bond.tlbDynamicTLB is not available in ${mode} mode`);
  if (mode !== "802.3ad" && (num(b, ["adActorSysPrio"]) ?? 0) > 0)
    out.push("bond.adActorSysPrio is only available in 802.3ad mode");
  if (mode !== "802.3ad" && (num(b, ["adUserPortKey"]) ?? 0) > 0)
    out.push("bond.adUserPortKey is only available in 802.3ad mode");
  return out;
}

function wireguardKeyError(key: string): string | undefined {
  const r = goDecodeBase64(key);
  if ("error" in r) return r.error;
  return r.bytes.length === 32 ? undefined : `wrong key ${goQuote(key)} length: ${r.bytes.length}`;
}

function wireguardErrors(wg: Data): string[] {
  const out: string[] = [];
  const priv = wireguardKeyError(str(wg, ["privateKey"]));
  if (priv !== undefined) out.push(`private key is invalid: ${priv}`);
  for (const peer of list(wg, ["peers"])) {
    const pub = wireguardKeyError(str(peer, ["publicKey"]));
    if (pub !== undefined) out.push(`public key invalid: ${pub}`);
    const endpoint = str(peer, ["endpoint"]);
    if (endpoint !== "" && !addressContainsPort(endpoint))
      out.push(`peer endpoint ${goQuote(endpoint)} is invalid`);
    for (const ip of strs(peer, ["allowedIPs"])) {
      const e = goParseCIDR(ip);
      if (e !== undefined) out.push(`peer allowed IP ${goQuote(ip)} is invalid: ${e}`);
    }
  }
  return out;
}

/** siderolabs/net AddressContainsPort: net.SplitHostPort succeeds, and a host with colons is an address. */
function addressContainsPort(addr: string): boolean {
  const host = splitHostPort(addr);
  return host !== undefined && (!host.includes(":") || netipParseAddr(host) === undefined);
}

/** net.SplitHostPort's host, or undefined where it fails. */
function splitHostPort(hostport: string): string | undefined {
  const i = hostport.lastIndexOf(":");
  if (i < 0) return undefined;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.startsWith("[")) {
    const end = hostport.indexOf("]");
    if (end < 0 || end + 1 !== i) return undefined;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(":")) return undefined;
  }
  if (hostport.slice(j).includes("[") || hostport.slice(k).includes("]")) return undefined;
  return host;
}

function ipOrCIDRError(address: string): string | undefined {
  if (address.includes("/")) return goParseCIDR(address);
  return goParseIP(address) ? undefined : `failed to parse IP address ${goQuote(address)}`;
}

function checkDeviceAddressing(
  dev: unknown,
  at: ConfigPath,
  secondary: ReadonlyMap<string, string>,
  err: Report,
  warn: Report,
): void {
  const name = str(dev, ["interface"]);
  const q = goQuote(name);
  const cidr = str(dev, ["cidr"]);
  const addresses = strs(dev, ["addresses"]);
  if (secondary.has(name)) {
    if (get(dev, ["dhcp"]) === true || cidr !== "" || addresses.length > 0 || has(dev, ["vip"]))
      err(
        `[networking.os.device] ${q}: bonded/bridged interface shouldn't have any addressing methods configured`,
        at,
      );
  }
  if (addresses.length > 0 && cidr !== "")
    err(`[networking.os.device] ${q}: interface can't have both .cidr and .addresses set`, at);
  if (cidr !== "") {
    const e = ipOrCIDRError(cidr);
    if (e !== undefined) err(`[networking.os.device.CIDR] ${q}: ${e}`, [...at, "cidr"]);
    warn(
      `${q}: machine.network.interface.cidr is deprecated, please use machine.network.interface.addresses`,
      [...at, "cidr"],
    );
  }
  addresses.forEach((a, j) => {
    const e = ipOrCIDRError(a);
    if (e !== undefined) err(`[networking.os.device.addresses] ${q}: ${e}`, [...at, "addresses", j]);
  });
  if (has(dev, ["vip"])) {
    const ip = str(dev, ["vip", "ip"]);
    if (!goParseIP(ip))
      err(`[networking.os.device.vip] failed to parse ${goQuote(ip)} as IP address`, [...at, "vip", "ip"]);
  }
}

function checkDeviceRoutes(dev: unknown, at: ConfigPath, err: Report): void {
  list(dev, ["routes"]).forEach((route, idx) => {
    const tag = `networking.os.device.route[${idx}]`;
    const rat: ConfigPath = [...at, "routes", idx];
    const network = str(route, ["network"]);
    const gateway = str(route, ["gateway"]);
    const source = str(route, ["source"]);
    if (network !== "" && goParseCIDR(network) !== undefined)
      err(`[${tag}.network] ${goQuote(network)}: ${INVALID_ADDRESS}`, [...rat, "network"]);
    if (gateway !== "" && !goParseIP(gateway))
      err(`[${tag}.gateway] ${goQuote(gateway)}: ${INVALID_ADDRESS}`, [...rat, "gateway"]);
    if (gateway === "" && network === "") err(`[${tag}]: either network or gateway should be set`, rat);
    if (source !== "" && !goParseIP(source))
      err(`[${tag}.source] ${goQuote(source)}: ${INVALID_ADDRESS}`, [...rat, "source"]);
  });
}

/** Whether a duration text is non-zero (used by conflict rules reading v1alpha1 durations). */
export function durationSet(text: string): boolean {
  return (goParseDuration(text) ?? 0) !== 0;
}
