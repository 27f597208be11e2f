// Ethernet frames carrying IPv4 or IPv6 TCP segments, built byte by byte as the kernel would put
// them on the wire: header lengths, the IPv4 header checksum and the TCP checksum over the
// pseudo-header, TCP timestamps in every segment (Linux's default), MSS, SACK and window
// scaling offered on SYNs.
import { isIPv4 } from "node:net";

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const IPPROTO_TCP = 6;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

const ETH_HEADER = 14;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
/** NOP, NOP, timestamps: what Linux sends on established connections. */
const TCP_HEADER_TS = 32;
/** MSS, SACK permitted, timestamps, NOP, window scale: Linux's SYN options. */
const TCP_HEADER_SYN = 40;

export interface Segment {
  readonly srcMac: Uint8Array;
  readonly dstMac: Uint8Array;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  /** The advertised window (already scaled down, as on the wire). */
  readonly window: number;
  /** TSval and TSecr of the timestamps option. */
  readonly tsVal: number;
  readonly tsEcr: number;
  /** IPv4 identification (ignored for IPv6). */
  readonly ipId: number;
  /** IPv6 flow label (ignored for IPv4). */
  readonly flowLabel?: number;
  /** The MSS a SYN offers. */
  readonly mss?: number;
  /** The window scale a SYN offers. */
  readonly windowScale?: number;
  readonly payload: Uint8Array;
}

/** An IPv4 address as 4 bytes; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) counts as IPv4. */
export function ipv4Bytes(ip: string): Uint8Array | undefined {
  const plain = ip.startsWith("::ffff:") && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (!isIPv4(plain)) return undefined;
  return Uint8Array.from(plain.split(".").map(Number));
}

/** An IPv6 address as 16 bytes. */
export function ipv6Bytes(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = ip;
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tail = text
      .slice(lastColon + 1)
      .split(".")
      .map(Number);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === "" ? [] : part.split(":").map((h) => Number.parseInt(h, 16));
  const left = parse(head);
  const right = parse(rest);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  words.forEach((w, i) => {
    out[i * 2] = (w >> 8) & 0xff;
    out[i * 2 + 1] = w & 0xff;
  });
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

/** The Internet checksum (RFC 1071) of `parts`, as one byte stream. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd === undefined) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function tcpHeader(s: Segment, srcIp: Uint8Array, dstIp: Uint8Array, v6: boolean): Uint8Array {
  const syn = (s.flags & TCP_SYN) !== 0;
  const length = syn ? TCP_HEADER_SYN : TCP_HEADER_TS;
  const h = new Uint8Array(length + s.payload.length);
  const v = new DataView(h.buffer);
  v.setUint16(0, s.srcPort);
  v.setUint16(2, s.dstPort);
  v.setUint32(4, s.seq >>> 0);
  v.setUint32(8, s.ack >>> 0);
  h[12] = (length / 4) << 4;
  h[13] = s.flags;
  v.setUint16(14, s.window);
  // checksum at 16, urgent pointer at 18 stay 0 for now
  let o = 20;
  if (syn) {
    h.set([2, 4, (s.mss ?? 1460) >> 8, (s.mss ?? 1460) & 0xff], o);
    h.set([4, 2], o + 4);
    o += 6;
  } else {
    h.set([1, 1], o);
    o += 2;
  }
  h.set([8, 10], o);
  v.setUint32(o + 2, s.tsVal >>> 0);
  v.setUint32(o + 6, s.tsEcr >>> 0);
  o += 10;
  if (syn) h.set([1, 3, 3, s.windowScale ?? 7], o);
  h.set(s.payload, length);
  const tcpLength = h.length;
  const pseudo = v6 ? new Uint8Array(40) : new Uint8Array(12);
  const pv = new DataView(pseudo.buffer);
  if (v6) {
    pseudo.set(srcIp, 0);
    pseudo.set(dstIp, 16);
    pv.setUint32(32, tcpLength);
    pseudo[39] = IPPROTO_TCP;
  } else {
    pseudo.set(srcIp, 0);
    pseudo.set(dstIp, 4);
    pseudo[9] = IPPROTO_TCP;
    pv.setUint16(10, tcpLength);
  }
  v.setUint16(16, internetChecksum(pseudo, h));
  return h;
}

/** One Ethernet frame with the segment in it. */
export function buildFrame(s: Segment): Uint8Array {
  const src4 = ipv4Bytes(s.src);
  const dst4 = ipv4Bytes(s.dst);
  const v6 = !(src4 && dst4);
  const srcIp = v6 ? ipv6Bytes(s.src) : src4!;
  const dstIp = v6 ? ipv6Bytes(s.dst) : dst4!;
  const tcp = tcpHeader(s, srcIp, dstIp, v6);
  const ipLength = v6 ? IPV6_HEADER : IPV4_HEADER;
  const frame = new Uint8Array(ETH_HEADER + ipLength + tcp.length);
  const v = new DataView(frame.buffer);
  frame.set(s.dstMac, 0);
  frame.set(s.srcMac, 6);
  v.setUint16(12, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
  const ip = ETH_HEADER;
  if (v6) {
    v.setUint32(ip, (6 << 28) | ((s.flowLabel ?? 0) & 0xfffff));
    v.setUint16(ip + 4, tcp.length);
    frame[ip + 6] = IPPROTO_TCP;
    frame[ip + 7] = 64;
    frame.set(srcIp, ip + 8);
    frame.set(dstIp, ip + 24);
  } else {
    frame[ip] = 0x45;
    frame[ip + 1] = 0;
    v.setUint16(ip + 2, IPV4_HEADER + tcp.length);
    v.setUint16(ip + 4, s.ipId & 0xffff);
    v.setUint16(ip + 6, 0x4000);
    frame[ip + 8] = 64;
    frame[ip + 9] = IPPROTO_TCP;
    frame.set(srcIp, ip + 12);
    frame.set(dstIp, ip + 16);
    v.setUint16(ip + 10, internetChecksum(frame.subarray(ip, ip + IPV4_HEADER)));
  }
  frame.set(tcp, ip + ipLength);
  return frame;
}

/** Bytes of headers a data segment carries before its payload on a link (IPv4 or IPv6). */
export function headerBytes(v6: boolean): number {
  return ETH_HEADER + (v6 ? IPV6_HEADER : IPV4_HEADER) + TCP_HEADER_TS;
}
