// Refreshes reference/talos/ (the Talos facts the tests and generators read) from a checkout of
// the Talos reference material at ../shared/talos. The wire contracts and the resource catalogue
// are copied as they are; the machine-config JSON schemas are reduced to their structure (types,
// properties, enums, patterns, required fields, references), without titles, descriptions and
// other prose. Output is deterministic: the same input gives the same bytes.
//
// Usage: node scripts/sync-reference.mjs [--check] [--from DIR]
//   --check     compare instead of write: one line per stale file and exit 1; when the source
//               folder is absent, say so in one line and exit 0 (nothing to compare against)
//   --from DIR  read from DIR instead of ../shared/talos

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const TARGET = join(root, "reference", "talos");

const args = process.argv.slice(2);
const check = args.includes("--check");
const fromAt = args.indexOf("--from");
const source = fromAt >= 0 ? resolve(args[fromAt + 1] ?? "") : resolve(root, "..", "shared", "talos");

/** Fact files copied byte for byte (their header comments explain their format). */
const TEXT_FILES = ["api-contract.txt", "resource-specs-contract.txt", "resource-catalogue.txt"];

/** Schema generations kept, under schemas/. */
const SCHEMA_VERSIONS = ["1.12", "1.13", "1.14", "1.15"];

// ---------------------------------------------------------------------------------------------
// Schema reduction. Every keyword is classified; an unknown one stops the sync, so that a new
// keyword in a later schema is a decision, never silently kept or lost.

/** Keywords whose value is a map from a name to a subschema. */
const NAMED_SCHEMAS = new Set([
  "$defs",
  "definitions",
  "properties",
  "patternProperties",
  "dependentSchemas",
]);
/** Keywords whose value is one subschema (or, for additionalProperties, a boolean). */
const ONE_SCHEMA = new Set([
  "items",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
]);
/** Keywords whose value is a list of subschemas. */
const SCHEMA_LISTS = new Set(["oneOf", "anyOf", "allOf", "prefixItems"]);
/** Keywords kept with their value as is. */
const VALUES = new Set([
  "$schema",
  "$id",
  "$ref",
  "$anchor",
  "type",
  "enum",
  "const",
  "format",
  "pattern",
  "required",
  "dependentRequired",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "deprecated",
  "readOnly",
  "writeOnly",
]);
/** Prose and editor hints: dropped. */
const PROSE = new Set([
  "title",
  "description",
  "markdownDescription",
  "x-intellij-html-description",
  "examples",
  "example",
  "default",
  "$comment",
]);

/** Output order of a schema node's keywords: identity, then shape, then constraints. */
const KEY_ORDER = [
  "$schema",
  "$id",
  "$anchor",
  "$ref",
  "type",
  "format",
  "enum",
  "const",
  "pattern",
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "propertyNames",
  "required",
  "dependentRequired",
  "dependentSchemas",
  "minProperties",
  "maxProperties",
  "prefixItems",
  "items",
  "contains",
  "unevaluatedItems",
  "minItems",
  "maxItems",
  "uniqueItems",
  "oneOf",
  "anyOf",
  "allOf",
  "not",
  "if",
  "then",
  "else",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$defs",
  "definitions",
];

for (const key of [...VALUES, ...NAMED_SCHEMAS, ...ONE_SCHEMA, ...SCHEMA_LISTS]) {
  if (!KEY_ORDER.includes(key)) throw new Error(`sync-reference: ${key} has no place in KEY_ORDER`);
}

function fail(message) {
  console.error(`sync-reference: ${message}`);
  process.exit(1);
}

/** One schema node without its prose, keywords in KEY_ORDER. */
function reduce(node, where) {
  if (typeof node === "boolean") return node;
  if (node === null || typeof node !== "object" || Array.isArray(node)) fail(`${where}: not a schema`);
  for (const key of Object.keys(node)) {
    if (!PROSE.has(key) && !KEY_ORDER.includes(key)) {
      fail(`${where}: unknown keyword ${key} (classify it in this script)`);
    }
  }
  const out = {};
  for (const key of KEY_ORDER) {
    if (!(key in node)) continue;
    const value = node[key];
    if (NAMED_SCHEMAS.has(key)) {
      // Property order is the Go field order (the config model keeps it); definitions are sorted.
      const names = Object.keys(value);
      if (key === "$defs" || key === "definitions") names.sort();
      out[key] = Object.fromEntries(
        names.map((name) => [name, reduce(value[name], `${where}/${key}/${name}`)]),
      );
    } else if (ONE_SCHEMA.has(key)) {
      out[key] = reduce(value, `${where}/${key}`);
    } else if (SCHEMA_LISTS.has(key)) {
      out[key] = value.map((item, i) => reduce(item, `${where}/${key}/${i}`));
    } else {
      out[key] = value;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Every file reference/talos should hold: path relative to it → exact content. */
function expectedFiles() {
  const files = new Map();
  for (const name of TEXT_FILES) {
    const text = readFileSync(join(source, name), "utf8");
    files.set(name, text.endsWith("\n") ? text : `${text}\n`);
  }
  for (const version of SCHEMA_VERSIONS) {
    const name = `schemas/config-v${version}.schema.json`;
    let schema;
    try {
      schema = JSON.parse(readFileSync(join(source, name), "utf8"));
    } catch (err) {
      fail(`cannot read ${join(source, name)}: ${err instanceof Error ? err.message : err}`);
    }
    files.set(name, `${JSON.stringify(reduce(schema, `config-v${version}`), null, 2)}\n`);
  }
  return files;
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

const shown = relative(root, TARGET);
if (!existsSync(source)) {
  if (check) {
    console.log(`sync-reference: ${source} is absent; ${shown} not compared`);
    process.exit(0);
  }
  fail(`${source} is absent: nothing to sync from`);
}

const expected = expectedFiles();
const present = listFiles(TARGET).map((f) => relative(TARGET, f).split("\\").join("/"));

if (check) {
  const stale = [];
  for (const [name, text] of expected) {
    const file = join(TARGET, name);
    if (!existsSync(file)) stale.push(`missing: ${shown}/${name}`);
    else if (readFileSync(file, "utf8") !== text) stale.push(`stale: ${shown}/${name}`);
  }
  for (const name of present) if (!expected.has(name)) stale.push(`not from ${source}: ${shown}/${name}`);
  for (const line of stale.sort()) console.error(`sync-reference: ${line} (run npm run sync:reference)`);
  if (stale.length > 0) process.exit(1);
  console.log(`sync-reference: ${shown} is up to date with ${source}`);
} else {
  for (const name of present) if (!expected.has(name)) rmSync(join(TARGET, name));
  for (const [name, text] of expected) {
    const file = join(TARGET, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const bytes = [...expected.values()].reduce((n, t) => n + Buffer.byteLength(t), 0);
  console.log(`sync-reference: wrote ${expected.size} files to ${shown} (${bytes} bytes) from ${source}`);
}
