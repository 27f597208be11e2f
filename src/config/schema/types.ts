// The shapes of the config model: a field tree per document kind, compiled from Talos's JSON
// schemas, plus the facts about each field that the schemas cannot say (Go pointers, merge rules).
import type { ConfigPath } from "../document.js";

/**
 * What a value must look like. `unstructured` is a free-form mapping (e.g. an embedded
 * Kubernetes object); `string-or-list` is an extraArgs value (one string or a list of strings);
 * `scalar` is any string, number or bool (e.g. a port number or a port range);
 * `any` is accepted unchecked (only for kinds the schemas do not describe).
 */
export type FieldType =
  | "string"
  | "int"
  | "number"
  | "bool"
  | "scalar"
  | "object"
  | "array"
  | "map"
  | "unstructured"
  | "string-or-list"
  | "any";

export type EnumValue = string | number | boolean;

/** One node of a document's field tree. */
export interface SchemaNode {
  readonly type: FieldType;
  /** `object`: its fields, in Go declaration order (the order the encoder writes them). */
  readonly fields?: Readonly<Record<string, SchemaNode>>;
  /** `object`: fields the schema marks as required. */
  readonly required?: readonly string[];
  /** `array`: the item node. */
  readonly items?: SchemaNode;
  /** `map`: the node of every value (keys are strings). */
  readonly values?: SchemaNode;
  /** Allowed values, when the schema restricts them. */
  readonly enum?: readonly EnumValue[];
  /** A regular expression (JavaScript syntax) a string must match. */
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  /** Accepted by Talos but absent from (or hidden by) its current schema. */
  readonly deprecated?: boolean;
  /** `object`: keys beyond `fields` are accepted unchecked (kinds the schemas do not describe). */
  readonly open?: boolean;
}

/** The schema generations the model carries; a contract picks one (see schemaVersionFor). */
export type SchemaVersion = "1.12" | "1.13" | "1.15";

/** A Talos version contract: "1.13", "v1.13", "v1.13.2" or parsed; undefined means the newest. */
export type SchemaContract = string | { readonly major: number; readonly minor: number };

/** The schema of one document kind. */
export interface KindSchema {
  /** The kind; "v1alpha1" for the legacy document. */
  readonly kind: string;
  /** "v1alpha1"; the legacy document carries `version: v1alpha1` instead of apiVersion. */
  readonly apiVersion: string;
  /** Named kinds carry a `name` that is part of the document's identity. */
  readonly named: boolean;
  /** The schema generation this tree came from. */
  readonly schemaVersion: SchemaVersion;
  /** The document's root: an object node (apiVersion, kind, name included for multi-doc kinds). */
  readonly root: SchemaNode;
  /** The kind is known but not described by any schema: its fields are accepted unchecked. */
  readonly loose: boolean;
  /** Walks the tree: object keys by name, list items by index, map values by any key. */
  at(path: ConfigPath): SchemaNode | undefined;
}

/** How a keyed list matches patch items to existing items. */
export interface KeyedList {
  /** Fields tried in order; the first one the patch item sets decides the match. */
  readonly keys: readonly string[];
  /** A matched item is deep-merged (`merge`) or replaced wholesale (`replace`). */
  readonly onMatch: "merge" | "replace";
}

/**
 * An atomic value: `when-set` replaces the left value only when the patch value is non-zero
 * (CIDRs, addresses); `always` replaces unconditionally, even when the patch omits it (sizes,
 * CEL expressions).
 */
export type AtomicRule = "when-set" | "always";

/** Everything a strategic merge needs to know about one field. */
export interface FieldInfo {
  readonly type: FieldType;
  readonly node: SchemaNode;
  /** A Go pointer (or interface): an explicitly written zero value replaces the left value. */
  readonly pointer: boolean;
  /** `merge:"replace"`: a non-nil patch value replaces the whole field. */
  readonly mergeReplace: boolean;
  /** A list whose items are matched by key instead of appended (a custom Merge in Talos). */
  readonly keyedBy?: KeyedList;
  /** An atomic value (a custom Merge in Talos that replaces instead of merging). */
  readonly atomic?: AtomicRule;
  /** `meta.Args` (extraArgs): per-key replace; an empty patch is a no-op. */
  readonly args?: boolean;
}

/**
 * One rule the schema cannot express. `path` uses `[]` for "every list item" and `*` for
 * "every map key": `machine.network.interfaces[].vlans`, `extraArgs`.
 */
export interface MergeRule {
  /** The kind, "v1alpha1" for the legacy document, or "*" for every kind. */
  readonly kind: string;
  readonly path: string;
  readonly mergeReplace?: boolean;
  readonly keyedBy?: KeyedList;
  readonly atomic?: AtomicRule;
  readonly args?: boolean;
  readonly pointer?: boolean;
  /** Applies to every field of that name at any depth (e.g. `extraArgs`, `match`). */
  readonly anyDepth?: boolean;
  /** Why, in a few words (the Go type or tag behind the rule). */
  readonly note: string;
}
