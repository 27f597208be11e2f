// The COSI State service behind Talos's access filter (siderolabs/talos:
// internal/app/resources/access.go): reads of registered, non-sensitive types (sensitive ones for
// os:admin only), list filters, watches with bootstrap contents and a BOOTSTRAPPED marker; every
// write is refused.
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
  WatchResponseSchema,
  type Event as WireEvent,
} from "../../gen/cosi/resource/state_pb.js";
import { type Caller, Role } from "../api/index.js";
import { StatusError } from "../errors.js";
import {
  type Resource,
  type ResourceStore,
  type StoreEvent,
  tombstone,
  toWireResource,
} from "../machine/index.js";
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

export const WRITE_NOT_ALLOWED = "write access is not allowed";

/** The per-type access filter: the kind may be read by these roles in this namespace. */
export function checkAccess(
  store: ResourceStore,
  roles: readonly string[],
  namespace: string,
  type: string,
): void {
  const kind = store.kindOf(type);
  if (!kind) throw permissionDenied(`resource type "${type}" is not supported`);
  if (kind.definition.sensitive && !roles.includes(Role.Admin)) throw permissionDenied("not authorized");
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
      throw invalidArgument(`unsupported label query operator: ${String(term.op)}`);
  }
  return term.invert ? !result : result;
}

/** All terms of a query must hold; with several queries any one of them may hold. */
function labelsMatch(queries: readonly LabelQuery[], labels: Readonly<Record<string, string>>): boolean {
  if (queries.length === 0) return true;
  return queries.some((q) => q.terms.every((t) => termMatches(t, labels)));
}

function idFilter(regexp: string | undefined): (id: string) => boolean {
  if (!regexp) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(regexp);
  } catch (err) {
    throw invalidArgument(`invalid id query: ${errorMessage(err)}`);
  }
  return (id) => re.test(id);
}

function wireEvent(e: StoreEvent): WireEvent {
  const type =
    e.type === "created" ? EventType.CREATED : e.type === "updated" ? EventType.UPDATED : EventType.DESTROYED;
  return create(EventSchema, {
    resource: toWireResource(e.resource),
    eventType: type,
    ...(e.old ? { old: toWireResource(e.old) } : {}),
  });
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

function refuseWrite(): never {
  throw new StatusError(grpc.status.PERMISSION_DENIED, WRITE_NOT_ALLOWED);
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
      const labels = options?.labelQuery ?? [];
      const ids = idFilter(options?.idQuery?.regexp);
      const single = req.id !== undefined;
      if (single && (options?.bootstrapContents || labels.length > 0)) {
        throw unimplemented(
          "bootstrap contents and label queries are not supported for a single resource watch",
        );
      }
      if (options?.startFromBookmark !== undefined) {
        throw new StatusError(grpc.status.FAILED_PRECONDITION, "invalid bookmark");
      }
      const wanted = (r: Resource): boolean => single || (ids(r.id) && labelsMatch(labels, r.labels));
      const filter = { namespace: req.namespace, type: req.type, ...(single ? { id: req.id } : {}) };

      // Subscribe before reading the current state so no change falls in between.
      const queue = new EventQueue<StoreEvent>();
      const unsubscribe = store.watch(filter, (e) => {
        if (wanted(e.resource)) queue.push(e);
      });
      // The current state is read right after subscribing, before anything can change it.
      const tail = options?.tailEvents ?? 0;
      const past =
        tail > 0
          ? store
              .history(filter)
              .filter((e) => wanted(e.resource))
              .slice(-tail)
          : [];
      const initial: WireEvent[] = [];
      if (single) {
        const current = store.get(req.namespace, req.type, req.id!);
        initial.push(
          current
            ? create(EventSchema, { resource: toWireResource(current), eventType: EventType.CREATED })
            : create(EventSchema, {
                resource: tombstone(req.namespace, req.type, req.id!),
                eventType: EventType.DESTROYED,
              }),
        );
      } else if (options?.bootstrapContents) {
        for (const r of store.list(req.namespace, req.type).filter(wanted)) {
          initial.push(create(EventSchema, { resource: toWireResource(r), eventType: EventType.CREATED }));
        }
        if (req.apiVersion >= 1) {
          initial.push(
            create(EventSchema, {
              resource: tombstone(req.namespace, req.type, ""),
              eventType: EventType.BOOTSTRAPPED,
            }),
          );
        }
      }
      try {
        await send(create(WatchResponseSchema, {}));
        for (const e of past) await send(create(WatchResponseSchema, { event: [wireEvent(e)] }));
        if (options?.aggregated && initial.length > 0) {
          await send(create(WatchResponseSchema, { event: initial }));
        } else {
          for (const e of initial) await send(create(WatchResponseSchema, { event: [e] }));
        }
        while (!signal.aborted) {
          const e = await queue.take(signal);
          if (!e) break;
          await send(create(WatchResponseSchema, { event: [wireEvent(e)] }));
        }
      } finally {
        unsubscribe();
      }
    }),

    unary(State.method.create, async () => refuseWrite()),
    unary(State.method.update, async () => refuseWrite()),
    unary(State.method.destroy, async () => refuseWrite()),
    unary(State.method.teardown, async () => refuseWrite()),
    unary(State.method.teardownAndDestroy, async () => refuseWrite()),
  ];
}
