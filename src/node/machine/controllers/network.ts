// The network controllers, in Talos's chain (siderolabs/talos:
// internal/app/machined/pkg/controllers/network): config controllers write specs per layer into
// `network-config` (default < platform < operator < configuration), merge controllers pick the
// highest layer into `network`, and status controllers report what the machine has (links,
// addresses, routes, hostname, resolvers, time servers, node addresses, /etc files).
// The controllers live by concern in network-links, network-addresses, network-dns and
// network-files; this file lists them in the order they first run.
import type { Controller } from "../../resources/index.js";
import {
  addressConfig,
  addressMerge,
  addressStatus,
  nodeAddress,
  nodeAddressSort,
  operatorConfig,
  routeConfig,
  routeMerge,
  routeStatus,
} from "./network-addresses.js";
import {
  hostDnsConfig,
  hostnameConfig,
  hostnameMerge,
  hostnameStatus,
  networkStatus,
  resolverConfig,
  resolverMerge,
  resolverStatus,
  timeServerConfig,
  timeServerMerge,
  timeServerStatus,
} from "./network-dns.js";
import { etcFileStatus, etcFiles, nodename, staticHosts } from "./network-files.js";
import { ethernetStatus, hardwareAddress, linkConfig, linkMerge, linkStatus } from "./network-links.js";
import type { MachineSource } from "./source.js";

export {
  ADDRESS_SPEC,
  ADDRESS_STATUS,
  ETC_FILE_SPEC,
  ETC_FILE_STATUS,
  ETHERNET_STATUS,
  HARDWARE_ADDRESS,
  HOST_DNS_CONFIG,
  HOSTNAME_SPEC,
  HOSTNAME_STATUS,
  LINK_SPEC,
  LINK_STATUS,
  NETWORK_STATUS,
  NODE_ADDRESS,
  NODE_ADDRESS_SORT,
  NODENAME,
  OPERATOR_SPEC,
  RESOLVER_SPEC,
  RESOLVER_STATUS,
  ROUTE_SPEC,
  ROUTE_STATUS,
  STATIC_HOST,
  TIME_SERVER_SPEC,
  TIME_SERVER_STATUS,
} from "./network-common.js";
export { etcFileContents } from "./network-files.js";

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
