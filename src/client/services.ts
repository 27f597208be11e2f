// Service and container ids as the node reports them, for completion of `logs` and `service`.
import { ContainerDriver } from "../gen/common/common_pb.js";
import { KUBERNETES_NAMESPACE, SYSTEM_NAMESPACE } from "../wire/index.js";
import type { TalosClient } from "./client.js";

/** Containerd namespaces Talos uses, which commands that list containers name. */
export { KUBERNETES_NAMESPACE, SYSTEM_NAMESPACE };

/** Service ids from every node (ServiceList), sorted and de-duplicated; failing nodes are left out. */
export async function serviceIds(client: TalosClient, nodes: readonly string[]): Promise<string[]> {
  const ids = new Set<string>();
  await Promise.all(
    nodes.map(async (node) => {
      try {
        const reply = await client.forNode(node).machine.serviceList({});
        for (const m of reply.messages) for (const s of m.services) ids.add(s.id);
      } catch {
        // completion offers what the reachable nodes know
      }
    }),
  );
  return [...ids].sort();
}

/**
 * What `logs <id>` may name: services, system containers and log buffers without a service;
 * with `kubernetes`, the running Kubernetes containers (not pod sandboxes).
 */
export async function logIds(
  client: TalosClient,
  nodes: readonly string[],
  kubernetes: boolean,
): Promise<string[]> {
  const ids = new Set<string>();
  const tryAdd = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch {
      // a node or a method that does not answer adds nothing
    }
  };
  await Promise.all(
    nodes.map(async (node) => {
      const machine = client.forNode(node).machine;
      if (kubernetes) {
        await tryAdd(async () => {
          const reply = await machine.containers({
            namespace: KUBERNETES_NAMESPACE,
            driver: ContainerDriver.CRI,
          });
          for (const m of reply.messages)
            for (const c of m.containers)
              if (c.podId !== c.id && c.status !== "" && c.pid !== 0) ids.add(c.id);
        });
        return;
      }
      await Promise.all([
        tryAdd(async () => {
          for (const id of await serviceIds(client, [node])) ids.add(id);
        }),
        tryAdd(async () => {
          const reply = await machine.containers({
            namespace: SYSTEM_NAMESPACE,
            driver: ContainerDriver.CONTAINERD,
          });
          for (const m of reply.messages) for (const c of m.containers) if (c.pid !== 0) ids.add(c.id);
        }),
        tryAdd(async () => {
          const reply = await machine.logsContainers({});
          for (const m of reply.messages) for (const id of m.ids) ids.add(id);
        }),
      ]);
    }),
  );
  return [...ids].sort();
}
