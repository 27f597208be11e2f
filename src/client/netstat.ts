// netstat as talosctl does it (siderolabs/talos: cmd/talosctl/cmd/talos/netstat.go): the request
// its flags make, the pods' network namespaces (for --pods and `netstat <namespace>/<pod>`),
// and the columns of each socket.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ContainerDriver } from "../gen/common/common_pb.js";
import {
  type ConnectRecord,
  ConnectRecord_State,
  ConnectRecord_TimerActive,
  NetstatRequest_Filter,
  type NetstatRequestSchema,
} from "../gen/machine/machine_pb.js";
import { KUBERNETES_NAMESPACE } from "../wire/index.js";
import type { TalosClient } from "./client.js";
import { fanOut, type NodeResult } from "./fanout.js";

export interface NetstatFlags {
  readonly verbose: boolean;
  readonly extend: boolean;
  readonly programs: boolean;
  readonly timers: boolean;
  readonly listening: boolean;
  readonly all: boolean;
  readonly pods: boolean;
  readonly tcp: boolean;
  readonly udp: boolean;
  readonly udplite: boolean;
  readonly raw: boolean;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
}

export interface NetstatRequestInit {
  readonly filter: NetstatRequest_Filter;
  readonly feature: { readonly pid: boolean };
  readonly l4proto: Readonly<
    Record<"tcp" | "tcp6" | "udp" | "udp6" | "udplite" | "udplite6" | "raw" | "raw6", boolean>
  >;
  readonly netns: { readonly allnetns: boolean; readonly hostnetwork: boolean; readonly netns: string[] };
}

/** The request talosctl's flags make (protocol defaults, -4/-6 narrowing, the filter). */
export function netstatRequest(f: NetstatFlags): NetstatRequestInit {
  const l4 = {
    tcp: f.tcp,
    tcp6: f.tcp,
    udp: f.udp,
    udp6: f.udp,
    udplite: f.udplite,
    udplite6: f.udplite,
    raw: f.raw,
    raw6: f.raw,
  };
  if (f.verbose) for (const k of Object.keys(l4) as (keyof typeof l4)[]) l4[k] = true;
  if (!Object.values(l4).some(Boolean)) {
    l4.tcp = true;
    l4.tcp6 = true;
    l4.udp = true;
    l4.udp6 = true;
  }
  if (f.ipv4 && !f.ipv6) {
    l4.tcp6 = false;
    l4.udp6 = false;
    l4.udplite6 = false;
    l4.raw6 = false;
  }
  if (f.ipv6 && !f.ipv4) {
    l4.tcp = false;
    l4.udp = false;
    l4.udplite = false;
    l4.raw = false;
  }
  return {
    filter: f.all
      ? NetstatRequest_Filter.ALL
      : f.listening
        ? NetstatRequest_Filter.LISTENING
        : NetstatRequest_Filter.CONNECTED,
    feature: { pid: f.programs },
    l4proto: l4,
    netns: { allnetns: f.pods, hostnetwork: true, netns: [] },
  } satisfies MessageInitShape<typeof NetstatRequestSchema>;
}

/** Per node, network namespace -> pod id, from the running pod sandboxes (CRI). */
export async function podNetworkNamespaces(
  client: TalosClient,
  nodes: readonly string[],
  signal: AbortSignal,
): Promise<{ pods: Map<string, Map<string, string>>; failed: NodeResult<unknown>[] }> {
  const pods = new Map<string, Map<string, string>>();
  const results = await fanOut(
    nodes,
    async (node) =>
      (
        await client
          .forNode(node)
          .machine.containers({ namespace: KUBERNETES_NAMESPACE, driver: ContainerDriver.CRI })
      ).messages.flatMap((m) => m.containers),
    { signal },
  );
  for (const r of results) {
    if (!r.ok) continue;
    for (const c of r.value) {
      if (c.networkNamespace === "" || c.pid === 0 || c.id !== c.podId) continue;
      let byNs = pods.get(r.node);
      if (!byNs) {
        byNs = new Map();
        pods.set(r.node, byNs);
      }
      byNs.set(c.networkNamespace, c.id);
    }
  }
  return { pods, failed: results.filter((r) => !r.ok) };
}

/** The node and network namespace of a pod (`namespace/pod`, matched in lower case). */
export function findPodNetns(
  pods: ReadonlyMap<string, ReadonlyMap<string, string>>,
  pod: string,
): { node: string; netns: string } | undefined {
  const wanted = pod.toLowerCase();
  for (const [node, byNs] of pods) for (const [netns, id] of byNs) if (id === wanted) return { node, netns };
  return undefined;
}

/** The column headers, NODE first, as the flags add them. */
export function netstatHeaders(f: Pick<NetstatFlags, "extend" | "programs" | "pods" | "timers">): string[] {
  const h = ["NODE", "Proto", "Recv-Q", "Send-Q", "Local Address", "Foreign Address", "State"];
  if (f.extend) h.push("Uid", "Inode");
  if (f.programs) h.push("PID/Program name");
  if (f.pods) h.push("Pod");
  if (f.timers) h.push("Timer");
  return h;
}

/** Go's %.2f of timer ticks (hundredths of a second). */
function ticks(when: bigint): string {
  return (Number(when) / 100).toFixed(2);
}

/** The State column: the state's name, empty for CLOSE (unconnected UDP). */
export function stateName(state: ConnectRecord_State): string {
  if (state === ConnectRecord_State.CLOSE) return "";
  return ConnectRecord_State[state] ?? String(state);
}

/** One socket's row. */
export function netstatRow(
  node: string,
  r: ConnectRecord,
  f: Pick<NetstatFlags, "extend" | "programs" | "pods" | "timers">,
  pods: ReadonlyMap<string, string> | undefined,
): string[] {
  const row = [
    node,
    r.l4proto,
    String(r.rxqueue),
    String(r.txqueue),
    `${r.localip}:${r.localport}`,
    `${r.remoteip}:${r.remoteport === 0 ? "*" : r.remoteport}`,
    stateName(r.state),
  ];
  if (f.extend) row.push(String(r.uid), String(r.inode));
  if (f.programs) row.push(r.process && r.process.pid !== 0 ? `${r.process.pid}/${r.process.name}` : "-");
  if (f.pods) row.push(r.netns === "" || !pods ? "-" : (pods.get(r.netns) ?? ""));
  if (f.timers) {
    const timer = (ConnectRecord_TimerActive[r.tr] ?? String(r.tr)).toLowerCase();
    row.push(`${timer} (${ticks(r.timerwhen)}/${r.retrnsmt}/${r.timeout})`);
  }
  return row;
}

/** One socket as JSON (-o json). */
export function netstatJson(
  node: string,
  r: ConnectRecord,
  pod: string | undefined,
): Record<string, unknown> {
  return {
    node,
    proto: r.l4proto,
    recvQ: Number(r.rxqueue),
    sendQ: Number(r.txqueue),
    localAddress: r.localip,
    localPort: r.localport,
    remoteAddress: r.remoteip,
    remotePort: r.remoteport,
    state: ConnectRecord_State[r.state] ?? String(r.state),
    uid: r.uid,
    inode: Number(r.inode),
    pid: r.process?.pid ?? 0,
    program: r.process?.name ?? "",
    netns: r.netns,
    ...(pod !== undefined ? { pod } : {}),
    timer: (ConnectRecord_TimerActive[r.tr] ?? String(r.tr)).toLowerCase(),
    timerWhen: Number(r.timerwhen),
    retransmits: Number(r.retrnsmt),
    timeout: Number(r.timeout),
  };
}
