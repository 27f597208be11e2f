// A machine config as the node holds it: the bytes that were applied plus their loaded
// documents, and the facts the machine reads from them (type, CA, names, what runs).
import type { ConfigDocument, MachineConfigDocuments } from "../../config/document.js";
import { LEGACY_KIND } from "../../config/document.js";
import { loadMachineConfig } from "../../config/load/index.js";
import type { MachineTypeName } from "../resources/index.js";

export interface MachineConfig {
  /** The config exactly as applied (what STATE holds). */
  readonly text: string;
  readonly documents: MachineConfigDocuments;
}

/**
 * Loads config bytes strictly, with the kinds and fields of `talosVersion`'s contract (the
 * version the node reports; the newest when omitted); throws the loader's ConfigErrors.
 */
export function parseMachineConfig(data: Uint8Array | string, talosVersion?: string): MachineConfig {
  const documents = loadMachineConfig(data, talosVersion !== undefined ? { contract: talosVersion } : {});
  return { text: configText(data), documents };
}

/** The config bytes as the text STATE keeps. */
export function configText(data: Uint8Array | string): string {
  return typeof data === "string" ? data : Buffer.from(data).toString("utf8");
}

export function legacyDocument(config: MachineConfig | undefined): ConfigDocument | undefined {
  return config?.documents.documents.find((d) => d.kind === LEGACY_KIND);
}

/** Complete for boot: the v1alpha1 document is there (Talos's ConfigCompleteForBoot). */
export function isComplete(config: MachineConfig | undefined): config is MachineConfig {
  return legacyDocument(config) !== undefined;
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

function doc(config: MachineConfig, kind: string): ConfigDocument | undefined {
  return config.documents.documents.find((d) => d.kind === kind);
}

export function machineType(config: MachineConfig | undefined): MachineTypeName {
  const t = str(legacyDocument(config)?.data, ["machine", "type"]);
  if (t === "controlplane" || t === "worker" || t === "init") return t;
  // Talos accepts "join" as the legacy spelling of worker.
  if (t === "join") return "worker";
  return "unknown";
}

export function isControlPlane(config: MachineConfig | undefined): boolean {
  const t = machineType(config);
  return t === "controlplane" || t === "init";
}

function pemFromBase64(value: string): string {
  return value === "" ? "" : Buffer.from(value, "base64").toString("utf8");
}

/** The OS (Talos API) CA of the config: certificate and, on control planes, its key. */
export function osCa(config: MachineConfig): { crt: string; key: string } {
  const legacy = legacyDocument(config)?.data;
  return {
    crt: pemFromBase64(str(legacy, ["machine", "ca", "crt"])),
    key: pemFromBase64(str(legacy, ["machine", "ca", "key"])),
  };
}

/** Extra CAs whose client certificates the API accepts (`machine.acceptedCAs`). */
export function acceptedCas(config: MachineConfig): string[] {
  const list = at(legacyDocument(config)?.data, ["machine", "acceptedCAs"]);
  if (!Array.isArray(list)) return [];
  return list.map((entry) => pemFromBase64(str(entry, ["crt"]))).filter((pem) => pem !== "");
}

export function certSans(config: MachineConfig): string[] {
  const list = at(legacyDocument(config)?.data, ["machine", "certSANs"]);
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === "string" && s !== "") : [];
}

/** The hostname the config sets, if it sets one. */
export function configuredHostname(config: MachineConfig | undefined): string | undefined {
  if (!config) return undefined;
  const fromDoc = str(doc(config, "HostnameConfig")?.data, ["hostname"]);
  if (fromDoc !== "") return fromDoc;
  const legacy = str(legacyDocument(config)?.data, ["machine", "network", "hostname"]);
  return legacy !== "" ? legacy : undefined;
}

export function clusterName(config: MachineConfig): string {
  const fromDoc = str(doc(config, "KubeClusterConfig")?.data, ["clusterName"]);
  if (fromDoc !== "") return fromDoc;
  return str(legacyDocument(config)?.data, ["cluster", "clusterName"]);
}

/** Kubernetes is configured: a control plane endpoint is known. */
export function hasKubernetes(config: MachineConfig | undefined): boolean {
  if (!config) return false;
  if (str(doc(config, "KubeClusterConfig")?.data, ["endpoint"]) !== "") return true;
  return str(legacyDocument(config)?.data, ["cluster", "controlPlane", "endpoint"]) !== "";
}

export function hasEtcd(config: MachineConfig | undefined): boolean {
  return str(legacyDocument(config)?.data, ["cluster", "etcd", "ca", "crt"]) !== "";
}

/** `.machine.install` is present (the legacy install path, which runs the install sequence). */
export function hasMachineInstall(config: MachineConfig | undefined): boolean {
  const install = at(legacyDocument(config)?.data, ["machine", "install"]);
  return install !== undefined && install !== null;
}

export function hasUnattendedInstall(config: MachineConfig | undefined): boolean {
  return config !== undefined && doc(config, "UnattendedInstallConfig") !== undefined;
}

/** `.machine.install.diskSelector`, when set. */
export function installDiskSelector(config: MachineConfig): Record<string, unknown> | undefined {
  const sel = at(legacyDocument(config)?.data, ["machine", "install", "diskSelector"]);
  return sel !== null && typeof sel === "object" && !Array.isArray(sel)
    ? (sel as Record<string, unknown>)
    : undefined;
}

/** Talos's default NTP server when the config names none. */
export const DEFAULT_TIME_SERVER = "time.cloudflare.com";

/** NTP servers from the config (TimeSyncConfig, else `.machine.time.servers`), or Talos's default. */
export function timeServers(config: MachineConfig | undefined): string[] {
  const fromDoc = config ? at(doc(config, "TimeSyncConfig")?.data, ["ntp", "servers"]) : undefined;
  const legacy = at(legacyDocument(config)?.data, ["machine", "time", "servers"]);
  for (const list of [fromDoc, legacy]) {
    if (!Array.isArray(list)) continue;
    const servers = list.filter((s): s is string => typeof s === "string" && s !== "");
    if (servers.length > 0) return servers;
  }
  return [DEFAULT_TIME_SERVER];
}
