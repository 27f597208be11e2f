// Field trees per kind and schema generation, built on first use from the generated compact
// model (the full JSON schemas are not shipped with the CLI).
import { TalosError, UserError } from "../../errors.js";
import type { ConfigPath } from "../document.js";
import type { CompactNode, CompactVersion } from "./compact.js";
import { CONFIG_MODEL } from "./generated/config-model.js";
import type { KindSchema, SchemaContract, SchemaNode, SchemaVersion } from "./types.js";

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = ["1.12", "1.13", "1.15"];
export const LATEST_SCHEMA_VERSION: SchemaVersion = "1.15";

/** Parses "1.13", "v1.13" or "v1.13.2" (major and minor only); objects pass through. */
export function parseContract(contract: SchemaContract): { major: number; minor: number } {
  if (typeof contract !== "string") return { major: contract.major, minor: contract.minor };
  const m = /^v?(\d+)\.(\d+)($|\.)/.exec(contract.trim());
  if (m === null) throw new UserError(`invalid talos-version: error parsing version "${contract}"`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/**
 * The schema generation describing a contract: 1.12 for 1.12 and older (the legacy document
 * keeps every field older contracts wrote), 1.13 for 1.13, 1.15 for 1.14 and later.
 */
export function schemaVersionFor(contract?: SchemaContract): SchemaVersion {
  if (contract === undefined) return LATEST_SCHEMA_VERSION;
  const { major, minor } = parseContract(contract);
  if (major > 1 || minor >= 14) return "1.15";
  if (minor === 13) return "1.13";
  return "1.12";
}

function versionModel(version: SchemaVersion): CompactVersion {
  const v = CONFIG_MODEL.versions[version];
  if (v === undefined) throw new TalosError("internal", `config model has no schema generation ${version}`);
  return v;
}

/** Resolved definitions per generation: subtrees are shared, built once. */
const resolvedDefs = new Map<SchemaVersion, Map<string, SchemaNode>>();
const kindCache = new Map<string, KindSchema | null>();

function resolveDef(version: SchemaVersion, name: string, resolving: Set<string>): SchemaNode {
  let cache = resolvedDefs.get(version);
  if (cache === undefined) {
    cache = new Map();
    resolvedDefs.set(version, cache);
  }
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  if (resolving.has(name)) throw new TalosError("internal", `config model: recursive definition ${name}`);
  const key = versionModel(version).aliases[name] ?? name;
  const compact = CONFIG_MODEL.defs[key];
  if (compact === undefined) throw new TalosError("internal", `config model: missing definition ${key}`);
  resolving.add(name);
  const node = resolveNode(version, compact, resolving);
  resolving.delete(name);
  cache.set(name, node);
  return node;
}

function resolveNode(version: SchemaVersion, c: CompactNode, resolving: Set<string>): SchemaNode {
  if (c.ref !== undefined) return resolveDef(version, c.ref, resolving);
  const out: {
    -readonly [K in keyof SchemaNode]: SchemaNode[K];
  } = { type: c.type ?? "any" };
  if (c.fields !== undefined) {
    const fields: Record<string, SchemaNode> = {};
    for (const [key, child] of Object.entries(c.fields)) {
      const resolved = resolveNode(version, child, resolving);
      // A deprecated mark sits on the field, not on the (shared) definition it refers to.
      fields[key] =
        child.ref !== undefined && child.deprecated === true ? { ...resolved, deprecated: true } : resolved;
    }
    out.fields = fields;
  }
  if (c.required !== undefined) out.required = c.required;
  if (c.items !== undefined) out.items = resolveNode(version, c.items, resolving);
  if (c.values !== undefined) out.values = resolveNode(version, c.values, resolving);
  if (c.enum !== undefined) out.enum = c.enum;
  if (c.pattern !== undefined) out.pattern = c.pattern;
  if (c.minimum !== undefined) out.minimum = c.minimum;
  if (c.maximum !== undefined) out.maximum = c.maximum;
  if (c.minItems !== undefined) out.minItems = c.minItems;
  if (c.deprecated === true) out.deprecated = true;
  if (c.open === true) out.open = true;
  return out;
}

/** Walks a tree: object fields by name, list items by index, map values by any key. */
export function nodeAt(root: SchemaNode, path: ConfigPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const step of path) {
    if (node === undefined) return undefined;
    switch (node.type) {
      case "object":
        node = typeof step === "string" ? node.fields?.[step] : undefined;
        if (node === undefined) return undefined;
        break;
      case "array":
        node = typeof step === "number" ? node.items : undefined;
        break;
      case "map":
        node = typeof step === "string" ? node.values : undefined;
        break;
      case "string-or-list":
        node = typeof step === "number" ? { type: "string" } : undefined;
        break;
      case "unstructured":
      case "any":
        return { type: "any" };
      default:
        return undefined;
    }
  }
  return node;
}

/** The schema of a kind ("v1alpha1" for the legacy document) under a contract, if registered. */
export function documentSchema(kind: string, contract?: SchemaContract): KindSchema | undefined {
  const version = schemaVersionFor(contract);
  const key = `${version}\u0000${kind}`;
  const hit = kindCache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const entry = Object.hasOwn(versionModel(version).kinds, kind)
    ? versionModel(version).kinds[kind]
    : undefined;
  if (entry === undefined) {
    kindCache.set(key, null);
    return undefined;
  }
  const root = resolveDef(version, entry.def, new Set());
  const schema: KindSchema = {
    kind,
    apiVersion: "v1alpha1",
    named: entry.named,
    schemaVersion: version,
    root,
    loose: entry.loose === true,
    at: (path) => nodeAt(root, path),
  };
  kindCache.set(key, schema);
  return schema;
}

/** Every kind registered under a contract, sorted ("v1alpha1" included). */
export function documentKinds(contract?: SchemaContract): readonly string[] {
  return Object.keys(versionModel(schemaVersionFor(contract)).kinds).sort();
}

/** Whether a kind carries a `name` that is part of its identity. */
export function isNamedKind(kind: string, contract?: SchemaContract): boolean {
  return documentSchema(kind, contract)?.named ?? false;
}
