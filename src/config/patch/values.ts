// Small helpers over plain config data (what YAML decodes to).

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => clone(x)) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out as T;
  }
  return v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** "" and 0: what Go cannot tell from "not written" for a non-pointer scalar. */
export function isZeroScalar(v: unknown): boolean {
  return v === "" || v === 0;
}

/**
 * Go's zero value as plain data shows it: absent, null, "", 0, false, or a mapping of zero values.
 * A list (even empty) is not zero: YAML `[]` decodes to a non-nil slice.
 */
export function isZeroValue(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === 0 || v === false) return true;
  if (isPlainObject(v)) return Object.values(v).every(isZeroValue);
  return false;
}

/** The Go dynamic type YAML decoding into `any` gives this value (for merge messages). */
export function goTypeName(v: unknown): string {
  if (Array.isArray(v)) return "[]interface {}";
  if (isPlainObject(v)) return "map[string]interface {}";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (v === null || v === undefined) return "<nil>";
  return typeof v;
}
