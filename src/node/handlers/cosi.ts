// The COSI State service behind Talos's access filter (siderolabs/talos:
// internal/app/resources/access.go) and COSI's protobuf server (cosi-project/runtime:
// pkg/state/protobuf/server): reads of registered, non-sensitive types (sensitive ones for
// os:admin only), list filters, watches with bootstrap contents, tail events and bookmarks, as
// COSI's in-memory state serves them; the write verbs are in cosi-write.ts.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { errorMessage } from "../../errors.js";
import {
  EventSchema,
  EventType,
  GetResponseSchema,
  type LabelQuery,
  type LabelTerm,
  ListResponseSchema,
  LabelTerm_Operation as Op,
  State,
  type WatchRequest,
  WatchResponseSchema,
  type Event as WireEvent,
} from "../../gen/cosi/resource/state_pb.js";
import { type Caller, NOT_AUTHORIZED, Role } from "../api/index.js";
import { StatusError } from "../errors.js";
import {
  decodeBookmark,
  encodeBookmark,
  type Resource,
  type ResourceStore,
  type StoreEvent,
  tombstone,
  toWireResource,
} from "../resources/index.js";
import { cosiWriteHandlers } from "./cosi-write.js";
import {
  callSignal,
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  notFound,
  permissionDenied,
  serverStream,
  unary,
  unimplemented,
} from "./define.js";

export { WRITE_NOT_ALLOWED } from "./cosi-write.js";

/** The per-type access filter: the kind may be read by these roles in this namespace. */
export function checkAccess(
  store: ResourceStore,
  roles: readonly string[],
  namespace: string,
  type: string,
): void {
  // Talos looks the definition up by the lower-cased type.
  const definition = store.definitionOf(type);
  if (!definition) throw permissionDenied(`resource type "${type}" is not supported`);
  if (definition.sensitive && !roles.includes(Role.Admin)) throw permissionDenied(NOT_AUTHORIZED);
  if (!store.hasNamespace(namespace)) throw permissionDenied(`namespace "${namespace}" is not supported`);
}

function termMatches(term: LabelTerm, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, term.key);
  const value = labels[term.key] ?? "";
  const want = term.value[0] ?? "";
  let result: boolean;
  switch (term.op) {
    case Op.EXISTS:
      result = has;
      break;
    case Op.NOT_EXISTS:
      result = !has;
      break;
    case Op.EQUAL:
      result = has && value === want;
      break;
    case Op.IN:
      result = has && term.value.includes(value);
      break;
    case Op.LT:
      result = has && value < want;
      break;
    case Op.LTE:
      result = has && value <= want;
      break;
    case Op.LT_NUMERIC:
    case Op.LTE_NUMERIC: {
      const a = Number(value);
      const b = Number(want);
      result =
        has && Number.isFinite(a) && Number.isFinite(b) && (term.op === Op.LT_NUMERIC ? a < b : a <= b);
      break;
    }
    default:
      throw unimplemented(`unsupported label query operator: ${String(term.op)}`);
  }
  return term.invert ? !result : result;
}

/** All terms of a query must hold; with several queries any one of them may hold. */
function labelsMatch(queries: readonly LabelQuery[], labels: Readonly<Record<string, string>>): boolean {
  if (queries.length === 0) return true;
  return queries.some((q) => q.terms.every((t) => termMatches(t, labels)));
}

/** Refuses unknown operators before anything is read, as COSI converts the query first. */
function checkLabelQueries(queries: readonly LabelQuery[]): void {
  for (const q of queries) for (const t of q.terms) termMatches(t, {});
}

function idFilter(regexp: string | undefined): (id: string) => boolean {
  if (!regexp) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(regexp);
  } catch (err) {
    throw invalidArgument(`failed to compile regexp: ${errorMessage(err)}`);
  }
  return (id) => re.test(id);
}

function wireEvent(e: StoreEvent, type: StoreEvent["type"] = e.type, withOld = true): WireEvent {
  const eventType =
    type === "created" ? EventType.CREATED : type === "updated" ? EventType.UPDATED : EventType.DESTROYED;
  return create(EventSchema, {
    resource: toWireResource(e.resource),
    eventType,
    ...(withOld && type === "updated" && e.old ? { old: toWireResource(e.old) } : {}),
    bookmark: encodeBookmark(e.position),
  });
}

/**
 * A stored event as a kind watch with filters delivers it: an update that moves a resource in or
 * out of the filter becomes a creation or a destruction; others outside the filter are skipped.
 */
function filtered(e: StoreEvent, matches: (r: Resource) => boolean): WireEvent | undefined {
  if (e.type !== "updated") return matches(e.resource) ? wireEvent(e) : undefined;
  const now = matches(e.resource);
  const before = e.old ? matches(e.old) : false;
  if (now && before) return wireEvent(e);
  if (now) return wireEvent(e, "created", false);
  if (before) return wireEvent(e, "destroyed", false);
  return undefined;
}

/** A queue between store callbacks and an async sender. */
class EventQueue<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  async take(signal: AbortSignal): Promise<T | undefined> {
    while (this.items.length === 0) {
      if (signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.wake = undefined;
          signal.removeEventListener("abort", done);
          resolve();
        };
        this.wake = done;
        signal.addEventListener("abort", done, { once: true });
      });
    }
    return this.items.shift();
  }
}

/** An error COSI's server returns as is (gRPC code Unknown). */
function cosiError(message: string): StatusError {
  return new StatusError(grpc.status.UNKNOWN, message);
}

const INVALID_BOOKMARK = "invalid watch bookmark";

interface WatchPlan {
  /** Events to send before the live ones, in order. */
  readonly initial: WireEvent[];
  /** The first stored position the live part delivers. */
  readonly from: number;
  /** Whether a stored event is delivered, and how. */
  readonly deliver: (e: StoreEvent) => WireEvent | undefined;
}

/** A single-resource watch (cosi-project/runtime: inmem ResourceCollection.Watch). */
function planResourceWatch(store: ResourceStore, req: WatchRequest, id: string): WatchPlan {
  const { namespace, type } = req;
  const options = req.options;
  const tail = options?.tailEvents ?? 0;
  const bookmark = options?.startFromBookmark;
  if (tail > 0 && bookmark !== undefined)
    throw cosiError("cannot use both TailEvents and StartFromBookmark options");
  const deliver = (e: StoreEvent): WireEvent | undefined => (e.resource.id === id ? wireEvent(e) : undefined);
  if (tail > 0) return { initial: [], from: store.resourceTailStart(namespace, type, id, tail), deliver };
  if (bookmark !== undefined) {
    const pos = decodeBookmark(bookmark);
    if (pos === undefined || !store.bookmarkValid(namespace, type, pos)) {
      throw new StatusError(grpc.status.FAILED_PRECONDITION, INVALID_BOOKMARK);
    }
    return { initial: [], from: pos + 1, deliver };
  }
  const current = store.get(namespace, type, id);
  const initial = current
    ? create(EventSchema, { resource: toWireResource(current), eventType: EventType.CREATED })
    : create(EventSchema, { resource: tombstone(namespace, type, id), eventType: EventType.DESTROYED });
  return { initial: [initial], from: store.position(namespace, type), deliver };
}

/** A kind watch (cosi-project/runtime: inmem ResourceCollection.WatchAll). */
function planKindWatch(store: ResourceStore, req: WatchRequest): WatchPlan {
  const { namespace, type } = req;
  const options = req.options;
  const labels = options?.labelQuery ?? [];
  checkLabelQueries(labels);
  const ids = idFilter(options?.idQuery?.regexp);
  const matches = (r: Resource): boolean => ids(r.id) && labelsMatch(labels, r.labels);
  const tail = options?.tailEvents ?? 0;
  const bookmark = options?.startFromBookmark;
  const deliver = (e: StoreEvent): WireEvent | undefined => filtered(e, matches);
  const initial: WireEvent[] = [];
  let from = store.position(namespace, type);
  if (options?.bootstrapContents) {
    if (tail > 0 || bookmark !== undefined) {
      throw cosiError("cannot use BootstrapContents with TailEvents and StartFromBookmark options");
    }
    for (const r of store.list(namespace, type).filter(matches)) {
      initial.push(create(EventSchema, { resource: toWireResource(r), eventType: EventType.CREATED }));
    }
    initial.push(
      create(EventSchema, {
        resource: tombstone(namespace, type, ""),
        eventType: EventType.BOOTSTRAPPED,
        bookmark: encodeBookmark(from - 1),
      }),
    );
  }
  if (bookmark !== undefined && tail > 0)
    throw cosiError("cannot use both TailEvents and StartFromBookmark options");
  if (tail > 0) {
    from = store.kindTailStart(namespace, type, tail);
  } else if (bookmark !== undefined) {
    const pos = decodeBookmark(bookmark);
    if (pos === undefined || !store.bookmarkValid(namespace, type, pos)) {
      throw new StatusError(grpc.status.FAILED_PRECONDITION, INVALID_BOOKMARK);
    }
    from = pos + 1;
  }
  if (options?.bootstrapBookmark) {
    initial.push(
      create(EventSchema, {
        resource: tombstone(namespace, type, ""),
        eventType: EventType.NOOP,
        bookmark: encodeBookmark(from - 1),
      }),
    );
  }
  return { initial, from, deliver };
}

export function cosiHandlers(rt: NodeRuntime): HandlerEntry[] {
  const read = (caller: Caller, namespace: string, type: string): ResourceStore => {
    const store = rt.machine.store;
    checkAccess(store, caller.roles, namespace, type);
    return store;
  };

  return [
    unary(State.method.get, async (req, caller) => {
      const store = read(caller, req.namespace, req.type);
      const r = store.get(req.namespace, req.type, req.id);
      if (!r) throw notFound(`resource ${req.type}(${req.namespace}/${req.id}@undefined) doesn't exist`);
      return create(GetResponseSchema, { resource: toWireResource(r) });
    }),

    serverStream(State.method.list, async (req, caller, send) => {
      const store = read(caller, req.namespace, req.type);
      const labels = req.options?.labelQuery ?? [];
      checkLabelQueries(labels);
      const ids = idFilter(req.options?.idQuery?.regexp);
      for (const r of store.list(req.namespace, req.type)) {
        if (!ids(r.id) || !labelsMatch(labels, r.labels)) continue;
        await send(create(ListResponseSchema, { resource: toWireResource(r) }));
      }
    }),

    serverStream(State.method.watch, async (req, caller, send) => {
      const machine = rt.machine;
      const store = read(caller, req.namespace, req.type);
      const signal = callSignal(caller, machine);
      const options = req.options;
      const id = req.id;
      if (id !== undefined) {
        if (options?.bootstrapContents) {
          throw unimplemented("bootstrap contents is not implemented for resource watch");
        }
        if ((options?.labelQuery.length ?? 0) > 0) {
          throw unimplemented("label query is not implemented for resource watch");
        }
      }
      // Subscribing and reading the stored events happen in one turn: nothing falls in between.
      const queue = new EventQueue<StoreEvent>();
      const unsubscribe = store.watch({ namespace: req.namespace, type: req.type }, (e) => queue.push(e));
      try {
        const plan = id === undefined ? planKindWatch(store, req) : planResourceWatch(store, req, id);
        const replay = store.eventsFrom(req.namespace, req.type, plan.from);
        // Clients older than API version 1 get neither BOOTSTRAPPED nor ERRORED events.
        const legacy = req.apiVersion < 1;
        const initial = legacy
          ? plan.initial.filter((e) => e.eventType !== EventType.BOOTSTRAPPED)
          : plan.initial;
        await send(create(WatchResponseSchema, {}));
        if (options?.aggregated && initial.length > 0) {
          await send(create(WatchResponseSchema, { event: initial }));
        } else {
          for (const e of initial) await send(create(WatchResponseSchema, { event: [e] }));
        }
        const deliver = async (e: StoreEvent): Promise<boolean> => {
          const capacity = store.capacity(req.namespace, req.type);
          const writePos = store.position(req.namespace, req.type);
          if (writePos - e.position > capacity) {
            if (!legacy) {
              const error = `buffer overrun: namespace "${req.namespace}" type "${req.type}", write pos ${writePos}, pos ${e.position}, capacity ${capacity}`;
              await send(
                create(WatchResponseSchema, {
                  event: [create(EventSchema, { eventType: EventType.ERRORED, error })],
                }),
              );
            }
            return false;
          }
          const out = plan.deliver(e);
          if (out) await send(create(WatchResponseSchema, { event: [out] }));
          return true;
        };
        let next = plan.from;
        for (const e of replay) {
          if (!(await deliver(e))) return;
          next = e.position + 1;
        }
        while (!signal.aborted) {
          const e = await queue.take(signal);
          if (!e) break;
          if (e.position < next) continue;
          if (!(await deliver(e))) return;
        }
      } finally {
        unsubscribe();
      }
    }),

    ...cosiWriteHandlers(read),
  ];
}
