// A captured packet as talosctl prints it without --output (gopacket's Packet.String()): a
// summary line, then one line per decoded layer (Ethernet, IPv4 or IPv6, TCP or UDP, the
// payload) with its fields as gopacket names and formats them.
import { IANA_TCP_PORT_NAMES } from "./iana-tcp-ports.js";
import type { PcapPacket } from "./reader.js";

let tcpNames: Map<number, string> | undefined;

/** The IANA name of a TCP port, if it has one. */
export function tcpPortName(port: number): string | undefined {
  if (!tcpNames) {
    tcpNames = new Map();
    let at = 0;
    for (const line of IANA_TCP_PORT_NAMES.split("\n")) {
      const space = line.indexOf(" ");
      at += Number(line.slice(0, space));
      tcpNames.set(at, line.slice(space + 1));
    }
  }
  return tcpNames.get(port);
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;

const ETHERTYPES: Readonly<Record<number, string>> = {
  2048: "IPv4",
  2054: "ARP",
  34525: "IPv6",
  33024: "Dot1Q",
  35020: "LinkLayerDiscovery",
};

const PROTOCOLS: Readonly<Record<number, string>> = {
  0: "IPv6HopByHop",
  1: "ICMPv4",
  2: "IGMP",
  4: "IPv4",
  6: "TCP",
  17: "UDP",
  41: "IPv6",
  43: "IPv6Routing",
  44: "IPv6Fragment",
  47: "GRE",
  50: "ESP",
  51: "AH",
  58: "ICMPv6",
  59: "NoNextHeader",
  60: "IPv6Destination",
  112: "VRRP",
  132: "SCTP",
  136: "UDPLite",
};

const TCP_OPTION_NAMES: Readonly<Record<number, string>> = {
  0: "EndList",
  1: "NOP",
  2: "MSS",
  3: "WindowScale",
  4: "SACKPermitted",
  5: "SACK",
  6: "Echo",
  7: "EchoReply",
  8: "Timestamps",
  9: "PartialOrderConnectionPermitted",
  10: "PartialOrderServiceProfile",
  11: "CC",
  12: "CCNew",
  13: "CCEcho",
  14: "AltChecksum",
  15: "AltChecksumData",
  30: "MultipathTCP",
};

/** gopacket's rendering of a byte slice field: up to 4 elements listed, else `[..n..]`. */
function bytesField(b: Uint8Array): string {
  return b.length > 4 ? `[..${b.length}..]` : `[${[...b].join(", ")}]`;
}

function mac(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

function ipv4(b: Uint8Array): string {
  return [...b].join(".");
}

/** Go's net.IP.String() of 16 bytes (RFC 5952: the longest zero run shortened, IPv4-mapped dotted). */
export function ipv6(b: Uint8Array): string {
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff)
    return ipv4(b.subarray(12));
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (w: number): string => w.toString(16);
  if (bestStart < 0) return words.map(hex).join(":");
  const head = words.slice(0, bestStart).map(hex).join(":");
  const tail = words
    .slice(bestStart + bestLen)
    .map(hex)
    .join(":");
  return `${head}::${tail}`;
}

function port(p: number): string {
  const name = tcpPortName(p);
  return name === undefined ? String(p) : `${p}(${name})`;
}

function tcpOptions(data: Uint8Array): { options: string[]; padding: Uint8Array } {
  const options: string[] = [];
  let i = 0;
  while (i < data.length) {
    const kind = data[i]!;
    const name = TCP_OPTION_NAMES[kind] ?? `Unknown(${kind})`;
    if (kind === 0) {
      options.push(`TCPOption(${name}:)`);
      return { options, padding: data.subarray(i + 1) };
    }
    if (kind === 1) {
      options.push(`TCPOption(${name}:)`);
      i++;
      continue;
    }
    const length = data[i + 1] ?? 2;
    const value = data.subarray(i + 2, i + Math.max(2, length));
    const hex = value.length > 0 ? ` 0x${Buffer.from(value).toString("hex")}` : "";
    const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
    if (kind === 2 && value.length >= 2) options.push(`TCPOption(${name}:${dv.getUint16(0)}${hex})`);
    else if (kind === 8 && value.length === 8)
      options.push(`TCPOption(${name}:${dv.getUint32(0)}/${dv.getUint32(4)}${hex})`);
    else options.push(`TCPOption(${name}:${hex})`);
    i += Math.max(2, length);
  }
  return { options, padding: new Uint8Array(0) };
}

/** Go's slice rendering of the options list (each element's String(), up to 4 listed). */
function optionsField(options: readonly string[]): string {
  return options.length > 4 ? `[..${options.length}..]` : `[${options.join(", ")}]`;
}

interface Layer {
  readonly header: number;
  readonly text: string;
}

function decodeLayers(data: Uint8Array, linkType: number): { layers: Layer[]; truncated: boolean } {
  const layers: Layer[] = [];
  let truncated = false;
  let rest = data;
  let next: "ethernet" | "ipv4" | "ipv6" | "tcp" | "udp" | "payload" | undefined =
    linkType === LINKTYPE_ETHERNET ? "ethernet" : linkType === LINKTYPE_RAW ? "ipv4" : "payload";
  if (linkType === LINKTYPE_RAW && rest.length > 0 && rest[0]! >> 4 === 6) next = "ipv6";
  while (next && rest.length > 0) {
    const v = new DataView(rest.buffer, rest.byteOffset, rest.byteLength);
    switch (next) {
      case "ethernet": {
        if (rest.length < 14) {
          next = "payload";
          break;
        }
        const type = v.getUint16(12);
        const payload = rest.subarray(14);
        layers.push({
          header: 14,
          text: `Ethernet\t{Contents=${bytesField(rest.subarray(0, 14))} Payload=${bytesField(payload)} SrcMAC=${mac(rest.subarray(6, 12))} DstMAC=${mac(rest.subarray(0, 6))} EthernetType=${ETHERTYPES[type] ?? `UnknownEthernetType`} Length=0}`,
        });
        rest = payload;
        next = type === 0x0800 ? "ipv4" : type === 0x86dd ? "ipv6" : "payload";
        break;
      }
      case "ipv4": {
        const ihl = (rest[0]! & 0x0f) * 4;
        if (rest.length < 20 || ihl < 20 || rest.length < ihl) {
          next = "payload";
          break;
        }
        const total = v.getUint16(2);
        let packet = rest;
        if (rest.length > total) packet = rest.subarray(0, total);
        else if (rest.length < total) truncated = true;
        const flagBits = v.getUint16(6) >> 13;
        const flags = [flagBits & 4 ? "Evil" : "", flagBits & 2 ? "DF" : "", flagBits & 1 ? "MF" : ""]
          .filter((s) => s !== "")
          .join("|");
        const proto = rest[9]!;
        const payload = packet.subarray(ihl);
        layers.push({
          header: ihl,
          text: `IPv4\t{Contents=${bytesField(rest.subarray(0, ihl))} Payload=${bytesField(payload)} Version=${rest[0]! >> 4} IHL=${ihl / 4} TOS=${rest[1]} Length=${total} Id=${v.getUint16(4)} Flags=${flags} FragOffset=${v.getUint16(6) & 0x1fff} TTL=${rest[8]} Protocol=${PROTOCOLS[proto] ?? `UnknownIPProtocol`} Checksum=${v.getUint16(10)} SrcIP=${ipv4(rest.subarray(12, 16))} DstIP=${ipv4(rest.subarray(16, 20))} Options=[] Padding=[]}`,
        });
        rest = payload;
        next = proto === 6 ? "tcp" : proto === 17 ? "udp" : "payload";
        break;
      }
      case "ipv6": {
        if (rest.length < 40) {
          next = "payload";
          break;
        }
        const length = v.getUint16(4);
        let packet = rest.subarray(40);
        if (packet.length > length) packet = packet.subarray(0, length);
        else if (packet.length < length) truncated = true;
        const nextHeader = rest[6]!;
        layers.push({
          header: 40,
          text: `IPv6\t{Contents=${bytesField(rest.subarray(0, 40))} Payload=${bytesField(packet)} Version=6 TrafficClass=${(v.getUint16(0) >> 4) & 0xff} FlowLabel=${v.getUint32(0) & 0xfffff} Length=${length} NextHeader=${PROTOCOLS[nextHeader] ?? "UnknownIPProtocol"} HopLimit=${rest[7]} SrcIP=${ipv6(rest.subarray(8, 24))} DstIP=${ipv6(rest.subarray(24, 40))} HopByHop=nil}`,
        });
        rest = packet;
        next = nextHeader === 6 ? "tcp" : nextHeader === 17 ? "udp" : "payload";
        break;
      }
      case "tcp": {
        const offset = (rest[12]! >> 4) * 4;
        if (rest.length < 20 || offset < 20 || rest.length < offset) {
          next = "payload";
          break;
        }
        const flagByte = rest[13]!;
        const bit = (n: number): boolean => (flagByte & n) !== 0;
        const { options, padding } = tcpOptions(rest.subarray(20, offset));
        const payload = rest.subarray(offset);
        layers.push({
          header: offset,
          text: `TCP\t{Contents=${bytesField(rest.subarray(0, offset))} Payload=${bytesField(payload)} SrcPort=${port(v.getUint16(0))} DstPort=${port(v.getUint16(2))} Seq=${v.getUint32(4)} Ack=${v.getUint32(8)} DataOffset=${offset / 4} FIN=${bit(1)} SYN=${bit(2)} RST=${bit(4)} PSH=${bit(8)} ACK=${bit(16)} URG=${bit(32)} ECE=${bit(64)} CWR=${bit(128)} NS=${(rest[12]! & 1) !== 0} Window=${v.getUint16(14)} Checksum=${v.getUint16(16)} Urgent=${v.getUint16(18)} Options=${optionsField(options)} Padding=${bytesField(padding)} Multipath=false}`,
        });
        rest = payload;
        next = "payload";
        break;
      }
      case "udp": {
        if (rest.length < 8) {
          next = "payload";
          break;
        }
        const payload = rest.subarray(8);
        layers.push({
          header: 8,
          text: `UDP\t{Contents=${bytesField(rest.subarray(0, 8))} Payload=${bytesField(payload)} SrcPort=${v.getUint16(0)} DstPort=${v.getUint16(2)} Length=${v.getUint16(4)} Checksum=${v.getUint16(6)}}`,
        });
        rest = payload;
        next = "payload";
        break;
      }
      case "payload":
        layers.push({ header: rest.length, text: `Payload\t${rest.length} byte(s)` });
        rest = new Uint8Array(0);
        next = undefined;
        break;
    }
  }
  return { layers, truncated };
}

/** Go's time.Time.String() of a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function goUtcTime(seconds: number, nanos: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  let frac = nanos > 0 ? `.${p(nanos, 9)}`.replace(/0+$/, "") : "";
  if (frac === ".") frac = "";
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`;
}

/** The packet as gopacket prints it, ending with a newline. */
export function packetString(packet: PcapPacket, linkType: number, nanosecondStamps: boolean): string {
  const { layers, truncated } = decodeLayers(packet.captured, linkType);
  const nanos = nanosecondStamps ? packet.fraction : packet.fraction * 1000;
  let out = `PACKET: ${packet.captured.length} bytes`;
  if (truncated) out += ", truncated";
  if (packet.length > 0) out += `, wire length ${packet.length} cap length ${packet.captured.length}`;
  out += ` @ ${goUtcTime(packet.seconds, nanos)}\n`;
  layers.forEach((l, i) => {
    out += `- Layer ${i + 1} (${String(l.header).padStart(2, "0")} bytes) = ${l.text}\n`;
  });
  return out;
}
