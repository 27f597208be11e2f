import {
  NethelpersDuplex,
  NethelpersLinkType,
  NethelpersOperationalState,
  NethelpersPort,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  EthernetStatusSpecSchema,
  HardwareAddrSpecSchema,
  LinkSpecSpecSchema,
  LinkStatusSpecSchema,
} from "../../../gen/resource/definitions/network/network_pb.js";
import { type Controller, linkFlags, NS, spec } from "../../resources/index.js";
import { LOOPBACK, LOOPBACK_INDEX, NIC, NIC_INDEX, netModel } from "./net-model.js";
import {
  ETHERNET_STATUS,
  HARDWARE_ADDRESS,
  LAYER,
  LINK_SPEC,
  LINK_STATUS,
  mergeLayered,
} from "./network-common.js";
import { INPUT, type MachineSource } from "./source.js";

export const linkConfig: Controller<MachineSource> = {
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

export const linkMerge: Controller<MachineSource> = {
  name: "network.LinkMergeController",
  inputs: [],
  reads: [{ namespace: NS.networkConfig, type: LINK_SPEC.definition.type }],
  run({ list, put }) {
    mergeLayered(list(NS.networkConfig, LINK_SPEC.definition.type), (id, r) =>
      put(LINK_SPEC, NS.network, id, r.spec as never),
    );
  },
};

export const linkStatus: Controller<MachineSource> = {
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

export const ethernetStatus: Controller<MachineSource> = {
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

export const hardwareAddress: Controller<MachineSource> = {
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
