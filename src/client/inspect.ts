// `inspect dependencies`: the node's controller/resource graph (InspectService) written as
// Graphviz DOT exactly as talosctl writes it (siderolabs/talos: pkg/machinery/formatters,
// RenderGraph, through github.com/emicklei/dot): controllers are boxes, resource types (or,
// with resources, each resource in a cluster per type) are notes; outputs are bold (exclusive)
// or solid (shared) edges, strong inputs solid, weak inputs dotted, labelled with the resource
// ID they are limited to; destroy-ready inputs are not drawn.
import { DependencyEdgeType, InspectService } from "../gen/inspect/inspect_pb.js";
import { goQuote } from "../wire/index.js";
import type { NodeClient } from "./client.js";
import { listResourceDefinitions, resolveResourceKind } from "./resources.js";

export interface GraphEdge {
  readonly controller: string;
  readonly edgeType: DependencyEdgeType;
  readonly namespace: string;
  readonly type: string;
  readonly id: string;
}

/** The node's controller runtime dependency graph, edge by edge. */
export async function controllerDependencies(node: NodeClient): Promise<GraphEdge[]> {
  const reply = await node.service(InspectService).controllerRuntimeDependencies({});
  return reply.messages.flatMap((m) =>
    m.edges.map((e) => ({
      controller: e.controllerName,
      edgeType: e.edgeType,
      namespace: e.resourceNamespace,
      type: e.resourceType,
      id: e.resourceId,
    })),
  );
}

type Attrs = Map<string, string>;

interface DotNode {
  readonly id: string;
  readonly seq: number;
  readonly attrs: Attrs;
  readonly graph: DotGraph;
}

interface DotEdge {
  readonly from: DotNode;
  readonly to: DotNode;
  readonly attrs: Attrs;
}

/** The part of emicklei/dot talosctl uses, with its numbering and output layout. */
class DotGraph {
  private seq = 0;
  private readonly nodes = new Map<string, DotNode>();
  private readonly edges = new Map<string, DotEdge[]>();
  private readonly subgraphs = new Map<string, DotGraph>();
  readonly attrs: Attrs = new Map();

  constructor(
    private readonly kind: "digraph" | "subgraph",
    private id: string,
    private readonly parent?: DotGraph,
  ) {}

  private root(): DotGraph {
    return this.parent ? this.parent.root() : this;
  }

  private nextSeq(): number {
    const root = this.root();
    return ++root.seq;
  }

  private findNode(id: string): DotNode | undefined {
    return this.nodes.get(id) ?? this.parent?.findNode(id);
  }

  node(id: string): DotNode {
    const found = this.findNode(id);
    if (found) return found;
    const n: DotNode = { id, seq: this.nextSeq(), attrs: new Map([["label", id]]), graph: this };
    this.nodes.set(id, n);
    return n;
  }

  subgraph(id: string, cluster = false): DotGraph {
    const existing = this.subgraphs.get(id);
    if (existing) return existing;
    const sub = new DotGraph("subgraph", `s${this.nextSeq()}`, this);
    sub.attrs.set("label", id);
    if (cluster) sub.id = `cluster_${sub.id}`;
    this.subgraphs.set(id, sub);
    return sub;
  }

  edge(from: DotNode, to: DotNode, style: string, labels: readonly string[] = []): void {
    const owner = from.graph !== to.graph ? this.root() : this;
    const attrs: Attrs = new Map();
    if (labels.length > 0) attrs.set("label", labels.join(","));
    attrs.set("style", style);
    const list = owner.edges.get(from.id) ?? [];
    list.push({ from, to, attrs });
    owner.edges.set(from.id, list);
  }

  write(): string {
    const w = new IndentWriter();
    this.writeTo(w);
    return w.text;
  }

  private writeTo(w: IndentWriter): void {
    w.write(`${this.kind} ${this.id} {`);
    w.newLine();
    w.indent();
    for (const key of sortedKeys(this.subgraphs)) this.subgraphs.get(key)!.writeTo(w);
    if (this.attrs.size > 0) w.write(`${attributes(this.attrs)};`);
    w.newLine();
    for (const key of sortedKeys(this.nodes)) {
      const n = this.nodes.get(key)!;
      w.write(`n${n.seq}[${attributes(n.attrs)}];`);
      w.newLine();
    }
    for (const key of sortedKeys(this.edges)) {
      for (const e of this.edges.get(key)!) {
        w.write(`n${e.from.seq}->n${e.to.seq}${e.attrs.size > 0 ? `[${attributes(e.attrs)}]` : ""};`);
        w.newLine();
      }
    }
    w.backIndent();
    w.newLine();
    w.write("}");
    w.newLine();
  }
}

function sortedKeys(map: ReadonlyMap<string, unknown>): string[] {
  return [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `k="v"` pairs by key, joined with commas (graph attributes end each with `;` instead). */
function attributes(attrs: Attrs): string {
  return sortedKeys(attrs)
    .map((k) => `${k}=${goQuote(attrs.get(k)!)}`)
    .join(",");
}

class IndentWriter {
  text = "";
  private level = 0;

  write(s: string): void {
    this.text += s;
  }

  indent(): void {
    this.level++;
    this.text += "\t";
  }

  backIndent(): void {
    this.level--;
  }

  newLine(): void {
    this.text += `\n${"\t".repeat(this.level)}`;
  }
}

const isOutput = (t: DependencyEdgeType): boolean =>
  t === DependencyEdgeType.OUTPUT_EXCLUSIVE || t === DependencyEdgeType.OUTPUT_SHARED;

function noteNode(n: DotNode): void {
  n.attrs.set("shape", "note");
  n.attrs.set("fillcolor", "azure2");
  n.attrs.set("style", "filled");
}

/** The graph by resource type. */
export function renderDependencies(edges: readonly GraphEdge[]): string {
  const graph = new DotGraph("digraph", "");
  for (const e of edges) {
    graph.node(e.controller).attrs.set("shape", "box");
    noteNode(graph.node(e.type));
  }
  for (const e of edges) {
    const labels = e.id !== "" ? [e.id] : [];
    const controller = graph.node(e.controller);
    const type = graph.node(e.type);
    switch (e.edgeType) {
      case DependencyEdgeType.OUTPUT_EXCLUSIVE:
        graph.edge(controller, type, "bold");
        break;
      case DependencyEdgeType.OUTPUT_SHARED:
        graph.edge(controller, type, "solid");
        break;
      case DependencyEdgeType.INPUT_STRONG:
        graph.edge(type, controller, "solid", labels);
        break;
      case DependencyEdgeType.INPUT_WEAK:
        graph.edge(type, controller, "dotted", labels);
        break;
      default:
        break;
    }
  }
  return graph.write();
}

export interface LiveResource {
  readonly namespace: string;
  readonly type: string;
  readonly id: string;
  readonly owner: string;
}

/**
 * Lists the resources of every type in the graph (a type the node cannot list is left out;
 * one it does not know fails, as in talosctl).
 */
export async function graphResources(
  node: NodeClient,
  edges: readonly GraphEdge[],
): Promise<Map<string, LiveResource[]>> {
  const definitions = await listResourceDefinitions(node);
  const out = new Map<string, LiveResource[]>();
  for (const e of edges) {
    if (out.has(e.type)) continue;
    const rd = resolveResourceKind(definitions, e.type);
    const namespace = e.namespace !== "" ? e.namespace : rd.defaultNamespace;
    const items: LiveResource[] = [];
    try {
      for await (const item of node.cosi.list({ namespace, type: rd.type })) {
        const md = item.resource?.metadata;
        if (md) items.push({ namespace: md.namespace, type: md.type, id: md.id, owner: md.owner });
      }
    } catch {
      continue;
    }
    out.set(e.type, items);
  }
  return out;
}

/** The graph with each live resource, clustered by type, linked to the controllers. */
export function renderDependenciesWithResources(
  edges: readonly GraphEdge[],
  resources: ReadonlyMap<string, readonly LiveResource[]>,
): string {
  const graph = new DotGraph("digraph", "");
  const resourceId = (r: LiveResource): string => `${r.namespace}/${r.type}/${r.id}`;
  for (const e of edges) graph.node(e.controller).attrs.set("shape", "box");
  for (const type of sortedKeys(resources)) {
    const cluster = graph.subgraph(type, true);
    for (const r of resources.get(type)!) noteNode(cluster.node(resourceId(r)));
  }
  for (const e of edges) {
    for (const r of resources.get(e.type) ?? []) {
      if (e.id !== "" && r.id !== e.id) continue;
      if (isOutput(e.edgeType) && e.controller !== r.owner) continue;
      const controller = graph.node(e.controller);
      const res = graph.subgraph(e.type).node(resourceId(r));
      switch (e.edgeType) {
        case DependencyEdgeType.OUTPUT_EXCLUSIVE:
        case DependencyEdgeType.OUTPUT_SHARED:
          graph.edge(controller, res, "solid");
          break;
        case DependencyEdgeType.INPUT_STRONG:
          graph.edge(res, controller, "solid");
          break;
        case DependencyEdgeType.INPUT_WEAK:
          graph.edge(res, controller, "dotted");
          break;
        default:
          break;
      }
    }
  }
  return graph.write();
}
