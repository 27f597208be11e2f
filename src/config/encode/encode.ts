// The container encoding of a machine config: the legacy v1alpha1 document first, then the
// others in their order, separated by `---` lines, each in go-yaml's layout; optionally with
// field documentation and commented examples.

import { type EmitNode, emitDocument, isPlainObject, type MapEntry, toEmitNode } from "../../yaml/index.js";
import {
  childFieldDocs,
  documentSummary,
  type FieldExample,
  fieldDoc as lookupFieldDoc,
} from "../docs/index.js";
import {
  type ConfigDocument,
  type ConfigPath,
  LEGACY_KIND,
  type MachineConfigDocuments,
} from "../document.js";
import type { SchemaContract } from "../schema/index.js";
import { AS_WRITTEN, type KeyOrder, schemaKeyOrder } from "./order.js";

export interface CommentOptions {
  /** A one-line explanation beside or above every documented field. */
  readonly docs: boolean;
  /** Commented samples for documented fields left empty or out. */
  readonly examples: boolean;
}

export interface EncodeOptions {
  /** `true` = docs and examples; `false` (default) = plain YAML. */
  readonly comments?: boolean | CommentOptions;
  /**
   * Key order: "schema" (default) writes struct fields in Talos's order and map keys sorted,
   * using the config model of `contract`; "as-written" keeps the data's own order.
   */
  readonly order?: "schema" | "as-written";
  /** The version contract whose field order applies (default: the newest). */
  readonly contract?: SchemaContract;
}

/** The minimum the encoder needs of a document. */
export type EncodableDocument = Pick<ConfigDocument, "kind" | "data">;

function commentOptions(value: EncodeOptions["comments"]): CommentOptions {
  if (value === undefined || value === false) return { docs: false, examples: false };
  if (value === true) return { docs: true, examples: true };
  return value;
}

/** Encodes a whole config; the result ends with a newline. */
export function encodeMachineConfig(
  config: MachineConfigDocuments | readonly EncodableDocument[],
  options: EncodeOptions = {},
): string {
  const documents = isDocumentList(config) ? config : config.documents;
  const legacy = documents.filter((d) => d.kind === LEGACY_KIND);
  const others = documents.filter((d) => d.kind !== LEGACY_KIND);
  return [...legacy, ...others].map((d) => encodeDocument(d, options)).join("---\n");
}

function isDocumentList(
  config: MachineConfigDocuments | readonly EncodableDocument[],
): config is readonly EncodableDocument[] {
  return Array.isArray(config);
}

/** Encodes one document (no separator); the result ends with a newline. */
export function encodeDocument(document: EncodableDocument, options: EncodeOptions = {}): string {
  const comments = commentOptions(options.comments);
  const order = options.order === "as-written" ? AS_WRITTEN : schemaKeyOrder(options.contract);
  const builder = new TreeBuilder(document.kind, order, comments);
  const root = builder.node([], document.data);
  const head = comments.docs && document.kind !== LEGACY_KIND ? docHead(document.kind) : undefined;
  return emitDocument(root, head);
}

function docHead(kind: string): string[] | undefined {
  const summary = documentSummary(kind);
  return summary ? [`${kind}: ${summary}`] : undefined;
}

function isEmptyCollection(node: EmitNode): boolean {
  return (
    (node.kind === "map" && node.entries.length === 0) || (node.kind === "seq" && node.items.length === 0)
  );
}

/** Builds the emit tree of one document, ordering keys and attaching comments. */
class TreeBuilder {
  constructor(
    private readonly kind: string,
    private readonly order: KeyOrder,
    private readonly comments: CommentOptions,
  ) {}

  node(path: ConfigPath, value: unknown): EmitNode {
    if (Array.isArray(value)) return { kind: "seq", items: value.map((v, i) => this.node([...path, i], v)) };
    if (!isPlainObject(value)) return { kind: "scalar", value };
    const present = Object.keys(value).filter((k) => value[k] !== undefined);
    const keys = this.order(this.kind, path, present);
    const entries = keys.map((key) => this.entry([...path, key], key, value[key]));
    const foot = this.comments.examples ? this.omittedExamples(path, new Set(present)) : [];
    return foot.length > 0 ? { kind: "map", entries, foot } : { kind: "map", entries };
  }

  private entry(path: ConfigPath, key: string, value: unknown): MapEntry {
    const node = this.node(path, value);
    const doc = this.comments.docs || this.comments.examples ? lookupFieldDoc(this.kind, path) : undefined;
    if (!doc) return { key, value: node };
    const block = node.kind !== "scalar";
    const entry: { -readonly [K in keyof MapEntry]: MapEntry[K] } = { key, value: node };
    if (this.comments.docs) {
      if (block) entry.head = [doc.summary];
      else entry.line = doc.summary;
    }
    if (this.comments.examples && doc.examples && isEmptyCollection(node)) {
      entry.below = doc.examples.flatMap((example) => renderBelow(example));
    }
    return entry;
  }

  /** Commented samples of documented fields this object leaves out. */
  private omittedExamples(path: ConfigPath, present: ReadonlySet<string>): string[] {
    const lines: string[] = [];
    for (const { key, doc } of childFieldDocs(this.kind, path)) {
      if (present.has(key) || !doc.examples || doc.examples.length === 0) continue;
      lines.push("");
      if (this.comments.docs) lines.push(`# # ${doc.summary}`);
      doc.examples.forEach((example, i) => {
        if (i > 0) lines.push("");
        if (example.title) lines.push(`# # ${example.title}`);
        lines.push(...commentOut(emitDocument(toEmitNode({ [key]: example.value })), "# "));
      });
    }
    return lines;
  }
}

/** A sample shown under a field written empty (`certSANs: []`), indented as its value would be. */
function renderBelow(example: FieldExample): string[] {
  const lines = example.title ? [`# # ${example.title}`] : [];
  lines.push(...commentOut(emitDocument(toEmitNode(example.value)), "#   "));
  return lines;
}

function commentOut(text: string, prefix: string): string[] {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => `${prefix}${l}`.trimEnd());
}
