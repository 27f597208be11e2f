// apid's routing decision for a configured node (siderolabs/talos:
// internal/app/apid/pkg/director/director.go): calls addressed with `node` or `nodes` metadata are
// served here when they name this node, forwarded to the named node when this node can forward (it
// holds a client certificate from the OS CA), and otherwise refused as a worker refuses them.
import * as grpc from "@grpc/grpc-js";
import { METADATA } from "../../wire/index.js";
import { StatusError } from "../errors.js";
import type { SurfaceCall } from "./call.js";

/** Method prefixes apid fans out with one-to-many `nodes` metadata. */
const ONE_TO_MANY_PREFIXES = [
  "/machine.MachineService/",
  "/cluster.ClusterService/",
  "/inspect.InspectService/",
  "/storage.StorageService/",
  "/time.TimeService/",
];

/** Decides whether a target (address or name) is this node. */
export type LocalTarget = (target: string) => boolean;

/** Where a call goes: served here, forwarded to one node, or aggregated over several. */
export type Route =
  | { readonly kind: "local" }
  | { readonly kind: "one"; readonly target: string }
  | { readonly kind: "many"; readonly targets: readonly string[] };

const LOCAL: Route = { kind: "local" };

/** Checks a call's routing metadata; throws the StatusError apid would answer with. */
export function checkRouting(call: SurfaceCall, path: string, isLocal: LocalTarget): void {
  decideRoute(call, path, isLocal, false);
}

/**
 * Decides where a call goes. Without `canForward` every target must be this
 * node; with it, `node` naming another node is forwarded and `nodes` is aggregated.
 */
export function decideRoute(
  call: SurfaceCall,
  path: string,
  isLocal: LocalTarget,
  canForward: boolean,
): Route {
  if (call.metadata.get(METADATA.proxyFrom).length > 0) return LOCAL;
  const nodes = call.metadata
    .get(METADATA.nodes)
    .map(String)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  // Repeated headers may arrive joined with ", " (grpc-js does that); a node name has no comma.
  const node = call.metadata
    .get(METADATA.node)
    .map(String)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim());
  let targets: string[];
  if (nodes.length > 0) {
    if (nodes.length > 1 && !ONE_TO_MANY_PREFIXES.some((p) => path.startsWith(p))) {
      throw new StatusError(
        grpc.status.INVALID_ARGUMENT,
        `one-2-many proxying is not supported for method ${path}`,
      );
    }
    targets = nodes;
  } else if (node.length > 0) {
    if (node.length !== 1)
      throw new StatusError(grpc.status.INVALID_ARGUMENT, "node metadata must be single-valued");
    targets = node;
  } else {
    return LOCAL;
  }
  for (const target of targets) {
    if (/:\d+$/.test(target) && !target.includes("::")) {
      throw new StatusError(grpc.status.INTERNAL, `invalid target "${target}"`);
    }
    if (!canForward && !isLocal(target)) {
      throw new StatusError(grpc.status.PERMISSION_DENIED, "no request forwarding");
    }
  }
  if (!canForward) return LOCAL;
  if (nodes.length > 0 && ONE_TO_MANY_PREFIXES.some((p) => path.startsWith(p))) {
    return { kind: "many", targets: nodes };
  }
  // One-to-one to this node needs no hop.
  return isLocal(targets[0]!) ? LOCAL : { kind: "one", target: targets[0]! };
}

/** A LocalTarget for a node with these addresses and names. */
export function localTargets(
  addresses: () => readonly string[],
  names: () => readonly string[],
): LocalTarget {
  return (target) => {
    const t = target.replace(/^\[(.*)\]$/, "$1").toLowerCase();
    if (t === "localhost" || t === "127.0.0.1" || t === "::1") return true;
    return addresses().includes(t) || names().some((n) => n.toLowerCase() === t);
  };
}
