// Key order of an encoded document: struct fields in Go declaration order (from the config
// model), map keys in go-yaml's order, as go-yaml writes a Talos config. Keys the model does not
// know keep their place after the key written before them.
import { compareGoKeys } from "../../yaml/index.js";
import type { ConfigPath } from "../document.js";
import { documentSchema, type SchemaContract, type SchemaNode } from "../schema/index.js";

/** Decides the key order of the object at `path` of a document of `kind`. */
export type KeyOrder = (kind: string, path: ConfigPath, keys: readonly string[]) => readonly string[];

/** Keys exactly as the data holds them. */
export const AS_WRITTEN: KeyOrder = (_kind, _path, keys) => keys;

const compareKeys = compareGoKeys("yaml.v3");

/** Puts keys in the order Talos writes them for a contract (the newest when omitted). */
export function schemaKeyOrder(contract?: SchemaContract): KeyOrder {
  return (kind, path, keys) => {
    const schema = documentSchema(kind, contract);
    if (!schema) return keys;
    const node: SchemaNode | undefined = schema.at(path);
    if (!node) return keys;
    if (node.type === "map" || node.type === "unstructured") return [...keys].sort(compareKeys);
    if (node.type !== "object" || !node.fields) return keys;
    return orderByFields(keys, Object.keys(node.fields));
  };
}

function orderByFields(keys: readonly string[], fields: readonly string[]): readonly string[] {
  const rank = new Map(fields.map((f, i) => [f, i]));
  const known = keys.filter((k) => rank.has(k)).sort((a, b) => rank.get(a)! - rank.get(b)!);
  if (known.length === keys.length) return known;
  // Unknown keys follow the key that preceded them in the data.
  const out = [...known];
  let last: string | undefined;
  for (const key of keys) {
    if (rank.has(key)) {
      last = key;
      continue;
    }
    const at = last === undefined ? -1 : out.indexOf(last);
    out.splice(at + 1, 0, key);
    last = key;
  }
  return out;
}
