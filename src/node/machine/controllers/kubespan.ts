// KubeSpan as Talos's controllers publish it (siderolabs/talos:
// internal/app/machined/pkg/controllers/kubespan): the config every configured node carries
// (enabled or not), the node's WireGuard identity once KubeSpan is enabled, a peer for each
// affiliate that announces a KubeSpan identity, the peers' link state and the endpoints of the
// peers that are up.
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { NetIPPortSchema, NetIPPrefixSchema, NetIPSchema } from "../../../gen/common/common_pb.js";
import type { AffiliateSpec, IdentitySpec } from "../../../gen/resource/definitions/cluster/cluster_pb.js";
import { KubespanPeerState } from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  ConfigSpecSchema,
  EndpointSpecSchema,
  IdentitySpecSchema,
  type PeerSpecSpec,
  PeerSpecSpecSchema,
} from "../../../gen/resource/definitions/kubespan/kubespan_pb.js";
import { type Controller, ipBytes, messageKind, NS, spec } from "../../resources/index.js";
import { legacyDocument, type MachineConfig } from "../config.js";
import { discoveryClusterId } from "./cluster.js";
import { ipSet, type Range, rangeOf, rangePrefixes } from "./kubespan-ipset.js";
import { KUBESPAN_PEER_STATUS, peerStatuses } from "./kubespan-peers.js";
import { INPUT, type MachineSource } from "./source.js";

export { ipSet, rangePrefixes } from "./kubespan-ipset.js";
export { KUBESPAN_PEER_STATUS } from "./kubespan-peers.js";

export const KUBESPAN_CONFIG = messageKind("KubeSpanConfigs.kubespan.talos.dev", ConfigSpecSchema);
export const KUBESPAN_IDENTITY = messageKind("KubeSpanIdentities.kubespan.talos.dev", IdentitySpecSchema);
export const KUBESPAN_PEER_SPEC = messageKind("KubeSpanPeerSpecs.kubespan.talos.dev", PeerSpecSpecSchema);
export const KUBESPAN_ENDPOINT = messageKind("KubeSpanEndpoints.kubespan.talos.dev", EndpointSpecSchema);

const HARDWARE_ADDRESSES = "HardwareAddresses.net.talos.dev";
const CLUSTER_IDENTITIES = "Identities.cluster.talos.dev";
const AFFILIATES = "Affiliates.cluster.talos.dev";

/** The KubeSpan link's MTU when the config names none (constants.KubeSpanLinkMTU). */
export const KUBESPAN_LINK_MTU = 1420;
/** The ULA purpose byte of KubeSpan addresses (network.ULAKubeSpan). */
const ULA_KUBESPAN = 0x02;

function at(data: unknown, path: readonly string[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const texts = (data: unknown, path: readonly string[]): string[] => {
  const v = at(data, path);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
};

export interface KubeSpanSettings {
  readonly enabled: boolean;
  readonly forceRouting: boolean;
  readonly advertiseKubernetesNetworks: boolean;
  readonly harvestExtraEndpoints: boolean;
  /** 0 when the config has no KubeSpan section at all. */
  readonly mtu: number;
  readonly endpointFilters: string[];
  readonly excludeAdvertisedNetworks: string[];
}

/** The KubeSpanConfig document, else `.machine.network.kubespan`; undefined when neither is there. */
export function kubeSpanSettings(config: MachineConfig): KubeSpanSettings | undefined {
  const doc = config.documents.documents.find((d) => d.kind === "KubeSpanConfig")?.data;
  const legacy = at(legacyDocument(config)?.data, ["machine", "network", "kubespan"]);
  const data = doc ?? legacy;
  if (data === undefined || data === null) return undefined;
  const flag = (key: string) => at(data, [key]) === true;
  const mtu = at(data, ["mtu"]);
  return {
    enabled: flag("enabled"),
    forceRouting: !flag("allowDownPeerBypass"),
    advertiseKubernetesNetworks: flag("advertiseKubernetesNetworks"),
    harvestExtraEndpoints: flag("harvestExtraEndpoints"),
    mtu: typeof mtu === "number" && mtu > 0 ? mtu : KUBESPAN_LINK_MTU,
    endpointFilters: texts(data, ["filters", "endpoints"]),
    excludeAdvertisedNetworks: texts(data, ["filters", "excludeAdvertisedNetworks"]),
  };
}

/** `ip:port` (IPv6 in brackets) as a NetIPPort. */
function ipPort(text: string) {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  return spec(NetIPPortSchema, { ip: ipBytes(m[1]!), port: Number(m[2]) });
}

function prefix(cidr: string) {
  const [ip = "", bits = "0"] = cidr.split("/");
  return spec(NetIPPrefixSchema, { ip: ipBytes(ip), prefixLength: Number(bits) });
}

/** kubespan.ConfigController: every configured node with a cluster and a discovery identity. */
const kubeSpanConfig: Controller<MachineSource> = {
  name: "kubespan.ConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const config = source.active();
    const legacy = legacyDocument(config)?.data;
    if (!config || at(legacy, ["machine"]) === undefined || at(legacy, ["cluster"]) === undefined) return;
    const clusterId = discoveryClusterId(config);
    if (clusterId === undefined) return;
    const identity = config.documents.documents.find((d) => d.kind === "DiscoveryIdentityConfig")?.data;
    const secret = String(at(identity, ["clusterSecret"]) ?? at(legacy, ["cluster", "secret"]) ?? "");
    const s = kubeSpanSettings(config);
    const extra = config.documents.documents
      .filter((d) => d.kind === "KubeSpanEndpointsConfig")
      .flatMap((d) => texts(d.data, ["extraAnnouncedEndpoints"]))
      .map(ipPort)
      .filter((e) => e !== undefined);
    put(
      KUBESPAN_CONFIG,
      NS.config,
      "kubespan",
      spec(ConfigSpecSchema, {
        enabled: s?.enabled ?? false,
        clusterId,
        sharedSecret: secret,
        forceRouting: s?.forceRouting ?? false,
        advertiseKubernetesNetworks: s?.advertiseKubernetesNetworks ?? false,
        mtu: s?.mtu ?? 0,
        endpointFilters: s?.endpointFilters ?? [],
        harvestExtraEndpoints: s?.harvestExtraEndpoints ?? false,
        extraEndpoints: extra,
        excludeAdvertisedNetworks: (s?.excludeAdvertisedNetworks ?? []).map(prefix),
      }),
    );
  },
};

/** Talos's ULA prefix of a cluster for a purpose: the last 16 bytes of sha256(cluster id), fd…, purpose byte, /64. */
export function ulaPrefix(clusterId: string, purpose: number): Uint8Array {
  const hash = createHash("sha256").update(clusterId).digest();
  const out = new Uint8Array(16);
  out.set(hash.subarray(16, 32));
  out[0] = 0xfd;
  out[7] = purpose;
  out.fill(0, 8);
  return out;
}

/** The EUI-64 address of a MAC inside a /64 prefix. */
export function eui64(prefix64: Uint8Array, mac: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(prefix64.subarray(0, 8));
  out.set([mac[0]! ^ 0x02, mac[1]!, mac[2]!, 0xff, 0xfe, mac[3]!, mac[4]!, mac[5]!], 8);
  return out;
}

/** The DER header of a PKCS#8 X25519 private key, before its 32 bytes. */
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/**
 * The node's WireGuard key pair (base64, as wgtypes prints keys). Talos generates it once and
 * keeps it in STATE; the emulated machine derives it from its UUID, which is as stable.
 */
export function wireguardKeys(machineUuid: string): { privateKey: string; publicKey: string } {
  const d = createHash("sha256").update(`kubespan-identity:${machineUuid}`).digest();
  // Curve25519 clamping, as wgtypes.GeneratePrivateKey does.
  d[0]! &= 248;
  d[31]! = (d[31]! & 127) | 64;
  const key = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, d]),
    format: "der",
    type: "pkcs8",
  });
  const pub = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32);
  return { privateKey: d.toString("base64"), publicKey: pub.toString("base64") };
}

/** kubespan.IdentityController: the node's identity while KubeSpan is enabled, once STATE is mounted (it keeps the key). */
const identity: Controller<MachineSource> = {
  name: "kubespan.IdentityController",
  inputs: [INPUT.boot],
  reads: [
    { namespace: NS.config, type: KUBESPAN_CONFIG.definition.type },
    { namespace: NS.network, type: HARDWARE_ADDRESSES },
  ],
  run({ source, get, put }) {
    const cfg = get(NS.config, KUBESPAN_CONFIG.definition.type, "kubespan")?.spec as
      | ReturnType<typeof spec<typeof ConfigSpecSchema>>
      | undefined;
    const first = get(NS.network, HARDWARE_ADDRESSES, "first")?.spec as
      | { hardwareAddr: Uint8Array }
      | undefined;
    if (!cfg?.enabled || !first || first.hardwareAddr.length !== 6 || !source.mounted()) return;
    const subnet = ulaPrefix(cfg.clusterId, ULA_KUBESPAN);
    const keys = wireguardKeys(source.machineUuid);
    put(
      KUBESPAN_IDENTITY,
      NS.kubespan,
      "local",
      spec(IdentitySpecSchema, {
        address: spec(NetIPPrefixSchema, { ip: eui64(subnet, first.hardwareAddr), prefixLength: 128 }),
        subnet: spec(NetIPPrefixSchema, { ip: subnet, prefixLength: 64 }),
        privateKey: keys.privateKey,
        publicKey: keys.publicKey,
      }),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Peers: the prefixes a peer is allowed to send from, kept as an IP set (kubespan-ipset).

/** A peer for an affiliate that announces a KubeSpan identity (kubespan.PeerSpecController). */
export function peerSpec(a: AffiliateSpec): PeerSpecSpec | undefined {
  const ks = a.kubeSpan;
  if (!ks?.publicKey || !ks.address) return undefined;
  const add: Range[] = [];
  for (const p of ks.additionalAddresses) {
    const r = rangeOf(p.ip, p.prefixLength);
    if (r) add.push(r);
  }
  for (const ip of a.addresses) {
    const r = rangeOf(ip.ip, ip.ip.length * 8);
    if (r) add.push(r);
  }
  const remove = ks.excludeAdvertisedNetworks
    .map((p) => rangeOf(p.ip, p.prefixLength))
    .filter((r): r is Range => r !== undefined);
  const self = rangeOf(ks.address.ip, ks.address.ip.length * 8);
  // The peer's own KubeSpan address is added after the exclusions, as Talos does.
  const ranges = ipSet([...ipSet(add, remove), ...(self ? [self] : [])], []);
  return spec(PeerSpecSpecSchema, {
    address: spec(NetIPSchema, { ip: ks.address.ip }),
    allowedIps: ranges
      .flatMap(rangePrefixes)
      .map((p) => spec(NetIPPrefixSchema, { ip: p.ip, prefixLength: p.bits })),
    endpoints: ks.endpoints.map((e) => spec(NetIPPortSchema, { ip: e.ip, port: e.port })),
    label: a.nodename,
  });
}

const enabledConfig = (get: (ns: string, type: string, id: string) => { spec: unknown } | undefined) =>
  (get(NS.config, KUBESPAN_CONFIG.definition.type, "kubespan")?.spec as { enabled: boolean } | undefined)
    ?.enabled === true;

const peers: Controller<MachineSource> = {
  name: "kubespan.PeerSpecController",
  inputs: [],
  reads: [
    { namespace: NS.config, type: KUBESPAN_CONFIG.definition.type },
    { namespace: NS.cluster, type: CLUSTER_IDENTITIES },
    { namespace: NS.cluster, type: AFFILIATES },
  ],
  run({ get, list, put }) {
    const local = (get(NS.cluster, CLUSTER_IDENTITIES, "local")?.spec as IdentitySpec | undefined)?.nodeId;
    if (!enabledConfig(get) || local === undefined) return;
    for (const r of list(NS.cluster, AFFILIATES)) {
      if (r.id === local) continue;
      const a = r.spec as AffiliateSpec;
      const peer = peerSpec(a);
      if (peer) put(KUBESPAN_PEER_SPEC, NS.kubespan, a.kubeSpan!.publicKey, peer);
    }
  },
};

/** kubespan.EndpointController: the endpoints of the peers that are up, by affiliate. */
const endpoints: Controller<MachineSource> = {
  name: "kubespan.EndpointController",
  inputs: [],
  reads: [
    { namespace: NS.kubespan, type: KUBESPAN_PEER_STATUS.definition.type },
    { namespace: NS.cluster, type: AFFILIATES },
  ],
  run({ list, put }) {
    // The affiliates by KubeSpan key, read only once a peer is up (a large cluster without
    // KubeSpan changes its affiliates often and has no peers).
    let byKey: Map<string, AffiliateSpec> | undefined;
    for (const r of list(NS.kubespan, KUBESPAN_PEER_STATUS.definition.type)) {
      const status = r.spec as { state: KubespanPeerState; endpoint?: { ip: Uint8Array; port: number } };
      if (status.state !== KubespanPeerState.PEER_STATE_UP || !status.endpoint) continue;
      if (!byKey) {
        byKey = new Map();
        for (const a of list(NS.cluster, AFFILIATES)) {
          const affiliate = a.spec as AffiliateSpec;
          const key = affiliate.kubeSpan?.publicKey;
          if (key && !byKey.has(key)) byKey.set(key, affiliate);
        }
      }
      const affiliate = byKey.get(r.id);
      if (!affiliate) continue;
      put(
        KUBESPAN_ENDPOINT,
        NS.kubespan,
        r.id,
        spec(EndpointSpecSchema, {
          affiliateId: affiliate.nodeId,
          endpoint: spec(NetIPPortSchema, { ip: status.endpoint.ip, port: status.endpoint.port }),
        }),
      );
    }
  },
};

export const KUBESPAN_CONTROLLERS: readonly Controller<MachineSource>[] = [
  kubeSpanConfig,
  identity,
  peers,
  peerStatuses,
  endpoints,
];
