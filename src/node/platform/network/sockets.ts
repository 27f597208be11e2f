// The node's socket table, as netstat reads it from /proc/net/{tcp,tcp6,udp,udp6}: the API
// listener and its clients' connections (the real ones), trustd on control planes, etcd's
// client and peer ports, the kubelet, the control plane's static pods and their connections to
// etcd and to the API server, and the host DNS resolver. Sockets of a service exist while the
// service runs; owners, user ids and inodes are stable for a boot.
import { createHash } from "node:crypto";
import { isIPv4 } from "node:net";

/** Linux's TCP states, numbered as /proc/net/tcp (and machine.ConnectRecord) number them. */
export const TcpState = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
} as const;

export type L4Proto = "tcp" | "tcp6" | "udp" | "udp6";

export interface SocketEntry {
  readonly proto: L4Proto;
  readonly localIp: string;
  readonly localPort: number;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly state: number;
  readonly txQueue: number;
  readonly rxQueue: number;
  readonly uid: number;
  readonly inode: number;
  readonly pid: number;
  readonly program: string;
  /** The network namespace (empty: the host's). */
  readonly netns: string;
}

/** A process that owns sockets. */
export interface SocketOwner {
  readonly pid: number;
  readonly program: string;
}

/** What the table is made from, read from the machine when netstat asks. */
export interface SocketFacts {
  readonly bootId: string;
  /** The API listener, if it accepts connections. */
  readonly api?: { readonly address: string; readonly port: number; readonly owner: SocketOwner };
  /** Open client connections of the API. */
  readonly connections: readonly {
    readonly localAddress: string;
    readonly localPort: number;
    readonly remoteAddress: string;
    readonly remotePort: number;
    readonly sendQueue: number;
  }[];
  /** trustd's port (API port + 1) while it runs. */
  readonly trustd?: SocketOwner;
  readonly etcd?: SocketOwner;
  readonly kubelet?: SocketOwner;
  /** The static pods' processes, when they run. */
  readonly apiServer?: SocketOwner;
  readonly scheduler?: SocketOwner;
  readonly controllerManager?: SocketOwner;
  /** machined (PID 1), which serves the host DNS resolver. */
  readonly init: SocketOwner;
  /** The node's routable address (where the kubelet reaches the API server). */
  readonly nodeAddress: string;
}

const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;
const KUBELET_PORT = 10250;
const KUBELET_HEALTHZ_PORT = 10248;
const APISERVER_PORT = 6443;
const SCHEDULER_PORT = 10259;
const CONTROLLER_MANAGER_PORT = 10257;
const HOST_DNS = "127.0.0.53";
const APID_UID = 50;
const TRUSTD_UID = 51;
const ETCD_UID = 60;

function proto(ip: string, udp = false): L4Proto {
  const v4 = isIPv4(ip);
  return udp ? (v4 ? "udp" : "udp6") : v4 ? "tcp" : "tcp6";
}

function unspecified(ip: string): string {
  return isIPv4(ip) ? "0.0.0.0" : "::";
}

/** A stable number in [min, max) from a seed. */
function stable(seed: string, min: number, max: number): number {
  const h = createHash("sha256").update(seed).digest();
  return min + (h.readUInt32BE(0) % (max - min));
}

/** Every socket of the node, listening sockets first (by port), then connections. */
export function socketTable(f: SocketFacts): SocketEntry[] {
  const out: SocketEntry[] = [];
  const inode = (key: string): number => stable(`${f.bootId}/inode/${key}`, 20_000, 90_000);
  const listen = (ip: string, port: number, owner: SocketOwner, uid: number, udp = false): void => {
    out.push({
      proto: proto(ip, udp),
      localIp: ip,
      localPort: port,
      remoteIp: unspecified(ip),
      remotePort: 0,
      state: udp ? TcpState.CLOSE : TcpState.LISTEN,
      txQueue: 0,
      rxQueue: 0,
      uid,
      inode: inode(`${udp ? "udp" : "tcp"}/${ip}/${port}`),
      pid: owner.pid,
      program: owner.program,
      netns: "",
    });
  };
  /** Both ends of a connection between two local processes. */
  const pair = (
    name: string,
    from: SocketOwner,
    fromUid: number,
    to: SocketOwner,
    toUid: number,
    ip: string,
    port: number,
  ) => {
    const ephemeral = stable(`${f.bootId}/port/${name}`, 32_768, 61_000);
    const base = {
      proto: proto(ip),
      state: TcpState.ESTABLISHED,
      txQueue: 0,
      rxQueue: 0,
      netns: "",
    } as const;
    out.push({
      ...base,
      localIp: ip,
      localPort: ephemeral,
      remoteIp: ip,
      remotePort: port,
      uid: fromUid,
      inode: inode(`${name}/client`),
      pid: from.pid,
      program: from.program,
    });
    out.push({
      ...base,
      localIp: ip,
      localPort: port,
      remoteIp: ip,
      remotePort: ephemeral,
      uid: toUid,
      inode: inode(`${name}/server`),
      pid: to.pid,
      program: to.program,
    });
  };

  listen(HOST_DNS, 53, f.init, 0);
  listen(HOST_DNS, 53, f.init, 0, true);
  if (f.api) {
    listen(f.api.address, f.api.port, f.api.owner, APID_UID);
    if (f.trustd) listen(f.api.address, f.api.port + 1, f.trustd, TRUSTD_UID);
  }
  if (f.etcd) {
    listen("0.0.0.0", ETCD_CLIENT_PORT, f.etcd, ETCD_UID);
    listen("0.0.0.0", ETCD_PEER_PORT, f.etcd, ETCD_UID);
  }
  if (f.kubelet) {
    listen("127.0.0.1", KUBELET_HEALTHZ_PORT, f.kubelet, 0);
    listen("::", KUBELET_PORT, f.kubelet, 0);
  }
  if (f.apiServer) listen("::", APISERVER_PORT, f.apiServer, 0);
  if (f.scheduler) listen("127.0.0.1", SCHEDULER_PORT, f.scheduler, 0);
  if (f.controllerManager) listen("127.0.0.1", CONTROLLER_MANAGER_PORT, f.controllerManager, 0);
  out.sort((a, b) => a.localPort - b.localPort || a.proto.localeCompare(b.proto));

  const owner = f.api?.owner;
  for (const c of f.connections) {
    if (!owner) break;
    out.push({
      proto: proto(c.localAddress),
      localIp: c.localAddress,
      localPort: c.localPort,
      remoteIp: c.remoteAddress,
      remotePort: c.remotePort,
      state: TcpState.ESTABLISHED,
      txQueue: c.sendQueue,
      rxQueue: 0,
      uid: APID_UID,
      inode: inode(`api/${c.remoteAddress}/${c.remotePort}`),
      pid: owner.pid,
      program: owner.program,
      netns: "",
    });
  }
  if (f.apiServer && f.etcd)
    pair("apiserver-etcd", f.apiServer, 0, f.etcd, ETCD_UID, "127.0.0.1", ETCD_CLIENT_PORT);
  if (f.kubelet && f.apiServer) {
    pair("kubelet-apiserver", f.kubelet, 0, f.apiServer, 0, f.nodeAddress, APISERVER_PORT);
  }
  // As /proc/net lists them: one protocol after another, listening sockets first.
  const rank = (e: SocketEntry): number =>
    PROTO_ORDER[e.proto] * 2 + (e.state === TcpState.ESTABLISHED ? 1 : 0);
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map(({ e }) => e);
}

const PROTO_ORDER: Readonly<Record<L4Proto, number>> = { tcp: 0, tcp6: 1, udp: 2, udp6: 3 };

export type NetstatFilter = "all" | "listening" | "connected";

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

/** Talos's filters: listening sockets have no remote end, connected ones have one. */
export function matchesFilter(s: SocketEntry, filter: NetstatFilter): boolean {
  if (filter === "all") return true;
  const open = isUnspecified(s.remoteIp) && s.remotePort === 0;
  return filter === "listening" ? open : !isUnspecified(s.remoteIp) && s.remotePort !== 0;
}
