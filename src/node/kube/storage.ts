// The API server's storage layer over the cluster's key/value store: objects are kept as JSON
// without their resourceVersion (it is the key's mod revision, set when read), created with a
// uid and timestamps, updated only against the revision they were read at, and deleted
// gracefully where Kubernetes does (pods on a node, objects with finalizers, namespaces).
// The API server and the emulated components (kubelets, controllers) all go through it.
import { applyDefaults, nameCauses, tracksGeneration } from "./defaults.js";
import type { KubeKv, KvEntry, KvEvent, KvWatch } from "./kv.js";
import { clone, deepEqual, type Json, type KObject, newUid, randomSuffix, timestamp } from "./objects.js";
import { NAMESPACE, type ResourceType, SERVICE, storeKey, storePrefix } from "./resources.js";
import { EVERYTHING, fieldValue, type Selector } from "./selectors.js";
import {
  alreadyExists,
  badRequest,
  conflict,
  gone,
  invalid,
  KubeStatusError,
  MODIFIED,
  notFound,
} from "./status.js";

/** How many times a read-modify-write retries when another writer came first. */
const UPDATE_RETRIES = 16;
/** The service network's first addresses (10.96.0.0/12): .1 is the API server's Service. */
const SERVICE_NET = [10, 96];

export interface ListOptions {
  readonly labelSelector?: Selector;
  readonly fieldSelector?: Selector;
  readonly limit?: number;
  readonly continue?: string;
}

export interface ListResult {
  readonly items: KObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface DeleteOptions {
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { uid?: string; resourceVersion?: string };
  readonly dryRun?: boolean;
}

export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  /** The object (decoded when first read). */
  readonly object: KObject;
  readonly revision: number;
  /** The object before the change (MODIFIED; decoded when first read). */
  readonly previous?: KObject;
  /** The object's key in the store; its last segment is the object's name. */
  readonly key: string;
  /** The object as stored (JSON), for a cheap look before decoding it. */
  readonly text: string;
}

export function decode(entry: KvEntry): KObject {
  const o = JSON.parse(entry.value) as KObject;
  o.metadata.resourceVersion = String(entry.modRevision);
  return o;
}

function encode(o: KObject): string {
  const copy = { ...o, metadata: { ...o.metadata } };
  delete copy.metadata.resourceVersion;
  return JSON.stringify(copy);
}

/** Whether an object passes a label and a field selector. */
export function selected(o: KObject, labels: Selector, fields: Selector): boolean {
  return (
    labels.matches((k) => o.metadata.labels?.[k]) &&
    fields.matches((k) => {
      if (k === "metadata.name") return o.metadata.name ?? "";
      if (k === "metadata.namespace") return o.metadata.namespace ?? "";
      return fieldValue(o, k);
    })
  );
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start } satisfies ContinueToken)).toString(
    "base64url",
  );
}

function decodeContinue(text: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as ContinueToken;
    if (t.v !== "meta.k8s.io/v1" || typeof t.start !== "string" || typeof t.rv !== "number")
      throw new Error();
    return t;
  } catch {
    throw badRequest(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
}

export class KubeStorage {
  constructor(
    readonly kv: KubeKv,
    private readonly now: () => Date,
  ) {}

  async get(r: ResourceType, namespace: string | undefined, name: string): Promise<KObject | undefined> {
    const { entry } = await this.kv.get(storeKey(r, namespace, name));
    return entry ? decode(entry) : undefined;
  }

  async mustGet(r: ResourceType, namespace: string | undefined, name: string): Promise<KObject> {
    const o = await this.get(r, namespace, name);
    if (!o) throw notFound(r, name);
    return o;
  }

  async list(r: ResourceType, namespace: string | undefined, options: ListOptions = {}): Promise<ListResult> {
    const prefix = storePrefix(r, namespace);
    const labels = options.labelSelector ?? EVERYTHING;
    const fields = options.fieldSelector ?? EVERYTHING;
    const token = options.continue ? decodeContinue(options.continue) : undefined;
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const range = await this.kv.range(prefix, token ? { startAfter: token.start } : {});
    const items: KObject[] = [];
    let last = "";
    let remaining = 0;
    let more = false;
    for (const e of range.entries) {
      const o = decode(e);
      if (!selected(o, labels, fields)) continue;
      if (limit > 0 && items.length >= limit) {
        more = true;
        remaining++;
        continue;
      }
      items.push(o);
      last = e.key;
    }
    const rv = token ? token.rv : range.revision;
    const exact = labels === EVERYTHING && fields === EVERYTHING;
    return {
      items,
      resourceVersion: String(rv),
      ...(more ? { continue: encodeContinue(rv, last) } : {}),
      ...(more && exact ? { remainingItemCount: remaining } : {}),
    };
  }

  async create(
    r: ResourceType,
    namespace: string | undefined,
    input: KObject,
    dryRun = false,
  ): Promise<KObject> {
    const o = clone(input);
    o.apiVersion = r.group === "" ? r.version : `${r.group}/${r.version}`;
    o.kind = r.kind;
    o.metadata = { ...(o.metadata ?? {}) };
    if (r.namespaced) {
      if (
        o.metadata.namespace !== undefined &&
        o.metadata.namespace !== "" &&
        o.metadata.namespace !== namespace
      ) {
        throw badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      o.metadata.namespace = namespace;
    } else delete o.metadata.namespace;
    if ((o.metadata.name === undefined || o.metadata.name === "") && o.metadata.generateName) {
      o.metadata.name = `${o.metadata.generateName}${randomSuffix()}`;
    }
    const causes = nameCauses(r, o.metadata.name);
    if (causes.length > 0) throw invalid(r, o.metadata.name ?? "", causes);
    const name = o.metadata.name!;
    if (r.namespaced) await this.requireNamespace(namespace ?? "");
    o.metadata.uid = newUid();
    o.metadata.creationTimestamp = timestamp(this.now());
    delete o.metadata.resourceVersion;
    delete o.metadata.deletionTimestamp;
    delete o.metadata.deletionGracePeriodSeconds;
    if (tracksGeneration(r)) o.metadata.generation = 1;
    else delete o.metadata.generation;
    applyDefaults(r, o, () => this.allocateClusterIp());
    if (r.kind === "Service") await this.checkClusterIp(o);
    if (dryRun) {
      const existing = await this.get(r, namespace, name);
      if (existing) throw alreadyExists(r, name);
      return o;
    }
    const key = storeKey(r, namespace, name);
    const result = await this.kv.txn([{ key, modRevision: 0 }], [{ type: "put", key, value: encode(o) }]);
    if (!result.succeeded) throw alreadyExists(r, name);
    return decode(result.entries[0]!);
  }

  /**
   * Replaces an object. `expect` is the resourceVersion the caller read (none: whatever is
   * stored); `subresource` "status" changes only the status, the object itself only the rest.
   */
  async update(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    input: KObject,
    options: { subresource?: string; dryRun?: boolean } = {},
  ): Promise<KObject> {
    const key = storeKey(r, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { entry } = await this.kv.get(key);
      if (!entry) throw notFound(r, name);
      const current = decode(entry);
      const wanted = input.metadata?.resourceVersion;
      if (wanted !== undefined && wanted !== "" && wanted !== current.metadata.resourceVersion) {
        throw conflict(r, name, MODIFIED);
      }
      const next = this.merged(r, current, input, options.subresource);
      if (options.dryRun) return next;
      const finished = finalized(r, current, next);
      const result = await this.kv.txn(
        [{ key, modRevision: entry.modRevision }],
        finished ? [{ type: "delete", key }] : [{ type: "put", key, value: encode(next) }],
      );
      if (result.succeeded)
        return finished
          ? { ...next, metadata: { ...next.metadata, resourceVersion: String(result.revision) } }
          : decode(result.entries[0]!);
      if (wanted !== undefined && wanted !== "") throw conflict(r, name, MODIFIED);
      if (attempt >= UPDATE_RETRIES) throw conflict(r, name, MODIFIED);
    }
  }

  /** Read-modify-write with retries: `change` returns the new object, or undefined for no change. */
  async modify(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    change: (current: KObject) => KObject | undefined,
    options: { subresource?: string } = {},
  ): Promise<KObject | undefined> {
    const key = storeKey(r, namespace, name);
    for (let attempt = 0; attempt <= UPDATE_RETRIES; attempt++) {
      const { entry } = await this.kv.get(key);
      if (!entry) return undefined;
      const current = decode(entry);
      const changed = change(clone(current));
      if (changed === undefined) return current;
      const next = this.merged(r, current, changed, options.subresource);
      if (
        deepEqual(
          { ...next, metadata: { ...next.metadata, resourceVersion: undefined } },
          { ...current, metadata: { ...current.metadata, resourceVersion: undefined } },
        )
      ) {
        return current;
      }
      const finished = finalized(r, current, next);
      const result = await this.kv.txn(
        [{ key, modRevision: entry.modRevision }],
        finished ? [{ type: "delete", key }] : [{ type: "put", key, value: encode(next) }],
      );
      if (result.succeeded) return finished ? next : decode(result.entries[0]!);
    }
    throw conflict(r, name, MODIFIED);
  }

  /** The stored object after an update: identity kept, status or spec taken from the right side. */
  private merged(r: ResourceType, current: KObject, input: KObject, subresource?: string): KObject {
    const name = current.metadata.name!;
    if (input.metadata?.name !== undefined && input.metadata.name !== "" && input.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    let next: KObject;
    if (subresource === "status") {
      next = { ...clone(current), status: clone((input as Json).status) };
    } else {
      next = clone(input);
      next.apiVersion = current.apiVersion;
      next.kind = current.kind;
      if (r.statusSubresource && subresource === undefined) {
        if ((current as Json).status === undefined) delete (next as Json).status;
        else (next as Json).status = clone((current as Json).status);
      }
    }
    const meta = { ...(subresource === "status" ? current.metadata : (next.metadata ?? {})) };
    meta.name = name;
    if (r.namespaced) meta.namespace = current.metadata.namespace;
    else delete meta.namespace;
    meta.uid = current.metadata.uid;
    meta.creationTimestamp = current.metadata.creationTimestamp;
    if (current.metadata.deletionTimestamp !== undefined) {
      meta.deletionTimestamp = current.metadata.deletionTimestamp;
      meta.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (tracksGeneration(r)) {
      const gen = current.metadata.generation ?? 1;
      const specChanged = !deepEqual((current as Json).spec, (next as Json).spec);
      meta.generation = specChanged && subresource !== "status" ? gen + 1 : gen;
    }
    if (r.kind === "Namespace") meta.labels = { ...(meta.labels ?? {}), "kubernetes.io/metadata.name": name };
    delete meta.resourceVersion;
    next.metadata = meta;
    if (r.kind === "Service") {
      const spec = ((next as Json).spec ?? {}) as Json;
      const old = ((current as Json).spec ?? {}) as Json;
      if (spec.clusterIP === undefined || spec.clusterIP === "") spec.clusterIP = old.clusterIP;
      if (spec.clusterIPs === undefined) spec.clusterIPs = old.clusterIPs;
      if (spec.clusterIP !== old.clusterIP) {
        throw invalid(r, name, [
          {
            field: "spec.clusterIPs[0]",
            message: `Invalid value: []string{"${String(spec.clusterIP)}"}: may not change once set`,
          },
        ]);
      }
    }
    return next;
  }

  /**
   * Deletes an object. Pods on a node and objects with finalizers get a deletion timestamp
   * first (`deleted` false): the kubelet or the finalizers' owners remove them.
   */
  async delete(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Promise<{ object: KObject; deleted: boolean }> {
    const key = storeKey(r, namespace, name);
    for (let attempt = 0; attempt <= UPDATE_RETRIES; attempt++) {
      const { entry } = await this.kv.get(key);
      if (!entry) throw notFound(r, name);
      const current = decode(entry);
      const pre = options.preconditions;
      if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) {
        throw conflict(
          r,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
        );
      }
      if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(
          r,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        );
      }
      const grace = this.gracePeriod(r, current, options.gracePeriodSeconds);
      const finalizers = current.metadata.finalizers ?? [];
      if (grace > 0 || finalizers.length > 0 || r.kind === "Namespace") {
        const next = clone(current);
        const shorter =
          grace > 0 && grace < (next.metadata.deletionGracePeriodSeconds ?? Number.POSITIVE_INFINITY);
        if (next.metadata.deletionTimestamp === undefined || shorter) {
          next.metadata.deletionTimestamp = timestamp(new Date(this.now().getTime() + grace * 1000));
          next.metadata.deletionGracePeriodSeconds = grace;
        }
        if (r.kind === "Namespace") {
          (next as Json).status = { ...(((next as Json).status as Json) ?? {}), phase: "Terminating" };
        }
        if (options.dryRun || deepEqual(next, current)) return { object: next, deleted: false };
        const result = await this.kv.txn(
          [{ key, modRevision: entry.modRevision }],
          [{ type: "put", key, value: encode(next) }],
        );
        if (result.succeeded) return { object: decode(result.entries[0]!), deleted: false };
        continue;
      }
      if (options.dryRun) return { object: current, deleted: true };
      const result = await this.kv.txn([{ key, modRevision: entry.modRevision }], [{ type: "delete", key }]);
      if (result.succeeded) return { object: current, deleted: true };
    }
    throw conflict(r, name, MODIFIED);
  }

  private gracePeriod(r: ResourceType, o: KObject, requested: number | undefined): number {
    if (r.kind !== "Pod") return 0;
    const pod = o as Json;
    const spec = (pod.spec ?? {}) as Json;
    const status = (pod.status ?? {}) as Json;
    // Pods never scheduled, or finished, go at once.
    if (typeof spec.nodeName !== "string" || spec.nodeName === "") return 0;
    if (status.phase === "Succeeded" || status.phase === "Failed") return 0;
    // Grace 0 asked for (the kubelet once it stopped the containers, or a forced delete) removes at once.
    if (requested === 0) return 0;
    const grace =
      requested ??
      (typeof spec.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds : 30);
    return Math.max(1, grace);
  }

  /** Watches a type (in one namespace, or all) from a revision; objects decoded. */
  watch(
    r: ResourceType,
    namespace: string | undefined,
    afterRevision: number,
    listener: (events: readonly WatchEvent[]) => void,
  ): KvWatch {
    try {
      return this.kv.watch(storePrefix(r, namespace), afterRevision, (events) =>
        listener(events.map(toWatchEvent)),
      );
    } catch (err) {
      if (err instanceof KubeStatusError) throw err;
      if (err instanceof Error && err.name === "KvCompactedError") {
        throw gone(
          `too old resource version: ${afterRevision} (${(err as { oldest?: number }).oldest ?? 0})`,
        );
      }
      throw err;
    }
  }

  private async requireNamespace(namespace: string): Promise<void> {
    const ns = await this.get(NAMESPACE, undefined, namespace);
    if (!ns) throw notFound(NAMESPACE, namespace);
    if (ns.metadata.deletionTimestamp !== undefined) {
      throw new KubeStatusError(
        403,
        "Forbidden",
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        { name: namespace, kind: "namespaces" },
      );
    }
  }

  private pendingIps = new Set<string>();

  private allocateClusterIp(): string {
    for (;;) {
      const third = Math.floor(Math.random() * 16);
      const fourth = 2 + Math.floor(Math.random() * 252);
      const ip = `${SERVICE_NET[0]}.${SERVICE_NET[1]! + third}.${Math.floor(Math.random() * 256)}.${fourth}`;
      if (ip === "10.96.0.10") continue;
      if (!this.pendingIps.has(ip)) {
        this.pendingIps.add(ip);
        return ip;
      }
    }
  }

  private async checkClusterIp(o: KObject): Promise<void> {
    const ip = ((o as Json).spec as Json | undefined)?.clusterIP;
    this.pendingIps.delete(String(ip));
    if (typeof ip !== "string" || ip === "None") return;
    const services = await this.list(SERVICE, undefined);
    const taken = services.items.find((s) => ((s as Json).spec as Json | undefined)?.clusterIP === ip);
    if (taken) {
      throw invalid(SERVICE, o.metadata.name ?? "", [
        {
          field: "spec.clusterIPs",
          message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`,
        },
      ]);
    }
  }
}

/** An object waiting for its finalizers whose last finalizer was just removed: it goes. */
function finalized(r: ResourceType, current: KObject, next: KObject): boolean {
  if (next.metadata.deletionTimestamp === undefined) return false;
  if (r.kind === "Namespace") {
    const finalizers = ((next as Json).spec as Json | undefined)?.finalizers;
    return (
      Array.isArray(finalizers) && finalizers.length === 0 && (next.metadata.finalizers ?? []).length === 0
    );
  }
  return (current.metadata.finalizers ?? []).length > 0 && (next.metadata.finalizers ?? []).length === 0;
}

/**
 * A store event as a watch event whose objects are decoded only when read: of the many watchers
 * of a large cluster's Nodes and Pods, most look at the key or the text and pass.
 */
class StoreWatchEvent implements WatchEvent {
  private decoded: KObject | undefined;
  private decodedPrevious: KObject | undefined;

  constructor(
    readonly type: WatchEvent["type"],
    readonly revision: number,
    readonly key: string,
    /** The entry the object is decoded from (the deleted one for DELETED). */
    private readonly entry: KvEntry,
    private readonly before: KvEntry | undefined,
  ) {}

  get text(): string {
    return this.entry.value;
  }

  get object(): KObject {
    if (!this.decoded) {
      this.decoded = decode(this.entry);
      if (this.type === "DELETED") this.decoded.metadata.resourceVersion = String(this.revision);
    }
    return this.decoded;
  }

  get previous(): KObject | undefined {
    if (this.type !== "MODIFIED" || !this.before) return undefined;
    this.decodedPrevious ??= decode(this.before);
    return this.decodedPrevious;
  }
}

function toWatchEvent(e: KvEvent): WatchEvent {
  if (e.type === "delete") return new StoreWatchEvent("DELETED", e.revision, e.key, e.prev!, undefined);
  return new StoreWatchEvent(e.prev ? "MODIFIED" : "ADDED", e.revision, e.key, e.entry!, e.prev);
}
