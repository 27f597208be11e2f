// An in-memory COSI-style resource store: namespaced, typed resources with versions, labels
// and annotations, and watchers that see every change. Resource types are registered with
// their definition, which also becomes a ResourceDefinitions resource in the `meta` namespace.

import { META_NAMESPACE } from "../../../wire/index.js";
import type { Clock } from "../../clock.js";
import type { ResourceDefinition } from "./definition.js";

/** How one resource type travels: its definition, protobuf spec and YAML view. */
export interface ResourceKind<S = unknown> {
  readonly definition: ResourceDefinition;
  /** proto_spec: the spec encoded with its talos.resource.definitions message. */
  encode(spec: S): Uint8Array;
  /** The spec as plain data; yaml_spec is this rendered as YAML. */
  view(spec: S): unknown;
}

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

/** Store events remembered for watches that ask for a tail. */
export const STORE_HISTORY = 1000;

export const NAMESPACE_TYPE = "Namespaces.meta.cosi.dev";

export class ResourceStore {
  private readonly resources = new Map<string, Resource>();
  private readonly kinds = new Map<string, ResourceKind>();
  private readonly watchers = new Set<{ filter: WatchFilter; fn: (e: StoreEvent) => void }>();
  private readonly recent: StoreEvent[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly metaKinds: {
      namespace: ResourceKind<{ description: string }>;
      definition: ResourceKind<ResourceDefinition>;
    },
  ) {
    this.registerKind(metaKinds.namespace);
    this.registerKind(metaKinds.definition);
    this.registerNamespace(
      META_NAMESPACE,
      "Metadata namespace which contains resource and namespace definitions.",
    );
  }

  registerNamespace(name: string, description: string): void {
    this.set(this.metaKinds.namespace, META_NAMESPACE, name, { description });
  }

  hasNamespace(name: string): boolean {
    return this.resources.has(key(META_NAMESPACE, NAMESPACE_TYPE, name));
  }

  registerKind(kind: ResourceKind<never> | ResourceKind): void {
    const k = kind as ResourceKind;
    this.kinds.set(k.definition.type, k);
    this.set(this.metaKinds.definition, META_NAMESPACE, k.definition.id, k.definition);
  }

  /** The registered kind of a full type string, if any. */
  kindOf(type: string): ResourceKind | undefined {
    return this.kinds.get(type);
  }

  get(namespace: string, type: string, id: string): Resource | undefined {
    return this.resources.get(key(namespace, type, id));
  }

  /** Resources of one type in a namespace, ordered by id. */
  list(namespace: string, type: string): Resource[] {
    const out: Resource[] = [];
    for (const r of this.resources.values()) if (r.namespace === namespace && r.type === type) out.push(r);
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
    const k = key(namespace, type, id);
    const old = this.resources.get(k) as Resource<S> | undefined;
    const labels = { ...(options.labels ?? old?.labels ?? {}) };
    const annotations = { ...(options.annotations ?? old?.annotations ?? {}) };
    if (
      old &&
      sameJson(kind.view(old.spec), kind.view(spec)) &&
      sameJson(old.labels, labels) &&
      sameJson(old.annotations, annotations)
    ) {
      return old;
    }
    const now = this.clock.now();
    const resource: Resource<S> = {
      namespace,
      type,
      id,
      version: (old?.version ?? 0) + 1,
      owner: options.owner ?? old?.owner ?? "",
      phase: "running",
      created: old?.created ?? now,
      updated: now,
      labels,
      annotations,
      finalizers: old?.finalizers ?? [],
      spec,
      kind,
    };
    this.resources.set(k, resource as Resource);
    this.emit(
      old
        ? { type: "updated", resource: resource as Resource, old: old as Resource }
        : { type: "created", resource: resource as Resource },
    );
    return resource;
  }

  remove(namespace: string, type: string, id: string): boolean {
    const k = key(namespace, type, id);
    const old = this.resources.get(k);
    if (!old) return false;
    this.resources.delete(k);
    this.emit({ type: "destroyed", resource: old });
    return true;
  }

  /** Calls `fn` for every later change matching the filter. */
  watch(filter: WatchFilter, fn: (e: StoreEvent) => void): () => void {
    const entry = { filter, fn };
    this.watchers.add(entry);
    return () => this.watchers.delete(entry);
  }

  /** Past changes matching the filter, oldest first (at most STORE_HISTORY overall). */
  history(filter: WatchFilter): StoreEvent[] {
    return this.recent.filter((e) => matches(filter, e.resource));
  }

  private emit(event: StoreEvent): void {
    this.recent.push(event);
    if (this.recent.length > STORE_HISTORY) this.recent.shift();
    for (const w of [...this.watchers]) if (matches(w.filter, event.resource)) w.fn(event);
  }
}

function key(namespace: string, type: string, id: string): string {
  return `${namespace}\u0000${type}\u0000${id}`;
}

function matches(filter: WatchFilter, r: Resource): boolean {
  return (
    r.namespace === filter.namespace &&
    r.type === filter.type &&
    (filter.id === undefined || r.id === filter.id)
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
