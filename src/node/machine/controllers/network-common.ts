import { NetIPPrefixSchema, NetIPSchema } from "../../../gen/common/common_pb.js";
import {
  NethelpersFamily,
  NethelpersScope,
  NetworkConfigLayer,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  EtcFileSpecSpecSchema,
  EtcFileStatusSpecSchema,
} from "../../../gen/resource/definitions/files/files_pb.js";
import { NodenameSpecSchema } from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import {
  AddressSpecSpecSchema,
  AddressStatusSpecSchema,
  EthernetStatusSpecSchema,
  HardwareAddrSpecSchema,
  HostDNSConfigSpecSchema,
  HostnameSpecSpecSchema,
  HostnameStatusSpecSchema,
  LinkSpecSpecSchema,
  LinkStatusSpecSchema,
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
import { ipBytes, messageKind, type Resource, spec } from "../../resources/index.js";
import type { NetAddress } from "./net-model.js";

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
export const DEFAULT_RESOLVERS = ["1.1.1.1", "8.8.8.8"];
export const HOST_DNS_LISTEN = "127.0.0.53";
export const SERVICE_HOST_DNS = "169.254.116.108";
/** SELinux label of the files Talos writes under /etc. */
export const ETC_SELINUX_LABEL = "system_u:object_r:etc_t:s0";

export type Layer = "default" | "platform" | "operator" | "configuration";
export const LAYER: Readonly<Record<Layer, NetworkConfigLayer>> = {
  default: NetworkConfigLayer.CONFIG_DEFAULT,
  platform: NetworkConfigLayer.CONFIG_PLATFORM,
  operator: NetworkConfigLayer.CONFIG_OPERATOR,
  configuration: NetworkConfigLayer.CONFIG_MACHINE_CONFIGURATION,
};

export const netIp = (ip: string) => spec(NetIPSchema, { ip: ipBytes(ip) });
export const prefix = (cidr: string) => {
  if (cidr === "") return spec(NetIPPrefixSchema);
  const [ip = "", bits = "0"] = cidr.split("/");
  return spec(NetIPPrefixSchema, { ip: ipBytes(ip), prefixLength: Number(bits) });
};
export const family = (f: "inet4" | "inet6") =>
  f === "inet4" ? NethelpersFamily.FAMILY_INET4 : NethelpersFamily.FAMILY_INET6;
export const scope = (s: NetAddress["scope"]) =>
  s === "global"
    ? NethelpersScope.SCOPE_GLOBAL
    : s === "link"
      ? NethelpersScope.SCOPE_LINK
      : NethelpersScope.SCOPE_HOST;

/** The value of the highest layer among the resources of one merged id. */
export function highest<T extends { layer: Layer }>(items: readonly T[]): T | undefined {
  const order: Layer[] = ["default", "platform", "operator", "configuration"];
  return [...items].sort((a, b) => order.indexOf(b.layer) - order.indexOf(a.layer))[0];
}

/** Groups layered resources (`<layer>/<id>`) by id and keeps the highest layer's. */
export function mergeLayered(resources: readonly Resource[], put: (id: string, r: Resource) => void): void {
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
