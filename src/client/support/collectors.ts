// What a support bundle holds, collector by collector, with the paths and file formats of
// talosctl's (siderolabs/go-talos-support support/collectors): per node, logs, kernel log,
// tables of mounts, processes and disk I/O, version summary, every resource type (sensitive
// specs redacted), service states; for the cluster, the Kubernetes collectors when a
// Kubernetes client could be made.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ContainerDriver } from "../../gen/common/common_pb.js";
import { type ControllerRuntimeDependenciesResponse, InspectService } from "../../gen/inspect/inspect_pb.js";
import type { ServiceInfo } from "../../gen/machine/machine_pb.js";
import { buildSha, osArch, TALOS_VERSION } from "../../version.js";
import { bytesSI, goAge } from "../../wire/index.js";
import { encodeYaml } from "../../yaml/index.js";
import type { NodeClient } from "../client.js";
import { toRpcError } from "../errors.js";
import { listResourceDefinitions, metadataData, specData } from "../resources.js";

/** The source of the cluster-wide collectors. */
export const CLUSTER_SOURCE = "cluster";

export interface CollectContext {
  readonly signal: AbortSignal;
  /** A collector's note of what it is doing (shown with --verbose). */
  readonly log: (line: string) => void;
  readonly now: Date;
}

export interface Collector {
  /** The node (or "cluster"). */
  readonly source: string;
  /** The path inside the archive. */
  readonly path: string;
  /** The file's bytes, or undefined when there is nothing to write. */
  readonly collect: (ctx: CollectContext) => Promise<Uint8Array | undefined>;
}

/** Aligned columns as Go's tabwriter (padding 3) lays them out: every cell but a line's last one padded. */
export function tabwrite(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      if (i < row.length - 1) widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      row.map((cell, i) => (i < row.length - 1 ? cell.padEnd((widths[i] ?? 0) + 3) : cell)).join(""),
    )
    .map((line) => `${line}\n`)
    .join("");
}

async function readAll(stream: AsyncIterable<{ bytes: Uint8Array }>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const m of stream) parts.push(m.bytes);
  return Buffer.concat(parts);
}

function serviceLog(node: NodeClient, id: string, kubernetes: boolean): Collector["collect"] {
  return async (ctx) => {
    const namespace = kubernetes ? "k8s.io" : "system";
    ctx.log(`getting ${namespace}/${id} service logs`);
    return readAll(
      node.machine.logs(
        {
          namespace,
          driver: kubernetes ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
          id,
          follow: false,
          tailLines: -1,
        },
        { signal: ctx.signal },
      ),
    );
  };
}

function mountsTable(node: NodeClient): Collector["collect"] {
  return async (ctx) => {
    ctx.log("getting mounts");
    const reply = await node.machine.mounts({}, { signal: ctx.signal });
    const gb = (n: number) => (n / 1e9).toFixed(2);
    const rows = [["FILESYSTEM", "SIZE(GB)", "USED(GB)", "AVAILABLE(GB)", "PERCENT USED", "MOUNTED ON"]];
    for (const m of reply.messages.flatMap((x) => x.stats)) {
      const size = Number(m.size);
      const available = Number(m.available);
      const used = size - available;
      const pct = size > 0 ? (used / size) * 100 : Number.NaN;
      if (Number.isNaN(pct)) continue;
      rows.push([m.filesystem, gb(size), gb(used), gb(available), `${pct.toFixed(2)}%`, m.mountedOn]);
    }
    return Buffer.from(tabwrite(rows));
  };
}

function processesTable(node: NodeClient): Collector["collect"] {
  return async (ctx) => {
    ctx.log("getting processes snapshot");
    const reply = await node.machine.processes({}, { signal: ctx.signal });
    const rows = [["PID", "STATE", "THREADS", "CPU-TIME", "VIRTMEM", "RESMEM", "COMMAND"]];
    for (const p of reply.messages.flatMap((m) => m.processes)) {
      let args: string;
      const first = (s: string) => s.trim().split(/\s+/)[0] ?? "";
      if (p.executable === "") args = p.command;
      else if (p.args !== "" && first(p.args) === first(p.executable).split("/").pop())
        args = p.args.replace(first(p.args), p.executable);
      else args = p.args;
      rows.push([
        String(p.pid).padStart(6),
        p.state.padStart(1),
        String(p.threads).padStart(4),
        p.cpuTime.toFixed(2).padStart(8),
        bytesSI(p.virtualMemory).padStart(7),
        bytesSI(p.residentMemory).padStart(7),
        args,
      ]);
    }
    return Buffer.from(tabwrite(rows));
  };
}

function ioTable(node: NodeClient): Collector["collect"] {
  return async (ctx) => {
    ctx.log("getting disk stats");
    const reply = await node.machine.diskStats({}, { signal: ctx.signal });
    const rows = [["NAME", "IO_TIME", "IO_TIME_WEIGHTED", "DISK_WRITE_SECTORS", "DISK_READ_SECTORS"]];
    for (const d of reply.messages.flatMap((m) => m.devices)) {
      rows.push([
        d.name,
        String(d.ioTimeMs),
        String(d.ioTimeWeightedMs),
        String(d.writeSectors),
        String(d.readSectors),
      ]);
    }
    return Buffer.from(tabwrite(rows));
  };
}

function summary(node: NodeClient): Collector["collect"] {
  return async (ctx) => {
    const [os, arch] = osArch().split("/");
    let out = `Client:\n\tTag:         ${TALOS_VERSION}\n\tSHA:         ${buildSha()}\n\tBuilt:       \n\tGo version:  ${process.version}\n\tOS/Arch:     ${os}/${arch}\n`;
    const reply = await node.machine.version({}, { signal: ctx.signal });
    out += "Server:\n";
    for (const m of reply.messages) {
      const v = m.version;
      out += `\tTag:         ${v?.tag ?? ""}\n\tSHA:         ${v?.sha ?? ""}\n\tBuilt:       ${v?.built ?? ""}\n\tGo version:  ${v?.goVersion ?? ""}\n\tOS/Arch:     ${v?.os ?? ""}/${v?.arch ?? ""}\n`;
    }
    return Buffer.from(out);
  };
}

function devices(node: NodeClient): Collector["collect"] {
  return async (ctx) => {
    ctx.log("reading devices");
    return readAll(node.machine.read({ path: "/proc/bus/pci/devices" }, { signal: ctx.signal }));
  };
}

function dmesg(node: NodeClient): Collector["collect"] {
  return async (ctx) => readAll(node.machine.dmesg({ follow: false, tail: false }, { signal: ctx.signal }));
}

function dependencies(node: NodeClient): Collector["collect"] {
  return async (ctx) => {
    ctx.log("inspecting controller runtime");
    let reply: ControllerRuntimeDependenciesResponse;
    try {
      reply = await node.service(InspectService).controllerRuntimeDependencies({}, { signal: ctx.signal });
    } catch (err) {
      throw new Error(`error getting controller runtime dependencies: ${toRpcError(err).message}`, {
        cause: err,
      });
    }
    const lines = ["digraph {", ""];
    for (const m of reply.messages) {
      for (const e of m.edges) {
        const ctrl = JSON.stringify(e.controllerName);
        const res = JSON.stringify(e.resourceType);
        lines.push(e.edgeType === 0 ? `\t${ctrl} -> ${res};` : `\t${res} -> ${ctrl};`);
      }
    }
    lines.push("}", "");
    return Buffer.from(lines.join("\n"));
  };
}

function resourceFile(
  node: NodeClient,
  type: string,
  namespace: string,
  sensitive: boolean,
): Collector["collect"] {
  return async (ctx) => {
    ctx.log(`getting talos resource ${namespace}/${type}`);
    let out = "";
    for await (const item of node.cosi.list({ namespace, type }, { signal: ctx.signal })) {
      if (!item.resource) continue;
      const doc = {
        metadata: metadataData(item.resource),
        spec: sensitive ? "<REDACTED>" : specData(item.resource),
      };
      out += `${out === "" ? "" : "---\n"}${encodeYaml(doc)}`;
    }
    return out === "" ? undefined : Buffer.from(out);
  };
}

/** Talos's `service <id>` block for one service. */
function serviceState(node: NodeClient, id: string): Collector["collect"] {
  return async (ctx) => {
    const reply = await node.machine.serviceList({}, { signal: ctx.signal });
    const services = reply.messages.flatMap((m) => m.services).filter((s) => s.id === id);
    return Buffer.from(services.map((s) => renderService(s, ctx.now)).join(""));
  };
}

function renderService(s: ServiceInfo, now: Date): string {
  const health = !s.health || s.health.unknown ? "?" : s.health.healthy ? "OK" : "Fail";
  const rows: string[][] = [
    ["ID", s.id],
    ["STATE", s.state],
    ["HEALTH", health],
  ];
  if (s.health?.lastMessage) rows.push(["LAST HEALTH MESSAGE", s.health.lastMessage]);
  const events = s.events?.events ?? [];
  events.forEach((e, i) => {
    const ts = e.ts ? `${goAge(timestampDate(e.ts), now)} ago` : "";
    rows.push([i === 0 ? "EVENTS" : "", `[${e.state}]: ${e.msg} (${ts})`]);
  });
  return tabwrite(rows);
}

/** Every collector of one node, in talosctl's order (what to collect depends on the node). */
export async function nodeCollectors(node: NodeClient, signal: AbortSignal): Promise<Collector[]> {
  const n = node.node;
  const c = (path: string, collect: Collector["collect"]): Collector => ({
    source: n,
    path: `${n}/${path}`,
    collect,
  });
  const out: Collector[] = [
    c("dmesg.log", dmesg(node)),
    c("controller-runtime.log", serviceLog(node, "controller-runtime", false)),
    c("dns-resolve-cache.log", serviceLog(node, "dns-resolve-cache", false)),
    c("dependencies.dot", dependencies(node)),
    c("mounts", mountsTable(node)),
    c("devices", devices(node)),
    c("io", ioTable(node)),
    c("processes", processesTable(node)),
    c("summary", summary(node)),
  ];
  for (const rd of await listResourceDefinitions(node)) {
    out.push(c(`resources/${rd.id}.yaml`, resourceFile(node, rd.type, rd.defaultNamespace, rd.sensitive)));
  }
  const containers = await node.machine.containers(
    { namespace: "k8s.io", driver: ContainerDriver.CRI },
    { signal },
  );
  for (const ct of containers.messages.flatMap((m) => m.containers)) {
    if (ct.status === "SANDBOX_READY") continue;
    const ns = ct.podId.split("/")[0];
    if (ns !== "kube-system") continue;
    const exited = ct.pid === 0 ? "-exited" : "";
    out.push(c(`kubernetes-logs/${ns}/${ct.name}${exited}.log`, serviceLog(node, ct.id, true)));
  }
  const services = await node.machine.serviceList({}, { signal });
  for (const s of services.messages.flatMap((m) => m.services)) {
    out.push(c(`service-logs/${s.id}.log`, serviceLog(node, s.id, false)));
    out.push(c(`service-logs/${s.id}.state`, serviceState(node, s.id)));
  }
  return out;
}

/**
 * Collectors of the cluster as a whole beside the Kubernetes ones (which bundle.ts adds when a
 * Kubernetes client could be made): none.
 */
export function clusterCollectors(): Collector[] {
  return [];
}
