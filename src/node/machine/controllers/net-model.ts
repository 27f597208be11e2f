// The emulated machine's network: a loopback link and one NIC (`eth0`, a virtio NIC on metal and
// cloud, the container's veth in container mode) whose addresses are the node's addresses, got
// by DHCP unless the config gives the link static addresses; a default route through the first
// address of the NIC's network. Talos's address, route and link controllers read these as they
// would read the kernel's netlink state.

import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { MachineConfig } from "../config.js";
import { metalPlatformNetwork, type PlatformNetwork } from "../platform-network.js";
import { configLinks, type LinkSettings, type StaticRoute } from "./config-facts.js";
import type { MachineSource } from "./source.js";

export const LOOPBACK = "lo";
export const NIC = "eth0";
export const LOOPBACK_INDEX = 1;
export const NIC_INDEX = 2;
/** The route metric (and address priority) Talos uses for DHCP and static routes. */
export const DEFAULT_ROUTE_METRIC = 1024;
/** The kernel's metric of IPv6 link routes. */
export const IPV6_LINK_METRIC = 256;

export interface NetAddress {
  readonly link: string;
  readonly linkIndex: number;
  /** `10.5.0.2/24` */
  readonly cidr: string;
  readonly ip: string;
  readonly bits: number;
  readonly family: "inet4" | "inet6";
  readonly scope: "global" | "link" | "host";
  readonly permanent: boolean;
  readonly priority: number;
  /** The config layer that asked for it; undefined for what the kernel assigns itself. */
  readonly layer: "default" | "operator" | "platform" | "configuration" | undefined;
}

export interface NetRoute {
  readonly family: "inet4" | "inet6";
  /** CIDR; empty for the default route. */
  readonly destination: string;
  readonly source: string;
  readonly gateway: string;
  readonly link: string;
  readonly linkIndex: number;
  readonly table: "main" | "local";
  readonly priority: number;
  readonly scope: "global" | "link" | "host";
  readonly type: "unicast" | "local" | "broadcast" | "multicast";
  readonly protocol: "kernel" | "static" | "dhcp" | "boot";
  readonly mtu: number;
  readonly layer: "operator" | "configuration" | undefined;
}

export interface NetModel {
  readonly mac: Uint8Array;
  readonly nicMtu: number;
  /** The config's settings for the NIC, if it names it. */
  readonly nicConfig: LinkSettings | undefined;
  /** Whether the NIC's addresses come from DHCP (no static addresses configured). */
  readonly dhcp: boolean;
  readonly addresses: readonly NetAddress[];
  readonly routes: readonly NetRoute[];
}

/** A locally administered MAC address, stable for the machine (QEMU's 52:54:00 prefix). */
export function nicMac(machineUuid: string): Uint8Array {
  const h = createHash("sha256").update(`nic:${machineUuid}`).digest();
  return Uint8Array.from([0x52, 0x54, 0x00, h[0]!, h[1]!, h[2]!]);
}

function splitCidr(cidr: string): { ip: string; bits: number } | undefined {
  const slash = cidr.indexOf("/");
  const ip = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = isIP(ip);
  if (family === 0) return undefined;
  const bits = slash < 0 ? (family === 4 ? 32 : 128) : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) return undefined;
  return { ip, bits };
}

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

function intToV4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** The network an IPv4 address is in, and its broadcast address. */
export function v4Network(ip: string, bits: number): { network: string; broadcast: string; first: string } {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = v4ToInt(ip) & mask;
  const bcast = (net | (~mask >>> 0)) >>> 0;
  return { network: intToV4(net), broadcast: intToV4(bcast), first: intToV4((net + 1) >>> 0) };
}

/** The IPv6 link-local address of a MAC (EUI-64). */
export function linkLocal(mac: Uint8Array): string {
  const b = Array.from(mac);
  const eui = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((eui[i]! << 8) | eui[i + 1]!).toString(16));
  return `fe80::${groups.join(":")}`;
}

/** The addresses the node answers on, apart from the loopback address lo keeps. */
function nicDhcpAddresses(addresses: readonly string[]): string[] {
  const own = addresses.filter((a) => a !== "127.0.0.1" && a !== "::1");
  return own.length > 0 ? own : addresses.slice(0, 1);
}

/** The platform network config the machine follows: on metal, META key 0x0a's. */
export function platformNetwork(source: MachineSource): PlatformNetwork | undefined {
  return source.platform.mode === "metal" ? metalPlatformNetwork(source.meta()) : undefined;
}

/** The network as the machine has it with this config. */
export function netModel(
  source: MachineSource,
  config: MachineConfig | undefined = source.active(),
): NetModel {
  const mac = nicMac(source.machineUuid);
  const nicConfig = configLinks(config).find((l) => l.name === NIC);
  const statics = (nicConfig?.addresses ?? []).map(splitCidr).filter((a) => a !== undefined);
  const dhcp = statics.length === 0;
  const addresses: NetAddress[] = [
    {
      link: LOOPBACK,
      linkIndex: LOOPBACK_INDEX,
      cidr: "127.0.0.1/8",
      ip: "127.0.0.1",
      bits: 8,
      family: "inet4",
      scope: "host",
      permanent: true,
      priority: 0,
      layer: "default",
    },
    {
      link: LOOPBACK,
      linkIndex: LOOPBACK_INDEX,
      cidr: "::1/128",
      ip: "::1",
      bits: 128,
      family: "inet6",
      scope: "host",
      permanent: true,
      priority: 0,
      layer: undefined,
    },
  ];
  const nicAddresses = dhcp
    ? nicDhcpAddresses(source.addresses).map((ip) => ({ ip, bits: isIP(ip) === 4 ? 24 : 64 }))
    : statics;
  for (const a of nicAddresses) {
    const v4 = isIP(a.ip) === 4;
    addresses.push({
      link: NIC,
      linkIndex: NIC_INDEX,
      cidr: `${a.ip}/${a.bits}`,
      ip: a.ip,
      bits: a.bits,
      family: v4 ? "inet4" : "inet6",
      scope: "global",
      permanent: !dhcp,
      priority: DEFAULT_ROUTE_METRIC,
      layer: dhcp ? "operator" : "configuration",
    });
  }
  // The metal platform's network config (META 0x0a) adds its static addresses to the NIC.
  for (const cidr of platformNetwork(source)?.addresses ?? []) {
    const a = splitCidr(cidr);
    if (a === undefined || addresses.some((x) => x.cidr === `${a.ip}/${a.bits}`)) continue;
    addresses.push({
      link: NIC,
      linkIndex: NIC_INDEX,
      cidr: `${a.ip}/${a.bits}`,
      ip: a.ip,
      bits: a.bits,
      family: isIP(a.ip) === 4 ? "inet4" : "inet6",
      scope: "global",
      permanent: true,
      priority: DEFAULT_ROUTE_METRIC,
      layer: "platform",
    });
  }
  const ll = linkLocal(mac);
  addresses.push({
    link: NIC,
    linkIndex: NIC_INDEX,
    cidr: `${ll}/64`,
    ip: ll,
    bits: 64,
    family: "inet6",
    scope: "link",
    permanent: true,
    priority: IPV6_LINK_METRIC,
    layer: undefined,
  });
  const nicMtu = nicConfig?.mtu ?? 1500;
  return { mac, nicMtu, nicConfig, dhcp, addresses, routes: routesOf(addresses, nicConfig, dhcp) };
}

function routesOf(
  addresses: readonly NetAddress[],
  nicConfig: LinkSettings | undefined,
  dhcp: boolean,
): NetRoute[] {
  const routes: NetRoute[] = [];
  const base = { mtu: 0, layer: undefined } as const;
  const nic4 = addresses.filter((a) => a.link === NIC && a.family === "inet4");
  // Routes the kernel adds for each address: the link route, and the local table's entries.
  for (const a of addresses) {
    if (a.family === "inet4") {
      const { network, broadcast } = v4Network(a.ip, a.bits);
      if (a.link === NIC) {
        routes.push({
          ...base,
          family: "inet4",
          destination: `${network}/${a.bits}`,
          source: a.ip,
          gateway: "",
          link: a.link,
          linkIndex: a.linkIndex,
          table: "main",
          priority: a.priority,
          scope: "link",
          type: "unicast",
          protocol: "kernel",
        });
      } else {
        routes.push({
          ...base,
          family: "inet4",
          destination: `${network}/${a.bits}`,
          source: a.ip,
          gateway: "",
          link: a.link,
          linkIndex: a.linkIndex,
          table: "local",
          priority: 0,
          scope: "host",
          type: "local",
          protocol: "kernel",
        });
      }
      routes.push({
        ...base,
        family: "inet4",
        destination: `${a.ip}/32`,
        source: a.ip,
        gateway: "",
        link: a.link,
        linkIndex: a.linkIndex,
        table: "local",
        priority: 0,
        scope: "host",
        type: "local",
        protocol: "kernel",
      });
      if (a.bits < 31) {
        routes.push({
          ...base,
          family: "inet4",
          destination: `${broadcast}/32`,
          source: a.ip,
          gateway: "",
          link: a.link,
          linkIndex: a.linkIndex,
          table: "local",
          priority: 0,
          scope: "link",
          type: "broadcast",
          protocol: "kernel",
        });
      }
    } else {
      if (a.scope === "link") {
        routes.push({
          ...base,
          family: "inet6",
          destination: "fe80::/64",
          source: "",
          gateway: "",
          link: a.link,
          linkIndex: a.linkIndex,
          table: "main",
          priority: IPV6_LINK_METRIC,
          scope: "global",
          type: "unicast",
          protocol: "kernel",
        });
      }
      routes.push({
        ...base,
        family: "inet6",
        destination: `${a.ip}/128`,
        source: "",
        gateway: "",
        link: a.link,
        linkIndex: a.linkIndex,
        table: "local",
        priority: 0,
        scope: "global",
        type: "local",
        protocol: "kernel",
      });
    }
  }
  // The default route: from DHCP (through the first address of the network), or as configured.
  const configured: readonly StaticRoute[] = nicConfig?.routes ?? [];
  if (dhcp && nic4[0]) {
    const a = nic4[0];
    routes.push({
      family: "inet4",
      destination: "",
      source: a.ip,
      gateway: v4Network(a.ip, a.bits).first,
      link: NIC,
      linkIndex: NIC_INDEX,
      table: "main",
      priority: DEFAULT_ROUTE_METRIC,
      scope: "global",
      type: "unicast",
      protocol: "dhcp",
      mtu: 0,
      layer: "operator",
    });
  }
  for (const r of configured) {
    const v6 = isIP(r.gateway) === 6 || (r.network.includes(":") && r.gateway === "");
    const destination = r.network === "0.0.0.0/0" || r.network === "::/0" ? "" : r.network;
    routes.push({
      family: v6 ? "inet6" : "inet4",
      destination,
      source: "",
      gateway: r.gateway,
      link: NIC,
      linkIndex: NIC_INDEX,
      table: "main",
      priority: r.metric ?? DEFAULT_ROUTE_METRIC,
      scope: r.gateway === "" ? "link" : "global",
      type: "unicast",
      protocol: "static",
      mtu: r.mtu ?? 0,
      layer: "configuration",
    });
  }
  return routes;
}

/** Talos's route id: `[table/][link/ for IPv6]family/gateway/destination/priority`. */
export function routeId(r: NetRoute): string {
  let prefix = r.table === "main" ? "" : `${r.table}/`;
  if (r.family === "inet6") prefix += `${r.link}/`;
  return `${prefix}${r.family}/${r.gateway}/${r.destination}/${r.priority}`;
}

/** Splits a hostname into its first label and its domain, as Talos's hostname spec does. */
export function splitFqdn(name: string): { hostname: string; domainname: string } {
  const dot = name.indexOf(".");
  return dot < 0
    ? { hostname: name, domainname: "" }
    : { hostname: name.slice(0, dot), domainname: name.slice(dot + 1) };
}
