// What the controllers read from the machine config: the network (hostname, links, addresses,
// routes, resolvers, static hosts), time, kernel and feature settings, from the legacy v1alpha1
// document and from the newer documents that replace its sections (HostnameConfig,
// ResolverConfig, TimeSyncConfig, LinkConfig, StaticHostConfig, SysctlConfig,
// KernelModuleConfig, ImageCacheConfig, Discovery*Config). A document wins over the legacy field.
import type { ConfigDocument } from "../../../config/document.js";
import { legacyDocument, type MachineConfig } from "../config.js";

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

function bool(data: unknown, path: readonly string[]): boolean | undefined {
  const v = at(data, path);
  return typeof v === "boolean" ? v : undefined;
}

function num(data: unknown, path: readonly string[]): number | undefined {
  const v = at(data, path);
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function list(data: unknown, path: readonly string[]): unknown[] {
  const v = at(data, path);
  return Array.isArray(v) ? v : [];
}

function strings(data: unknown, path: readonly string[]): string[] {
  return list(data, path).filter((s): s is string => typeof s === "string" && s !== "");
}

function docs(config: MachineConfig | undefined, kind: string): ConfigDocument[] {
  return config ? config.documents.documents.filter((d) => d.kind === kind) : [];
}

function doc(config: MachineConfig | undefined, kind: string): ConfigDocument | undefined {
  return docs(config, kind)[0];
}

const legacy = (config: MachineConfig | undefined): unknown => legacyDocument(config)?.data;

/** The hostname the config sets (HostnameConfig, else `.machine.network.hostname`), split off its domain. */
export function configHostname(config: MachineConfig | undefined): string | undefined {
  const fromDoc = str(doc(config, "HostnameConfig")?.data, ["hostname"]);
  if (fromDoc !== "") return fromDoc;
  const fromLegacy = str(legacy(config), ["machine", "network", "hostname"]);
  return fromLegacy !== "" ? fromLegacy : undefined;
}

export interface StaticRoute {
  /** CIDR, or empty for the default route. */
  readonly network: string;
  readonly gateway: string;
  readonly metric?: number;
  readonly mtu?: number;
}

export interface LinkSettings {
  readonly name: string;
  /** Static addresses in CIDR notation. */
  readonly addresses: readonly string[];
  readonly routes: readonly StaticRoute[];
  readonly mtu?: number;
  readonly dhcp: boolean;
  readonly ignore: boolean;
}

/** Links the config sets up: `.machine.network.interfaces` by name, and LinkConfig documents. */
export function configLinks(config: MachineConfig | undefined): LinkSettings[] {
  const out = new Map<string, LinkSettings>();
  for (const item of list(legacy(config), ["machine", "network", "interfaces"])) {
    const name = str(item, ["interface"]);
    if (name === "") continue;
    out.set(name, {
      name,
      addresses: strings(item, ["addresses"]),
      routes: list(item, ["routes"]).map((r) => ({
        network: str(r, ["network"]),
        gateway: str(r, ["gateway"]),
        ...(num(r, ["metric"]) !== undefined ? { metric: num(r, ["metric"])! } : {}),
        ...(num(r, ["mtu"]) !== undefined ? { mtu: num(r, ["mtu"])! } : {}),
      })),
      ...(num(item, ["mtu"]) !== undefined ? { mtu: num(item, ["mtu"])! } : {}),
      dhcp: bool(item, ["dhcp"]) === true,
      ignore: bool(item, ["ignore"]) === true,
    });
  }
  for (const d of docs(config, "LinkConfig")) {
    const name = d.name ?? str(d.data, ["name"]);
    if (name === "") continue;
    out.set(name, {
      name,
      addresses: list(d.data, ["addresses"])
        .map((a) => str(a, ["address"]))
        .filter((a) => a !== ""),
      routes: list(d.data, ["routes"]).map((r) => ({
        network: str(r, ["destination"]),
        gateway: str(r, ["gateway"]),
        ...(num(r, ["metric"]) !== undefined ? { metric: num(r, ["metric"])! } : {}),
        ...(num(r, ["mtu"]) !== undefined ? { mtu: num(r, ["mtu"])! } : {}),
      })),
      ...(num(d.data, ["mtu"]) !== undefined ? { mtu: num(d.data, ["mtu"])! } : {}),
      dhcp: false,
      ignore: false,
    });
  }
  return [...out.values()];
}

/** Nameservers the config names (ResolverConfig, else `.machine.network.nameservers`). */
export function configNameservers(config: MachineConfig | undefined): string[] {
  const fromDoc = list(doc(config, "ResolverConfig")?.data, ["nameservers"])
    .map((n) => (typeof n === "string" ? n : str(n, ["address"])))
    .filter((n) => n !== "");
  if (fromDoc.length > 0) return fromDoc;
  return strings(legacy(config), ["machine", "network", "nameservers"]);
}

/** Search domains the config names, and whether the hostname's domain is left out. */
export function configSearchDomains(config: MachineConfig | undefined): {
  domains: string[];
  disableDefault: boolean;
} {
  const resolver = doc(config, "ResolverConfig")?.data;
  const domains = strings(resolver, ["searchDomains", "domains"]);
  const disableDefault =
    bool(resolver, ["searchDomains", "disableDefault"]) ??
    bool(legacy(config), ["machine", "network", "disableSearchDomain"]) ??
    false;
  return {
    domains: domains.length > 0 ? domains : strings(legacy(config), ["machine", "network", "searchDomains"]),
    disableDefault,
  };
}

/** Whether the node-local DNS resolver runs (ResolverConfig `hostDNS`, else `.machine.features.hostDNS`). */
export function hostDns(config: MachineConfig | undefined): {
  enabled: boolean;
  forwardKubeDNSToHost: boolean;
} {
  const fromDoc = doc(config, "ResolverConfig")?.data;
  const src =
    at(fromDoc, ["hostDNS"]) !== undefined
      ? at(fromDoc, ["hostDNS"])
      : at(legacy(config), ["machine", "features", "hostDNS"]);
  return {
    enabled: bool(src, ["enabled"]) === true,
    forwardKubeDNSToHost: bool(src, ["forwardKubeDNSToHost"]) === true,
  };
}

/** NTP servers the config names (TimeSyncConfig, else `.machine.time.servers`), and whether sync is off. */
export function configTime(config: MachineConfig | undefined): { servers: string[]; disabled: boolean } {
  const sync = doc(config, "TimeSyncConfig")?.data;
  const servers = strings(sync, ["ntp", "servers"]);
  const disabled =
    bool(sync, ["enabled"]) === false || bool(legacy(config), ["machine", "time", "disabled"]) === true;
  return {
    servers: servers.length > 0 ? servers : strings(legacy(config), ["machine", "time", "servers"]),
    disabled,
  };
}

/** Static host entries (StaticHostConfig, `.machine.network.extraHostEntries`): ip → names. */
export function configStaticHosts(config: MachineConfig | undefined): { ip: string; aliases: string[] }[] {
  const out: { ip: string; aliases: string[] }[] = [];
  for (const item of list(legacy(config), ["machine", "network", "extraHostEntries"])) {
    const ip = str(item, ["ip"]);
    if (ip !== "") out.push({ ip, aliases: strings(item, ["aliases"]) });
  }
  for (const d of docs(config, "StaticHostConfig")) {
    const ip = d.name ?? str(d.data, ["name"]);
    if (ip !== "") out.push({ ip, aliases: strings(d.data, ["hostnames"]) });
  }
  return out;
}

/** Kernel parameters the config sets (`.machine.sysctls`, SysctlConfig documents). */
export function configSysctls(config: MachineConfig | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const add = (map: unknown): void => {
    if (map === null || typeof map !== "object" || Array.isArray(map)) return;
    for (const [k, v] of Object.entries(map)) {
      if (typeof v === "string" || typeof v === "number") out.set(k, String(v));
    }
  };
  add(at(legacy(config), ["machine", "sysctls"]));
  for (const d of docs(config, "SysctlConfig")) add(at(d.data, ["params"]));
  return out;
}

/** Kernel modules the config loads (`.machine.kernel.modules`, KernelModuleConfig documents). */
export function configKernelModules(
  config: MachineConfig | undefined,
): { name: string; parameters: string[] }[] {
  const out = new Map<string, string[]>();
  for (const m of list(legacy(config), ["machine", "kernel", "modules"])) {
    const name = str(m, ["name"]);
    if (name !== "") out.set(name, strings(m, ["parameters"]));
  }
  for (const d of docs(config, "KernelModuleConfig")) {
    const name = d.name ?? str(d.data, ["name"]);
    if (name !== "") out.set(name, strings(d.data, ["parameters"]));
  }
  return [...out].map(([name, parameters]) => ({ name, parameters }));
}

/** The ImageCacheConfig document's settings (`.machine.features.imageCache` in v1alpha1 is not a thing). */
export function configImageCache(config: MachineConfig | undefined): { local: boolean } | undefined {
  const d = doc(config, "ImageCacheConfig");
  if (!d) return undefined;
  return { local: bool(d.data, ["local", "enabled"]) === true };
}

export interface DiscoverySettings {
  /** `.cluster.discovery.enabled` (or discovery service documents): the node takes part in discovery. */
  readonly enabled: boolean;
  /** Discovery service endpoints by name (URLs as written). */
  readonly services: readonly { readonly name: string; readonly endpoint: string }[];
  readonly kubernetesRegistry: boolean;
  readonly clusterId: string;
  readonly clusterSecret: string;
}

/**
 * Cluster discovery: DiscoveryServiceConfig documents (with DiscoveryIdentityConfig), or the
 * legacy `.cluster.discovery` section (one service named `default`); undefined without a
 * cluster section.
 */
export function configDiscovery(config: MachineConfig | undefined): DiscoverySettings | undefined {
  const cluster = at(legacy(config), ["cluster"]);
  const serviceDocs = docs(config, "DiscoveryServiceConfig");
  if (cluster === undefined && serviceDocs.length === 0) return undefined;
  const discovery = at(cluster, ["discovery"]);
  const enabled = bool(discovery, ["enabled"]) === true;
  const identity = doc(config, "DiscoveryIdentityConfig")?.data;
  let services = serviceDocs.map((d) => ({
    name: d.name ?? str(d.data, ["name"]),
    endpoint: str(d.data, ["endpoint"]) || "https://discovery.talos.dev/",
  }));
  if (services.length === 0 && enabled && bool(discovery, ["registries", "service", "disabled"]) !== true) {
    services = [
      {
        name: "default",
        endpoint: str(discovery, ["registries", "service", "endpoint"]) || "https://discovery.talos.dev/",
      },
    ];
  }
  return {
    enabled: enabled || serviceDocs.length > 0,
    services,
    // Each registry is on unless `disabled: true` (siderolabs/talos: v1alpha1 RegistryKubernetesConfig.Enabled).
    kubernetesRegistry: enabled && bool(discovery, ["registries", "kubernetes", "disabled"]) !== true,
    clusterId: str(identity, ["clusterID"]) || str(cluster, ["id"]),
    clusterSecret: str(identity, ["clusterSecret"]) || str(cluster, ["secret"]),
  };
}

/** Extensions listed for install (`.machine.install.extensions`). */
export function configInstallExtensions(config: MachineConfig | undefined): string[] {
  return list(legacy(config), ["machine", "install", "extensions"])
    .map((e) => str(e, ["image"]))
    .filter((e) => e !== "");
}

/** Environment variables the config sets for machined (`.machine.env`, EnvironmentConfig documents). */
export function configEnvironment(config: MachineConfig | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const add = (map: unknown): void => {
    if (map === null || typeof map !== "object" || Array.isArray(map)) return;
    for (const [k, v] of Object.entries(map)) if (typeof v === "string") out.set(k, v);
  };
  add(at(legacy(config), ["machine", "env"]));
  for (const d of docs(config, "EnvironmentConfig")) add(at(d.data, ["variables"]));
  return out;
}

/** The SideroLinkConfig document's unique machine token, if any. */
export function sideroLinkUniqueToken(config: MachineConfig | undefined): string {
  return docs(config, "SideroLinkConfig")
    .map((d) => str(d.data, ["uniqueToken"]))
    .reduce((last, token) => token || last, "");
}
