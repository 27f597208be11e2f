// Column schemas of `talosctl cgroups`: a name and a Go template per column, from a preset or a
// YAML file (`columns: [{name, template}]`), rendered for each group of the tree, which is drawn
// with its edges as talosctl draws it (siderolabs/talos: cmd/talosctl/cmd/talos/cgroupsprinter).
import { parse } from "yaml";
import { Template } from "./template.js";
import type { CgroupNode } from "./tree.js";

export interface Column {
  readonly name: string;
  readonly template: string;
}

export class Schema {
  private readonly compiled: Template[];

  constructor(readonly columns: readonly Column[]) {
    this.compiled = columns.map((c) => new Template(c.name, c.template));
  }

  headerLine(): string {
    return this.columns.map((c) => c.name).join("\t");
  }

  render(data: unknown): string {
    return this.compiled.map((t) => t.execute(data)).join("\t");
  }
}

export class SchemaError extends Error {
  override readonly name = "SchemaError";
}

/** A schema file's columns (unknown fields are ignored, as Go's YAML decoder does). */
export function parseSchema(text: string): Column[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new SchemaError(`yaml: ${(err as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new SchemaError(
      "yaml: cannot unmarshal the document into a schema (expected a mapping with columns)",
    );
  }
  const columns = (doc as { columns?: unknown }).columns;
  if (columns === undefined || columns === null) return [];
  if (!Array.isArray(columns)) throw new SchemaError("yaml: columns must be a list of {name, template}");
  return columns.map((c: unknown, i) => {
    if (typeof c !== "object" || c === null || Array.isArray(c)) {
      throw new SchemaError(`yaml: columns[${i}] must be a mapping with name and template`);
    }
    const { name, template } = c as { name?: unknown; template?: unknown };
    return {
      name: name === undefined ? "" : String(name),
      template: template === undefined ? "" : String(template),
    };
  });
}

const EDGE_LINK = "│";
const EDGE_MID = "├──";
const EDGE_END = "└──";
const INDENT = 3;

/** The tree's lines (tab-separated cells), the root first, each group's children by name. */
export function printTree(schema: Schema, root: CgroupNode): string[] {
  const out: string[] = [];
  const visit = (
    name: string,
    node: CgroupNode,
    parent: CgroupNode | null,
    level: number,
    levelsEnded: number[],
    lastNode: boolean,
    treeRoot: boolean,
  ): void => {
    let prefix = "";
    for (let i = 0; i < level; i++) {
      prefix += levelsEnded.includes(i) ? " ".repeat(INDENT + 1) : EDGE_LINK + " ".repeat(INDENT);
    }
    const edge = treeRoot ? "" : lastNode ? EDGE_END : EDGE_MID;
    const data = Object.assign(Object.create(node) as object, { Parent: parent });
    out.push(`${prefix}${edge}${name}\t${schema.render(data)}`);
    const ended = lastNode ? [...levelsEnded, level] : levelsEnded;
    const next = treeRoot ? level : level + 1;
    const children = node.sortedChildren();
    children.forEach((child, i) => {
      visit(child, node.Children.get(child)!, node, next, ended, i === children.length - 1, false);
    });
  };
  visit(".", root, null, 0, [], false, true);
  return out;
}
