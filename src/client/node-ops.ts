// Per-node operations that return nothing but success or an error (META writes, restarting a
// container): one call per node, every failure named after its node in talosctl's words.
import type { ContainerDriver } from "../gen/common/common_pb.js";
import type { TalosClient } from "./client.js";
import { fanOut, throwIfAnyFailed } from "./fanout.js";

async function eachNode(
  nodes: readonly string[],
  signal: AbortSignal,
  call: (node: string) => Promise<unknown>,
  failure: (node: string, error: Error) => string,
): Promise<void> {
  const results = await fanOut(nodes, async (node) => void (await call(node)), { signal });
  throwIfAnyFailed(results, failure);
}

/** MetaWrite on every node. */
export function metaWrite(
  client: TalosClient,
  nodes: readonly string[],
  key: number,
  value: Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  return eachNode(
    nodes,
    signal,
    (node) => client.forNode(node).machine.metaWrite({ key, value }),
    (node, err) => `error writing meta to node ${node}: ${err.message}`,
  );
}

/** MetaDelete on every node. */
export function metaDelete(
  client: TalosClient,
  nodes: readonly string[],
  key: number,
  signal: AbortSignal,
): Promise<void> {
  return eachNode(
    nodes,
    signal,
    (node) => client.forNode(node).machine.metaDelete({ key }),
    (node, err) => `error deleting meta from node ${node}: ${err.message}`,
  );
}

/** Restart (a SIGTERM to the container's task) on every node. */
export function restartContainer(
  client: TalosClient,
  nodes: readonly string[],
  target: { readonly namespace: string; readonly driver: ContainerDriver; readonly id: string },
  signal: AbortSignal,
): Promise<void> {
  return eachNode(
    nodes,
    signal,
    (node) => client.forNode(node).machine.restart(target),
    (node, err) => `error restarting process on node ${node}: ${err.message}`,
  );
}

/** Container ids of a namespace from every node (completion of `restart`); failing nodes add nothing. */
export async function containerIds(
  client: TalosClient,
  nodes: readonly string[],
  target: { readonly namespace: string; readonly driver: ContainerDriver },
): Promise<string[]> {
  const ids = new Set<string>();
  await Promise.all(
    nodes.map(async (node) => {
      try {
        const reply = await client.forNode(node).machine.containers(target);
        for (const m of reply.messages) for (const c of m.containers) ids.add(c.id);
      } catch {
        // completion offers what the reachable nodes know
      }
    }),
  );
  return [...ids].sort();
}
