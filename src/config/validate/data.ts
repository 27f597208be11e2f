// Typed reads of plain config data (values are checked by the loader; these only narrow).
import type { ConfigPath } from "../document.js";

export type Data = Record<string, unknown>;

export function get(data: unknown, path: ConfigPath): unknown {
  let v: unknown = data;
  for (const step of path) {
    if (v === null || v === undefined) return undefined;
    if (typeof step === "number") {
      if (!Array.isArray(v)) return undefined;
      v = v[step];
    } else {
      if (typeof v !== "object" || Array.isArray(v)) return undefined;
      v = Object.hasOwn(v, step) ? (v as Data)[step] : undefined;
    }
  }
  return v;
}

export function obj(data: unknown, path: ConfigPath = []): Data | undefined {
  const v = get(data, path);
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Data) : undefined;
}

export function list(data: unknown, path: ConfigPath = []): unknown[] {
  const v = get(data, path);
  return Array.isArray(v) ? v : [];
}

export function str(data: unknown, path: ConfigPath = []): string {
  const v = get(data, path);
  return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
}

export function strs(data: unknown, path: ConfigPath = []): string[] {
  return list(data, path).map((v) => (typeof v === "string" ? v : String(v)));
}

export function bool(data: unknown, path: ConfigPath = []): boolean | undefined {
  const v = get(data, path);
  return typeof v === "boolean" ? v : undefined;
}

export function num(data: unknown, path: ConfigPath = []): number | undefined {
  const v = get(data, path);
  return typeof v === "number" ? v : undefined;
}

/** Present and not null. */
export function has(data: unknown, path: ConfigPath): boolean {
  const v = get(data, path);
  return v !== undefined && v !== null;
}

/** Present and non-empty (strings, lists, maps). */
export function filled(data: unknown, path: ConfigPath): boolean {
  const v = get(data, path);
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** Set in the Go sense: present and not null (a pointer, map or slice that is not nil). */
export function present(data: unknown, path: ConfigPath): boolean {
  return has(data, path);
}

/** A string field, "" when absent. */
export function text(data: unknown, path: ConfigPath): string {
  return str(data, path);
}
