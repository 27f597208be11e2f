// What one node announces through the emulated discovery registry and which affiliates it takes
// from it, by the node's discovery config (siderolabs/talos:
// internal/app/machined/pkg/controllers/cluster/local_affiliate.go, discovery_service.go,
// kubernetes_pull.go): no affiliates at all with discovery disabled, its own with no registry
// enabled, and the others' through a registry both sides use.
import { ipText, NS, type ResourceStore } from "../resources/index.js";
import type { AffiliateRecord, KubeSpanRecord } from "./registry.js";

const DISCOVERY_CONFIG = "DiscoveryConfigs.cluster.talos.dev";
const KUBESPAN_IDENTITY = "KubeSpanIdentities.kubespan.talos.dev";
const KUBESPAN_CONFIG = "KubeSpanConfigs.kubespan.talos.dev";
const NODE_ADDRESSES = "NodeAddresses.net.talos.dev";

/** The port KubeSpan's WireGuard listens on (constants.KubeSpanDefaultPort). */
export const KUBESPAN_PORT = 51820;
/** How long the discovery service keeps an affiliate its node no longer refreshes (defaultDiscoveryTTL). */
export const DISCOVERY_TTL_MS = 30 * 60_000;

export interface DiscoverySettings {
  readonly enabled: boolean;
  readonly service: boolean;
  readonly kubernetes: boolean;
}

/** The node's DiscoveryConfig resource; undefined before the node has a cluster config. */
export function discoverySettings(store: ResourceStore): DiscoverySettings | undefined {
  const spec = store.get(NS.config, DISCOVERY_CONFIG, "cluster")?.spec as
    | { discoveryEnabled: boolean; registryServiceEnabled: boolean; registryKubernetesEnabled: boolean }
    | undefined;
  if (!spec) return undefined;
  return {
    enabled: spec.discoveryEnabled,
    service: spec.discoveryEnabled && spec.registryServiceEnabled,
    kubernetes: spec.discoveryEnabled && spec.registryKubernetesEnabled,
  };
}

interface Prefix {
  readonly ip: Uint8Array;
  readonly prefixLength: number;
}

const cidr = (p: Prefix): string => `${ipText(p.ip)}/${p.prefixLength}`;
const endpoint = (ip: string, port: number): string =>
  ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;

/**
 * The KubeSpan part of the local affiliate: present with a KubeSpan identity and config. The
 * endpoints are the node's addresses (not its KubeSpan address) on KubeSpan's port.
 */
export function localKubeSpan(
  store: ResourceStore,
  addresses: readonly string[],
): KubeSpanRecord | undefined {
  const identity = store.get(NS.kubespan, KUBESPAN_IDENTITY, "local")?.spec as
    | { address?: Prefix; publicKey: string }
    | undefined;
  const config = store.get(NS.config, KUBESPAN_CONFIG, "kubespan")?.spec as
    | { enabled: boolean; advertiseKubernetesNetworks: boolean; excludeAdvertisedNetworks: Prefix[] }
    | undefined;
  if (!identity?.address || identity.publicKey === "" || !config) return undefined;
  const address = ipText(identity.address.ip);
  const k8s = store.get(NS.network, NODE_ADDRESSES, "current-onlyk8s")?.spec as
    | { addresses: Prefix[] }
    | undefined;
  return {
    publicKey: identity.publicKey,
    address,
    additionalAddresses: config.advertiseKubernetesNetworks ? (k8s?.addresses ?? []).map(cidr) : [],
    endpoints: addresses.filter((a) => a !== address).map((a) => endpoint(a, KUBESPAN_PORT)),
    excludeAdvertisedNetworks: config.excludeAdvertisedNetworks.map(cidr),
  };
}

/** Whether two nodes reach each other's affiliate: a registry both publish to and read. */
function shared(self: DiscoverySettings, other: AffiliateRecord): boolean {
  const theirs = other.registries ?? { service: true, kubernetes: false };
  if (self.service && theirs.service) return true;
  // The Kubernetes registry holds a node's affiliate in its Node's annotations: once it registered.
  return self.kubernetes && theirs.kubernetes && other.status.kubernetesReady;
}

/**
 * The affiliates the node shows: none with discovery disabled, else its own record and the
 * others' (live or departed and not expired) that a shared registry carries.
 */
export function visibleAffiliates(
  settings: DiscoverySettings | undefined,
  selfId: string,
  discovered: { live: readonly AffiliateRecord[]; departed: readonly AffiliateRecord[] },
): AffiliateRecord[] {
  if (!settings?.enabled) return [];
  const all = [...discovered.live, ...discovered.departed.filter((d) => d.nodeId !== selfId)];
  return all
    .filter((a) => a.nodeId === selfId || shared(settings, a))
    .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
}

/**
 * The KubeSpan public keys of the peers a WireGuard handshake reaches now: live nodes that
 * run KubeSpan (a departed node answers nothing).
 */
export function reachableKubeSpanKeys(selfId: string, live: readonly AffiliateRecord[]): Set<string> {
  const keys = new Set<string>();
  for (const a of live) {
    if (a.nodeId !== selfId && a.kubespan) keys.add(a.kubespan.publicKey);
  }
  return keys;
}
