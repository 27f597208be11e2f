// InspectService.ControllerRuntimeDependencies: the graph of the node's controllers and the
// resource types they read and write (siderolabs/talos: internal/app/machined/internal/server/
// v1alpha1/v1alpha1_inspect.go), from the controller registry and the owners of the node's
// resources. Edges of resource types the node does not register are left out, so that every
// type in the graph can be listed.
import { create } from "@bufbuild/protobuf";
import {
  ControllerDependencyEdgeSchema,
  ControllerRuntimeDependenciesResponseSchema,
  ControllerRuntimeDependencySchema,
  DependencyEdgeType,
  InspectService,
} from "../../gen/inspect/inspect_pb.js";
import { META_NAMESPACE } from "../../wire/index.js";
import { dependencyEdges, type EdgeType, NODE_CONTROLLERS, runningControllers } from "../inspect/index.js";
import type { Machine } from "../machine/index.js";
import { type HandlerEntry, type NodeRuntime, unary } from "./define.js";

const EDGE_TYPES: Readonly<Record<EdgeType, DependencyEdgeType>> = {
  "output-exclusive": DependencyEdgeType.OUTPUT_EXCLUSIVE,
  "output-shared": DependencyEdgeType.OUTPUT_SHARED,
  "input-strong": DependencyEdgeType.INPUT_STRONG,
  "input-weak": DependencyEdgeType.INPUT_WEAK,
  "input-destroy-ready": DependencyEdgeType.INPUT_DESTROY_READY,
};

const text = (v: unknown): string => (typeof v === "string" ? v : "");

/** Every owner of a resource in the machine's store. */
function owners(m: Machine): Set<string> {
  const out = new Set<string>();
  const namespaces = m.store.list(META_NAMESPACE, "Namespaces.meta.cosi.dev").map((r) => r.id);
  const types = m.store
    .list(META_NAMESPACE, "ResourceDefinitions.meta.cosi.dev")
    .map((r) => text((r.spec as Record<string, unknown> | undefined)?.type))
    .filter((t) => t !== "");
  for (const namespace of namespaces) {
    for (const type of types) {
      for (const r of m.store.list(namespace, type)) if (r.owner !== "") out.add(r.owner);
    }
  }
  return out;
}

export function inspectHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(InspectService.method.controllerRuntimeDependencies, async () => {
      const m = rt.machine;
      const controllers = runningControllers(NODE_CONTROLLERS, owners(m));
      const edges = dependencyEdges(controllers)
        .filter((e) => m.store.kindOf(e.type) !== undefined)
        .map((e) =>
          create(ControllerDependencyEdgeSchema, {
            controllerName: e.controller,
            edgeType: EDGE_TYPES[e.edge],
            resourceNamespace: e.namespace,
            resourceType: e.type,
            resourceId: e.id,
          }),
        );
      return create(ControllerRuntimeDependenciesResponseSchema, {
        messages: [create(ControllerRuntimeDependencySchema, { edges })],
      });
    }),
  ];
}
