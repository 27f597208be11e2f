// The node's in-memory COSI state: namespaced, typed resources with versions, labels and
// annotations. As in COSI's in-memory state (cosi-project/runtime: pkg/state/impl/inmem), each
// (namespace, type) collection keeps its recent events in a ring that starts at 8 entries and
// doubles up to 1024 while it fills; watches replay from it (`tail_events`, bookmarks) and follow
// new events. Registering a type or namespace creates its ResourceDefinition or Namespace
// resource in `meta`.
import { randomBytes } from "node:crypto";
import { META_NAMESPACE } from "../../wire/index.js";
import type { Clock } from "../clock.js";
import { NAMESPACE_DESCRIPTIONS, NAMESPACES } from "./catalogue.js";
import {
  allKinds,
  definitionKind,
  NAMESPACE_TYPE,
  namespaceKind,
  type ResourceDefinition,
  type ResourceKind,
} from "./kinds.js";

export interface Resource<S = unknown> {
  readonly namespace: string;
  readonly type: string;
  readonly id: string;
  /** Bumped on every change, starting at 1. */
  readonly version: number;
  readonly owner: string;
  readonly phase: "running" | "tearingDown";
  readonly created: Date;
  readonly updated: Date;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly finalizers: readonly string[];
  readonly spec: S;
  readonly kind: ResourceKind<S>;
}

export type StoreEventType = "created" | "updated" | "destroyed";

export interface StoreEvent {
  readonly type: StoreEventType;
  /** The resource after the change (for destroyed: as it was last). */
  readonly resource: Resource;
  readonly old?: Resource;
  /** The event's position in its collection's stream (its bookmark). */
  readonly position: number;
}

export interface WatchFilter {
  readonly namespace: string;
  readonly type: string;
  readonly id?: string;
}

export interface SetOptions {
  readonly owner?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** COSI's in-memory history as Talos configures it: initial and maximum ring size, and the gap. */
export const HISTORY_INITIAL_CAPACITY = 8;
export const HISTORY_MAX_CAPACITY = 1024;
export const HISTORY_GAP = 4;

/** Shared by every resource without labels, annotations or finalizers (most of them). */
const NONE: Readonly<Record<string, string>> = Object.freeze({});
const NO_FINALIZERS: readonly string[] = Object.freeze([]);

function copyRecord(r: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return Object.keys(r).length === 0 ? NONE : { ...r };
}

/** Distinguishes bookmarks of this process from those of an earlier run. */
const BOOKMARK_COOKIE = randomBytes(8);

export function encodeBookmark(position: number): Uint8Array {
  const out = new Uint8Array(16);
  out.set(BOOKMARK_COOKIE, 0);
  new DataView(out.buffer).setBigUint64(8, BigInt.asUintN(64, BigInt(position)));
  return out;
}

/** The position of a bookmark of this process, or undefined when it is not one. */
export function decodeBookmark(bookmark: Uint8Array): number | undefined {
  if (bookmark.length !== 16 || !BOOKMARK_COOKIE.equals(bookmark.subarray(0, 8))) return undefined;
  return Number(BigInt.asIntN(64, new DataView(bookmark.buffer, bookmark.byteOffset).getBigUint64(8)));
}

class Collection {
  readonly resources = new Map<string, Resource>();
  /** The resources sorted by id, kept until the next change. */
  sorted: Resource[] | undefined;
  private stream: (StoreEvent | undefined)[] = new Array(HISTORY_INITIAL_CAPACITY);
  /** Position of the next event. */
  writePos = 0;

  get capacity(): number {
    return this.stream.length;
  }

  publish(event: Omit<StoreEvent, "position">): StoreEvent {
    // The ring grows only on its first run, while `% capacity` still maps old entries in place.
    if (this.writePos === this.stream.length && this.stream.length < HISTORY_MAX_CAPACITY) {
      this.stream.length = Math.min(this.stream.length * 2, HISTORY_MAX_CAPACITY);
    }
    const full = { ...event, position: this.writePos } as StoreEvent;
    this.stream[this.writePos % this.stream.length] = full;
    this.writePos++;
    return full;
  }

  /** The oldest position still replayable (COSI keeps `gap` entries free for writers). */
  get oldest(): number {
    return Math.max(this.writePos - this.capacity + HISTORY_GAP, 0);
  }

  at(position: number): StoreEvent | undefined {
    return this.stream[position % this.stream.length];
  }

  /** Events from `position` to the newest, oldest first. */
  from(position: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (let p = Math.max(position, 0); p < this.writePos; p++) {
      const e = this.at(p);
      if (e) out.push(e);
    }
    return out;
  }
}

export class ResourceStore {
  private readonly collections = new Map<string, Collection>();
  private readonly kinds = new Map<string, ResourceKind>();
  /** Lower-cased type → registered kind (Talos's access filter looks definitions up lower-cased). */
  private readonly kindsById = new Map<string, ResourceKind>();
  private readonly watchers = new Map<string, Set<(e: StoreEvent) => void>>();

  /** COSI's defaults: the `meta` namespace, then the definitions of namespaces and definitions. */
  constructor(private readonly clock: Clock) {
    this.registerNamespace(META_NAMESPACE, NAMESPACE_DESCRIPTIONS[META_NAMESPACE] ?? "");
    this.registerKind(namespaceKind);
    this.registerKind(definitionKind);
  }

  /** A store as a Talos node's: every namespace and every type of the catalogue registered. */
  static forNode(clock: Clock): ResourceStore {
    const store = new ResourceStore(clock);
    for (const ns of NAMESPACES) {
      if (ns !== META_NAMESPACE) store.registerNamespace(ns, NAMESPACE_DESCRIPTIONS[ns] ?? "");
    }
    for (const kind of allKinds()) {
      if (!store.kindOf(kind.definition.type)) store.registerKind(kind);
    }
    return store;
  }

  registerNamespace(name: string, description: string): void {
    this.set(namespaceKind, META_NAMESPACE, name, { description });
  }

  hasNamespace(name: string): boolean {
    return this.get(META_NAMESPACE, NAMESPACE_TYPE, name) !== undefined;
  }

  registerKind(kind: ResourceKind<never> | ResourceKind): void {
    const k = kind as ResourceKind;
    this.kinds.set(k.definition.type, k);
    this.kindsById.set(k.definition.id, k);
    this.set(definitionKind, META_NAMESPACE, k.definition.id, k.definition);
  }

  /** The registered kind of a full type string, if any. */
  kindOf(type: string): ResourceKind | undefined {
    return this.kinds.get(type);
  }

  /** The registered definition of a type, matched case-insensitively as Talos's filter does. */
  definitionOf(type: string): ResourceDefinition | undefined {
    return this.kindsById.get(type.toLowerCase())?.definition;
  }

  get(namespace: string, type: string, id: string): Resource | undefined {
    return this.collections.get(key(namespace, type))?.resources.get(id);
  }

  /** Resources of one type in a namespace, ordered by id. */
  list(namespace: string, type: string): Resource[] {
    const c = this.collections.get(key(namespace, type));
    if (!c) return [];
    c.sorted ??= [...c.resources.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return c.sorted.slice();
  }

  /** Creates or updates a resource; an update that changes nothing is skipped. */
  set<S>(
    kind: ResourceKind<S>,
    namespace: string,
    id: string,
    spec: S,
    options: SetOptions = {},
  ): Resource<S> {
    const type = kind.definition.type;
    const c = this.collection(namespace, type);
    const old = c.resources.get(id) as Resource<S> | undefined;
    const labels = options.labels ?? old?.labels ?? {};
    const annotations = options.annotations ?? old?.annotations ?? {};
    const owner = options.owner ?? old?.owner ?? "";
    if (
      old &&
      old.owner === owner &&
      sameRecord(old.labels, labels) &&
      sameRecord(old.annotations, annotations) &&
      sameSpec(kind, old.spec, spec)
    ) {
      return old;
    }
    const now = this.clock.now();
    const resource: Resource<S> = {
      namespace,
      type,
      id,
      version: (old?.version ?? 0) + 1,
      owner,
      phase: "running",
      created: old?.created ?? now,
      updated: now,
      labels: copyRecord(labels),
      annotations: copyRecord(annotations),
      finalizers: old?.finalizers ?? NO_FINALIZERS,
      spec,
      kind,
    };
    c.resources.set(id, resource as Resource);
    if (old && c.sorted) c.sorted[indexById(c.sorted, id)] = resource as Resource;
    else c.sorted = undefined;
    this.emit(
      c,
      old
        ? { type: "updated", resource: resource as Resource, old: old as Resource }
        : { type: "created", resource: resource as Resource },
    );
    return resource;
  }

  remove(namespace: string, type: string, id: string): boolean {
    const c = this.collections.get(key(namespace, type));
    const old = c?.resources.get(id);
    if (!c || !old) return false;
    c.resources.delete(id);
    c.sorted = undefined;
    this.emit(c, { type: "destroyed", resource: old });
    return true;
  }

  /** Calls `fn` for every later change of the (namespace, type) collection, or of one resource. */
  watch(filter: WatchFilter, fn: (e: StoreEvent) => void): () => void {
    const k = key(filter.namespace, filter.type);
    let set = this.watchers.get(k);
    if (!set) {
      set = new Set();
      this.watchers.set(k, set);
    }
    const entry =
      filter.id === undefined
        ? fn
        : (e: StoreEvent) => {
            if (e.resource.id === filter.id) fn(e);
          };
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.watchers.get(k) === set) this.watchers.delete(k);
    };
  }

  /** Whether anything watches the (namespace, type) collection now. */
  watched(namespace: string, type: string): boolean {
    return this.watchers.has(key(namespace, type));
  }

  /** How many events a collection's ring holds now. */
  capacity(namespace: string, type: string): number {
    return this.collections.get(key(namespace, type))?.capacity ?? HISTORY_INITIAL_CAPACITY;
  }

  /** The position the next event of a collection gets. */
  position(namespace: string, type: string): number {
    return this.collections.get(key(namespace, type))?.writePos ?? 0;
  }

  /**
   * Where a kind watch with `tail_events` starts: that many events back (at most what the ring
   * keeps beyond its gap), as COSI's WatchAll.
   */
  kindTailStart(namespace: string, type: string, tail: number): number {
    const c = this.collections.get(key(namespace, type));
    if (!c) return 0;
    const n = Math.min(tail, c.capacity - HISTORY_GAP);
    return Math.max(c.writePos - n, 0);
  }

  /** Where a single-resource watch with `tail_events` starts: back over `tail` events of that id. */
  resourceTailStart(namespace: string, type: string, id: string, tail: number): number {
    const c = this.collections.get(key(namespace, type));
    if (!c) return 0;
    let pos = c.writePos;
    let found = 0;
    const min = c.oldest;
    for (; pos > min && found < tail; pos--) {
      if (c.at(pos - 1)?.resource.id === id) found++;
    }
    return pos;
  }

  /** Whether a bookmark position can be resumed from (COSI's check). */
  bookmarkValid(namespace: string, type: string, position: number): boolean {
    const c = this.collections.get(key(namespace, type));
    if (!c) return false;
    return !(position < c.writePos - c.capacity + HISTORY_GAP || position < -1 || position >= c.writePos);
  }

  /** Stored events of a collection from a position on, oldest first. */
  eventsFrom(namespace: string, type: string, position: number): StoreEvent[] {
    return this.collections.get(key(namespace, type))?.from(position) ?? [];
  }

  private collection(namespace: string, type: string): Collection {
    const k = key(namespace, type);
    let c = this.collections.get(k);
    if (!c) {
      c = new Collection();
      this.collections.set(k, c);
    }
    return c;
  }

  private emit(c: Collection, event: Omit<StoreEvent, "position">): void {
    const full = c.publish(event);
    const set = this.watchers.get(key(event.resource.namespace, event.resource.type));
    if (set) for (const fn of [...set]) fn(full);
  }
}

function key(namespace: string, type: string): string {
  return `${namespace}\u0000${type}`;
}

/** Where the resource with `id` is in a list sorted by id (it is there). */
function indexById(sorted: readonly Resource[], id: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function sameSpec<S>(kind: ResourceKind<S>, a: S, b: S): boolean {
  // Most updates re-state a spec unchanged: a structural comparison settles those without
  // encoding; specs that differ in shape still count as the same when both encodings agree.
  if (sameValue(a, b)) return true;
  if (!sameBytes(kind.encode(a), kind.encode(b))) return false;
  return kind.yaml(a) === kind.yaml(b);
}

/** Deep equality of spec data (plain objects, arrays, bytes, dates); an undefined field equals a missing one. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return false;
    return sameBytes(a, b);
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let defined = 0;
  for (const key in ra) {
    if (!Object.hasOwn(ra, key) || ra[key] === undefined) continue;
    defined++;
    if (!Object.hasOwn(rb, key) || !sameValue(ra[key], rb[key])) return false;
  }
  for (const key in rb) if (Object.hasOwn(rb, key) && rb[key] !== undefined) defined--;
  return defined === 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
