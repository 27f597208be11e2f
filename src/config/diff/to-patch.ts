// Builds the strategic merge patch that turns config A into config B, within what Talos's merge
// rules can express: a zero written over a non-pointer scalar is a delete (Go cannot tell it from
// "absent"), a list that did not simply grow or lose items is deleted and written again in a second
// document, and documents B drops are deleted whole.
import { UserError } from "../../errors.js";
import { LEGACY_KIND } from "../document.js";
import {
  identityOf,
  type PlainDocument,
  type ShapeSource,
  schemaShapes,
  UNKNOWN_FIELD,
} from "../patch/index.js";
import type { FieldFacts } from "../patch/shape.js";
import { mergeUrl } from "../patch/url.js";
import { clone, deepEqual, goTypeName, isPlainObject, isZeroScalar, isZeroValue } from "../patch/values.js";

const DELETE = { $patch: "delete" } as const;

/** A change no strategic patch can make. */
export class InexpressibleChangeError extends UserError {}

export interface PatchBetweenOptions {
  readonly shapes?: ShapeSource;
}

interface Fragment {
  primary?: unknown;
  secondary?: unknown;
}

type Container = "struct" | "map";

/**
 * The patch documents (plain data, `$patch: delete` markers included) that turn `a` into `b`,
 * in the order they must be applied. Empty when the configs are equal.
 */
export function strategicPatchBetween(
  a: readonly PlainDocument[],
  b: readonly PlainDocument[],
  options: PatchBetweenOptions = {},
): Record<string, unknown>[] {
  const shapes = options.shapes ?? schemaShapes;
  const byId = new Map(b.map((d) => [identityOf(d), d]));
  const seen = new Set<string>();
  const legacy: Record<string, unknown>[] = [];
  const others: Record<string, unknown>[] = [];

  for (const left of a) {
    const id = identityOf(left);
    seen.add(id);
    const isLegacy = left.kind === LEGACY_KIND && left.apiVersion === "";
    const right = byId.get(id);
    if (right === undefined) {
      if (isLegacy) {
        throw new InexpressibleChangeError(
          "the v1alpha1 document cannot be removed by a patch (Talos refuses to delete the root of the legacy document)",
        );
      }
      others.push({ ...header(left), ...DELETE });
      continue;
    }
    const differ = new Differ(left.kind, shapes);
    const skip = isLegacy ? new Set<string>() : new Set(["apiVersion", "kind", "name"]);
    const fragment = differ.fields([], left.data, right.data, "struct", skip);
    const target = isLegacy ? legacy : others;
    if (isNonEmpty(fragment.primary)) target.push({ ...header(left), ...(fragment.primary as object) });
    if (isNonEmpty(fragment.secondary)) target.push({ ...header(left), ...(fragment.secondary as object) });
    if (isLegacy && onlyMeta(left.data, right.data)) {
      throw new InexpressibleChangeError(
        "the v1alpha1 document's version cannot be changed by a patch (a document with only version is dropped)",
      );
    }
  }
  for (const right of b) {
    if (seen.has(identityOf(right))) continue;
    const doc = clone(right.data);
    if (right.kind === LEGACY_KIND && right.apiVersion === "") legacy.push(doc);
    else others.push(doc);
  }
  return [...legacy, ...others];
}

/** Whether the legacy documents differ only in `version`. */
function onlyMeta(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (deepEqual(a.version, b.version)) return false;
  const rest = (d: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(d).filter(([k]) => k !== "version"));
  return deepEqual(rest(a), rest(b));
}

function header(doc: PlainDocument): Record<string, unknown> {
  if (doc.kind === LEGACY_KIND && doc.apiVersion === "") return {};
  return {
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    ...(doc.name !== undefined && doc.name !== "" ? { name: doc.name } : {}),
  };
}

function isNonEmpty(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length > 0;
}

class Differ {
  constructor(
    private readonly kind: string,
    private readonly shapes: ShapeSource,
  ) {}

  private facts(path: readonly (string | number)[]): FieldFacts {
    try {
      return this.shapes.field(this.kind, path);
    } catch {
      return UNKNOWN_FIELD;
    }
  }

  /** Compares two mappings at a deletable place (only struct fields and map keys above it). */
  fields(
    path: readonly (string | number)[],
    a: Record<string, unknown>,
    b: Record<string, unknown>,
    container: Container,
    skip: ReadonlySet<string> = new Set(),
  ): Fragment {
    const primary: Record<string, unknown> = {};
    const secondary: Record<string, unknown> = {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    for (const key of keys) {
      if (skip.has(key)) continue;
      const av = a[key];
      const bv = b[key];
      if (deepEqual(av, bv)) continue;
      const p = [...path, key];
      const facts = this.facts(p);
      let r: Fragment;
      if (bv === undefined || (bv === null && container === "struct")) {
        if (av === undefined || av === null) continue;
        r = { primary: DELETE };
      } else if (av === undefined || av === null) {
        r = this.added(facts, bv, container);
      } else {
        r = this.changed(p, facts, av, bv, container);
      }
      if (r.primary !== undefined) primary[key] = r.primary;
      if (r.secondary !== undefined) secondary[key] = r.secondary;
    }
    return {
      ...(Object.keys(primary).length > 0 ? { primary } : {}),
      ...(Object.keys(secondary).length > 0 ? { secondary } : {}),
    };
  }

  /** A value B has where A has none: merging it onto nothing gives it back. */
  private added(facts: FieldFacts, bv: unknown, container: Container): Fragment {
    if (bv === null) return container === "map" ? { primary: null } : {};
    // A non-pointer zero scalar is Go's "absent": nothing to write.
    if (container === "struct" && this.isValueScalar(facts, bv) && isZeroScalar(bv)) return {};
    return { primary: clone(bv) };
  }

  private isValueScalar(facts: FieldFacts, v: unknown): boolean {
    if (typeof v !== "string" && typeof v !== "number") return false;
    if (facts.atomic !== undefined) return true;
    return !facts.pointer;
  }

  private replace(bv: unknown, facts: FieldFacts, container: Container): Fragment {
    if (container === "struct" && this.isValueScalar(facts, bv) && isZeroScalar(bv))
      return { primary: DELETE };
    return { primary: DELETE, secondary: clone(bv) };
  }

  private changed(
    path: readonly (string | number)[],
    facts: FieldFacts,
    av: unknown,
    bv: unknown,
    container: Container,
  ): Fragment {
    if (facts.args) return this.args(av, bv, facts, container);
    if (facts.url) {
      if (typeof bv === "string" && bv !== "" && mergeUrl(av, bv) === bv) return { primary: bv };
      return this.replace(bv, facts, container);
    }
    if (facts.atomic !== undefined) return this.scalar(facts, bv, container, true);
    switch (facts.type) {
      case "bool":
        return typeof bv === "boolean" ? { primary: bv } : this.replace(bv, facts, container);
      case "string":
      case "int":
      case "number":
      case "string-or-list":
        return this.scalar(facts, bv, container, false);
      case "object":
        if (facts.mergeReplace) return isZeroValue(bv) ? { primary: DELETE } : { primary: clone(bv) };
        if (isPlainObject(av) && isPlainObject(bv)) return this.fields(path, av, bv, "struct");
        return this.replace(bv, facts, container);
      case "map":
        if (facts.mergeReplace && isPlainObject(bv)) return { primary: clone(bv) };
        if (isPlainObject(av) && isPlainObject(bv)) return this.fields(path, av, bv, "map");
        return this.replace(bv, facts, container);
      case "unstructured":
        if (facts.mergeReplace && isPlainObject(bv)) return { primary: clone(bv) };
        if (isPlainObject(av) && isPlainObject(bv)) return this.free(av, bv);
        return this.replace(bv, facts, container);
      case "array":
        return this.list(path, facts, av, bv, container);
      default:
        return this.inferred(path, facts, av, bv, container);
    }
  }

  private scalar(facts: FieldFacts, bv: unknown, container: Container, atomic: boolean): Fragment {
    if (typeof bv === "boolean") return { primary: bv };
    if (typeof bv !== "string" && typeof bv !== "number") return this.replace(bv, facts, container);
    if (!isZeroScalar(bv) || (facts.pointer && !atomic)) return { primary: bv };
    return this.replace(bv, facts, container);
  }

  /** extraArgs: each key the patch names is replaced; keys B drops are deleted. */
  private args(av: unknown, bv: unknown, facts: FieldFacts, container: Container): Fragment {
    if (!isPlainObject(av) || !isPlainObject(bv)) return this.replace(bv, facts, container);
    const primary: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(bv), ...Object.keys(av)])) {
      if (deepEqual(av[key], bv[key])) continue;
      primary[key] = Object.hasOwn(bv, key) ? clone(bv[key]) : DELETE;
    }
    return { primary };
  }

  private inferred(
    path: readonly (string | number)[],
    facts: FieldFacts,
    av: unknown,
    bv: unknown,
    container: Container,
  ): Fragment {
    if (isPlainObject(av) && isPlainObject(bv)) return this.fields(path, av, bv, "struct");
    if (Array.isArray(av) && Array.isArray(bv)) return this.list(path, facts, av, bv, container);
    if (typeof bv === "boolean") return { primary: bv };
    if ((typeof bv === "string" || typeof bv === "number") && typeof av !== "object") {
      return this.scalar(facts, bv, container, false);
    }
    return this.replace(bv, facts, container);
  }

  /**
   * A list: items B dropped are deleted one by one (lists of structs only), items B added at
   * the end are appended; anything else rewrites the list.
   */
  private list(
    path: readonly (string | number)[],
    facts: FieldFacts,
    av: unknown,
    bv: unknown,
    container: Container,
  ): Fragment {
    if (!Array.isArray(av) || !Array.isArray(bv)) return this.replace(bv, facts, container);
    if (facts.mergeReplace) return { primary: clone(bv) };
    // Greedy: B's leading items as a subsequence of A, the rest appended.
    const kept: number[] = [];
    let j = 0;
    let bi = 0;
    for (; bi < bv.length; bi++) {
      while (j < av.length && !deepEqual(av[j], bv[bi])) j++;
      if (j >= av.length) break;
      kept.push(j);
      j++;
    }
    const appended = bv.slice(bi);
    const removed = av.map((_, i) => i).filter((i) => !kept.includes(i));
    const markers = this.itemDeletes(path, av, removed);
    if (markers === undefined) return this.replace(bv, facts, container);
    if (facts.keyedBy !== undefined && appended.length > 0) {
      // An appended item that matches a kept one (or an earlier appended one) by key would be
      // merged into it instead of appended.
      const keys = facts.keyedBy.keys;
      const collides = appended.some((item, i) =>
        [...kept.map((k) => av[k]), ...appended.slice(0, i)].some(
          (other) => isPlainObject(item) && isPlainObject(other) && sameKey(other, item, keys),
        ),
      );
      if (collides) return this.replace(bv, facts, container);
    }
    if (appended.length === 0 && markers.length === 0) return {};
    return { primary: [...markers, ...clone(appended)] };
  }

  /** `- <key>: <value>` + `$patch: delete` items removing exactly `removed`, or undefined. */
  private itemDeletes(
    path: readonly (string | number)[],
    list: readonly unknown[],
    removed: readonly number[],
  ): Record<string, unknown>[] | undefined {
    if (removed.length === 0) return [];
    const working = list.map((item, index) => ({ item, index }));
    const markers: Record<string, unknown>[] = [];
    for (const target of removed) {
      const item = list[target];
      if (!isPlainObject(item)) return undefined;
      if (this.facts([...path, target]).type !== "object") return undefined;
      const key = Object.keys(item).find((k) => {
        const shown = printed(item[k]);
        if (shown === undefined) return false;
        const first = working.find((w) => isPlainObject(w.item) && printed(w.item[k]) === shown);
        return first?.index === target;
      });
      if (key === undefined) return undefined;
      markers.push({ [key]: item[key], ...DELETE });
      working.splice(
        working.findIndex((w) => w.index === target),
        1,
      );
    }
    return markers;
  }

  /** Inside a free-form object (Unstructured): Talos's deep merge with list append. */
  private free(a: Record<string, unknown>, b: Record<string, unknown>): Fragment {
    const primary: Record<string, unknown> = {};
    const secondary: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
      const av = a[key];
      const bv = b[key];
      if (deepEqual(av, bv)) continue;
      let r: Fragment;
      if (bv === undefined) r = { primary: DELETE };
      else if (av === undefined || av === null) r = { primary: clone(bv) };
      else if (bv === null || goTypeName(av) !== goTypeName(bv))
        r = { primary: DELETE, secondary: clone(bv) };
      else if (isPlainObject(av)) r = this.free(av, bv as Record<string, unknown>);
      else if (Array.isArray(av)) {
        const bl = bv as unknown[];
        const grows = bl.length > av.length && av.every((x, i) => deepEqual(x, bl[i]));
        r = grows ? { primary: clone(bl.slice(av.length)) } : { primary: DELETE, secondary: clone(bl) };
      } else if (typeof bv === "boolean" || !isZeroScalar(bv)) r = { primary: bv };
      else r = { primary: DELETE, secondary: bv };
      if (r.primary !== undefined) primary[key] = r.primary;
      if (r.secondary !== undefined) secondary[key] = r.secondary;
    }
    return {
      ...(Object.keys(primary).length > 0 ? { primary } : {}),
      ...(Object.keys(secondary).length > 0 ? { secondary } : {}),
    };
  }
}

function sameKey(a: Record<string, unknown>, b: Record<string, unknown>, keys: readonly string[]): boolean {
  const key = keys.find((k) => b[k] !== undefined && b[k] !== null && !isZeroValue(b[k]));
  return key !== undefined && deepEqual(a[key], b[key]);
}

function printed(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}
