// The patch kinds of PATCH requests: JSON patch (RFC 6902), JSON merge patch (RFC 7386),
// strategic merge patch (lists merged by the keys the built-in types declare, with the
// `$patch`, `$retainKeys`, `$setElementOrder` and `$deleteFromPrimitiveList` directives of
// k8s.io/apimachinery's pkg/util/strategicpatch) and server-side apply's merge, which also
// drops the fields a manager applied before and no longer applies.
import fastJsonPatch from "fast-json-patch";
import { clone, deepEqual, isObject, type Json } from "./objects.js";
import { badRequest, KubeStatusError } from "./status.js";

/** Lists merged by a key field, by the field name that holds them. */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  imagePullSecrets: "name",
  env: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  conditions: "type",
  addresses: "type",
  ownerReferences: "uid",
  hostAliases: "ip",
  podIPs: "ip",
  hostIPs: "ip",
  resourceClaims: "name",
  schedulingGates: "name",
};

/** Lists of scalars merged as sets. */
const SET_LISTS = new Set(["finalizers", "podCIDRs"]);

/** The key a list of this field merges by (ports: by containerPort in a container, else by port). */
function mergeKeyOf(field: string, items: readonly unknown[]): string | undefined {
  if (field === "ports") {
    return items.some((i) => isObject(i) && "containerPort" in i) ? "containerPort" : "port";
  }
  return MERGE_KEYS[field];
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(isObject(x) && x.$patch === "delete")).map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith("$")) continue;
    if (x === null) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

function mergeMap(orig: Json, patch: Json): Json | undefined {
  if (patch.$patch === "delete") return undefined;
  if (patch.$patch === "replace") return stripDirectives(patch) as Json;
  const result: Json = clone(orig);
  const orders: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys") continue;
    if (key.startsWith("$setElementOrder/")) {
      if (Array.isArray(value)) orders.push([key.slice("$setElementOrder/".length), value]);
      continue;
    }
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(result[field]) && Array.isArray(value)) {
        result[field] = (result[field] as unknown[]).filter((x) => !value.includes(x));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    if (isObject(value) && isObject(current)) {
      const merged = mergeMap(current, value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value) && Array.isArray(current)) {
      result[key] = mergeList(key, current, value);
    } else if (isObject(value) && value.$patch === "delete") {
      delete result[key];
    } else {
      result[key] = stripDirectives(value);
    }
  }
  for (const [field, order] of orders) {
    const list = result[field];
    if (!Array.isArray(list)) continue;
    const mk = mergeKeyOf(field, list);
    const keyOf = (x: unknown): unknown => (mk && isObject(x) ? x[mk] : x);
    const index = (x: unknown): number => {
      const k = keyOf(x);
      const i = order.findIndex((o) => deepEqual(mk && isObject(o) ? o[mk] : o, k));
      return i < 0 ? order.length : i;
    };
    result[field] = [...list].sort((a, b) => index(a) - index(b));
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(result)) if (!keep.has(k) && !(k in patch)) delete result[k];
  }
  return result;
}

function mergeList(field: string, orig: unknown[], patch: unknown[]): unknown[] {
  if (patch.some((x) => isObject(x) && x.$patch === "replace")) {
    return patch.filter((x) => !(isObject(x) && x.$patch === "replace")).map(stripDirectives);
  }
  if (SET_LISTS.has(field)) {
    const out = [...orig];
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(v);
    return out;
  }
  const mk = mergeKeyOf(field, [...orig, ...patch]);
  if (!mk) return patch.map(stripDirectives);
  const out = orig.map((x) => clone(x));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = out.findIndex((x) => isObject(x) && deepEqual(x[mk], item[mk]));
    if (item.$patch === "delete") {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) {
      const merged = mergeMap(out[at] as Json, item);
      if (merged === undefined) out.splice(at, 1);
      else out[at] = merged;
    } else out.push(stripDirectives(item));
  }
  return out;
}

export function strategicMerge(orig: Json, patch: Json): Json {
  return mergeMap(orig, patch) ?? {};
}

export function jsonMergePatch(orig: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Json = isObject(orig) ? clone(orig) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = jsonMergePatch(result[k], v);
  }
  return result;
}

export function jsonPatch(orig: Json, ops: unknown): Json {
  if (!Array.isArray(ops))
    throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  try {
    return fastJsonPatch.applyPatch(clone(orig), ops as fastJsonPatch.Operation[], true, false).newDocument;
  } catch (err) {
    if (err instanceof KubeStatusError) throw err;
    const text = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new KubeStatusError(
      422,
      "Invalid",
      `the server rejected our request due to an error in our request: ${text}`,
    );
  }
}

// --- server-side apply -----------------------------------------------------------------------

/** A managed field set in the `FieldsV1` layout: `f:<field>`, `k:<key json>` for keyed list items. */
export type FieldSet = Json;

/** The fields an applied configuration sets. */
export function fieldSetOf(value: unknown, field = ""): FieldSet {
  const out: FieldSet = {};
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (field === "" && (k === "apiVersion" || k === "kind")) continue;
      if (field === "metadata" && (k === "name" || k === "namespace" || k === "managedFields")) continue;
      out[`f:${k}`] = fieldSetOf(v, k);
    }
  } else if (Array.isArray(value)) {
    const mk = mergeKeyOf(field, value);
    if (mk) {
      for (const item of value) {
        if (!isObject(item)) continue;
        out[`k:${JSON.stringify({ [mk]: item[mk] })}`] = { ".": {}, ...fieldSetOf(item, "") };
      }
    } else if (SET_LISTS.has(field)) {
      for (const item of value) out[`v:${JSON.stringify(item)}`] = {};
    }
  }
  return out;
}

/** Removes from `target` the fields `before` named and `after` does not. */
function removeStale(target: unknown, before: FieldSet, after: FieldSet): void {
  if (isObject(target)) {
    for (const [key, sub] of Object.entries(before)) {
      if (!key.startsWith("f:")) continue;
      const name = key.slice(2);
      if (!(key in after)) {
        delete target[name];
        continue;
      }
      removeStale(target[name], sub as FieldSet, after[key] as FieldSet);
      if (Array.isArray(target[name]))
        removeStaleItems(target[name] as unknown[], sub as FieldSet, after[key] as FieldSet);
    }
  }
}

function removeStaleItems(list: unknown[], before: FieldSet, after: FieldSet): void {
  for (const [key, sub] of Object.entries(before)) {
    if (key.startsWith("k:")) {
      const want = JSON.parse(key.slice(2)) as Json;
      const [mk, mv] = Object.entries(want)[0] ?? [];
      const at = list.findIndex((x) => isObject(x) && mk !== undefined && deepEqual(x[mk], mv));
      if (at < 0) continue;
      if (!(key in after)) list.splice(at, 1);
      else removeStale(list[at], sub as FieldSet, after[key] as FieldSet);
    } else if (key.startsWith("v:") && !(key in after)) {
      const v = JSON.parse(key.slice(2));
      const at = list.findIndex((x) => deepEqual(x, v));
      if (at >= 0) list.splice(at, 1);
    }
  }
}

/**
 * Server-side apply onto an existing object: the applied configuration merges in (keyed lists
 * by their keys), the fields this manager applied before and leaves out now are removed, and
 * the manager's entry in managedFields records what it applies.
 */
export function serverSideApply(
  current: Json,
  applied: Json,
  manager: string,
  apiVersion: string,
  time: string,
): Json {
  const meta = (current.metadata ?? {}) as Json;
  const managed = (Array.isArray(meta.managedFields) ? meta.managedFields : []) as Json[];
  const mine = managed.find((m) => m.manager === manager && m.operation === "Apply");
  const after = fieldSetOf(applied);
  const result = mergeMap(current, applied) ?? {};
  if (mine && isObject(mine.fieldsV1)) removeStale(result, mine.fieldsV1, after);
  const entry: Json = {
    manager,
    operation: "Apply",
    apiVersion,
    time,
    fieldsType: "FieldsV1",
    fieldsV1: after,
  };
  const others = managed.filter((m) => m !== mine);
  (result.metadata as Json).managedFields = [...others, entry];
  return result;
}

/** The managedFields entry of a create or an update by `manager`. */
export function updateEntry(
  manager: string,
  operation: "Update" | "Apply",
  apiVersion: string,
  time: string,
  obj: Json,
): Json {
  return { manager, operation, apiVersion, time, fieldsType: "FieldsV1", fieldsV1: fieldSetOf(obj) };
}
