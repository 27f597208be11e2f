// What the secrets, Kubernetes and etcd controllers read from the machine config: the cluster's
// CAs and keys, tokens, the Kubernetes network and components, etcd's settings, from the legacy
// v1alpha1 document (`.cluster`, `.machine`) and the Kube*Config documents that replace parts of it.
import { isIP } from "node:net";
import { legacyDocument, type MachineConfig } from "../config.js";

export interface PemPair {
  readonly crt: string;
  readonly key: string;
}

function at(data: unknown, path: readonly string[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function str(data: unknown, path: readonly string[]): string {
  const v = at(data, path);
  return typeof v === "string" ? v : "";
}

function strings(data: unknown, path: readonly string[]): string[] {
  const v = at(data, path);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string" && s !== "") : [];
}

function record(data: unknown, path: readonly string[]): Record<string, unknown> {
  const v = at(data, path);
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const legacy = (config: MachineConfig | undefined): unknown => legacyDocument(config)?.data;

function doc(config: MachineConfig | undefined, kind: string): unknown {
  return config?.documents.documents.find((d) => d.kind === kind)?.data;
}

/** A value from the document of `kind` when the config has one, else from the v1alpha1 path. */
function pick(
  config: MachineConfig | undefined,
  kind: string,
  docPath: readonly string[],
  legacyPath: readonly string[],
): unknown {
  const d = doc(config, kind);
  if (d !== undefined) {
    const v = at(d, docPath);
    if (v !== undefined) return v;
  }
  return at(legacy(config), legacyPath);
}

/** A CA from a document's `issuingCA` (PEM text) or the legacy base64 pair. */
function caPair(config: MachineConfig, kind: string, legacyPath: readonly string[]): PemPair {
  const d = doc(config, kind);
  const crt = str(d, ["issuingCA", "cert"]);
  if (crt !== "") return { crt, key: str(d, ["issuingCA", "key"]) };
  return pair(legacy(config), legacyPath);
}

function pem(value: string): string {
  return value === "" ? "" : Buffer.from(value, "base64").toString("utf8");
}

function pair(data: unknown, path: readonly string[]): PemPair {
  return { crt: pem(str(data, [...path, "crt"])), key: pem(str(data, [...path, "key"])) };
}

/** A config with both a `.machine` and a `.cluster` section (Talos's secrets need both). */
export function hasClusterSections(config: MachineConfig | undefined): config is MachineConfig {
  return at(legacy(config), ["machine"]) !== undefined && at(legacy(config), ["cluster"]) !== undefined;
}

export function machineTokenOf(config: MachineConfig): string {
  return str(legacy(config), ["machine", "token"]);
}

export function etcdCa(config: MachineConfig): PemPair {
  return pair(legacy(config), ["cluster", "etcd", "ca"]);
}

export function aggregatorCa(config: MachineConfig): PemPair {
  return caPair(config, "KubeAggregatorCAConfig", ["cluster", "aggregatorCA"]);
}

/** Extra Kubernetes CAs the cluster accepts (KubeAPIServerCAConfig `acceptedCAs`, `.cluster.acceptedCAs`). */
export function kubernetesAcceptedCas(config: MachineConfig): string[] {
  const fromDoc = at(doc(config, "KubeAPIServerCAConfig"), ["acceptedCAs"]);
  if (Array.isArray(fromDoc)) {
    return fromDoc.map((e) => (typeof e === "string" ? e : str(e, ["cert"]))).filter((p) => p !== "");
  }
  const v = at(legacy(config), ["cluster", "acceptedCAs"]);
  return Array.isArray(v) ? v.map((e) => pem(str(e, ["crt"]))).filter((p) => p !== "") : [];
}

export function serviceAccountKey(config: MachineConfig): string {
  const fromDoc = str(doc(config, "KubeServiceAccountConfig"), ["issuer", "privateKey"]);
  return fromDoc !== "" ? fromDoc : pem(str(legacy(config), ["cluster", "serviceAccount", "key"]));
}

/** The service account issuer URL (KubeServiceAccountConfig), else the cluster endpoint. */
export function serviceAccountIssuer(config: MachineConfig, endpoint: string): string {
  return str(doc(config, "KubeServiceAccountConfig"), ["issuer", "issuerURL"]) || endpoint;
}

/** The etcd encryption configuration of a KubeEtcdEncryptionConfig document, if any. */
export function etcdEncryptionConfig(config: MachineConfig): Record<string, unknown> | undefined {
  const d = doc(config, "KubeEtcdEncryptionConfig");
  if (d === undefined) return undefined;
  return record(d, ["config"]);
}

export function clusterSecrets(config: MachineConfig): {
  aescbc: string;
  secretbox: string;
  tokenId: string;
  tokenSecret: string;
} {
  const token = str(legacy(config), ["cluster", "token"]);
  const dot = token.indexOf(".");
  return {
    aescbc: str(legacy(config), ["cluster", "aescbcEncryptionSecret"]),
    secretbox: str(legacy(config), ["cluster", "secretboxEncryptionSecret"]),
    tokenId: dot < 0 ? token : token.slice(0, dot),
    tokenSecret: dot < 0 ? "" : token.slice(dot + 1),
  };
}

/** `.cluster.network`: DNS domain, pod and service subnets, and the CNI. */
export function clusterNetwork(config: MachineConfig): {
  dnsDomain: string;
  podSubnets: string[];
  serviceSubnets: string[];
  cni: string;
  cniUrls: string[];
} {
  const net = record(legacy(config), ["cluster", "network"]);
  const texts = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const pods = texts(pick(config, "KubeNetworkConfig", ["podSubnets"], ["cluster", "network", "podSubnets"]));
  const services = texts(
    pick(config, "KubeNetworkConfig", ["serviceSubnets"], ["cluster", "network", "serviceSubnets"]),
  );
  const domain = pick(config, "KubeNetworkConfig", ["dnsDomain"], ["cluster", "network", "dnsDomain"]);
  return {
    dnsDomain: (typeof domain === "string" && domain) || "cluster.local",
    podSubnets: pods.length > 0 ? pods : ["10.244.0.0/16"],
    serviceSubnets: services.length > 0 ? services : ["10.96.0.0/12"],
    cni: str(net, ["cni", "name"]) || "flannel",
    cniUrls: strings(net, ["cni", "urls"]),
  };
}

/** The address `n` after a subnet's network address (`10.96.0.0/12`, 1 → `10.96.0.1`). */
export function nthAddress(cidr: string, n: number): string {
  const base = cidr.split("/")[0] ?? "";
  if (isIP(base) === 4) {
    const value = base.split(".").reduce((acc, o) => acc * 256 + Number(o), 0) + n;
    return [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join(".");
  }
  const groups = expand6(base);
  let carry = n;
  for (let i = 7; i >= 0 && carry > 0; i--) {
    const sum = groups[i]! + carry;
    groups[i] = sum % 0x10000;
    carry = Math.floor(sum / 0x10000);
  }
  return compress6(groups);
}

function expand6(text: string): number[] {
  const [head = "", tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

function compress6(groups: number[]): string {
  let best = -1;
  let len = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > len && j - i >= 2) {
      best = i;
      len = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + len).join(":")}`;
}

/** `.cluster.apiServer.certSANs`. */
export function apiServerCertSans(config: MachineConfig): string[] {
  const v = pick(config, "KubeAPIServerConfig", ["certExtraSANs"], ["cluster", "apiServer", "certSANs"]);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string" && s !== "") : [];
}

/** KubePrism (a KubePrismConfig document, `.machine.features.kubePrism`): its port when enabled. */
export function kubePrismPort(config: MachineConfig): number | undefined {
  const d = doc(config, "KubePrismConfig");
  if (d !== undefined) {
    const port = at(d, ["port"]);
    return typeof port === "number" && port > 0 ? port : 7445;
  }
  const kp = record(legacy(config), ["machine", "features", "kubePrism"]);
  if (kp.enabled !== true) return undefined;
  return typeof kp.port === "number" && kp.port > 0 ? kp.port : 7445;
}

/** `.machine.features.diskQuotaSupport` (the kubelet then monitors ephemeral storage with quotas). */
export function diskQuotaSupport(config: MachineConfig): boolean {
  return at(legacy(config), ["machine", "features", "diskQuotaSupport"]) === true;
}

export function talosApiAccessEnabled(config: MachineConfig): boolean {
  return at(legacy(config), ["machine", "features", "kubernetesTalosAPIAccess", "enabled"]) === true;
}

/** An `extraArgs` map (values text or lists of text), from a document or the v1alpha1 section. */
export function extraArgsOf(
  config: MachineConfig,
  kind: string,
  legacyPath: readonly string[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const raw = pick(config, kind, ["extraArgs"], [...legacyPath, "extraArgs"]);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = [String(v)];
    else if (Array.isArray(v)) out[k] = v.map(String);
  }
  return out;
}

export function imageOf(config: MachineConfig, path: readonly string[]): string {
  return str(legacy(config), [...path, "image"]);
}

export function disabled(config: MachineConfig, path: readonly string[]): boolean {
  return at(legacy(config), [...path, "disabled"]) === true;
}

export interface ExtraManifestConfig {
  readonly name: string;
  readonly url: string;
  readonly inline: string;
  readonly headers: Record<string, string>;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === null || typeof v !== "object" || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x === "string") out[k] = x;
  return out;
}

/**
 * Extra manifests: `.cluster.extraManifests` (URLs, with `.cluster.extraManifestHeaders`) and
 * KubeExternalManifestConfig documents, then `.cluster.inlineManifests` and
 * KubeInlineManifestConfig documents.
 */
export function extraManifests(config: MachineConfig): ExtraManifestConfig[] {
  const headers = stringMap(at(legacy(config), ["cluster", "extraManifestHeaders"]));
  const out: ExtraManifestConfig[] = strings(legacy(config), ["cluster", "extraManifests"]).map((url) => ({
    name: url,
    url,
    inline: "",
    headers,
  }));
  for (const d of config.documents.documents.filter((x) => x.kind === "KubeExternalManifestConfig")) {
    const url = str(d.data, ["url"]);
    if (url !== "") {
      out.push({
        name: d.name ?? str(d.data, ["name"]),
        url,
        inline: "",
        headers: stringMap(at(d.data, ["headers"])),
      });
    }
  }
  const inline = at(legacy(config), ["cluster", "inlineManifests"]);
  for (const m of Array.isArray(inline) ? inline : []) {
    const name = str(m, ["name"]);
    if (name !== "") out.push({ name, url: "", inline: str(m, ["contents"]), headers: {} });
  }
  for (const d of config.documents.documents.filter((x) => x.kind === "KubeInlineManifestConfig")) {
    const name = d.name ?? str(d.data, ["name"]);
    if (name !== "") out.push({ name, url: "", inline: str(d.data, ["manifest"]), headers: {} });
  }
  return out;
}

/** The kubelet's settings (KubeletConfig and KubeNodeConfig documents, `.machine.kubelet`). */
export function kubeletSettings(config: MachineConfig): {
  image: string;
  extraArgs: Record<string, string[]>;
  clusterDns: string[];
  extraConfig: Record<string, unknown>;
  defaultRuntimeSeccompProfileEnabled: boolean;
  disableManifestsDirectory: boolean;
  skipNodeRegistration: boolean;
  validSubnets: string[];
  excludeSubnets: string[];
} {
  const k = record(legacy(config), ["machine", "kubelet"]);
  const texts = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const cfg = pick(config, "KubeletConfig", ["config"], ["machine", "kubelet", "extraConfig"]);
  return {
    image: String(pick(config, "KubeletConfig", ["image"], ["machine", "kubelet", "image"]) ?? ""),
    extraArgs: extraArgsOf(config, "KubeletConfig", ["machine", "kubelet"]),
    clusterDns: texts(pick(config, "KubeletConfig", ["clusterDNS"], ["machine", "kubelet", "clusterDNS"])),
    extraConfig:
      cfg !== null && typeof cfg === "object" && !Array.isArray(cfg) ? (cfg as Record<string, unknown>) : {},
    defaultRuntimeSeccompProfileEnabled:
      pick(
        config,
        "KubeletConfig",
        ["defaultRuntimeSeccompProfileEnabled"],
        ["machine", "kubelet", "defaultRuntimeSeccompProfileEnabled"],
      ) === true,
    disableManifestsDirectory: k.disableManifestsDirectory === true,
    skipNodeRegistration:
      pick(
        config,
        "KubeNodeConfig",
        ["skipNodeRegistration"],
        ["machine", "kubelet", "skipNodeRegistration"],
      ) === true,
    validSubnets: texts(
      pick(
        config,
        "KubeNodeConfig",
        ["nodeIP", "validSubnets"],
        ["machine", "kubelet", "nodeIP", "validSubnets"],
      ),
    ),
    excludeSubnets: texts(
      pick(
        config,
        "KubeNodeConfig",
        ["nodeIP", "excludeSubnets"],
        ["machine", "kubelet", "nodeIP", "excludeSubnets"],
      ),
    ),
  };
}

/** Node annotations (KubeNodeConfig, `.machine.nodeAnnotations`). */
export function nodeAnnotations(config: MachineConfig): Record<string, string> {
  return stringMap(pick(config, "KubeNodeConfig", ["annotations"], ["machine", "nodeAnnotations"]));
}

/** `.cluster.etcd`. */
export function etcdSettings(config: MachineConfig): {
  image: string;
  extraArgs: Record<string, string[]>;
  advertisedSubnets: string[];
  listenSubnets: string[];
} {
  const e = record(legacy(config), ["cluster", "etcd"]);
  return {
    image: str(e, ["image"]),
    extraArgs: extraArgsOf(config, "EtcdConfig", ["cluster", "etcd"]),
    advertisedSubnets: strings(e, ["advertisedSubnets"]),
    listenSubnets: strings(e, ["listenSubnets"]),
  };
}

/** The Kubernetes version a component image names (`…:v1.34.1` → `v1.34.1`). */
export function imageTag(image: string): string {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? image.slice(at + 1) : "";
}

export function pemCert(data: unknown): PemPair {
  return pair(data, []);
}

export { doc as configDocument };
