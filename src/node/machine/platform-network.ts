// The platform network config of the metal platform: the YAML in META key 0x0a
// (meta.MetalNetworkPlatformConfig), which the dashboard's Network Config screen writes and the
// network controllers layer between the defaults and the machine config (siderolabs/talos:
// internal/app/machined/pkg/runtime/v1alpha1/platform/metal/metal.go): its hostname sits above
// the kernel command line's and below the config's, its DNS and time servers replace Talos's
// defaults, its static addresses join the node's own.
import { parse } from "yaml";

/** meta.MetalNetworkPlatformConfig. */
export const META_METAL_NETWORK_CONFIG = 0x0a;

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

/** The last text parsed: every network controller asks on each run, the key rarely changes. */
let last: { readonly text: string; readonly parsed: PlatformNetwork | undefined } | undefined;

/** The platform network config in META, if the key holds one that parses (metal only). */
export function metalPlatformNetwork(meta: ReadonlyMap<number, string>): PlatformNetwork | undefined {
  const text = meta.get(META_METAL_NETWORK_CONFIG);
  if (text === undefined) return undefined;
  if (last?.text !== text) {
    let parsed: PlatformNetwork | undefined;
    try {
      parsed = parsePlatformNetwork(text);
    } catch {
      parsed = undefined;
    }
    last = { text, parsed };
  }
  return last.parsed;
}
