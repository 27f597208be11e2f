// A YAML writer with go-yaml's block layout, which the generic JavaScript emitters do not
// reproduce. yaml.v3 (and v4): a mapping inside a sequence item starts right after "- " while
// what nests under its keys snaps to the next multiple of the indentation (`- name: x` /
// `  config:` / `    key: v` at width 4), and a sequence under a key is indented. yaml.v2: every
// level adds the indentation, a sequence under a key starts at the key's column, and long text
// folds at 80 columns. Both write empty collections as `{}` / `[]` and multi-line text as a
// literal block.
import type { YamlDialect } from "./keys.js";
import { type Fold, formatScalar, formatString } from "./scalar.js";

export interface MapEntry {
  readonly key: string;
  readonly value: EmitNode;
  /** Comment lines above the key (text without the leading "# "). */
  readonly head?: readonly string[];
  /** A comment at the end of the key's line. */
  readonly line?: string;
  /** Raw comment lines (already starting with "#") placed right below the entry. */
  readonly below?: readonly string[];
}

export interface MapNode {
  readonly kind: "map";
  readonly entries: readonly MapEntry[];
  /** Raw comment lines (already starting with "#", or "" for a blank line) after the last entry. */
  readonly foot?: readonly string[];
}

export interface SeqNode {
  readonly kind: "seq";
  readonly items: readonly EmitNode[];
}

export interface ScalarNode {
  readonly kind: "scalar";
  readonly value: unknown;
}

export type EmitNode = MapNode | SeqNode | ScalarNode;

/** How the blocks are laid out: go-yaml's indentation width and which go-yaml's rules apply. */
export interface Layout {
  readonly indent: number;
  readonly dialect: YamlDialect;
}

/**
 * The line width yaml.v2 folds long text at (libyaml's default; yaml.v2's FutureLineWrap turns
 * it off, but neither sigs.k8s.io/yaml nor ghodss/yaml calls it). yaml.v3 never folds.
 */
const YAML_V2_LINE_WIDTH = 80;

/** go-yaml v3/v4's defaults, as Talos writes its configs, talosconfig and secrets. */
export const GO_YAML_V3: Layout = { indent: 4, dialect: "yaml.v3" };

/**
 * Builds an emit tree from data: arrays are sequences, Maps and other objects are mappings
 * (in their own key order, or sorted by `compareKeys`), objects with `toJSON` (a Date) are
 * written as what that returns, anything else is a scalar. Undefined members are left out.
 */
export function toEmitNode(value: unknown, compareKeys?: (a: string, b: string) => number): EmitNode {
  if (Array.isArray(value)) return { kind: "seq", items: value.map((v) => toEmitNode(v, compareKeys)) };
  if (value instanceof Map) {
    return mapNode(
      [...value].map(([k, v]) => [String(k), v]),
      compareKeys,
    );
  }
  if (value !== null && typeof value === "object") {
    const json = (value as { toJSON?: unknown }).toJSON;
    if (typeof json === "function") return toEmitNode(json.call(value), compareKeys);
    return mapNode(Object.entries(value), compareKeys);
  }
  return { kind: "scalar", value };
}

function mapNode(
  entries: readonly (readonly [string, unknown])[],
  compareKeys: ((a: string, b: string) => number) | undefined,
): MapNode {
  const present = entries.filter(([, v]) => v !== undefined);
  if (compareKeys) present.sort(([a], [b]) => compareKeys(a, b));
  return { kind: "map", entries: present.map(([key, v]) => ({ key, value: toEmitNode(v, compareKeys) })) };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isEmptyCollection(node: EmitNode): boolean {
  return (
    (node.kind === "map" && node.entries.length === 0) || (node.kind === "seq" && node.items.length === 0)
  );
}

class Writer {
  private readonly out: string[] = [];

  constructor(readonly layout: Layout) {}

  /**
   * Where the next level of nesting starts below something at `indent` (go-yaml's
   * increase_indent): right after the "- " inside a sequence item; otherwise yaml.v3 snaps to
   * the next multiple of the width and yaml.v2 adds the width.
   */
  nested(indent: number, inSequenceItem: boolean): number {
    const { indent: width, dialect } = this.layout;
    if (indent < 0) return 0;
    if (dialect === "yaml.v2") return indent + width;
    if (inSequenceItem) return indent + 2;
    return width * Math.floor((indent + width) / width);
  }

  /** Where a scalar starting at `column` may fold (continuing at `indent`), if this layout folds. */
  fold(column: number, indent: number): Fold | undefined {
    return this.layout.dialect === "yaml.v2" ? { column, indent, width: YAML_V2_LINE_WIDTH } : undefined;
  }

  line(indent: number, text: string): void {
    this.out.push(text === "" ? "" : `${" ".repeat(indent)}${text}`);
  }

  comments(indent: number, lines: readonly string[] | undefined): void {
    for (const l of lines ?? []) this.line(indent, l === "" ? "" : `# ${l}`);
  }

  raw(indent: number, lines: readonly string[] | undefined): void {
    for (const l of lines ?? []) this.line(l === "" ? 0 : indent, l);
  }

  text(): string {
    return this.out.length === 0 ? "" : `${this.out.join("\n")}\n`;
  }
}

function withLineComment(text: string, comment: string | undefined): string {
  return comment ? `${text} # ${comment}` : text;
}

/** The inline text of a collection that is empty or of a scalar that is not a literal block. */
function inlineText(node: EmitNode, layout: Layout, fold: Fold | undefined): string | undefined {
  if (node.kind === "map" && node.entries.length === 0) return "{}";
  if (node.kind === "seq" && node.items.length === 0) return "[]";
  if (node.kind === "scalar") {
    const form = formatScalar(node.value, { indent: layout.indent, ...(fold ? { fold } : {}) });
    return form.style === "inline" ? form.text : undefined;
  }
  return undefined;
}

/** Writes a literal block's lines; empty lines carry no indentation. */
function writeLiteral(w: Writer, indent: number, lines: readonly string[]): void {
  for (const l of lines) w.line(l === "" ? 0 : indent, l);
}

/** What precedes the first entry of a collection that starts on a sequence item's line. */
interface FirstOnLine {
  readonly prefix: string;
  readonly prefixIndent: number;
}

/** The dash (or dashes) and the spaces that bring the first entry to its column. */
function firstOnLine(lead: string, leadIndent: number, childIndent: number): FirstOnLine {
  const width = Math.max(lead.length + 1, childIndent - leadIndent);
  return { prefix: lead.padEnd(width), prefixIndent: leadIndent };
}

/**
 * Writes one mapping whose keys sit at `indent`. `first` is what precedes the first key on its
 * line ("- " for a mapping that is a sequence item).
 */
function writeMap(w: Writer, node: MapNode, indent: number, first?: FirstOnLine): void {
  node.entries.forEach((entry, i) => {
    const key = formatString(entry.key, { key: true });
    const keyText = key.style === "inline" ? key.text : JSON.stringify(entry.key);
    let lead: string;
    let leadIndent: number;
    if (i === 0 && first) {
      // Comments of the first key go above the "- " line.
      w.comments(first.prefixIndent, entry.head);
      lead = `${first.prefix}${keyText}:`;
      leadIndent = first.prefixIndent;
    } else {
      w.comments(indent, entry.head);
      lead = `${keyText}:`;
      leadIndent = indent;
    }
    writeValue(w, entry.value, lead, leadIndent, indent, false, entry.line);
    w.raw(indent, entry.below);
  });
  w.raw(indent, node.foot);
}

/**
 * Writes a value after `lead` (a "key:" or "-" already placed at `leadIndent`). `ownerIndent`
 * is the indentation of the key or dash that owns the value, from which nesting is computed.
 */
function writeValue(
  w: Writer,
  value: EmitNode,
  lead: string,
  leadIndent: number,
  ownerIndent: number,
  inSequenceItem: boolean,
  lineComment: string | undefined,
): void {
  const fold = w.fold(leadIndent + lead.length + 1, w.nested(ownerIndent, inSequenceItem));
  const inline = inlineText(value, w.layout, fold);
  if (inline !== undefined) {
    w.line(leadIndent, withLineComment(`${lead} ${inline}`, lineComment));
    return;
  }
  if (value.kind === "scalar") {
    // A reader places a literal block's text at the owner's indentation (the key's column, or the
    // dash's) plus the indentation indicator, so the indicator is that offset: the layout's width
    // below a key at a multiple of it, 2 in a yaml.v3 sequence item or a mapping inside one.
    const contentIndent = w.nested(ownerIndent, inSequenceItem);
    const form = formatScalar(value.value, { indent: contentIndent - ownerIndent });
    if (form.style === "literal") {
      w.line(leadIndent, withLineComment(`${lead} ${form.header}`, lineComment));
      writeLiteral(w, contentIndent, form.lines);
    }
    return;
  }
  // yaml.v2 writes a sequence under a key without indenting it ("indentless").
  const indentless = value.kind === "seq" && !inSequenceItem && w.layout.dialect === "yaml.v2";
  const childIndent = indentless ? ownerIndent : w.nested(ownerIndent, inSequenceItem);
  if (inSequenceItem) {
    // A collection inside a sequence item starts on the dash's line.
    const first = firstOnLine(lead, leadIndent, childIndent);
    if (value.kind === "map") writeMap(w, value, childIndent, first);
    else writeSeq(w, value, childIndent, first);
    return;
  }
  w.line(leadIndent, withLineComment(lead, lineComment));
  if (value.kind === "map") writeMap(w, value, childIndent);
  else writeSeq(w, value, childIndent);
}

function writeSeq(w: Writer, node: SeqNode, indent: number, first?: FirstOnLine): void {
  node.items.forEach((item, i) => {
    const isFirst = i === 0 && first !== undefined;
    const lead = isFirst ? `${first.prefix}-` : "-";
    const leadIndent = isFirst ? first.prefixIndent : indent;
    writeValue(w, item, lead, leadIndent, indent, true, undefined);
  });
}

/** Writes one YAML document (without a `---` separator); ends with a newline. */
export function emitDocument(root: EmitNode, head?: readonly string[], layout: Layout = GO_YAML_V3): string {
  const w = new Writer(layout);
  w.comments(0, head);
  if (root.kind === "map" && root.entries.length > 0) writeMap(w, root, 0);
  else if (root.kind === "seq" && root.items.length > 0) writeSeq(w, root, 0);
  else if (isEmptyCollection(root)) w.line(0, root.kind === "map" ? "{}" : "[]");
  else {
    const fold = w.fold(0, layout.indent);
    const form = formatScalar(root.kind === "scalar" ? root.value : null, {
      indent: layout.indent,
      ...(fold ? { fold } : {}),
    });
    if (form.style === "inline") w.line(0, form.text);
    else {
      // A block scalar at the top is indented by the width (libyaml's first indentation step).
      w.line(0, form.header);
      writeLiteral(w, layout.indent, form.lines);
    }
  }
  return w.text();
}
