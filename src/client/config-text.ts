// Comparing machine-config texts the way `edit` and `patch` need: by their data, so comments,
// whitespace, quoting and key order do not count as changes.
import { parseAllDocuments } from "yaml";

/**
 * The documents of a YAML stream as plain data; throws on YAML syntax errors and duplicate
 * keys (a duplicate would otherwise hide an edit behind the key's other value).
 */
function documentsOf(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  const out: unknown[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) throw doc.errors[0];
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    // Empty documents (a trailing `---`, a comment-only block) are not config.
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** True when both texts hold the same documents with the same data. */
export function sameConfigData(a: string, b: string): boolean {
  return deepEqual(documentsOf(a), documentsOf(b));
}

/** True when the text holds no YAML data at all (only comments and blanks). */
export function isEmptyConfig(text: string): boolean {
  return text.split("\n").every((line) => line.trim() === "" || line.trimStart().startsWith("#"));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  if (a instanceof Map || b instanceof Map) {
    const ma = a instanceof Map ? a : new Map(Object.entries(a as object));
    const mb = b instanceof Map ? b : new Map(Object.entries(b as object));
    if (ma.size !== mb.size) return false;
    for (const [k, v] of ma) if (!mb.has(k) || !deepEqual(v, mb.get(k))) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b as object, k) &&
      deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
