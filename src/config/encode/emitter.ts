// A YAML writer with go-yaml's block layout at indent 4, which the generic JavaScript
// emitters do not reproduce: a mapping inside a sequence item starts right after "- " while
// what nests under its keys snaps to the next multiple of four (`- name: x` / `  config:` /
// `    key: v`), empty collections are written `{}` / `[]`, and multi-line text is a literal block.
import { formatScalar, formatString } from "./scalar.js";

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

/** Builds an emit tree from plain data, keeping the key order of every object. */
export function toEmitNode(value: unknown): EmitNode {
  if (Array.isArray(value)) return { kind: "seq", items: value.map(toEmitNode) };
  if (isPlainObject(value)) {
    return {
      kind: "map",
      entries: Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([key, v]) => ({ key, value: toEmitNode(v) })),
    };
  }
  return { kind: "scalar", value };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Where the next level of nesting starts (go-yaml's indentation rule at width 4). */
function nestedIndent(indent: number, inSequenceItem: boolean): number {
  if (indent < 0) return 0;
  if (inSequenceItem) return indent + 2;
  return 4 * Math.floor((indent + 4) / 4);
}

function isEmptyCollection(node: EmitNode): boolean {
  return (
    (node.kind === "map" && node.entries.length === 0) || (node.kind === "seq" && node.items.length === 0)
  );
}

class Writer {
  private readonly out: string[] = [];

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

/** The inline text of a collection that is empty or of a scalar that fits on the line. */
function inlineText(node: EmitNode): string | undefined {
  if (node.kind === "map" && node.entries.length === 0) return "{}";
  if (node.kind === "seq" && node.items.length === 0) return "[]";
  if (node.kind === "scalar") {
    const form = formatScalar(node.value);
    return form.style === "inline" ? form.text : undefined;
  }
  return undefined;
}

/** Writes a literal block's lines; empty lines carry no indentation. */
function writeLiteral(w: Writer, indent: number, lines: readonly string[]): void {
  for (const l of lines) w.line(l === "" ? 0 : indent, l);
}

/**
 * Writes one mapping whose keys sit at `indent`. `prefix` is what precedes the first key on
 * its line ("- " for a mapping that is a sequence item); `prefixIndent` is where that prefix
 * starts.
 */
function writeMap(
  w: Writer,
  node: MapNode,
  indent: number,
  first?: { prefix: string; prefixIndent: number },
): void {
  node.entries.forEach((entry, i) => {
    const key = formatString(entry.key, true);
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
  const inline = inlineText(value);
  if (inline !== undefined) {
    w.line(leadIndent, withLineComment(`${lead} ${inline}`, lineComment));
    return;
  }
  if (value.kind === "scalar") {
    const form = formatScalar(value.value);
    if (form.style === "literal") {
      w.line(leadIndent, withLineComment(`${lead} ${form.header}`, lineComment));
      writeLiteral(w, nestedIndent(ownerIndent, inSequenceItem), form.lines);
    }
    return;
  }
  const childIndent = nestedIndent(ownerIndent, inSequenceItem);
  if (inSequenceItem) {
    // A collection inside a sequence item starts on the dash's line.
    if (value.kind === "map")
      writeMap(w, value, childIndent, { prefix: `${lead} `, prefixIndent: leadIndent });
    else writeSeq(w, value, childIndent, { prefix: `${lead} `, prefixIndent: leadIndent });
    return;
  }
  w.line(leadIndent, withLineComment(lead, lineComment));
  if (value.kind === "map") writeMap(w, value, childIndent);
  else writeSeq(w, value, childIndent);
}

function writeSeq(
  w: Writer,
  node: SeqNode,
  indent: number,
  first?: { prefix: string; prefixIndent: number },
): void {
  node.items.forEach((item, i) => {
    const isFirst = i === 0 && first !== undefined;
    const lead = isFirst ? `${first.prefix}-` : "-";
    const leadIndent = isFirst ? first.prefixIndent : indent;
    writeValue(w, item, lead, leadIndent, indent, true, undefined);
  });
}

/** Writes one YAML document (without a `---` separator); ends with a newline. */
export function emitDocument(root: EmitNode, head?: readonly string[]): string {
  const w = new Writer();
  w.comments(0, head);
  if (root.kind === "map" && root.entries.length > 0) writeMap(w, root, 0);
  else if (root.kind === "seq" && root.items.length > 0) writeSeq(w, root, 0);
  else if (isEmptyCollection(root)) w.line(0, root.kind === "map" ? "{}" : "[]");
  else {
    const form = formatScalar(root.kind === "scalar" ? root.value : null);
    if (form.style === "inline") w.line(0, form.text);
    else {
      w.line(0, form.header);
      writeLiteral(w, 0, form.lines);
    }
  }
  return w.text();
}
