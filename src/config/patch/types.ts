// The shapes a loaded patch takes: a strategic merge patch (a list of documents and delete
// selectors in the order Talos applies them) or an RFC 6902 operation list.
import type { Operation } from "fast-json-patch";
import type { SourcePosition } from "../document.js";

/** One `$patch: delete` found in a strategic patch. */
export interface DeleteSelector {
  readonly type: "delete";
  /** "" for the legacy v1alpha1 document. */
  readonly apiVersion: string;
  /** "v1alpha1" for the legacy document. */
  readonly kind: string;
  readonly name?: string;
  /**
   * Path from the document root as Talos spells it: map keys, and `[i]` for a list item
   * (`machine.network.interfaces.[0]`). Empty for a whole-document delete.
   */
  readonly path: readonly string[];
  /** For a list-item delete: the item's first other key and its scalar value. */
  readonly key?: string;
  readonly value?: string;
  /** 0-based index of the YAML document in the patch that held the delete. */
  readonly docIndex: number;
  readonly position?: SourcePosition;
}

/** One document of a strategic patch, after its deletes were taken out. */
export interface PatchDocument {
  readonly type: "merge";
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string;
  /** Plain data as written, without the `$patch: delete` entries. */
  readonly data: Record<string, unknown>;
  readonly docIndex: number;
  readonly position?: SourcePosition;
}

export type StrategicEntry = DeleteSelector | PatchDocument;

export interface StrategicPatch {
  readonly type: "strategic";
  /** How messages name the patch: its file name, or `inline patch #N`. */
  readonly source: string;
  /** Deletes and documents in the order they were written. */
  readonly entries: readonly StrategicEntry[];
}

export interface JsonPatch {
  readonly type: "json6902";
  readonly source: string;
  readonly operations: readonly Operation[];
}

export type Patch = StrategicPatch | JsonPatch;
