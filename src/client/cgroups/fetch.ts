// What `talosctl cgroups` reads from the node: a copy of /sys/fs/cgroup turned into a tree, the
// names of the processes (Processes), of the block devices (/sys/dev/block links), and of the
// pods and containers (CRI), each lookup failing softly with a warning as talosctl's do.
import { ContainerDriver } from "../../gen/common/common_pb.js";
import { KUBERNETES_NAMESPACE } from "../../wire/index.js";
import type { NodeClient } from "../client.js";
import { toRpcError } from "../errors.js";
import { type CgroupNode, deviceNamesFromTarGz, treeFromTarGz } from "./tree.js";
import { RawValue } from "./values.js";

export const CGROUP_MOUNT_PATH = "/sys/fs/cgroup";

export interface FetchOptions {
  readonly skipCriResolve: boolean;
  readonly warn: (message: string) => void;
  readonly signal: AbortSignal;
}

/** A node's Copy stream as bytes; an error the node reports in a message's metadata ends it. */
async function* copyStream(node: NodeClient, path: string): AsyncGenerator<Uint8Array> {
  for await (const data of node.machine.copy({ rootPath: path })) {
    const problem = data.metadata?.error ?? "";
    if (problem !== "" && data.bytes.length === 0) throw new Error(problem.trim());
    if (data.bytes.length > 0) yield data.bytes;
  }
}

async function processNames(node: NodeClient, opts: FetchOptions): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    const reply = await node.machine.processes({});
    for (const p of reply.messages[0]?.processes ?? []) {
      let name = p.executable !== "" ? p.executable : p.command;
      if (name === "") name = p.args.trim().split(/\s+/)[0] ?? "";
      names.set(String(p.pid), name.split("/").pop() || name);
    }
  } catch (err) {
    opts.warn(`error getting processes: ${toRpcError(err, opts.signal.aborted).message}`);
  }
  return names;
}

async function deviceNames(node: NodeClient, opts: FetchOptions): Promise<Map<string, string>> {
  try {
    return await deviceNamesFromTarGz(copyStream(node, "/sys/dev/block"));
  } catch (err) {
    opts.warn(`error reading devices: ${toRpcError(err, opts.signal.aborted).message}`);
    return new Map();
  }
}

async function cgroupNames(node: NodeClient, opts: FetchOptions): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    const reply = await node.machine.containers({
      namespace: KUBERNETES_NAMESPACE,
      driver: ContainerDriver.CRI,
    });
    for (const c of reply.messages[0]?.containers ?? []) {
      if (c.uid !== "" && c.podId !== "") names.set(`pod${c.uid}`, c.podId);
      if (c.internalId !== "") names.set(c.internalId, c.podId === c.name ? "sandbox" : c.name);
    }
  } catch (err) {
    opts.warn(`error getting containers: ${toRpcError(err, opts.signal.aborted).message}`);
  }
  return names;
}

/** The node's cgroup tree with names resolved, as talosctl prints it. */
export async function fetchCgroupTree(node: NodeClient, opts: FetchOptions): Promise<CgroupNode> {
  const processes = await processNames(node, opts);
  const devices = await deviceNames(node, opts);
  let tree: CgroupNode;
  try {
    tree = await treeFromTarGz(copyStream(node, CGROUP_MOUNT_PATH));
  } catch (err) {
    throw new CgroupsReadError(`error reading cgroups: ${toRpcError(err, opts.signal.aborted).message}`, err);
  }
  if (!opts.skipCriResolve) tree.resolveNames(await cgroupNames(node, opts));
  tree.walk((n) => {
    n.CgroupProcsResolved = n.CgroupProcs.map(
      (pid) => new RawValue(processes.get(pid.String()) ?? pid.String()),
    );
    for (const [dev, stats] of [...n.IOStat.entries]) {
      const name = devices.get(dev);
      if (name !== undefined) {
        n.IOStat.entries.set(name, stats);
        n.IOStat.entries.delete(dev);
      }
    }
  });
  return tree;
}

export class CgroupsReadError extends Error {
  override readonly name = "CgroupsReadError";

  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}
