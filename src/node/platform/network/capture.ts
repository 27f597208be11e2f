// Packet capture of the node's own API traffic. The API server reports each message of a call
// it serves and the listener each client connection that opens or closes; while a capture runs,
// those become the TCP segments the connection carries on its link (`lo` for loopback peers,
// `eth0` otherwise): the handshake and teardown, data segments cut to the link's MSS with PSH on
// the last, the peer's ACK, sequence and acknowledgement numbers and timestamps that follow the
// connection. A segment's payload is the gRPC stream as the server reads and writes it (each
// message with its 5-byte length prefix), not the TLS records the real socket carries: the
// traffic is shown as if TLS were terminated. Messages of the capture streams themselves are
// left out (their bytes still advance the sequence numbers), so a capture does not feed on its
// own output.
import { randomBytes } from "node:crypto";
import { type BpfInstruction, runProgram } from "./bpf.js";
import { buildFrame, headerBytes, ipv4Bytes, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from "./packets.js";
import { pcapFileHeader, pcapRecord } from "./pcap.js";

/** A link packets can be captured on. */
export interface Link {
  readonly name: string;
  readonly mtu: number;
  /** This machine's MAC on the link. */
  readonly mac: Uint8Array;
  /** The MAC frames from other machines come from (the gateway's). */
  readonly peerMac: Uint8Array;
  readonly linkType: number;
}

/** The 4-tuple of a client connection to the API. */
export interface Flow4 {
  readonly peer: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export interface CaptureOptions {
  readonly link: Link;
  readonly snaplen: number;
  readonly filter?: readonly BpfInstruction[];
}

/** Bytes of records a capture holds for a slow reader before it drops packets. */
export const CAPTURE_QUEUE_BYTES = 8 * 1024 * 1024;
/** The method whose replies are the captures' own output. */
const CAPTURE_METHOD = "/machine.MachineService/PacketCapture";
/** The window field of established segments (with window scaling: 512 << 7 = 64 KiB). */
const WINDOW = 512;

export class Capture {
  readonly header: Uint8Array;
  packets = 0;
  drops = 0;
  polls = 0;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private wake: (() => void) | undefined;
  closed = false;

  constructor(
    readonly options: CaptureOptions,
    private readonly onClose: (c: Capture) => void,
  ) {
    this.header = pcapFileHeader(options.snaplen, options.link.linkType);
  }

  /** Offers a frame seen on the capture's link at `at`. */
  offer(link: string, frame: Uint8Array, at: Date): void {
    if (this.closed || link !== this.options.link.name) return;
    let keep = frame.length;
    if (this.options.filter) {
      keep = runProgram(this.options.filter, frame);
      if (keep === 0) return;
    }
    const record = pcapRecord(frame.subarray(0, Math.min(keep, frame.length)), this.options.snaplen, at);
    // The record's original length is the frame's, even when the filter kept less.
    new DataView(record.buffer).setUint32(12, frame.length, true);
    if (this.queued + record.length > CAPTURE_QUEUE_BYTES) {
      this.drops++;
      return;
    }
    this.packets++;
    this.queue.push(record);
    this.queued += record.length;
    this.wake?.();
  }

  /** Waits for records (or the signal); returns what is queued, oldest first. */
  async take(signal: AbortSignal): Promise<Uint8Array[]> {
    while (this.queue.length === 0) {
      if (signal.aborted || this.closed) return [];
      this.polls++;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.wake = undefined;
          signal.removeEventListener("abort", done);
          resolve();
        };
        this.wake = done;
        signal.addEventListener("abort", done, { once: true });
      });
    }
    const out = this.queue;
    this.queue = [];
    this.queued = 0;
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.onClose(this);
  }
}

interface Side {
  /** Next sequence number this side sends. */
  seq: number;
  tsBase: number;
  lastTs: number;
  ipId: number;
}

interface FlowState {
  readonly flow: Flow4;
  readonly link: Link;
  readonly client: Side;
  readonly server: Side;
  readonly flowLabel: number;
}

function side(): Side {
  const r = randomBytes(8);
  return {
    seq: r.readUInt32BE(0),
    tsBase: r.readUInt32BE(4) & 0x7fffffff,
    lastTs: 0,
    ipId: r.readUInt16BE(0),
  };
}

/** Whether an address is on the loopback network. */
export function isLoopback(ip: string): boolean {
  const v4 = ipv4Bytes(ip);
  if (v4) return v4[0] === 127;
  return ip === "::1";
}

export interface CaptureHost {
  now(): Date;
  /** The links by name. */
  links(): readonly Link[];
  /** The open client connection a call's peer names. */
  connection(peer: string): Flow4 | undefined;
}

export class CaptureHub {
  private readonly captures = new Set<Capture>();
  private readonly flows = new Map<string, FlowState>();

  constructor(private readonly host: CaptureHost) {}

  link(name: string): Link | undefined {
    return this.host.links().find((l) => l.name === name);
  }

  get active(): number {
    return this.captures.size;
  }

  open(options: CaptureOptions): Capture {
    const capture = new Capture(options, (c) => {
      this.captures.delete(c);
      if (this.captures.size === 0) this.flows.clear();
    });
    this.captures.add(capture);
    return capture;
  }

  /** A message of a call served here (the API server's traffic observer). */
  message(call: { getPeer(): string }, path: string, direction: "in" | "out", bytes: Uint8Array): void {
    if (this.captures.size === 0) return;
    const state = this.flowFor(call.getPeer(), false);
    if (!state) return;
    const at = this.host.now();
    const wire = new Uint8Array(5 + bytes.length);
    new DataView(wire.buffer).setUint32(1, bytes.length);
    wire.set(bytes, 5);
    const [from, to] = direction === "in" ? [state.client, state.server] : [state.server, state.client];
    if (path === CAPTURE_METHOD && direction === "out") {
      from.seq = (from.seq + wire.length) >>> 0;
      return;
    }
    const v6 = !ipv4Bytes(state.flow.localAddress);
    const mss = state.link.mtu - headerBytes(v6) + 14;
    for (let offset = 0; offset < wire.length; offset += mss) {
      const chunk = wire.subarray(offset, Math.min(wire.length, offset + mss));
      const last = offset + mss >= wire.length;
      this.segment(state, direction === "in", TCP_ACK | (last ? TCP_PSH : 0), chunk, at);
    }
    // The receiver acknowledges what it got.
    void to;
    this.segment(state, direction !== "in", TCP_ACK, new Uint8Array(0), at);
  }

  /** A client connected (the listener's connection observer): the three-way handshake. */
  opened(conn: Flow4): void {
    if (this.captures.size === 0) return;
    const state = this.flowFor(conn.peer, true, conn);
    if (!state) return;
    const at = this.host.now();
    const mss = state.link.mtu - (ipv4Bytes(conn.localAddress) ? 40 : 60);
    state.client.seq = (state.client.seq - 1) >>> 0;
    state.server.seq = (state.server.seq - 1) >>> 0;
    this.segment(state, true, TCP_SYN, new Uint8Array(0), at, mss);
    this.segment(state, false, TCP_SYN | TCP_ACK, new Uint8Array(0), at, mss);
    this.segment(state, true, TCP_ACK, new Uint8Array(0), at);
  }

  /** A client connection closed: the FIN exchange, client first. */
  closed(conn: Flow4): void {
    const state = this.flows.get(conn.peer);
    this.flows.delete(conn.peer);
    if (this.captures.size === 0 || !state) return;
    const at = this.host.now();
    this.segment(state, true, TCP_FIN | TCP_ACK, new Uint8Array(0), at);
    this.segment(state, false, TCP_FIN | TCP_ACK, new Uint8Array(0), at);
    this.segment(state, true, TCP_ACK, new Uint8Array(0), at);
  }

  private flowFor(peer: string, fresh: boolean, known?: Flow4): FlowState | undefined {
    const existing = this.flows.get(peer);
    if (existing && !fresh) return existing;
    const flow = known ?? this.host.connection(peer);
    if (!flow) return undefined;
    const linkName = isLoopback(flow.remoteAddress) && isLoopback(flow.localAddress) ? "lo" : "eth0";
    const link = this.link(linkName);
    if (!link) return undefined;
    const state: FlowState = {
      flow,
      link,
      client: side(),
      server: side(),
      flowLabel: randomBytes(3).readUIntBE(0, 3) & 0xfffff,
    };
    this.flows.set(peer, state);
    return state;
  }

  private segment(
    state: FlowState,
    fromClient: boolean,
    flags: number,
    payload: Uint8Array,
    at: Date,
    mss?: number,
  ): void {
    const { flow, link } = state;
    const [me, other] = fromClient ? [state.client, state.server] : [state.server, state.client];
    const ts = (me.tsBase + (at.getTime() & 0x7fffffff)) >>> 0;
    me.lastTs = ts;
    const syn = (flags & TCP_SYN) !== 0;
    const frame = buildFrame({
      srcMac: fromClient ? link.peerMac : link.mac,
      dstMac: fromClient ? link.mac : link.peerMac,
      src: fromClient ? flow.remoteAddress : flow.localAddress,
      dst: fromClient ? flow.localAddress : flow.remoteAddress,
      srcPort: fromClient ? flow.remotePort : flow.localPort,
      dstPort: fromClient ? flow.localPort : flow.remotePort,
      seq: me.seq,
      ack: (flags & TCP_ACK) !== 0 ? other.seq : 0,
      flags,
      window: syn ? Math.min(65535, (mss ?? 1460) * 45) : WINDOW,
      tsVal: ts,
      tsEcr: (flags & TCP_ACK) !== 0 || !syn ? other.lastTs : 0,
      ipId: me.ipId,
      flowLabel: state.flowLabel,
      ...(mss !== undefined ? { mss } : {}),
      payload,
    });
    me.ipId = (me.ipId + 1) & 0xffff;
    me.seq = (me.seq + payload.length + (syn || (flags & TCP_FIN) !== 0 ? 1 : 0)) >>> 0;
    for (const c of this.captures) c.offer(link.name, frame, at);
  }
}
