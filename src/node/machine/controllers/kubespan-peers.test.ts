// KubeSpan peer statuses: Talos's state calculation from the last handshake and endpoint change,
// endpoint rotation, and the emulated WireGuard handshakes with peers that answer or not.
import { describe, expect, it } from "vitest";
import { NetIPPortSchema } from "../../../gen/common/common_pb.js";
import { KubespanPeerState } from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  PeerSpecSpecSchema,
  PeerStatusSpecSchema,
} from "../../../gen/resource/definitions/kubespan/kubespan_pb.js";
import { ipBytes, ipText, spec } from "../../resources/index.js";
import {
  ENDPOINT_CONNECTION_TIMEOUT_MS,
  nextEndpoint,
  PEER_DOWN_MS,
  peerState,
  REKEY_AFTER_MS,
  reconcilePeer,
} from "./kubespan-peers.js";

const { PEER_STATE_UP: UP, PEER_STATE_DOWN: DOWN, PEER_STATE_UNKNOWN: UNKNOWN } = KubespanPeerState;
const port = (ip: string, p = 51820) => spec(NetIPPortSchema, { ip: ipBytes(ip), port: p });
const peer = (...ips: string[]) =>
  spec(PeerSpecSpecSchema, { label: "worker-1", endpoints: ips.map((ip) => port(ip)) });

describe("kubespan peer state", () => {
  it("follows Talos's timeline around the last endpoint change", () => {
    // Long after the endpoint change: up while the last handshake is within the down interval.
    expect(peerState(PEER_DOWN_MS - 1, PEER_DOWN_MS + 1, false, true)).toBe(UP);
    expect(peerState(PEER_DOWN_MS + 1, PEER_DOWN_MS + 1, false, true)).toBe(DOWN);
    // Just after a change: unknown until a handshake follows it.
    expect(peerState(Number.POSITIVE_INFINITY, ENDPOINT_CONNECTION_TIMEOUT_MS - 1, false, true)).toBe(
      UNKNOWN,
    );
    expect(peerState(1, ENDPOINT_CONNECTION_TIMEOUT_MS - 1, true, true)).toBe(UP);
    // Past the connection timeout with no handshake since the change: down.
    expect(peerState(Number.POSITIVE_INFINITY, ENDPOINT_CONNECTION_TIMEOUT_MS + 1, false, true)).toBe(DOWN);
    // Down with no endpoint ever used is unknown.
    expect(peerState(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, false, false)).toBe(UNKNOWN);
  });

  it("picks the first endpoint, rotates on, and keeps a single one in use", () => {
    const fresh = spec(PeerStatusSpecSchema, {});
    expect(ipText(nextEndpoint(fresh, peer("10.0.0.1", "10.0.0.2").endpoints)!.ip)).toBe("10.0.0.1");
    const used = spec(PeerStatusSpecSchema, {
      endpoint: port("10.0.0.1"),
      lastUsedEndpoint: port("10.0.0.1"),
    });
    expect(ipText(nextEndpoint(used, peer("10.0.0.1", "10.0.0.2").endpoints)!.ip)).toBe("10.0.0.2");
    expect(nextEndpoint(used, peer("10.0.0.1").endpoints)).toBeUndefined();
    expect(nextEndpoint(fresh, [])).toBeUndefined();
  });
});

describe("kubespan peer reconcile", () => {
  const t0 = Date.UTC(2026, 0, 1);
  const scale = 50;
  // Node time → wall-clock ms at this scale.
  const at = (nodeMs: number) => t0 + nodeMs / scale;

  it("sets the endpoint, then comes up at the first handshake with a node that answers", () => {
    const first = reconcilePeer(undefined, peer("127.0.0.3"), at(0), scale, true);
    expect(first.state).toBe(UNKNOWN);
    expect(first.label).toBe("worker-1");
    expect(`${ipText(first.endpoint!.ip)}:${first.endpoint!.port}`).toBe("127.0.0.3:51820");
    expect(first.lastHandshakeTime).toBeUndefined();
    const second = reconcilePeer(first, peer("127.0.0.3"), at(30_000), scale, true);
    expect(second.state).toBe(UP);
    expect(second.transmitBytes).toBe(148n);
    expect(second.receiveBytes).toBe(92n);
  });

  it("goes down once no handshake came for the down interval, and up when the node answers again", () => {
    let s = reconcilePeer(undefined, peer("127.0.0.3"), at(0), scale, true);
    s = reconcilePeer(s, peer("127.0.0.3"), at(30_000), scale, true);
    const handshake = s.lastHandshakeTime;
    // The node stops: no handshake, still up within the down interval (and the endpoint settles).
    s = reconcilePeer(s, peer("127.0.0.3"), at(30_000 + PEER_DOWN_MS - 1_000), scale, false);
    expect(s.state).toBe(UP);
    expect(s.lastHandshakeTime).toEqual(handshake);
    s = reconcilePeer(s, peer("127.0.0.3"), at(30_000 + PEER_DOWN_MS + 1_000), scale, false);
    expect(s.state).toBe(DOWN);
    // A single endpoint in use is kept: the state stays down.
    expect(s.lastEndpointChange).toEqual(
      reconcilePeer(undefined, peer("127.0.0.3"), at(0), scale, true).lastEndpointChange,
    );
    s = reconcilePeer(s, peer("127.0.0.3"), at(30_000 + PEER_DOWN_MS + 60_000), scale, true);
    expect(s.state).toBe(UP);
    expect(s.transmitBytes).toBeGreaterThan(148n);
  });

  it("re-handshakes only after the rekey time", () => {
    let s = reconcilePeer(undefined, peer("127.0.0.3"), at(0), scale, true);
    s = reconcilePeer(s, peer("127.0.0.3"), at(1_000), scale, true);
    const first = s.lastHandshakeTime;
    s = reconcilePeer(s, peer("127.0.0.3"), at(1_000 + REKEY_AFTER_MS - 1_000), scale, true);
    expect(s.lastHandshakeTime).toEqual(first);
    s = reconcilePeer(s, peer("127.0.0.3"), at(1_000 + REKEY_AFTER_MS), scale, true);
    expect(s.lastHandshakeTime).not.toEqual(first);
    // Keepalives of the interval since the last handshake count too.
    expect(s.transmitBytes).toBe(BigInt(148 * 2 + 32 * Math.floor(REKEY_AFTER_MS / 25_000)));
  });

  it("rotates a down peer to its next endpoint", () => {
    let s = reconcilePeer(undefined, peer("127.0.0.3", "127.0.1.3"), at(0), scale, false);
    expect(ipText(s.endpoint!.ip)).toBe("127.0.0.3");
    s = reconcilePeer(
      s,
      peer("127.0.0.3", "127.0.1.3"),
      at(ENDPOINT_CONNECTION_TIMEOUT_MS + 1_000),
      scale,
      false,
    );
    expect(s.state).toBe(UNKNOWN);
    expect(ipText(s.endpoint!.ip)).toBe("127.0.1.3");
  });
});
