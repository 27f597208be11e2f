// etcd resources as Talos's etcd controllers publish them (siderolabs/talos:
// internal/app/machined/pkg/controllers/etcd): the config from `.cluster.etcd`, the spec the
// etcd service runs with (name, advertised and listen addresses, image, arguments), the PKI
// status once the etcd certificates exist, and the local member's id once this node's emulated
// etcd has bootstrapped or joined its cluster.
import { isIP } from "node:net";
import { NetIPSchema } from "../../../gen/common/common_pb.js";
import {
  ArgValuesSchema,
  ConfigSpecSchema,
  MemberSpecSchema,
  PKIStatusSpecSchema,
  SpecSpecSchema,
} from "../../../gen/resource/definitions/etcd/etcd_pb.js";
import { type Controller, ipBytes, ipText, messageKind, NS, spec } from "../../resources/index.js";
import { isControlPlane } from "../config.js";
import { ETCD_VERSION } from "../service-voices.js";
import { etcdSettings, hasClusterSections } from "./cluster-facts.js";
import { HOSTNAME_STATUS, NODE_ADDRESS } from "./network.js";
import { ETCD_CERTS } from "./secrets.js";
import { INPUT, type MachineSource } from "./source.js";

export const ETCD_CONFIG = messageKind("EtcdConfigs.etcd.talos.dev", ConfigSpecSchema);
export const ETCD_SPEC = messageKind("EtcdSpecs.etcd.talos.dev", SpecSpecSchema);
export const ETCD_MEMBER = messageKind("EtcdMembers.etcd.talos.dev", MemberSpecSchema);
export const ETCD_PKI_STATUS = messageKind("PKIStatuses.etcd.talos.dev", PKIStatusSpecSchema);

const DEFAULT_ETCD_IMAGE = `gcr.io/etcd-development/etcd:${ETCD_VERSION}`;

const argValues = (map: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [k, spec(ArgValuesSchema, { values: v })]));

const etcdConfig: Controller<MachineSource> = {
  name: "etcd.ConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const config = source.active();
    if (!hasClusterSections(config) || !isControlPlane(config)) return;
    const e = etcdSettings(config);
    put(
      ETCD_CONFIG,
      NS.etcd,
      "etcd",
      spec(ConfigSpecSchema, {
        advertiseValidSubnets: e.advertisedSubnets,
        advertiseExcludeSubnets: [],
        listenValidSubnets: e.listenSubnets,
        listenExcludeSubnets: [],
        image: e.image || DEFAULT_ETCD_IMAGE,
        extraArgs: argValues(e.extraArgs),
      }),
    );
  },
};

const etcdSpec: Controller<MachineSource> = {
  name: "etcd.SpecController",
  inputs: [],
  reads: [
    { namespace: NS.etcd, type: ETCD_CONFIG.definition.type },
    { namespace: NS.network, type: HOSTNAME_STATUS.definition.type },
    { namespace: NS.network, type: NODE_ADDRESS.definition.type },
  ],
  run({ get, put }) {
    const cfg = get(NS.etcd, ETCD_CONFIG.definition.type, "etcd")?.spec as
      | { image: string; extraArgs: Record<string, { values: string[] }> }
      | undefined;
    const hostname = (
      get(NS.network, HOSTNAME_STATUS.definition.type, "hostname")?.spec as { hostname: string }
    )?.hostname;
    const routed = get(NS.network, NODE_ADDRESS.definition.type, "routed")?.spec as
      | { addresses: { ip: Uint8Array }[] }
      | undefined;
    if (!cfg || !hostname || !routed || routed.addresses.length === 0) return;
    const advertised = routed.addresses.map((a) => ipText(a.ip));
    // Without listen subnets etcd listens on every address of the advertised families.
    const unspecified = advertised.some((ip) => isIP(ip) === 6) ? "::" : "0.0.0.0";
    const ip = (text: string) => spec(NetIPSchema, { ip: ipBytes(text) });
    put(
      ETCD_SPEC,
      NS.etcd,
      "etcd",
      spec(SpecSpecSchema, {
        name: hostname,
        advertisedAddresses: advertised.map(ip),
        image: cfg.image,
        listenPeerAddresses: [ip(unspecified)],
        listenClientAddresses: [ip(unspecified)],
        extraArgs: Object.fromEntries(
          Object.entries(cfg.extraArgs).map(([k, v]) => [k, spec(ArgValuesSchema, { values: v.values })]),
        ),
      }),
    );
  },
};

const pkiStatus: Controller<MachineSource> = {
  name: "etcd.PKIController",
  inputs: [],
  reads: [{ namespace: NS.secrets, type: ETCD_CERTS.definition.type }],
  run({ get, put }) {
    const certs = get(NS.secrets, ETCD_CERTS.definition.type, "etcd");
    if (!certs) return;
    put(
      ETCD_PKI_STATUS,
      NS.etcd,
      "etcd",
      spec(PKIStatusSpecSchema, { ready: true, version: String(certs.version) }),
    );
  },
};

/** The local member, while etcd runs with a member id (bootstrapped here or joined). */
const member: Controller<MachineSource> = {
  name: "etcd.MemberController",
  inputs: [INPUT.services, INPUT.config],
  run({ source, put }) {
    if (!isControlPlane(source.active()) || !source.serviceRunning("etcd")) return;
    const id = source.etcdMemberId();
    if (id === undefined) return;
    put(ETCD_MEMBER, NS.etcd, "local", spec(MemberSpecSchema, { memberId: id }));
  },
};

export const ETCD_CONTROLLERS: readonly Controller<MachineSource>[] = [
  etcdConfig,
  etcdSpec,
  pkiStatus,
  member,
];
