// Applies a strategic merge patch to a list of documents (siderolabs/talos:
// pkg/machinery/config/configpatcher/strategic.go): documents are matched by apiVersion/kind/name,
// merged, deleted or appended.

import { TalosError } from "../../errors.js";
import { documentLabel, LEGACY_KIND } from "../document.js";
import { applyDelete, DeleteError } from "./delete.js";
import { MergeError, mergeDocumentData } from "./merge.js";
import type { ShapeSource } from "./shape.js";
import type { DeleteSelector, PatchDocument, StrategicEntry, StrategicPatch } from "./types.js";
import { clone } from "./values.js";

/** A document as the patch engine works on it. */
export interface PlainDocument {
  /** "" for the legacy v1alpha1 document. */
  readonly apiVersion: string;
  /** "v1alpha1" for the legacy document. */
  readonly kind: string;
  readonly name?: string;
  readonly data: Record<string, unknown>;
}

/** A failure while applying a strategic patch; names the patch document and path. */
export class StrategicPatchError extends TalosError {
  override readonly name = "StrategicPatchError";
  readonly document: string;
  readonly path: readonly (string | number)[];

  constructor(message: string, document: string, path: readonly (string | number)[] = []) {
    super("invalid", message);
    this.document = document;
    this.path = path;
  }
}

export function identityOf(doc: { apiVersion: string; kind: string; name?: string }): string {
  if (doc.kind === LEGACY_KIND && doc.apiVersion === "") return "/v1alpha1";
  return `${doc.apiVersion}/${doc.kind}${doc.name !== undefined && doc.name !== "" ? `/${doc.name}` : ""}`;
}

/**
 * Talos's order: the legacy document's deletes, then its merge documents, then everything else
 * as written.
 */
export function orderEntries(entries: readonly StrategicEntry[]): StrategicEntry[] {
  const isLegacy = (e: StrategicEntry): boolean => e.kind === LEGACY_KIND && e.apiVersion === "";
  return [
    ...entries.filter((e) => isLegacy(e) && e.type === "delete"),
    ...entries.filter((e) => isLegacy(e) && e.type === "merge"),
    ...entries.filter((e) => !isLegacy(e)),
  ];
}

/** Returns the patched documents; the input is not modified. */
export function applyStrategicPatch(
  documents: readonly PlainDocument[],
  patch: StrategicPatch,
  shapes: ShapeSource,
): PlainDocument[] {
  let docs = documents.map((d) => ({ ...d, data: clone(d.data) }));
  for (const entry of orderEntries(patch.entries)) {
    const id = identityOf(entry);
    const index = docs.findIndex((d) => identityOf(d) === id);
    if (entry.type === "delete") {
      if (index < 0) continue; // deletes of absent documents are ignored
      docs = deleteFrom(docs, index, entry, shapes);
    } else if (index < 0) {
      docs = appendDocument(docs, entry);
    } else {
      const target = docs[index]!;
      let data: Record<string, unknown>;
      try {
        data = mergeDocumentData(target.data, entry.data, { kind: target.kind, shapes });
      } catch (err) {
        if (err instanceof MergeError) throw new StrategicPatchError(err.message, labelOf(target), err.path);
        throw err;
      }
      docs = docs.map((d, i) => (i === index ? { ...d, data } : d));
    }
  }
  return docs;
}

function deleteFrom(
  docs: { apiVersion: string; kind: string; name?: string; data: Record<string, unknown> }[],
  index: number,
  selector: DeleteSelector,
  shapes: ShapeSource,
): PlainDocument[] {
  const target = docs[index]!;
  if (selector.path.length === 0) {
    if (target.kind === LEGACY_KIND && target.apiVersion === "") {
      throw new StrategicPatchError("can't delete the root of the legacy document", labelOf(target));
    }
    return docs.filter((_, i) => i !== index);
  }
  const data = clone(target.data);
  try {
    applyDelete(data, selector, target.kind, shapes);
  } catch (err) {
    if (err instanceof DeleteError) throw new StrategicPatchError(err.message, labelOf(target));
    throw err;
  }
  return docs.map((d, i) => (i === index ? { ...d, data } : d));
}

function appendDocument(docs: PlainDocument[], entry: PatchDocument): PlainDocument[] {
  const doc: PlainDocument = {
    apiVersion: entry.apiVersion,
    kind: entry.kind,
    ...(entry.name !== undefined ? { name: entry.name } : {}),
    data: clone(entry.data),
  };
  // The legacy document always comes first in a config.
  if (entry.kind === LEGACY_KIND && entry.apiVersion === "") return [doc, ...docs];
  return [...docs, doc];
}

function labelOf(doc: { kind: string; name?: string }): string {
  return documentLabel(doc);
}
