// Talos's strategic merge of one document into another (siderolabs/talos:
// pkg/machinery/config/merge/merge.go and the types' Merge methods), on plain data: the field facts
// say what Go's typed decode would have known (pointer or not, list or map, replace or append,
// keyed list, atomic value, free-form object).

import { TalosError } from "../../errors.js";
import type { ConfigPath } from "../document.js";
import type { FieldFacts, ShapeSource } from "./shape.js";
import { mergeUrl } from "./url.js";
import { clone, deepEqual, goTypeName, isPlainObject, isZeroScalar, isZeroValue } from "./values.js";

/** A merge that cannot be done; `path` says where in the document. */
export class MergeError extends TalosError {
  override readonly name = "MergeError";
  readonly path: ConfigPath;

  constructor(message: string, path: ConfigPath) {
    super("invalid", message);
    this.path = path;
  }
}

export interface MergeOptions {
  /** The document's kind ("v1alpha1" for the legacy document): the key of its field facts. */
  readonly kind: string;
  readonly shapes: ShapeSource;
}

/** Merges the patch document's data into the config document's data; neither is modified. */
export function mergeDocumentData(
  left: Record<string, unknown>,
  right: Record<string, unknown>,
  options: MergeOptions,
): Record<string, unknown> {
  return mergeFields(options, [], left, right);
}

function mergeFields(
  o: MergeOptions,
  path: ConfigPath,
  left: Record<string, unknown>,
  right: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...left };
  for (const key of Object.keys(right)) {
    const merged = mergeValue(o, [...path, key], left[key], right[key]);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  return out;
}

export function mergeValue(o: MergeOptions, path: ConfigPath, left: unknown, right: unknown): unknown {
  if (right === undefined) return left;
  const facts = o.shapes.field(o.kind, path);
  if (facts.args) return mergeArgs(left, right);
  if (facts.url) return mergeUrl(left, right);
  if (facts.atomic !== undefined) {
    // Atomic values (CIDRs, addresses, sizes, CEL expressions) are never merged inside.
    // Talos's "always" rule (sizes, CEL expressions) also clears such a value when a patch to
    // that document omits it; we keep the value instead.
    return right === null || isZeroScalar(right) ? left : clone(right);
  }
  switch (facts.type) {
    case "unstructured":
      return mergeUnstructuredField(path, facts, left, right);
    case "object":
      return mergeStruct(o, path, facts, left, right);
    case "array":
      return mergeList(o, path, facts, left, right);
    case "map":
      return mergeMap(o, path, facts, left, right);
    case "bool":
      return right === null ? left : right;
    case "string":
    case "int":
    case "number":
    case "string-or-list":
      return mergeScalar(facts, left, right);
    default:
      return mergeInferred(o, path, left, right);
  }
}

function mergeScalar(facts: FieldFacts, left: unknown, right: unknown): unknown {
  if (right === null) return left;
  if (typeof right === "boolean") return right;
  // Go cannot tell an absent non-pointer scalar from its zero value, so a zero keeps the left.
  if (!facts.pointer && isZeroScalar(right)) return left;
  return clone(right);
}

function mergeStruct(
  o: MergeOptions,
  path: ConfigPath,
  facts: FieldFacts,
  left: unknown,
  right: unknown,
): unknown {
  if (right === null) return left;
  if (!isPlainObject(right)) return clone(right);
  if (facts.mergeReplace) return isZeroValue(right) ? left : clone(right);
  if (!isPlainObject(left)) return clone(right);
  return mergeFields(o, path, left, right);
}

function mergeList(
  o: MergeOptions,
  path: ConfigPath,
  facts: FieldFacts,
  left: unknown,
  right: unknown,
): unknown {
  if (!Array.isArray(right)) return left;
  if (facts.mergeReplace) return clone(right);
  if (facts.keyedBy !== undefined) return mergeKeyedList(o, path, facts, left, right);
  if (!Array.isArray(left)) return clone(right);
  return [...left, ...clone(right)];
}

/** Lists whose items are matched by a key field (the custom Merge of such lists in Talos). */
function mergeKeyedList(
  o: MergeOptions,
  path: ConfigPath,
  facts: FieldFacts,
  left: unknown,
  right: unknown[],
): unknown {
  const keyed = facts.keyedBy!;
  if (!Array.isArray(left)) return clone(right);
  const out = [...left];
  for (const item of right) {
    const index = isPlainObject(item) ? findMatch(out, item, keyed.keys) : -1;
    if (index < 0) {
      out.push(clone(item));
    } else if (keyed.onMatch === "replace") {
      out[index] = clone(item);
    } else {
      out[index] = mergeValue(o, [...path, index], out[index], item);
    }
  }
  return out;
}

/** The first key the patch item sets decides; items that set none of them never match. */
function findMatch(
  items: readonly unknown[],
  item: Record<string, unknown>,
  keys: readonly string[],
): number {
  const key = keys.find((k) => item[k] !== undefined && item[k] !== null && !isZeroValue(item[k]));
  if (key === undefined) return -1;
  return items.findIndex((candidate) => isPlainObject(candidate) && deepEqual(candidate[key], item[key]));
}

function mergeMap(
  o: MergeOptions,
  path: ConfigPath,
  facts: FieldFacts,
  left: unknown,
  right: unknown,
): unknown {
  if (!isPlainObject(right)) return left;
  if (facts.mergeReplace) return clone(right);
  const out: Record<string, unknown> = isPlainObject(left) ? { ...left } : {};
  for (const key of Object.keys(right)) {
    const current = out[key];
    if (current === undefined || current === null) out[key] = clone(right[key]);
    else out[key] = mergeValue(o, [...path, key], current, right[key]);
  }
  return out;
}

/** `meta.Args` (every extraArgs): each key the patch names is replaced, lists included. */
function mergeArgs(left: unknown, right: unknown): unknown {
  if (!isPlainObject(right) || Object.keys(right).length === 0) return left;
  const out: Record<string, unknown> = isPlainObject(left) ? { ...left } : {};
  for (const [key, value] of Object.entries(right)) out[key] = clone(value);
  return out;
}

/** A field holding a free-form object: deep merge with list append, or replaced whole. */
function mergeUnstructuredField(path: ConfigPath, facts: FieldFacts, left: unknown, right: unknown): unknown {
  if (right === null) return left;
  // An explicit `{}` is not nil, so with merge:"replace" it empties the field.
  if (facts.mergeReplace) return clone(right);
  if (!isPlainObject(left) || !isPlainObject(right)) return clone(right);
  return mergeUnstructured(path, left, right);
}

function mergeUnstructured(
  path: ConfigPath,
  left: Record<string, unknown>,
  right: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...left };
  for (const [key, rv] of Object.entries(right)) {
    const lv = out[key];
    if (lv === undefined || lv === null) {
      out[key] = clone(rv);
      continue;
    }
    // Go would crash on a nil on the right; keeping the left is what a user means.
    if (rv === null) continue;
    const lt = goTypeName(lv);
    const rt = goTypeName(rv);
    if (lt !== rt) throw new MergeError(`merge type mismatch left ${lt} right ${rt}`, [...path, key]);
    if (isPlainObject(lv)) out[key] = mergeUnstructured([...path, key], lv, rv as Record<string, unknown>);
    else if (Array.isArray(lv)) out[key] = [...lv, ...clone(rv as unknown[])];
    else if (typeof rv === "boolean") out[key] = rv;
    else out[key] = isZeroScalar(rv) ? lv : rv;
  }
  return out;
}

/** A field nobody describes: merged by what its values look like. */
function mergeInferred(o: MergeOptions, path: ConfigPath, left: unknown, right: unknown): unknown {
  if (right === null) return left;
  if (isPlainObject(right)) {
    if (!isPlainObject(left)) return clone(right);
    return mergeFields(o, path, left, right);
  }
  if (Array.isArray(right)) {
    if (!Array.isArray(left)) return clone(right);
    return [...left, ...clone(right)];
  }
  if (typeof right === "boolean") return right;
  return isZeroScalar(right) ? left : right;
}
