// The naming controllers: hostname, resolvers and time servers (specs per layer, merged,
// status), the host DNS config and the overall network status.
import { isIP } from "node:net";
import { NetIPPortSchema, NetIPSchema } from "../../../gen/common/common_pb.js";
import { NethelpersDNSProtocol } from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  HostDNSConfigSpecSchema,
  HostnameSpecSpecSchema,
  HostnameStatusSpecSchema,
  NameServerSpecSchema,
  ResolverSpecSpecSchema,
  ResolverStatusSpecSchema,
  StatusSpecSchema,
  TimeServerSpecSpecSchema,
  TimeServerStatusSpecSchema,
} from "../../../gen/resource/definitions/network/network_pb.js";
import { type Controller, ipBytes, NS, spec } from "../../resources/index.js";
import { DEFAULT_TIME_SERVER } from "../config.js";
import {
  configHostname,
  configNameservers,
  configSearchDomains,
  configTime,
  hostDns,
} from "./config-facts.js";
import { platformNetwork, splitFqdn } from "./net-model.js";
import {
  DEFAULT_RESOLVERS,
  HOST_DNS_CONFIG,
  HOST_DNS_LISTEN,
  HOSTNAME_SPEC,
  HOSTNAME_STATUS,
  highest,
  LAYER,
  type Layer,
  NETWORK_STATUS,
  netIp,
  RESOLVER_SPEC,
  RESOLVER_STATUS,
  SERVICE_HOST_DNS,
  TIME_SERVER_SPEC,
  TIME_SERVER_STATUS,
} from "./network-common.js";
import { INPUT, type MachineSource } from "./source.js";

// ---------------------------------------------------------------------------------------------
// Hostname.

interface HostnameLayer {
  readonly layer: Layer;
  readonly fqdn: string;
}

function hostnameLayers(source: MachineSource): HostnameLayer[] {
  const out: HostnameLayer[] = [{ layer: "default", fqdn: source.defaultHostname }];
  // The metal platform's network config names the platform's hostname; otherwise a hostname
  // given to talos-node stands for the one a platform would supply.
  const platform = platformNetwork(source)?.hostname ?? source.hostnameFlag;
  if (platform) out.push({ layer: "platform", fqdn: platform });
  const configured = configHostname(source.active());
  if (configured) out.push({ layer: "configuration", fqdn: configured });
  return out;
}

function hostnameSpec(h: HostnameLayer) {
  const { hostname, domainname } = splitFqdn(h.fqdn);
  return spec(HostnameSpecSpecSchema, { hostname, domainname, configLayer: LAYER[h.layer] });
}

export const hostnameConfig: Controller<MachineSource> = {
  name: "network.HostnameConfigController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    for (const h of hostnameLayers(source))
      put(HOSTNAME_SPEC, NS.networkConfig, `${h.layer}/hostname`, hostnameSpec(h));
  },
};

export const hostnameMerge: Controller<MachineSource> = {
  name: "network.HostnameMergeController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    const top = highest(hostnameLayers(source));
    if (top) put(HOSTNAME_SPEC, NS.network, "hostname", hostnameSpec(top));
  },
};

export const hostnameStatus: Controller<MachineSource> = {
  name: "network.HostnameSpecController",
  inputs: [],
  reads: [{ namespace: NS.network, type: HOSTNAME_SPEC.definition.type }],
  run({ get, put }) {
    const merged = get(NS.network, HOSTNAME_SPEC.definition.type, "hostname")?.spec as
      | { hostname: string; domainname: string }
      | undefined;
    if (!merged) return;
    put(
      HOSTNAME_STATUS,
      NS.network,
      "hostname",
      spec(HostnameStatusSpecSchema, { hostname: merged.hostname, domainname: merged.domainname }),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Resolvers and time servers.

function resolverLayers(source: MachineSource): { layer: Layer; servers: string[] }[] {
  const out: { layer: Layer; servers: string[] }[] = [{ layer: "default", servers: DEFAULT_RESOLVERS }];
  const platform = (platformNetwork(source)?.dnsServers ?? []).filter((s) => isIP(s) !== 0);
  if (platform.length > 0) out.push({ layer: "platform", servers: platform });
  const configured = configNameservers(source.active()).filter((s) => isIP(s) !== 0);
  if (configured.length > 0) out.push({ layer: "configuration", servers: configured });
  return out;
}

function searchDomains(source: MachineSource, hostnameDomain: string): string[] {
  const { domains, disableDefault } = configSearchDomains(source.active());
  const out = [...domains];
  if (!disableDefault && hostnameDomain !== "" && !out.includes(hostnameDomain)) out.unshift(hostnameDomain);
  return out;
}

function resolverSpec(layer: Layer, servers: readonly string[], domains: readonly string[]) {
  return spec(ResolverSpecSpecSchema, {
    dnsServers: servers.map(netIp),
    configLayer: LAYER[layer],
    searchDomains: [...domains],
  });
}

export const resolverConfig: Controller<MachineSource> = {
  name: "network.ResolverConfigController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    for (const l of resolverLayers(source)) {
      const domains = l.layer === "configuration" ? configSearchDomains(source.active()).domains : [];
      put(RESOLVER_SPEC, NS.networkConfig, `${l.layer}/resolvers`, resolverSpec(l.layer, l.servers, domains));
    }
  },
};

export const resolverMerge: Controller<MachineSource> = {
  name: "network.ResolverMergeController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    const top = highest(resolverLayers(source));
    if (!top) return;
    const domains = top.layer === "configuration" ? configSearchDomains(source.active()).domains : [];
    put(RESOLVER_SPEC, NS.network, "resolvers", resolverSpec(top.layer, top.servers, domains));
  },
};

export const resolverStatus: Controller<MachineSource> = {
  name: "network.ResolverSpecController",
  inputs: [INPUT.config, INPUT.meta],
  reads: [
    { namespace: NS.network, type: RESOLVER_SPEC.definition.type },
    { namespace: NS.network, type: HOSTNAME_STATUS.definition.type },
  ],
  run({ source, get, put }) {
    const merged = get(NS.network, RESOLVER_SPEC.definition.type, "resolvers")?.spec as
      | { dnsServers: { ip: Uint8Array }[] }
      | undefined;
    if (!merged) return;
    const hostname = get(NS.network, HOSTNAME_STATUS.definition.type, "hostname")?.spec as
      | { domainname: string }
      | undefined;
    put(
      RESOLVER_STATUS,
      NS.network,
      "resolvers",
      spec(ResolverStatusSpecSchema, {
        dnsServers: merged.dnsServers.map((s) => spec(NetIPSchema, { ip: s.ip })),
        nameServers: merged.dnsServers.map((s) =>
          spec(NameServerSpecSchema, {
            addr: spec(NetIPSchema, { ip: s.ip }),
            protocol: NethelpersDNSProtocol.DNS_PROTOCOL_DEFAULT,
          }),
        ),
        searchDomains: searchDomains(source, hostname?.domainname ?? ""),
      }),
    );
  },
};

function timeLayers(source: MachineSource): { layer: Layer; servers: string[] }[] {
  const out: { layer: Layer; servers: string[] }[] = [{ layer: "default", servers: [DEFAULT_TIME_SERVER] }];
  const platform = platformNetwork(source)?.timeServers ?? [];
  if (platform.length > 0) out.push({ layer: "platform", servers: [...platform] });
  const { servers } = configTime(source.active());
  if (servers.length > 0) out.push({ layer: "configuration", servers });
  return out;
}

export const timeServerConfig: Controller<MachineSource> = {
  name: "network.TimeServerConfigController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    for (const l of timeLayers(source)) {
      put(
        TIME_SERVER_SPEC,
        NS.networkConfig,
        `${l.layer}/timeservers`,
        spec(TimeServerSpecSpecSchema, { ntpServers: l.servers, configLayer: LAYER[l.layer] }),
      );
    }
  },
};

export const timeServerMerge: Controller<MachineSource> = {
  name: "network.TimeServerMergeController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    const top = highest(timeLayers(source));
    if (top) {
      put(
        TIME_SERVER_SPEC,
        NS.network,
        "timeservers",
        spec(TimeServerSpecSpecSchema, { ntpServers: top.servers, configLayer: LAYER[top.layer] }),
      );
    }
  },
};

export const timeServerStatus: Controller<MachineSource> = {
  name: "network.TimeServerSpecController",
  inputs: [],
  reads: [{ namespace: NS.network, type: TIME_SERVER_SPEC.definition.type }],
  run({ get, put }) {
    const merged = get(NS.network, TIME_SERVER_SPEC.definition.type, "timeservers")?.spec as
      | { ntpServers: string[] }
      | undefined;
    if (merged) {
      put(
        TIME_SERVER_STATUS,
        NS.network,
        "timeservers",
        spec(TimeServerStatusSpecSchema, { ntpServers: [...merged.ntpServers] }),
      );
    }
  },
};

export const hostDnsConfig: Controller<MachineSource> = {
  name: "network.HostDNSConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const dns = hostDns(source.active());
    const listen = [spec(NetIPPortSchema, { ip: ipBytes(HOST_DNS_LISTEN), port: 53 })];
    if (dns.enabled && dns.forwardKubeDNSToHost)
      listen.push(spec(NetIPPortSchema, { ip: ipBytes(SERVICE_HOST_DNS), port: 53 }));
    put(
      HOST_DNS_CONFIG,
      NS.network,
      "config",
      spec(HostDNSConfigSpecSchema, {
        enabled: dns.enabled,
        listenAddresses: dns.enabled ? listen : [],
        ...(dns.enabled && dns.forwardKubeDNSToHost
          ? { serviceHostDnsAddress: netIp(SERVICE_HOST_DNS) }
          : {}),
      }),
    );
  },
};

export const networkStatus: Controller<MachineSource> = {
  name: "network.StatusController",
  inputs: [INPUT.network],
  reads: [{ namespace: NS.files, type: "EtcFileStatuses.files.talos.dev" }],
  run({ source, list, put }) {
    const ready = source.networkReady();
    put(
      NETWORK_STATUS,
      NS.network,
      "status",
      spec(StatusSpecSchema, {
        addressReady: ready,
        connectivityReady: ready,
        hostnameReady: true,
        etcFilesReady: list(NS.files, "EtcFileStatuses.files.talos.dev").length > 0,
      }),
    );
  },
};
