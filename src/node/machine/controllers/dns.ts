// The host DNS resolver's resources (siderolabs/talos: controllers/network/dns_resolve_cache.go,
// dns_upstream.go): while host DNS is enabled, a running cache per listen address and network
// (`udp-127.0.0.53:53`, `tcp-…`, `udp6-…` for IPv6), and an upstream per resolver, numbered in
// the resolvers' order (`#000 Do53 1.1.1.1`), each a handle printed as its address and health.

import { NethelpersDNSProtocolSchema } from "../../../gen/resource/definitions/enums/enums_pb.js";
import type {
  HostDNSConfigSpec,
  ResolverStatusSpec,
} from "../../../gen/resource/definitions/network/network_pb.js";
import { DNSResolveCacheSpecSchema } from "../../../gen/resource/definitions/network/network_pb.js";
import { type Controller, enumText, ipText, kindOf, messageKind, NS, spec } from "../../resources/index.js";
import type { MachineSource } from "./source.js";

export const DNS_RESOLVE_CACHE = messageKind("DNSResolveCaches.net.talos.dev", DNSResolveCacheSpecSchema);
export const DNS_UPSTREAM = kindOf("DNSUpstreams.net.talos.dev");

const HOST_DNS_CONFIGS = "HostDNSConfigs.net.talos.dev";
const RESOLVER_STATUSES = "ResolverStatuses.net.talos.dev";

/** Ports of the upstream protocols (Do53, DoT, DoH). */
const PROTOCOL_PORTS: readonly number[] = [53, 853, 443];

const hostDnsEnabled = (get: (ns: string, type: string, id: string) => { spec: unknown } | undefined) => {
  const cfg = get(NS.network, HOST_DNS_CONFIGS, "config")?.spec as HostDNSConfigSpec | undefined;
  return cfg?.enabled ? cfg : undefined;
};

const hostPort = (ip: string, port: number) => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);

const resolveCache: Controller<MachineSource> = {
  name: "network.DNSResolveCacheController",
  inputs: [],
  reads: [{ namespace: NS.network, type: HOST_DNS_CONFIGS }],
  run({ get, put }) {
    const cfg = hostDnsEnabled(get);
    if (!cfg) return;
    for (const listen of cfg.listenAddresses) {
      const ip = ipText(listen.ip);
      const v6 = listen.ip.length === 16;
      for (const network of v6 ? ["udp6", "tcp6"] : ["udp", "tcp"]) {
        put(
          DNS_RESOLVE_CACHE,
          NS.network,
          `${network}-${hostPort(ip, listen.port)}`,
          spec(DNSResolveCacheSpecSchema, { status: "running" }),
        );
      }
    }
  },
};

const upstreams: Controller<MachineSource> = {
  name: "network.DNSUpstreamController",
  inputs: [],
  reads: [
    { namespace: NS.network, type: HOST_DNS_CONFIGS },
    { namespace: NS.network, type: RESOLVER_STATUSES },
  ],
  run({ get, put }) {
    if (!hostDnsEnabled(get)) return;
    const status = get(NS.network, RESOLVER_STATUSES, "resolvers")?.spec as ResolverStatusSpec | undefined;
    status?.nameServers.forEach((server, i) => {
      const ip = ipText(server.addr?.ip ?? new Uint8Array());
      const protocol = enumText(NethelpersDNSProtocolSchema, server.protocol);
      const id = `#${String(i).padStart(3, "0")} ${protocol} ${ip}`;
      // The emulated upstreams answer: no failed exchanges.
      put(DNS_UPSTREAM, NS.network, id, {
        addr: hostPort(ip, PROTOCOL_PORTS[server.protocol] ?? 53),
        healthy: "true",
      } as never);
    });
  },
};

export const DNS_CONTROLLERS: readonly Controller<MachineSource>[] = [resolveCache, upstreams];
