// kubespan.ManagerController's peer statuses (siderolabs/talos:
// internal/app/machined/pkg/controllers/kubespan/manager.go, pkg/machinery/resources/kubespan
// PeerStatusSpec): at every reconcile the WireGuard state of each peer is read, its state
// calculated from the last handshake and the last endpoint change, and a peer that is down (or
// has no endpoint yet) gets the next of its endpoints. The emulated WireGuard link completes a
// handshake with a peer whose node runs now, again every REKEY_AFTER_MS while it keeps running.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { type NetIPPort, NetIPPortSchema } from "../../../gen/common/common_pb.js";
import { KubespanPeerState } from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  type PeerSpecSpec,
  type PeerStatusSpec,
  PeerStatusSpecSchema,
} from "../../../gen/resource/definitions/kubespan/kubespan_pb.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { INPUT, type MachineSource } from "./source.js";

export const KUBESPAN_PEER_STATUS = messageKind(
  "KubeSpanPeerStatuses.kubespan.talos.dev",
  PeerStatusSpecSchema,
);

const PEER_SPECS = "KubeSpanPeerSpecs.kubespan.talos.dev";
const KUBESPAN_CONFIG = "KubeSpanConfigs.kubespan.talos.dev";
const KUBESPAN_IDENTITY = "KubeSpanIdentities.kubespan.talos.dev";

/** Handshake timeout + rekey timeout + rekey attempt time: an established peer is down past it (PeerDownInterval). */
export const PEER_DOWN_MS = (180 + 5 + 90) * 1000;
/** How long a new endpoint may go without a handshake before the peer counts as down (EndpointConnectionTimeout). */
export const ENDPOINT_CONNECTION_TIMEOUT_MS = 15_000;
/** WireGuard starts a new handshake this long after the last one (REKEY_AFTER_TIME). */
export const REKEY_AFTER_MS = 120_000;
/** Talos's persistent keepalive for KubeSpan peers (KubeSpanDefaultPeerKeepalive). */
const KEEPALIVE_MS = 25_000;
/** WireGuard message sizes: handshake initiation, handshake response, keepalive. */
const INITIATION_BYTES = 148;
const RESPONSE_BYTES = 92;
const KEEPALIVE_BYTES = 32;

/** The peer state for the (node-time) durations since the last handshake and endpoint change (CalculateStateWithDurations). */
export function peerState(
  sinceHandshakeMs: number,
  sinceEndpointChangeMs: number,
  handshakeAfterChange: boolean,
  hasEndpoint: boolean,
): KubespanPeerState {
  let state: KubespanPeerState;
  if (sinceEndpointChangeMs > PEER_DOWN_MS) {
    state =
      sinceHandshakeMs < PEER_DOWN_MS ? KubespanPeerState.PEER_STATE_UP : KubespanPeerState.PEER_STATE_DOWN;
  } else if (sinceEndpointChangeMs < ENDPOINT_CONNECTION_TIMEOUT_MS) {
    state = handshakeAfterChange ? KubespanPeerState.PEER_STATE_UP : KubespanPeerState.PEER_STATE_UNKNOWN;
  } else {
    state = handshakeAfterChange ? KubespanPeerState.PEER_STATE_UP : KubespanPeerState.PEER_STATE_DOWN;
  }
  // Down with no endpoint ever used: unknown.
  return state === KubespanPeerState.PEER_STATE_DOWN && !hasEndpoint
    ? KubespanPeerState.PEER_STATE_UNKNOWN
    : state;
}

const sameEndpoint = (a: NetIPPort | undefined, b: NetIPPort | undefined): boolean =>
  a !== undefined && b !== undefined && a.port === b.port && Buffer.from(a.ip).equals(Buffer.from(b.ip));

/** The endpoint to try next (PickNewEndpoint): the first, then the one after the last used; none to rotate to a single one in use. */
export function nextEndpoint(status: PeerStatusSpec, endpoints: readonly NetIPPort[]): NetIPPort | undefined {
  if (endpoints.length === 0) return undefined;
  if (!status.lastUsedEndpoint) return endpoints[0];
  const idx = endpoints.findIndex((e) => sameEndpoint(e, status.lastUsedEndpoint));
  if (endpoints.length === 1 && idx === 0 && sameEndpoint(status.endpoint, status.lastUsedEndpoint))
    return undefined;
  return endpoints[(idx + 1) % endpoints.length];
}

const millis = (t: Timestamp | undefined): number =>
  t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : 0;
const stamp = (ms: number): Timestamp =>
  spec(TimestampSchema, { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });
const copyPort = (e: NetIPPort): NetIPPort => spec(NetIPPortSchema, { ip: e.ip, port: e.port });

/**
 * One reconcile of a peer: `now` is wall-clock ms, `scale` turns wall-clock durations into node
 * time, `reachable` says whether the peer's node answers a handshake now.
 */
export function reconcilePeer(
  before: PeerStatusSpec | undefined,
  peer: PeerSpecSpec,
  now: number,
  scale: number,
  reachable: boolean,
): PeerStatusSpec {
  const status = spec(PeerStatusSpecSchema, {
    label: peer.label,
    state: before?.state ?? KubespanPeerState.PEER_STATE_UNKNOWN,
    receiveBytes: before?.receiveBytes ?? 0n,
    transmitBytes: before?.transmitBytes ?? 0n,
    ...(before?.endpoint ? { endpoint: copyPort(before.endpoint) } : {}),
    ...(before?.lastUsedEndpoint ? { lastUsedEndpoint: copyPort(before.lastUsedEndpoint) } : {}),
    ...(before?.lastHandshakeTime ? { lastHandshakeTime: before.lastHandshakeTime } : {}),
    ...(before?.lastEndpointChange ? { lastEndpointChange: before.lastEndpointChange } : {}),
  });
  const since = (t: Timestamp | undefined) => (now - millis(t)) * scale;
  // What WireGuard reports: a handshake with a node that answers, on the endpoint set.
  if (status.endpoint && reachable) {
    const last = millis(status.lastHandshakeTime);
    const fresh = last <= millis(status.lastEndpointChange);
    if (fresh || since(status.lastHandshakeTime) >= REKEY_AFTER_MS) {
      const keepalives = last > 0 && !fresh ? Math.floor(since(status.lastHandshakeTime) / KEEPALIVE_MS) : 0;
      status.transmitBytes += BigInt(INITIATION_BYTES + keepalives * KEEPALIVE_BYTES);
      status.receiveBytes += BigInt(RESPONSE_BYTES + keepalives * KEEPALIVE_BYTES);
      status.lastHandshakeTime = stamp(now);
    }
  }
  const changed = millis(status.lastEndpointChange);
  status.state = peerState(
    since(status.lastHandshakeTime),
    since(status.lastEndpointChange),
    millis(status.lastHandshakeTime) > changed,
    status.lastUsedEndpoint !== undefined,
  );
  if (status.state === KubespanPeerState.PEER_STATE_DOWN || !status.lastUsedEndpoint) {
    const next = nextEndpoint(status, peer.endpoints);
    if (next) {
      status.endpoint = copyPort(next);
      status.lastUsedEndpoint = copyPort(next);
      status.lastEndpointChange = stamp(now);
      status.state = KubespanPeerState.PEER_STATE_UNKNOWN;
    }
  }
  return status;
}

/** kubespan.ManagerController: a status for every peer spec while KubeSpan runs with an identity. */
export const peerStatuses: Controller<MachineSource> = {
  name: "kubespan.ManagerController",
  inputs: [INPUT.kubeSpanPeers],
  reads: [
    { namespace: NS.config, type: KUBESPAN_CONFIG },
    { namespace: NS.kubespan, type: KUBESPAN_IDENTITY },
    { namespace: NS.kubespan, type: PEER_SPECS },
  ],
  run({ source, list, get, put }) {
    const cfg = get(NS.config, KUBESPAN_CONFIG, "kubespan")?.spec as { enabled: boolean } | undefined;
    if (!cfg?.enabled || !get(NS.kubespan, KUBESPAN_IDENTITY, "local")) return;
    const now = source.now().getTime();
    for (const r of list(NS.kubespan, PEER_SPECS)) {
      const before = get(NS.kubespan, KUBESPAN_PEER_STATUS.definition.type, r.id)?.spec as
        | PeerStatusSpec
        | undefined;
      const reachable = source.kubeSpanPeerReachable?.(r.id) ?? false;
      put(
        KUBESPAN_PEER_STATUS,
        NS.kubespan,
        r.id,
        reconcilePeer(before, r.spec as PeerSpecSpec, now, source.timeScale ?? 1, reachable),
      );
    }
  },
};
