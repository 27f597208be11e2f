// What the node's Talos reads of its own Node object through the Kubernetes API (as Talos's
// NodeStatusController watches it: siderolabs/talos:
// internal/app/machined/pkg/controllers/k8s/node_status.go): its name, whether it is cordoned,
// whether it is Ready, its labels, annotations and pod CIDRs.
import { type Node, nodeReady } from "./objects.js";
import { NODE } from "./resources.js";
import type { KubeStorage } from "./storage.js";

export interface NodeFacts {
  readonly name: string;
  readonly unschedulable: boolean;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly podCidrs: readonly string[];
}

export function nodeFacts(node: Node): NodeFacts {
  return {
    name: node.metadata.name ?? "",
    unschedulable: node.spec?.unschedulable === true,
    ready: nodeReady(node),
    labels: { ...(node.metadata.labels ?? {}) },
    annotations: { ...(node.metadata.annotations ?? {}) },
    podCidrs: [...(node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []))],
  };
}

/**
 * Follows the Node `name`: `changed` is called with its facts now and after each change (undefined
 * while it does not exist). The watch shares the store's one poll of other processes' writes.
 */
export async function watchNode(
  storage: KubeStorage,
  name: string,
  changed: (facts: NodeFacts | undefined) => void,
): Promise<{ cancel(): void }> {
  const rev = await storage.kv.revision();
  const current = (await storage.get(NODE, undefined, name)) as Node | undefined;
  changed(current ? nodeFacts(current) : undefined);
  return storage.watch(NODE, undefined, rev, (events) => {
    for (const e of events) {
      if (e.key.slice(e.key.lastIndexOf("/") + 1) !== name) continue;
      changed(e.type === "DELETED" ? undefined : nodeFacts(e.object as Node));
    }
  });
}
