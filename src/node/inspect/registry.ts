// The controllers the node runs and the resources each reads and writes, as Talos's controller
// runtime records them for InspectService.ControllerRuntimeDependencies.
//
// How a controller gets in:
// - `NODE_CONTROLLERS.register("block.DisksController")` with a Talos controller's name takes
//   the inputs and outputs that controller declares in Talos (./talos-controllers.ts);
// - `NODE_CONTROLLERS.register({ name, inputs, outputs })` declares them explicitly (a controller
//   of the emulation that Talos does not have, or one whose declaration differs);
// - a resource's owner counts as a running controller: the graph also holds every Talos
//   controller that owns a resource in the node's store, even if nothing registered it.
// Controllers are the same on every node a process runs, so the registry is process-wide.
import { TALOS_CONTROLLER_EDGES } from "./talos-controllers.js";

export type InputKind = "strong" | "weak" | "destroy-ready";
export type OutputKind = "exclusive" | "shared";

export interface ControllerInput {
  readonly namespace: string;
  readonly type: string;
  /** Only this resource of the type. */
  readonly id?: string;
  readonly kind: InputKind;
}

export interface ControllerOutput {
  readonly type: string;
  readonly kind: OutputKind;
}

export interface ControllerDependencies {
  /** Talos's controller name (`network.LinkStatusController`), also its resources' owner. */
  readonly name: string;
  readonly inputs: readonly ControllerInput[];
  readonly outputs: readonly ControllerOutput[];
}

export type EdgeType =
  | "output-exclusive"
  | "output-shared"
  | "input-strong"
  | "input-weak"
  | "input-destroy-ready";

/** One edge of the graph; outputs carry no namespace, as in Talos's graph. */
export interface DependencyEdge {
  readonly controller: string;
  readonly edge: EdgeType;
  readonly namespace: string;
  readonly type: string;
  readonly id: string;
}

const INPUT_KINDS: Readonly<Record<string, InputKind>> = { w: "weak", s: "strong", d: "destroy-ready" };
const OUTPUT_KINDS: Readonly<Record<string, OutputKind>> = { x: "exclusive", h: "shared" };

/** The inputs and outputs a Talos controller declares, or undefined for a name Talos does not have. */
export function talosControllerDependencies(name: string): ControllerDependencies | undefined {
  const text = TALOS_CONTROLLER_EDGES[name];
  if (text === undefined) return undefined;
  const inputs: ControllerInput[] = [];
  const outputs: ControllerOutput[] = [];
  for (const part of text.split(" ").filter((p) => p !== "")) {
    const colon = part.lastIndexOf(":");
    const code = part.slice(colon + 1);
    const body = part.slice(1, colon);
    if (part.startsWith("<")) {
      const [namespace = "", type = "", id] = body.split("/");
      inputs.push({
        namespace,
        type,
        ...(id !== undefined ? { id } : {}),
        kind: INPUT_KINDS[code] ?? "weak",
      });
    } else {
      outputs.push({ type: body, kind: OUTPUT_KINDS[code] ?? "exclusive" });
    }
  }
  return { name, inputs, outputs };
}

export class ControllerRegistry {
  private readonly controllers = new Map<string, ControllerDependencies>();

  /** Registers a controller: by Talos name (its declared dependencies), or with its own. */
  register(controller: string | ControllerDependencies): void {
    if (typeof controller !== "string") {
      this.controllers.set(controller.name, controller);
      return;
    }
    const deps = talosControllerDependencies(controller);
    if (!deps)
      throw new Error(
        `unknown Talos controller ${JSON.stringify(controller)}: declare its inputs and outputs`,
      );
    this.controllers.set(controller, deps);
  }

  has(name: string): boolean {
    return this.controllers.has(name);
  }

  get(name: string): ControllerDependencies | undefined {
    return this.controllers.get(name);
  }

  list(): ControllerDependencies[] {
    return [...this.controllers.values()];
  }
}

/** The controllers of every node this process runs. */
export const NODE_CONTROLLERS = new ControllerRegistry();

/**
 * The running controllers: the registered ones, plus the Talos controllers among `owners` (the
 * owners of the node's resources) that nobody registered.
 */
export function runningControllers(
  registry: ControllerRegistry,
  owners: Iterable<string>,
): ControllerDependencies[] {
  const out = new Map(registry.list().map((c) => [c.name, c]));
  for (const owner of owners) {
    if (owner === "" || out.has(owner)) continue;
    const deps = talosControllerDependencies(owner);
    if (deps) out.set(owner, deps);
  }
  return [...out.values()];
}

const EDGE_ORDER: readonly EdgeType[] = [
  "output-exclusive",
  "output-shared",
  "input-strong",
  "input-weak",
  "input-destroy-ready",
];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The edges of the graph in the order COSI exports them: exclusive outputs, then shared ones,
 * then every input; each group by controller, namespace, type and ID.
 */
export function dependencyEdges(controllers: Iterable<ControllerDependencies>): DependencyEdge[] {
  const edges: DependencyEdge[] = [];
  for (const c of controllers) {
    for (const o of c.outputs) {
      edges.push({
        controller: c.name,
        edge: o.kind === "exclusive" ? "output-exclusive" : "output-shared",
        namespace: "",
        type: o.type,
        id: "",
      });
    }
    for (const i of c.inputs) {
      edges.push({
        controller: c.name,
        edge: i.kind === "strong" ? "input-strong" : i.kind === "weak" ? "input-weak" : "input-destroy-ready",
        namespace: i.namespace,
        type: i.type,
        id: i.id ?? "",
      });
    }
  }
  const isOutput = (e: EdgeType): boolean => e === "output-exclusive" || e === "output-shared";
  return edges.sort((a, b) => {
    if (a.edge !== b.edge && (isOutput(a.edge) || isOutput(b.edge))) {
      return EDGE_ORDER.indexOf(a.edge) - EDGE_ORDER.indexOf(b.edge);
    }
    return (
      compare(a.controller, b.controller) ||
      compare(a.namespace, b.namespace) ||
      compare(a.type, b.type) ||
      compare(a.id, b.id)
    );
  });
}
