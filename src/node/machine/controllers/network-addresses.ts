import { NetIPPrefixSchema } from "../../../gen/common/common_pb.js";
import {
  NethelpersAddressFlag,
  NethelpersAddressSortAlgorithm,
  NethelpersRouteProtocol,
  NethelpersRouteType,
  NethelpersRoutingTable,
  NethelpersScope,
  NetworkOperator,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  AddressSpecSpecSchema,
  AddressStatusSpecSchema,
  DHCP4OperatorSpecSchema,
  NodeAddressSortAlgorithmSpecSchema,
  NodeAddressSpecSchema,
  OperatorSpecSpecSchema,
  RouteSpecSpecSchema,
  RouteStatusSpecSchema,
} from "../../../gen/resource/definitions/network/network_pb.js";
import { type Controller, NS, spec } from "../../resources/index.js";
import { LOOPBACK, type NetAddress, type NetRoute, NIC, netModel, routeId } from "./net-model.js";
import {
  ADDRESS_SPEC,
  ADDRESS_STATUS,
  family,
  LAYER,
  mergeLayered,
  NODE_ADDRESS,
  NODE_ADDRESS_SORT,
  netIp,
  OPERATOR_SPEC,
  prefix,
  ROUTE_SPEC,
  ROUTE_STATUS,
  scope,
} from "./network-common.js";
import { INPUT, type MachineSource } from "./source.js";

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

export const addressConfig: Controller<MachineSource> = {
  name: "network.AddressConfigController",
  inputs: [INPUT.config, INPUT.meta],
  run({ source, put }) {
    for (const a of netModel(source).addresses) {
      if (a.layer === undefined) continue;
      put(ADDRESS_SPEC, NS.networkConfig, `${a.layer}/${a.link}/${a.cidr}`, addressSpec(a));
    }
  },
};

export const addressMerge: Controller<MachineSource> = {
  name: "network.AddressMergeController",
  inputs: [],
  reads: [{ namespace: NS.networkConfig, type: ADDRESS_SPEC.definition.type }],
  run({ list, put }) {
    mergeLayered(list(NS.networkConfig, ADDRESS_SPEC.definition.type), (id, r) =>
      put(ADDRESS_SPEC, NS.network, id, r.spec as never),
    );
  },
};

export const addressStatus: Controller<MachineSource> = {
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

export const routeConfig: Controller<MachineSource> = {
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

export const routeMerge: Controller<MachineSource> = {
  name: "network.RouteMergeController",
  inputs: [],
  reads: [{ namespace: NS.networkConfig, type: ROUTE_SPEC.definition.type }],
  run({ list, put }) {
    mergeLayered(list(NS.networkConfig, ROUTE_SPEC.definition.type), (id, r) =>
      put(ROUTE_SPEC, NS.network, id, r.spec as never),
    );
  },
};

export const routeStatus: Controller<MachineSource> = {
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

export const operatorConfig: Controller<MachineSource> = {
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

export const nodeAddressSort: Controller<MachineSource> = {
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
export const nodeAddress: Controller<MachineSource> = {
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
