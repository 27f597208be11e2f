// The node's network as its own tools see it: the socket table (netstat), the links, and the
// capture of its API traffic as pcap records (with a classic BPF interpreter for filters).
export { BPF_MAX_INSNS, BpfError, type BpfInstruction, runProgram, validateProgram } from "./bpf.js";
export {
  CAPTURE_QUEUE_BYTES,
  Capture,
  type CaptureHost,
  CaptureHub,
  type CaptureOptions,
  type Flow4,
  isLoopback,
  type Link,
} from "./capture.js";
export { ETHERNET_MTU, formatMac, LOOPBACK_MTU, machineLinks } from "./links.js";
export {
  buildFrame,
  internetChecksum,
  ipv4Bytes,
  ipv6Bytes,
  type Segment,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_SYN,
} from "./packets.js";
export { DEFAULT_SNAPLEN, LINKTYPE_ETHERNET, LINKTYPE_RAW, pcapFileHeader, pcapRecord } from "./pcap.js";
export {
  type L4Proto,
  matchesFilter,
  type NetstatFilter,
  type SocketEntry,
  type SocketFacts,
  type SocketOwner,
  socketTable,
  TcpState,
} from "./sockets.js";
