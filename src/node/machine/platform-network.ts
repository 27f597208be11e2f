// The network facts that follow the platform network config and the machine's links: on the
// metal platform that config is the YAML in META key 0x0a (meta.MetalNetworkPlatformConfig),
// read again whenever the key changes (siderolabs/talos:
// internal/app/machined/pkg/runtime/v1alpha1/platform/metal/metal.go). Its hostname sits
// above the kernel command line's and below the machine config's; its DNS and time servers
// replace Talos's defaults; its static addresses join the node's own. The machine's links
// (lo and eth0) are published as LinkStatuses, which the dashboard's interface list reads.
import { create, toBinary } from "@bufbuild/protobuf";
import { parse } from "yaml";
import { NetIPSchema } from "../../gen/common/common_pb.js";
import {
  NethelpersLinkType,
  NethelpersOperationalState,
} from "../../gen/resource/definitions/enums/enums_pb.js";
import {
  LinkStatusSpecSchema,
  ResolverStatusSpecSchema,
  TimeServerStatusSpecSchema,
} from "../../gen/resource/definitions/network/network_pb.js";
import { PlatformMetadataSpecSchema } from "../../gen/resource/definitions/runtime/runtime_pb.js";
import { withPrefix } from "../platform/index.js";
import { type Meta, metaTags } from "../state/index.js";
import {
  defineResource,
  ipToBytes,
  NS,
  nodeAddressKind,
  type ResourceKind,
  type ResourceStore,
} from "./resources/index.js";

/** meta.MetalNetworkPlatformConfig. */
export const META_METAL_NETWORK_CONFIG = 0x0a;

/** Talos's default resolvers and time server (constants.DefaultPrimaryResolver, ...). */
export const DEFAULT_RESOLVERS = ["1.1.1.1", "8.8.8.8"] as const;
export const DEFAULT_TIME_SERVERS = ["time.cloudflare.com"] as const;

/** What the machine takes from a platform network config. */
export interface PlatformNetwork {
  readonly hostname?: string;
  readonly dnsServers: readonly string[];
  readonly timeServers: readonly string[];
  /** Static addresses in CIDR notation. */
  readonly addresses: readonly string[];
}

type Obj = Record<string, unknown>;

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter((x): x is Obj => x !== null && typeof x === "object") : [];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x !== "") : [];
}

/** Reads a PlatformNetworkConfig's YAML; throws the message Talos's metal platform fails with. */
export function parsePlatformNetwork(text: string): PlatformNetwork {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`failed to unmarshal metal network config from META: ${(e as Error).message}`);
  }
  const o: Obj = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as Obj) : {};
  const hostname = list(o.hostnames)
    .map((h) => (typeof h.hostname === "string" ? h.hostname : ""))
    .find((h) => h !== "");
  return {
    ...(hostname !== undefined ? { hostname } : {}),
    dnsServers: list(o.resolvers).flatMap((r) => strings(r.dnsServers)),
    timeServers: list(o.timeServers).flatMap((t) => strings(t.timeServers)),
    addresses: list(o.addresses)
      .map((a) => (typeof a.address === "string" ? a.address : ""))
      .filter((a) => a.includes("/")),
  };
}

interface ResolverStatusSpec {
  readonly dnsServers: readonly string[];
}

export const resolverStatusKind: ResourceKind<ResolverStatusSpec> = {
  definition: defineResource({
    type: "ResolverStatuses.net.talos.dev",
    defaultNamespace: NS.network,
    aliases: ["resolvers"],
    printColumns: [
      { name: "Resolvers", jsonPath: "{.dnsServers}" },
      { name: "Search Domains", jsonPath: "{.searchDomains}" },
    ],
  }),
  encode: (s) =>
    toBinary(
      ResolverStatusSpecSchema,
      create(ResolverStatusSpecSchema, {
        dnsServers: s.dnsServers.map((ip) => create(NetIPSchema, { ip: ipToBytes(ip) })),
      }),
    ),
  view: (s) => ({ dnsServers: [...s.dnsServers] }),
};

interface TimeServerStatusSpec {
  readonly timeServers: readonly string[];
}

export const timeServerStatusKind: ResourceKind<TimeServerStatusSpec> = {
  definition: defineResource({
    type: "TimeServerStatuses.net.talos.dev",
    defaultNamespace: NS.network,
    aliases: ["timeserver", "timeservers"],
    printColumns: [
      { name: "Timeservers", jsonPath: "{.timeServers}" },
      { name: "UseNTS", jsonPath: "{.useNTS}" },
    ],
  }),
  encode: (s) =>
    toBinary(
      TimeServerStatusSpecSchema,
      create(TimeServerStatusSpecSchema, { ntpServers: [...s.timeServers] }),
    ),
  view: (s) => ({ timeServers: [...s.timeServers] }),
};

interface LinkStatusSpec {
  readonly index: number;
  readonly loopback: boolean;
  readonly hardwareAddr: string;
  readonly mtu: number;
}

function macBytes(mac: string): Uint8Array {
  if (mac === "") return new Uint8Array(0);
  return Uint8Array.from(mac.split(":").map((h) => Number.parseInt(h, 16)));
}

export const linkStatusKind: ResourceKind<LinkStatusSpec> = {
  definition: defineResource({
    type: "LinkStatuses.net.talos.dev",
    defaultNamespace: NS.network,
    aliases: ["link", "links"],
    printColumns: [
      { name: "Alias", jsonPath: "{.alias}" },
      { name: "Type", jsonPath: "{.type}" },
      { name: "Kind", jsonPath: "{.kind}" },
      { name: "Hw Addr", jsonPath: "{.hardwareAddr}" },
      { name: "Oper State", jsonPath: "{.operationalState}" },
      { name: "Link State", jsonPath: "{.linkState}" },
    ],
  }),
  encode: (s) =>
    toBinary(
      LinkStatusSpecSchema,
      create(LinkStatusSpecSchema, {
        index: s.index,
        type: s.loopback ? NethelpersLinkType.LINK_LOOPBCK : NethelpersLinkType.LINK_ETHER,
        linkIndex: s.index,
        hardwareAddr: macBytes(s.hardwareAddr),
        permanentAddr: macBytes(s.loopback ? "" : s.hardwareAddr),
        broadcastAddr: macBytes(s.loopback ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff"),
        mtu: s.mtu,
        queueDisc: s.loopback ? "noqueue" : "pfifo_fast",
        operationalState: s.loopback
          ? NethelpersOperationalState.OPER_STATE_UNKNOWN
          : NethelpersOperationalState.OPER_STATE_UP,
        linkState: !s.loopback,
      }),
    ),
  view: (s) => ({
    index: s.index,
    type: s.loopback ? "loopback" : "ether",
    linkIndex: s.index,
    flags: s.loopback ? "UP,LOOPBACK,RUNNING,LOWER_UP" : "UP,BROADCAST,RUNNING,MULTICAST,LOWER_UP",
    hardwareAddr: s.hardwareAddr,
    permanentAddr: s.loopback ? "" : s.hardwareAddr,
    broadcastAddr: s.loopback ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff",
    mtu: s.mtu,
    queueDisc: s.loopback ? "noqueue" : "pfifo_fast",
    operationalState: s.loopback ? "unknown" : "up",
    kind: "",
    slaveKind: "",
    linkState: !s.loopback,
  }),
};

interface PlatformMetadataSpec {
  readonly platform: string;
  readonly hostname: string;
  readonly instanceId: string;
}

export const platformMetadataKind: ResourceKind<PlatformMetadataSpec> = {
  definition: defineResource({
    type: "PlatformMetadatas.talos.dev",
    defaultNamespace: NS.runtime,
    printColumns: [
      { name: "Platform", jsonPath: "{.platform}" },
      { name: "Type", jsonPath: "{.instanceType}" },
      { name: "Region", jsonPath: "{.region}" },
      { name: "Zone", jsonPath: "{.zone}" },
    ],
  }),
  encode: (s) => toBinary(PlatformMetadataSpecSchema, create(PlatformMetadataSpecSchema, { ...s })),
  // Empty fields are left out, as the spec's YAML omits them.
  view: (s) => ({
    platform: s.platform,
    ...(s.hostname !== "" ? { hostname: s.hostname } : {}),
    ...(s.instanceId !== "" ? { instanceId: s.instanceId } : {}),
  }),
};

/** A stable locally administered MAC address for a machine (from its UUID). */
export function machineMac(uuid: string): string {
  const hex = uuid.replace(/-/g, "").padEnd(10, "0");
  const bytes = [0x02, ...[0, 2, 4, 6, 8].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) || 0)];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

export interface NetworkFacts {
  readonly store: ResourceStore;
  /** The node's own addresses. */
  readonly addresses: readonly string[];
  readonly uuid: string;
  /** The platform's name (`metal`, `container`). */
  readonly platformName: string;
  readonly platform: PlatformNetwork | undefined;
}

const OWNERS = {
  address: "network.NodeAddressController",
  resolver: "network.ResolverMergeController",
  timeServer: "network.TimeServerMergeController",
  link: "network.LinkStatusController",
  platform: "network.PlatformConfigApplyController",
} as const;

/** Publishes the node addresses, resolvers, time servers and links. */
export function publishNetworkFacts(f: NetworkFacts): void {
  const { store, platform } = f;
  for (const kind of [resolverStatusKind, timeServerStatusKind, linkStatusKind, platformMetadataKind]) {
    if (store.kindOf(kind.definition.type) === undefined) store.registerKind(kind as ResourceKind<never>);
  }
  const own = f.addresses.map(withPrefix);
  const cidrs = [...own, ...(platform?.addresses ?? []).filter((a) => !own.includes(a))];
  const routed = cidrs.filter((c) => !c.startsWith("127."));
  const owner = OWNERS.address;
  store.set(
    nodeAddressKind,
    NS.network,
    "default",
    { addresses: (routed.length > 0 ? routed : cidrs).slice(0, 1) },
    { owner },
  );
  for (const id of ["current", "accumulative"])
    store.set(nodeAddressKind, NS.network, id, { addresses: cidrs }, { owner });
  store.set(nodeAddressKind, NS.network, "routed", { addresses: routed }, { owner });
  const dns = platform && platform.dnsServers.length > 0 ? platform.dnsServers : DEFAULT_RESOLVERS;
  store.set(
    resolverStatusKind,
    NS.network,
    "resolvers",
    { dnsServers: [...dns] },
    { owner: OWNERS.resolver },
  );
  const ntp = platform && platform.timeServers.length > 0 ? platform.timeServers : DEFAULT_TIME_SERVERS;
  store.set(
    timeServerStatusKind,
    NS.network,
    "timeservers",
    { timeServers: [...ntp] },
    { owner: OWNERS.timeServer },
  );
  // The metal platform fills in the machine's UUID; others report what their metadata service says.
  store.set(
    platformMetadataKind,
    NS.runtime,
    "platformmetadata",
    { platform: f.platformName, hostname: "", instanceId: f.platformName === "metal" ? f.uuid : "" },
    { owner: OWNERS.platform },
  );
  store.set(
    linkStatusKind,
    NS.network,
    "lo",
    { index: 1, loopback: true, hardwareAddr: "00:00:00:00:00:00", mtu: 65536 },
    { owner: OWNERS.link },
  );
  store.set(
    linkStatusKind,
    NS.network,
    "eth0",
    { index: 2, loopback: false, hardwareAddr: machineMac(f.uuid), mtu: 1500 },
    { owner: OWNERS.link },
  );
}

/** What follows META key 0x0a on a metal machine. */
export interface PlatformNetworkTarget {
  setPlatformNetwork(config: PlatformNetwork | undefined): void;
  log(line: string): void;
}

/**
 * Feeds the machine the platform network config of META key 0x0a now and after every change of
 * META (a config that does not parse is logged and leaves none in effect); returns the detach.
 */
export function followMetalNetworkConfig(target: PlatformNetworkTarget, meta: Meta): () => void {
  let last: string | undefined;
  const sync = (): void => {
    const text = metaTags(meta.read()).get(META_METAL_NETWORK_CONFIG);
    if (text === last) return;
    last = text;
    if (text === undefined) {
      target.setPlatformNetwork(undefined);
      return;
    }
    try {
      target.setPlatformNetwork(parsePlatformNetwork(text));
    } catch (e) {
      target.log(`platform network config: ${(e as Error).message}`);
      target.setPlatformNetwork(undefined);
    }
  };
  sync();
  return meta.onChange(sync);
}
