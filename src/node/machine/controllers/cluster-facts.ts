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
  return pair(legacy(config), ["cluster", "aggregatorCA"]);
}

/** Extra Kubernetes CAs the cluster accepts (`.cluster.acceptedCAs`). */
export function kubernetesAcceptedCas(config: MachineConfig): string[] {
  const v = at(legacy(config), ["cluster", "acceptedCAs"]);
  return Array.isArray(v) ? v.map((e) => pem(str(e, ["crt"]))).filter((p) => p !== "") : [];
}

export function serviceAccountKey(config: MachineConfig): string {
  return pem(str(legacy(config), ["cluster", "serviceAccount", "key"]));
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
  const pods = strings(net, ["podSubnets"]);
  const services = strings(net, ["serviceSubnets"]);
  return {
    dnsDomain: str(net, ["dnsDomain"]) || "cluster.local",
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
  return strings(legacy(config), ["cluster", "apiServer", "certSANs"]);
}

/** KubePrism (`.machine.features.kubePrism`): its port when enabled. */
export function kubePrismPort(config: MachineConfig): number | undefined {
  const kp = record(legacy(config), ["machine", "features", "kubePrism"]);
  if (kp.enabled !== true) return undefined;
  return typeof kp.port === "number" && kp.port > 0 ? kp.port : 7445;
}

export function talosApiAccessEnabled(config: MachineConfig): boolean {
  return at(legacy(config), ["machine", "features", "kubernetesTalosAPIAccess", "enabled"]) === true;
}

/** Argument maps as written in the config (`extraArgs`), values as text. */
export function extraArgs(config: MachineConfig, path: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(legacy(config), [...path, "extraArgs"]))) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
    else if (Array.isArray(v)) out[k] = v.map(String).join(",");
  }
  return out;
}

export function imageOf(config: MachineConfig, path: readonly string[]): string {
  return str(legacy(config), [...path, "image"]);
}

export function disabled(config: MachineConfig, path: readonly string[]): boolean {
  return at(legacy(config), [...path, "disabled"]) === true;
}

/** `.machine.nodeLabels`, `.machine.nodeAnnotations`, `.machine.nodeTaints`. */
export function nodeMap(
  config: MachineConfig,
  key: "nodeLabels" | "nodeAnnotations" | "nodeTaints",
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(legacy(config), ["machine", key]))) {
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

export interface ExtraManifestConfig {
  readonly name: string;
  readonly url: string;
  readonly inline: string;
  readonly headers: Record<string, string>;
}

/** `.cluster.extraManifests` (URLs) and `.cluster.inlineManifests`, in Talos's order. */
export function extraManifests(config: MachineConfig): ExtraManifestConfig[] {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(legacy(config), ["cluster", "extraManifestHeaders"]))) {
    if (typeof v === "string") headers[k] = v;
  }
  const out: ExtraManifestConfig[] = strings(legacy(config), ["cluster", "extraManifests"]).map((url) => ({
    name: url,
    url,
    inline: "",
    headers,
  }));
  const inline = at(legacy(config), ["cluster", "inlineManifests"]);
  for (const m of Array.isArray(inline) ? inline : []) {
    const name = str(m, ["name"]);
    if (name !== "") out.push({ name, url: "", inline: str(m, ["contents"]), headers: {} });
  }
  return out;
}

/** `.machine.kubelet`. */
export function kubeletSettings(config: MachineConfig): {
  image: string;
  extraArgs: Record<string, string>;
  clusterDns: string[];
  extraConfig: Record<string, unknown>;
  defaultRuntimeSeccompProfileEnabled: boolean;
  disableManifestsDirectory: boolean;
  skipNodeRegistration: boolean;
  validSubnets: string[];
} {
  const k = record(legacy(config), ["machine", "kubelet"]);
  return {
    image: str(k, ["image"]),
    extraArgs: extraArgs(config, ["machine", "kubelet"]),
    clusterDns: strings(k, ["clusterDNS"]),
    extraConfig: record(k, ["extraConfig"]),
    defaultRuntimeSeccompProfileEnabled: k.defaultRuntimeSeccompProfileEnabled === true,
    disableManifestsDirectory: k.disableManifestsDirectory === true,
    skipNodeRegistration: k.skipNodeRegistration === true,
    validSubnets: strings(k, ["nodeIP", "validSubnets"]),
  };
}

/** `.cluster.etcd`. */
export function etcdSettings(config: MachineConfig): {
  image: string;
  extraArgs: Record<string, string>;
  advertisedSubnets: string[];
  listenSubnets: string[];
} {
  const e = record(legacy(config), ["cluster", "etcd"]);
  return {
    image: str(e, ["image"]),
    extraArgs: extraArgs(config, ["cluster", "etcd"]),
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
