// The network controllers, in Talos's chain (siderolabs/talos:
// internal/app/machined/pkg/controllers/network): config controllers write specs per layer into
// `network-config` (default < platform < operator < configuration), merge controllers pick the
// highest layer into `network`, and status controllers report what the machine has (links,
// addresses, routes, hostname, resolvers, time servers, node addresses, /etc files).
import { isIP } from "node:net";
import { NetIPPortSchema, NetIPPrefixSchema, NetIPSchema } from "../../../gen/common/common_pb.js";
import {
  NethelpersAddressFlag,
  NethelpersAddressSortAlgorithm,
  NethelpersDNSProtocol,
  NethelpersDuplex,
  NethelpersFamily,
  NethelpersLinkType,
  NethelpersOperationalState,
  NethelpersPort,
  NethelpersRouteProtocol,
  NethelpersRouteType,
  NethelpersRoutingTable,
  NethelpersScope,
  NetworkConfigLayer,
  NetworkOperator,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  EtcFileSpecSpecSchema,
  EtcFileStatusSpecSchema,
} from "../../../gen/resource/definitions/files/files_pb.js";
import { NodenameSpecSchema } from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import {
  AddressSpecSpecSchema,
  AddressStatusSpecSchema,
  DHCP4OperatorSpecSchema,
  EthernetStatusSpecSchema,
  HardwareAddrSpecSchema,
  HostDNSConfigSpecSchema,
  HostnameSpecSpecSchema,
  HostnameStatusSpecSchema,
  LinkSpecSpecSchema,
  LinkStatusSpecSchema,
  NameServerSpecSchema,
  NodeAddressSortAlgorithmSpecSchema,
  NodeAddressSpecSchema,
  OperatorSpecSpecSchema,
  ResolverSpecSpecSchema,
  ResolverStatusSpecSchema,
  RouteSpecSpecSchema,
  RouteStatusSpecSchema,
  StaticHostSpecSchema,
  StatusSpecSchema,
  TimeServerSpecSpecSchema,
  TimeServerStatusSpecSchema,
} from "../../../gen/resource/definitions/network/network_pb.js";
import {
  type Controller,
  ipBytes,
  ipText,
  linkFlags,
  messageKind,
  NS,
  type Resource,
  type ResourceStore,
  spec,
} from "../../resources/index.js";
import { DEFAULT_TIME_SERVER, isComplete } from "../config.js";
import {
  configHostname,
  configNameservers,
  configSearchDomains,
  configStaticHosts,
  configTime,
  hostDns,
} from "./config-facts.js";
import {
  LOOPBACK,
  LOOPBACK_INDEX,
  type NetAddress,
  type NetRoute,
  NIC,
  NIC_INDEX,
  netModel,
  platformNetwork,
  routeId,
  splitFqdn,
} from "./net-model.js";
import { INPUT, type MachineSource } from "./source.js";

export const HOSTNAME_SPEC = messageKind("HostnameSpecs.net.talos.dev", HostnameSpecSpecSchema);
export const HOSTNAME_STATUS = messageKind("HostnameStatuses.net.talos.dev", HostnameStatusSpecSchema);
export const RESOLVER_SPEC = messageKind("ResolverSpecs.net.talos.dev", ResolverSpecSpecSchema);
export const RESOLVER_STATUS = messageKind("ResolverStatuses.net.talos.dev", ResolverStatusSpecSchema);
export const TIME_SERVER_SPEC = messageKind("TimeServerSpecs.net.talos.dev", TimeServerSpecSpecSchema);
export const TIME_SERVER_STATUS = messageKind("TimeServerStatuses.net.talos.dev", TimeServerStatusSpecSchema);
export const ADDRESS_SPEC = messageKind("AddressSpecs.net.talos.dev", AddressSpecSpecSchema);
export const ADDRESS_STATUS = messageKind("AddressStatuses.net.talos.dev", AddressStatusSpecSchema);
export const ROUTE_SPEC = messageKind("RouteSpecs.net.talos.dev", RouteSpecSpecSchema);
export const ROUTE_STATUS = messageKind("RouteStatuses.net.talos.dev", RouteStatusSpecSchema);
export const LINK_SPEC = messageKind("LinkSpecs.net.talos.dev", LinkSpecSpecSchema);
export const LINK_STATUS = messageKind("LinkStatuses.net.talos.dev", LinkStatusSpecSchema);
export const OPERATOR_SPEC = messageKind("OperatorSpecs.net.talos.dev", OperatorSpecSpecSchema);
export const NODE_ADDRESS = messageKind("NodeAddresses.net.talos.dev", NodeAddressSpecSchema);
export const NODE_ADDRESS_SORT = messageKind(
  "NodeAddressSortAlgorithms.net.talos.dev",
  NodeAddressSortAlgorithmSpecSchema,
);
export const HARDWARE_ADDRESS = messageKind("HardwareAddresses.net.talos.dev", HardwareAddrSpecSchema);
export const NETWORK_STATUS = messageKind("NetworkStatuses.net.talos.dev", StatusSpecSchema);
export const HOST_DNS_CONFIG = messageKind("HostDNSConfigs.net.talos.dev", HostDNSConfigSpecSchema);
export const ETHERNET_STATUS = messageKind("EthernetStatuses.net.talos.dev", EthernetStatusSpecSchema);
export const ETC_FILE_SPEC = messageKind("EtcFileSpecs.files.talos.dev", EtcFileSpecSpecSchema);
export const ETC_FILE_STATUS = messageKind("EtcFileStatuses.files.talos.dev", EtcFileStatusSpecSchema);
export const STATIC_HOST = messageKind("StaticHosts.net.talos.dev", StaticHostSpecSchema);
export const NODENAME = messageKind("Nodenames.kubernetes.talos.dev", NodenameSpecSchema);

/** Talos's default resolvers and its host DNS addresses. */
const DEFAULT_RESOLVERS = ["1.1.1.1", "8.8.8.8"];
const HOST_DNS_LISTEN = "127.0.0.53";
const SERVICE_HOST_DNS = "169.254.116.108";
/** SELinux label of the files Talos writes under /etc. */
const ETC_SELINUX_LABEL = "system_u:object_r:etc_t:s0";

type Layer = "default" | "platform" | "operator" | "configuration";
const LAYER: Readonly<Record<Layer, NetworkConfigLayer>> = {
  default: NetworkConfigLayer.CONFIG_DEFAULT,
  platform: NetworkConfigLayer.CONFIG_PLATFORM,
  operator: NetworkConfigLayer.CONFIG_OPERATOR,
  configuration: NetworkConfigLayer.CONFIG_MACHINE_CONFIGURATION,
};

const netIp = (ip: string) => spec(NetIPSchema, { ip: ipBytes(ip) });
const prefix = (cidr: string) => {
  if (cidr === "") return spec(NetIPPrefixSchema);
  const [ip = "", bits = "0"] = cidr.split("/");
  return spec(NetIPPrefixSchema, { ip: ipBytes(ip), prefixLength: Number(bits) });
};
const family = (f: "inet4" | "inet6") =>
  f === "inet4" ? NethelpersFamily.FAMILY_INET4 : NethelpersFamily.FAMILY_INET6;
const scope = (s: NetAddress["scope"]) =>
  s === "global"
    ? NethelpersScope.SCOPE_GLOBAL
    : s === "link"
      ? NethelpersScope.SCOPE_LINK
      : NethelpersScope.SCOPE_HOST;

/** The value of the highest layer among the resources of one merged id. */
function highest<T extends { layer: Layer }>(items: readonly T[]): T | undefined {
  const order: Layer[] = ["default", "platform", "operator", "configuration"];
  return [...items].sort((a, b) => order.indexOf(b.layer) - order.indexOf(a.layer))[0];
}

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

const hostnameConfig: Controller<MachineSource> = {
  name: "network.HostnameConfigController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    for (const h of hostnameLayers(source))
      put(HOSTNAME_SPEC, NS.networkConfig, `${h.layer}/hostname`, hostnameSpec(h));
  },
};

const hostnameMerge: Controller<MachineSource> = {
  name: "network.HostnameMergeController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    const top = highest(hostnameLayers(source));
    if (top) put(HOSTNAME_SPEC, NS.network, "hostname", hostnameSpec(top));
  },
};

const hostnameStatus: Controller<MachineSource> = {
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
// Links.

const linkConfig: Controller<MachineSource> = {
  name: "network.LinkConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    put(
      LINK_SPEC,
      NS.networkConfig,
      `default/${LOOPBACK}`,
      spec(LinkSpecSpecSchema, {
        name: LOOPBACK,
        up: true,
        type: NethelpersLinkType.LINK_LOOPBCK,
        configLayer: LAYER.default,
      }),
    );
    const model = netModel(source);
    if (model.nicConfig) {
      put(
        LINK_SPEC,
        NS.networkConfig,
        `configuration/${NIC}`,
        spec(LinkSpecSpecSchema, {
          name: NIC,
          up: true,
          mtu: model.nicConfig.mtu ?? 0,
          type: NethelpersLinkType.LINK_ETHER,
          configLayer: LAYER.configuration,
        }),
      );
    }
  },
};

const linkMerge: Controller<MachineSource> = {
  name: "network.LinkMergeController",
  inputs: [],
  reads: [{ namespace: NS.networkConfig, type: LINK_SPEC.definition.type }],
  run({ list, put }) {
    mergeLayered(list(NS.networkConfig, LINK_SPEC.definition.type), (id, r) =>
      put(LINK_SPEC, NS.network, id, r.spec as never),
    );
  },
};

/** Groups layered resources (`<layer>/<id>`) by id and keeps the highest layer's. */
function mergeLayered(resources: readonly Resource[], put: (id: string, r: Resource) => void): void {
  const byId = new Map<string, { layer: Layer; r: Resource }[]>();
  for (const r of resources) {
    const slash = r.id.indexOf("/");
    const layer = r.id.slice(0, slash) as Layer;
    const id = r.id.slice(slash + 1);
    byId.set(id, [...(byId.get(id) ?? []), { layer, r }]);
  }
  for (const [id, items] of byId) {
    const top = highest(items);
    if (top) put(id, top.r);
  }
}

const linkStatus: Controller<MachineSource> = {
  name: "network.LinkStatusController",
  inputs: [INPUT.config, INPUT.network],
  run({ source, put }) {
    const container = source.platform.mode === "container";
    const up = source.networkReady();
    put(
      LINK_STATUS,
      NS.network,
      LOOPBACK,
      spec(LinkStatusSpecSchema, {
        index: LOOPBACK_INDEX,
        type: NethelpersLinkType.LINK_LOOPBCK,
        flags: linkFlags("UP", "LOOPBACK", "RUNNING", "LOWER_UP"),
        hardwareAddr: new Uint8Array(6),
        permanentAddr: new Uint8Array(),
        broadcastAddr: new Uint8Array(6),
        mtu: 65536,
        queueDisc: "noqueue",
        operationalState: NethelpersOperationalState.OPER_STATE_UNKNOWN,
        port: NethelpersPort.OTHER,
        duplex: NethelpersDuplex.UNKNOWN,
      }),
    );
    const model = netModel(source);
    put(
      LINK_STATUS,
      NS.network,
      NIC,
      spec(LinkStatusSpecSchema, {
        index: NIC_INDEX,
        type: NethelpersLinkType.LINK_ETHER,
        flags: up
          ? linkFlags("UP", "BROADCAST", "RUNNING", "MULTICAST", "LOWER_UP")
          : linkFlags("BROADCAST", "MULTICAST"),
        hardwareAddr: model.mac,
        permanentAddr: container ? new Uint8Array() : model.mac,
        broadcastAddr: Uint8Array.from([255, 255, 255, 255, 255, 255]),
        mtu: model.nicMtu,
        queueDisc: container ? "noqueue" : "pfifo_fast",
        operationalState: up
          ? NethelpersOperationalState.OPER_STATE_UP
          : NethelpersOperationalState.OPER_STATE_DOWN,
        kind: container ? "veth" : "",
        ...(container
          ? { driver: "veth", driverVersion: "1.0" }
          : {
              busPath: "0000:00:03.0",
              pciid: "1AF4:1000",
              driver: "virtio_net",
              driverVersion: "1.0.0",
              productId: "0x1000",
              vendorId: "0x1af4",
              product: "Virtio network device",
              vendor: "Red Hat, Inc.",
            }),
        linkState: up,
        port: NethelpersPort.OTHER,
        duplex: NethelpersDuplex.UNKNOWN,
      }),
    );
  },
};

const ethernetStatus: Controller<MachineSource> = {
  name: "network.EthernetStatusController",
  inputs: [INPUT.network],
  run({ source, put }) {
    if (source.platform.mode === "container") return;
    put(
      ETHERNET_STATUS,
      NS.network,
      NIC,
      spec(EthernetStatusSpecSchema, {
        linkState: source.networkReady(),
        port: NethelpersPort.OTHER,
        duplex: NethelpersDuplex.UNKNOWN,
      }),
    );
  },
};

const hardwareAddress: Controller<MachineSource> = {
  name: "network.HardwareAddrController",
  inputs: [],
  run({ source, put }) {
    put(
      HARDWARE_ADDRESS,
      NS.network,
      "first",
      spec(HardwareAddrSpecSchema, { name: NIC, hardwareAddr: netModel(source).mac }),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Addresses and routes.

function addressSpec(a: NetAddress) {
  return spec(AddressSpecSpecSchema, {
    address: prefix(a.cidr),
    linkName: a.link,
    family: family(a.family),
    scope: scope(a.scope),
    flags: a.permanent ? NethelpersAddressFlag.ADDRESS_PERMANENT : 0,
    priority: a.priority,
    configLayer: LAYER[a.layer ?? "default"],
  });
}

const addressConfig: Controller<MachineSource> = {
  name: "network.AddressConfigController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    for (const a of netModel(source).addresses) {
      if (a.layer === undefined) continue;
      put(ADDRESS_SPEC, NS.networkConfig, `${a.layer}/${a.link}/${a.cidr}`, addressSpec(a));
    }
  },
};

const addressMerge: Controller<MachineSource> = {
  name: "network.AddressMergeController",
  inputs: [],
  reads: [{ namespace: NS.networkConfig, type: ADDRESS_SPEC.definition.type }],
  run({ list, put }) {
    mergeLayered(list(NS.networkConfig, ADDRESS_SPEC.definition.type), (id, r) =>
      put(ADDRESS_SPEC, NS.network, id, r.spec as never),
    );
  },
};

const addressStatus: Controller<MachineSource> = {
  name: "network.AddressStatusController",
  inputs: [INPUT.config, INPUT.network, INPUT.meta],
  run({ source, put }) {
    const ready = source.networkReady();
    for (const a of netModel(source).addresses) {
      // The NIC has its addresses once the network is configured; lo always has its own.
      if (a.link === NIC && !ready) continue;
      put(
        ADDRESS_STATUS,
        NS.network,
        `${a.link}/${a.cidr}`,
        spec(AddressStatusSpecSchema, {
          address: prefix(a.cidr),
          local: a.family === "inet4" ? netIp(a.ip) : undefined,
          linkIndex: a.linkIndex,
          linkName: a.link,
          family: family(a.family),
          scope: scope(a.scope),
          flags: a.permanent ? NethelpersAddressFlag.ADDRESS_PERMANENT : 0,
          priority: a.priority,
        }),
      );
    }
  },
};

const ROUTE_PROTOCOL: Readonly<Record<NetRoute["protocol"], NethelpersRouteProtocol>> = {
  kernel: NethelpersRouteProtocol.PROTOCOL_KERNEL,
  static: NethelpersRouteProtocol.PROTOCOL_STATIC,
  dhcp: NethelpersRouteProtocol.PROTOCOL_DHCP,
  boot: NethelpersRouteProtocol.PROTOCOL_BOOT,
};
const ROUTE_TYPE: Readonly<Record<NetRoute["type"], NethelpersRouteType>> = {
  unicast: NethelpersRouteType.TYPE_UNICAST,
  local: NethelpersRouteType.TYPE_LOCAL,
  broadcast: NethelpersRouteType.TYPE_BROADCAST,
  multicast: NethelpersRouteType.TYPE_MULTICAST,
};
const table = (t: NetRoute["table"]) =>
  t === "main" ? NethelpersRoutingTable.TABLE_MAIN : NethelpersRoutingTable.TABLE_LOCAL;

const routeConfig: Controller<MachineSource> = {
  name: "network.RouteConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    for (const r of netModel(source).routes) {
      if (r.layer === undefined) continue;
      put(
        ROUTE_SPEC,
        NS.networkConfig,
        `${r.layer}/${routeId(r)}`,
        spec(RouteSpecSpecSchema, {
          family: family(r.family),
          destination: prefix(r.destination),
          source: r.source === "" ? undefined : netIp(r.source),
          gateway: r.gateway === "" ? undefined : netIp(r.gateway),
          outLinkName: r.link,
          table: table(r.table),
          priority: r.priority,
          scope: scope(r.scope),
          type: ROUTE_TYPE[r.type],
          protocol: ROUTE_PROTOCOL[r.protocol],
          configLayer: LAYER[r.layer],
          mtu: r.mtu,
        }),
      );
    }
  },
};

const routeMerge: Controller<MachineSource> = {
  name: "network.RouteMergeController",
  inputs: [],
  reads: [{ namespace: NS.networkConfig, type: ROUTE_SPEC.definition.type }],
  run({ list, put }) {
    mergeLayered(list(NS.networkConfig, ROUTE_SPEC.definition.type), (id, r) =>
      put(ROUTE_SPEC, NS.network, id, r.spec as never),
    );
  },
};

const routeStatus: Controller<MachineSource> = {
  name: "network.RouteStatusController",
  inputs: [INPUT.config, INPUT.network],
  run({ source, put }) {
    const ready = source.networkReady();
    for (const r of netModel(source).routes) {
      if (r.link === NIC && !ready) continue;
      put(
        ROUTE_STATUS,
        NS.network,
        routeId(r),
        spec(RouteStatusSpecSchema, {
          family: family(r.family),
          destination: prefix(r.destination),
          source: r.source === "" ? undefined : netIp(r.source),
          gateway: r.gateway === "" ? undefined : netIp(r.gateway),
          outLinkIndex: r.linkIndex,
          outLinkName: r.link,
          table: table(r.table),
          priority: r.priority,
          scope: scope(r.scope),
          type: ROUTE_TYPE[r.type],
          protocol: ROUTE_PROTOCOL[r.protocol],
          mtu: r.mtu,
        }),
      );
    }
  },
};

const operatorConfig: Controller<MachineSource> = {
  name: "network.OperatorConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    if (!netModel(source).dhcp) return;
    for (const ns of [NS.networkConfig, NS.network]) {
      put(
        OPERATOR_SPEC,
        ns,
        ns === NS.network ? `dhcp4/${NIC}` : `default/dhcp4/${NIC}`,
        spec(OperatorSpecSpecSchema, {
          operator: NetworkOperator.OPERATOR_DHCP4,
          linkName: NIC,
          requireUp: true,
          dhcp4: spec(DHCP4OperatorSpecSchema, { routeMetric: 1024 }),
          configLayer: LAYER.default,
        }),
      );
    }
  },
};

const nodeAddressSort: Controller<MachineSource> = {
  name: "network.NodeAddressSortAlgorithmController",
  inputs: [INPUT.config],
  run({ put }) {
    put(
      NODE_ADDRESS_SORT,
      NS.network,
      "default",
      spec(NodeAddressSortAlgorithmSpecSchema, {
        algorithm: NethelpersAddressSortAlgorithm.ADDRESS_SORT_ALGORITHM_V2,
      }),
    );
  },
};

/**
 * Node addresses from the address statuses: scope global, not link-local, sorted; as the
 * emulated NIC's addresses are in 127.0.0.0/8, the loopback link rather than the loopback range
 * is what is left out.
 */
const nodeAddress: Controller<MachineSource> = {
  name: "network.NodeAddressController",
  inputs: [],
  reads: [{ namespace: NS.network, type: ADDRESS_STATUS.definition.type }],
  run({ list, put }) {
    const addrs = list(NS.network, ADDRESS_STATUS.definition.type)
      .map(
        (r) =>
          r.spec as { address?: { ip: Uint8Array; prefixLength: number }; linkName: string; scope: number },
      )
      .filter((s) => s.linkName !== LOOPBACK && s.scope === NethelpersScope.SCOPE_GLOBAL && s.address)
      .map((s) => s.address!);
    const cidrs = addrs.map((a) => spec(NetIPPrefixSchema, { ip: a.ip, prefixLength: a.prefixLength }));
    const sorted = [...cidrs].sort(
      (a, b) => a.ip.length - b.ip.length || Buffer.compare(Buffer.from(a.ip), Buffer.from(b.ip)),
    );
    const algorithm = NethelpersAddressSortAlgorithm.ADDRESS_SORT_ALGORITHM_V2;
    if (sorted[0])
      put(
        NODE_ADDRESS,
        NS.network,
        "default",
        spec(NodeAddressSpecSchema, { addresses: [sorted[0]], sortAlgorithm: algorithm }),
      );
    for (const id of ["current", "routed", "accumulative"]) {
      put(
        NODE_ADDRESS,
        NS.network,
        id,
        spec(NodeAddressSpecSchema, { addresses: sorted, sortAlgorithm: algorithm }),
      );
    }
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

const resolverConfig: Controller<MachineSource> = {
  name: "network.ResolverConfigController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    for (const l of resolverLayers(source)) {
      const domains = l.layer === "configuration" ? configSearchDomains(source.active()).domains : [];
      put(RESOLVER_SPEC, NS.networkConfig, `${l.layer}/resolvers`, resolverSpec(l.layer, l.servers, domains));
    }
  },
};

const resolverMerge: Controller<MachineSource> = {
  name: "network.ResolverMergeController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    const top = highest(resolverLayers(source));
    if (!top) return;
    const domains = top.layer === "configuration" ? configSearchDomains(source.active()).domains : [];
    put(RESOLVER_SPEC, NS.network, "resolvers", resolverSpec(top.layer, top.servers, domains));
  },
};

const resolverStatus: Controller<MachineSource> = {
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

const timeServerConfig: Controller<MachineSource> = {
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

const timeServerMerge: Controller<MachineSource> = {
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

const timeServerStatus: Controller<MachineSource> = {
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

const hostDnsConfig: Controller<MachineSource> = {
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

const networkStatus: Controller<MachineSource> = {
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

// ---------------------------------------------------------------------------------------------
// /etc files and the Kubernetes node name.

/** Aligns the first column as Go's tabwriter (padding 1) does for /etc/hosts. */
function alignHosts(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([a]) => a.length)) + 1;
  return rows.map(([a, b]) => `${a.padEnd(width)}${b}\n`).join("");
}

const etcFiles: Controller<MachineSource> = {
  name: "network.EtcFileController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.network, type: HOSTNAME_STATUS.definition.type },
    { namespace: NS.network, type: RESOLVER_STATUS.definition.type },
    { namespace: NS.network, type: NODE_ADDRESS.definition.type },
    { namespace: NS.network, type: HOST_DNS_CONFIG.definition.type },
  ],
  run({ source, get, put }) {
    const hostname = get(NS.network, HOSTNAME_STATUS.definition.type, "hostname")?.spec as
      | { hostname: string; domainname: string }
      | undefined;
    const address = get(NS.network, NODE_ADDRESS.definition.type, "default")?.spec as
      | { addresses: { ip: Uint8Array }[] }
      | undefined;
    const resolver = get(NS.network, RESOLVER_STATUS.definition.type, "resolvers")?.spec as
      | { dnsServers: { ip: Uint8Array }[]; searchDomains: string[] }
      | undefined;
    const hostDnsSpec = get(NS.network, HOST_DNS_CONFIG.definition.type, "config")?.spec as
      | { enabled: boolean }
      | undefined;
    const rows: [string, string][] = [["127.0.0.1", "localhost"]];
    const first = address?.addresses[0];
    if (hostname && first) {
      const fqdn = hostname.domainname ? `${hostname.hostname}.${hostname.domainname}` : hostname.hostname;
      rows.push([ipText(first.ip), fqdn === hostname.hostname ? fqdn : `${fqdn} ${hostname.hostname}`]);
    }
    rows.push(
      ["::1", "localhost ip6-localhost ip6-loopback"],
      ["ff02::1", "ip6-allnodes"],
      ["ff02::2", "ip6-allrouters"],
    );
    const extra = new Map<string, string[]>();
    for (const h of configStaticHosts(source.active()))
      extra.set(h.ip, [...(extra.get(h.ip) ?? []), ...h.aliases]);
    for (const ip of [...extra.keys()].sort()) rows.push([ip, extra.get(ip)!.join(" ")]);
    put(ETC_FILE_SPEC, NS.files, "hosts", etcFile(alignHosts(rows)));
    // In a container the runtime's resolv.conf stays.
    if (resolver && hostDnsSpec && source.platform.mode !== "container") {
      const servers = hostDnsSpec.enabled
        ? [HOST_DNS_LISTEN]
        : resolver.dnsServers.slice(0, 3).map((s) => ipText(s.ip));
      let text = servers.map((s) => `nameserver ${s}\n`).join("");
      if (resolver.searchDomains.length > 0) text += `\nsearch ${resolver.searchDomains.join(" ")}\n`;
      put(ETC_FILE_SPEC, NS.files, "resolv.conf", etcFile(text));
    }
  },
};

/** The contents an EtcFileSpec holds (what the file under /etc reads). */
export function etcFileContents(store: ResourceStore, name: string): Uint8Array | undefined {
  const r = store.get(NS.files, ETC_FILE_SPEC.definition.type, name);
  return r ? (r.spec as { contents: Uint8Array }).contents : undefined;
}

function etcFile(text: string) {
  return spec(EtcFileSpecSpecSchema, {
    contents: Buffer.from(text),
    mode: 0o644,
    selinuxLabel: ETC_SELINUX_LABEL,
  });
}

const etcFileStatus: Controller<MachineSource> = {
  name: "files.EtcFileController",
  inputs: [],
  reads: [{ namespace: NS.files, type: ETC_FILE_SPEC.definition.type }],
  run({ list, put }) {
    for (const r of list(NS.files, ETC_FILE_SPEC.definition.type)) {
      put(ETC_FILE_STATUS, NS.files, r.id, spec(EtcFileStatusSpecSchema, { specVersion: String(r.version) }));
    }
  },
};

/**
 * Names the host DNS resolves locally: the config's static host entries and the node's own
 * hostname and FQDN (its current addresses), one resource per lower-cased name.
 */
const staticHosts: Controller<MachineSource> = {
  name: "network.StaticHostController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.network, type: HOSTNAME_STATUS.definition.type },
    { namespace: NS.network, type: NODE_ADDRESS.definition.type },
  ],
  run({ source, get, put }) {
    const hosts = new Map<string, string[]>();
    const add = (name: string, ips: readonly string[]) => {
      const key = name.toLowerCase().replace(/\.$/, "");
      if (key !== "") hosts.set(key, [...(hosts.get(key) ?? []), ...ips]);
    };
    for (const h of configStaticHosts(source.active())) {
      if (isIP(h.ip) !== 0) for (const alias of h.aliases) add(alias, [h.ip]);
    }
    const hostname = get(NS.network, HOSTNAME_STATUS.definition.type, "hostname")?.spec as
      | { hostname: string; domainname: string }
      | undefined;
    const current = get(NS.network, NODE_ADDRESS.definition.type, "current")?.spec as
      | { addresses: { ip: Uint8Array }[] }
      | undefined;
    if (hostname && current) {
      const ips = current.addresses.map((a) => ipText(a.ip));
      add(hostname.hostname, ips);
      if (hostname.domainname) add(`${hostname.hostname}.${hostname.domainname}`, ips);
    }
    for (const [name, ips] of hosts) {
      const unique = [...new Set(ips)].sort((a, b) => isIP(a) - isIP(b) || (a < b ? -1 : a > b ? 1 : 0));
      put(STATIC_HOST, NS.network, name, spec(StaticHostSpecSchema, { addresses: unique.map(netIp) }));
    }
  },
};

const nodename: Controller<MachineSource> = {
  name: "k8s.NodenameController",
  inputs: [INPUT.config],
  reads: [{ namespace: NS.network, type: HOSTNAME_STATUS.definition.type }],
  run({ source, get, put }) {
    if (!isComplete(source.active())) return;
    const status = get(NS.network, HOSTNAME_STATUS.definition.type, "hostname");
    if (!status) return;
    const h = status.spec as { hostname: string };
    put(
      NODENAME,
      NS.k8s,
      "nodename",
      spec(NodenameSpecSchema, {
        nodename: h.hostname.toLowerCase(),
        hostnameVersion: String(status.version),
      }),
    );
  },
};

export const NETWORK_CONTROLLERS: readonly Controller<MachineSource>[] = [
  hostnameConfig,
  hostnameMerge,
  hostnameStatus,
  linkConfig,
  linkMerge,
  linkStatus,
  ethernetStatus,
  hardwareAddress,
  addressConfig,
  addressMerge,
  addressStatus,
  routeConfig,
  routeMerge,
  routeStatus,
  operatorConfig,
  nodeAddressSort,
  nodeAddress,
  resolverConfig,
  resolverMerge,
  resolverStatus,
  timeServerConfig,
  timeServerMerge,
  timeServerStatus,
  hostDnsConfig,
  etcFiles,
  etcFileStatus,
  networkStatus,
  staticHosts,
  nodename,
];
