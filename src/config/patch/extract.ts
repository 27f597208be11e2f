// Takes the `$patch: delete` markers out of one patch document (siderolabs/talos:
// pkg/machinery/config/configloader/internal/decoder/delete.go): each becomes a delete selector,
// and what is left of the document is merged afterwards.
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";
import { TalosError } from "../../errors.js";
import { LEGACY_KIND } from "../document.js";
import type { DeleteSelector } from "./types.js";
import { findScalar, nodePosition, scalarText } from "./yaml-source.js";

/** A malformed delete; the message is Talos's. */
export class DeleteStatementError extends TalosError {
  override readonly name = "DeleteStatementError";

  constructor(message: string) {
    super("invalid", message);
  }
}

export interface Extracted {
  readonly selectors: DeleteSelector[];
  /** False when nothing is left to merge (only deletes, or only version/kind/name scalars). */
  readonly keep: boolean;
}

type ParentKind = "document" | "map" | "seq";

interface Walk {
  /** Continue with the next sibling. */
  cont: boolean;
  /** Remove this node from its parent. */
  del: boolean;
}

/**
 * Mutates `doc` (removes the delete markers and the mappings holding them) and returns the
 * selectors in written order.
 */
export function extractDeletes(doc: Document.Parsed, docIndex: number, lines: LineCounter): Extracted {
  const selectors: DeleteSelector[] = [];
  const root = doc.contents as Node | null;
  if (root === null) return { selectors, keep: true };

  const found = (path: readonly string[], parent: ParentKind, node: Node): void => {
    const position = nodePosition(lines, node);
    if (parent === "seq") selectors.push(sequenceSelector(path, root, node, docIndex, position));
    else selectors.push(makeSelector(path, root, docIndex, undefined, undefined, position));
  };

  const walk = (parent: ParentKind, node: unknown, path: string[]): Walk => {
    if (isMap(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const pair = node.items[i] as Pair<unknown, unknown>;
        if (isDeleteMarker(pair)) {
          if (parent !== "seq") ensureNoSequenceInChain(path);
          found(path, parent, node as Node);
          return { cont: true, del: true };
        }
        const r = walk("map", pair.value, [...path, scalarText(pair.key)]);
        if (!r.cont) return r;
        if (r.del) {
          node.items.splice(i, 1);
          i--;
          if (node.items.length === 0) return { cont: true, del: true };
        }
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const r = walk("seq", node.items[i], [...path, `[${i}]`]);
        if (!r.cont) return r;
        if (r.del) {
          node.items.splice(i, 1);
          i--;
          if (node.items.length === 0) return { cont: true, del: true };
        }
      }
    }
    return { cont: true, del: false };
  };

  const r = walk("document", root, []);
  if (r.del) return { selectors, keep: false };
  return { selectors, keep: !isEmptyDocument(root) };
}

function isDeleteMarker(pair: Pair<unknown, unknown>): boolean {
  return isScalar(pair.value) && scalarText(pair.key) === "$patch" && scalarText(pair.value) === "delete";
}

function ensureNoSequenceInChain(path: readonly string[]): void {
  if (path.some((p) => p.startsWith("["))) {
    throw new DeleteStatementError(`cannot delete an inner key in '${path.join(".")}'`);
  }
}

/** A document with only version/kind/name scalars (or nothing) has nothing left to merge. */
function isEmptyDocument(node: Node): boolean {
  if (!isMap(node)) return false;
  for (const pair of node.items) {
    if (!isScalar(pair.key) || !isScalar(pair.value)) return false;
    const key = scalarText(pair.key);
    if (key !== "version" && key !== "kind" && key !== "name") return false;
  }
  return true;
}

function sequenceSelector(
  path: readonly string[],
  root: Node,
  item: Node,
  docIndex: number,
  position: DeleteSelector["position"],
): DeleteSelector {
  if (!isMap(item)) throw new DeleteStatementError("expected a mapping node");
  for (const pair of item.items) {
    if (isDeleteMarker(pair as Pair<unknown, unknown>)) continue;
    return makeSelector(path, root, docIndex, scalarText(pair.key), scalarText(pair.value), position);
  }
  throw new DeleteStatementError(`no key:val found in sequence node for path ${path.join(".")}`);
}

function makeSelector(
  path: readonly string[],
  root: Node,
  docIndex: number,
  key: string | undefined,
  value: string | undefined,
  position: DeleteSelector["position"],
): DeleteSelector {
  if (!isMap(root)) throw new DeleteStatementError("expected a mapping node");
  const required = path.length === 0;
  let apiVersion = findScalar(root, "apiVersion") ?? "";
  if (required && findScalar(root, "apiVersion") === undefined) {
    throw new DeleteStatementError("missing apiVersion in document for which $patch: delete is used");
  }
  let kind = findScalar(root, "kind") ?? "";
  if (required && findScalar(root, "kind") === undefined) {
    throw new DeleteStatementError("missing kind in document for which $patch: delete is used");
  }
  if (kind === "" && apiVersion === "") {
    kind = LEGACY_KIND;
    apiVersion = "";
  } else if (kind === "" || apiVersion === "") {
    throw new DeleteStatementError(`kind and apiVersion must be both set for path ${path.join(".")}`);
  }
  const name = findScalar(root, "name");
  return {
    type: "delete",
    apiVersion,
    kind,
    ...(name !== undefined && name !== "" ? { name } : {}),
    path: [...path],
    ...(key !== undefined ? { key, value: value ?? "" } : {}),
    docIndex,
    ...(position !== undefined ? { position } : {}),
  };
}

/** `{path:a.b.[0], apiVersion:…, kind:…, key:…, value:…, idx:N, name:…}` as Talos prints it. */
export function selectorString(s: DeleteSelector): string {
  const parts: string[] = [];
  const put = (k: string, v: string | undefined): void => {
    if (v !== undefined && v !== "") parts.push(`${k}:${v}`);
  };
  put("path", s.path.join("."));
  put("apiVersion", s.apiVersion);
  put("kind", s.kind);
  put("key", s.key);
  put("value", s.value);
  put("idx", String(s.docIndex));
  if (s.name !== undefined && s.name !== "") parts.push(`name:${s.name}`);
  return `{${parts.join(", ")}}`;
}
