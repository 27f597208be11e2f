// Packet capture on the client side: the BPF filter talosctl sends, reading the pcap stream and
// printing its packets as gopacket does.

export { goUtcTime, ipv6, packetString, tcpPortName } from "./decode.js";
export {
  type BpfInstruction,
  compileExpression,
  FilterError,
  parseBpfFilter,
  parseInstructions,
} from "./filter.js";
export { PcapFormatError, type PcapHeader, type PcapPacket, PcapReader } from "./reader.js";
