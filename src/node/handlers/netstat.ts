// MachineService.Netstat (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): the node's sockets of the
// asked protocols, filtered to listening or connected ones (or all), with the owning process
// when asked. The host's network namespace by default; a pod's namespace names the sockets of
// that pod's processes.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  type ConnectRecord,
  ConnectRecord_ProcessSchema,
  ConnectRecordSchema,
  MachineService,
  NetstatRequest_Filter,
  NetstatResponseSchema,
  NetstatSchema,
} from "../../gen/machine/machine_pb.js";
import { KUBERNETES_NAMESPACE } from "../../wire/index.js";
import { StatusError } from "../errors.js";
import type { Machine } from "../machine/index.js";
import { preferredAddress } from "../platform/index.js";
import {
  matchesFilter,
  type NetstatFilter,
  type SocketEntry,
  type SocketOwner,
  socketTable,
} from "../platform/network/index.js";
import { type HandlerEntry, type NodeNetwork, type NodeRuntime, unary } from "./define.js";

const FILTERS: Readonly<Record<number, NetstatFilter>> = {
  [NetstatRequest_Filter.ALL]: "all",
  [NetstatRequest_Filter.CONNECTED]: "connected",
  [NetstatRequest_Filter.LISTENING]: "listening",
};

function serviceOwner(m: Machine, id: string, program = id): SocketOwner | undefined {
  const s = m.services.snapshot(id);
  return s?.state === "Running" && s.pid !== undefined ? { pid: s.pid, program } : undefined;
}

/** The node's whole socket table now. */
export function nodeSockets(m: Machine, network: NodeNetwork): SocketEntry[] {
  const pods = m.workloads.containers(KUBERNETES_NAMESPACE, "cri").filter((c) => c.id !== c.podId);
  const pod = (name: string): SocketOwner | undefined => {
    const c = pods.find((p) => p.name === name);
    return c ? { pid: c.pid, program: name } : undefined;
  };
  const listening = network.listening();
  const apid = serviceOwner(m, "apid");
  const apiServer = pod("kube-apiserver");
  const scheduler = pod("kube-scheduler");
  const controllerManager = pod("kube-controller-manager");
  const etcd = serviceOwner(m, "etcd");
  const kubelet = serviceOwner(m, "kubelet");
  const trustd = serviceOwner(m, "trustd");
  return socketTable({
    bootId: m.bootId,
    ...(listening && apid ? { api: { ...listening, owner: apid } } : {}),
    connections: apid
      ? network.connections().map((c) => ({
          localAddress: c.localAddress,
          localPort: c.localPort,
          remoteAddress: c.remoteAddress,
          remotePort: c.remotePort,
          sendQueue: c.sendQueue(),
        }))
      : [],
    ...(trustd ? { trustd } : {}),
    ...(etcd ? { etcd } : {}),
    ...(kubelet ? { kubelet } : {}),
    ...(apiServer ? { apiServer } : {}),
    ...(scheduler ? { scheduler } : {}),
    ...(controllerManager ? { controllerManager } : {}),
    init: { pid: 1, program: "init" },
    nodeAddress: preferredAddress(m.addresses),
  });
}

function wantedProtocol(
  s: SocketEntry,
  l4: { tcp: boolean; tcp6: boolean; udp: boolean; udp6: boolean },
): boolean {
  return l4[s.proto];
}

function record(s: SocketEntry, withPid: boolean, netns: string): ConnectRecord {
  return create(ConnectRecordSchema, {
    l4proto: s.proto,
    localip: s.localIp,
    localport: s.localPort,
    remoteip: s.remoteIp,
    remoteport: s.remotePort,
    state: s.state,
    txqueue: BigInt(s.txQueue),
    rxqueue: BigInt(s.rxQueue),
    uid: s.uid,
    inode: BigInt(s.inode),
    ref: 1n,
    pointer: 0xffff_8880_0000_0000n + BigInt(s.inode) * 0x800n,
    process: withPid
      ? create(ConnectRecord_ProcessSchema, { pid: s.pid, name: s.program })
      : create(ConnectRecord_ProcessSchema, {}),
    netns,
  });
}

export function netstatHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.netstat, async (req) => {
      const m = rt.machine;
      const filter = FILTERS[req.filter];
      if (filter === undefined) {
        throw new StatusError(grpc.status.INVALID_ARGUMENT, `invalid filter: ${req.filter}`);
      }
      const l4 = {
        tcp: req.l4proto?.tcp ?? false,
        tcp6: req.l4proto?.tcp6 ?? false,
        udp: req.l4proto?.udp ?? false,
        udp6: req.l4proto?.udp6 ?? false,
      };
      const withPid = req.feature?.pid ?? false;
      const all = nodeSockets(m, rt.network).filter((s) => wantedProtocol(s, l4) && matchesFilter(s, filter));
      const records: ConnectRecord[] = [];
      if (req.netns?.hostnetwork) for (const s of all) records.push(record(s, withPid, ""));
      // Pod namespaces: the sockets of each pod's processes.
      const pods = m.workloads.containers(KUBERNETES_NAMESPACE, "cri").filter((c) => c.id !== c.podId);
      for (const ns of req.netns?.netns ?? []) {
        const members = pods.filter(
          (c) => c.networkNamespace === ns || c.networkNamespace.split("/").pop() === ns,
        );
        const pids = new Set(members.map((c) => c.pid));
        for (const s of all) if (pids.has(s.pid)) records.push(record(s, withPid, ns));
      }
      return create(NetstatResponseSchema, {
        messages: [create(NetstatSchema, { connectrecord: records })],
      });
    }),
  ];
}
