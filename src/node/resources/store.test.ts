// The resource state: meta resources, versions, watches, and COSI's per-collection history.
import { describe, expect, it } from "vitest";
import { ServiceSpecSchema } from "../../gen/resource/definitions/v1alpha1/v1alpha1_pb.js";
import { RESOURCE_DEFINITION_TYPE } from "../../wire/index.js";
import { createClock } from "../clock.js";
import { CATALOGUE, NAMESPACES } from "./catalogue.js";
import { messageKind, spec } from "./kinds.js";
import {
  decodeBookmark,
  encodeBookmark,
  HISTORY_GAP,
  ResourceStore,
  type StoreEvent,
  sameValue,
} from "./store.js";

const SERVICE = messageKind("Services.v1alpha1.talos.dev", ServiceSpecSchema);
const TYPE = SERVICE.definition.type;
const up = spec(ServiceSpecSchema, { running: true, healthy: true, unknown: false });

describe("resource store", () => {
  it("registers every namespace and catalogue type as meta resources", () => {
    const s = ResourceStore.forNode(createClock());
    for (const ns of NAMESPACES) expect(s.hasNamespace(ns), ns).toBe(true);
    expect(s.list("meta", RESOURCE_DEFINITION_TYPE)).toHaveLength(CATALOGUE.length);
    expect(s.kindOf(TYPE)).toBe(SERVICE);
    // The access filter finds definitions whatever the type's case.
    expect(s.definitionOf("services.v1alpha1.talos.dev")?.type).toBe(TYPE);
  });

  it("bumps versions on change only and keeps the created time", () => {
    const s = ResourceStore.forNode(createClock());
    const a = s.set(SERVICE, "runtime", "apid", spec(ServiceSpecSchema, { unknown: true }));
    const b = s.set(SERVICE, "runtime", "apid", up);
    const c = s.set(SERVICE, "runtime", "apid", spec(ServiceSpecSchema, { running: true, healthy: true }));
    expect([a.version, b.version, c.version]).toEqual([1, 2, 2]);
    expect(b.created).toBe(a.created);
    const d = s.set(SERVICE, "runtime", "apid", up, { labels: { a: "b" } });
    expect(d.version).toBe(3);
  });

  it("tells watchers of one type or one id, in order", () => {
    const s = ResourceStore.forNode(createClock());
    const kind: StoreEvent[] = [];
    const one: StoreEvent[] = [];
    const stop = s.watch({ namespace: "runtime", type: TYPE }, (e) => kind.push(e));
    s.watch({ namespace: "runtime", type: TYPE, id: "etcd" }, (e) => one.push(e));
    s.set(SERVICE, "runtime", "apid", up);
    s.set(SERVICE, "runtime", "etcd", up);
    s.set(SERVICE, "runtime", "etcd", spec(ServiceSpecSchema, { running: true }));
    s.remove("runtime", TYPE, "etcd");
    stop();
    s.set(SERVICE, "runtime", "kubelet", up);
    expect(kind.map((e) => `${e.type}:${e.resource.id}@${e.position}`)).toEqual([
      "created:apid@0",
      "created:etcd@1",
      "updated:etcd@2",
      "destroyed:etcd@3",
    ]);
    expect(one.map((e) => e.type)).toEqual(["created", "updated", "destroyed"]);
    expect(one[1]!.old?.version).toBe(1);
  });

  it("lists a collection sorted by id, current through creates, updates and removes", () => {
    const s = ResourceStore.forNode(createClock());
    const ids = () => s.list("runtime", TYPE).map((r) => `${r.id}:${r.version}`);
    for (const id of ["m", "c", "x", "a"]) s.set(SERVICE, "runtime", id, up);
    expect(ids()).toEqual(["a:1", "c:1", "m:1", "x:1"]);
    s.set(SERVICE, "runtime", "m", spec(ServiceSpecSchema, { running: false }));
    expect(ids()).toEqual(["a:1", "c:1", "m:2", "x:1"]);
    const listed = s.list("runtime", TYPE);
    listed.pop();
    s.remove("runtime", TYPE, "c");
    s.set(SERVICE, "runtime", "b", up);
    s.set(SERVICE, "runtime", "a", spec(ServiceSpecSchema, { running: false }));
    expect(ids()).toEqual(["a:2", "b:1", "m:2", "x:1"]);
    expect(s.list("runtime", TYPE).map((r) => r.spec)).toEqual([
      s.get("runtime", TYPE, "a")?.spec,
      up,
      s.get("runtime", TYPE, "m")?.spec,
      up,
    ]);
  });

  it("keeps a ring per collection that grows from 8 to 1024 events, for tails and bookmarks", () => {
    const s = ResourceStore.forNode(createClock());
    for (let i = 0; i < 10; i++) s.set(SERVICE, "runtime", `s${i}`, up);
    expect(s.capacity("runtime", TYPE)).toBe(16);
    expect(s.position("runtime", TYPE)).toBe(10);
    // A kind tail goes back that many events, at most what the ring keeps beyond its gap.
    expect(s.kindTailStart("runtime", TYPE, 3)).toBe(7);
    expect(s.kindTailStart("runtime", TYPE, 100)).toBe(0);
    // A resource tail counts that resource's events only.
    s.set(SERVICE, "runtime", "s1", spec(ServiceSpecSchema, { running: true }));
    expect(s.resourceTailStart("runtime", TYPE, "s1", 2)).toBe(1);
    expect(s.eventsFrom("runtime", TYPE, 9).map((e) => e.resource.id)).toEqual(["s9", "s1"]);
    for (let i = 0; i < 19; i++) s.set(SERVICE, "runtime", `t${i}`, up);
    expect([s.position("runtime", TYPE), s.capacity("runtime", TYPE)]).toEqual([30, 32]);
    expect(s.kindTailStart("runtime", TYPE, 100)).toBe(30 - (32 - HISTORY_GAP));
    for (let i = 0; i < 2000; i++)
      s.set(SERVICE, "runtime", "busy", spec(ServiceSpecSchema, { healthy: i % 2 === 0 }));
    expect(s.capacity("runtime", TYPE)).toBe(1024);
    expect(s.bookmarkValid("runtime", TYPE, 3)).toBe(false);
    expect(s.bookmarkValid("runtime", TYPE, s.position("runtime", TYPE) - 1)).toBe(true);
    expect(decodeBookmark(encodeBookmark(42))).toBe(42);
    expect(decodeBookmark(new Uint8Array(16))).toBeUndefined();
  });
});

describe("spec comparison", () => {
  it("compares spec data deeply, an undefined field as a missing one", () => {
    expect(sameValue({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: 0 })).toBe(false);
    expect(sameValue({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameValue({ a: new Uint8Array([1, 2]) }, { a: new Uint8Array([1, 2]) })).toBe(true);
    expect(sameValue({ a: new Uint8Array([1, 2]) }, { a: new Uint8Array([1, 3]) })).toBe(false);
    expect(sameValue({ a: 1n }, { a: 1n })).toBe(true);
    expect(sameValue({ a: 1n }, { a: 2n })).toBe(false);
    expect(sameValue({ a: new Date(5) }, { a: new Date(5) })).toBe(true);
    expect(sameValue({ a: new Date(5) }, { a: new Date(6) })).toBe(false);
    expect(sameValue([], {})).toBe(false);
    expect(sameValue({ a: null }, { a: undefined })).toBe(false);
  });

  it("does not bump a resource set again with an equal spec built anew", () => {
    const store = ResourceStore.forNode(createClock());
    const a = store.set(SERVICE, "runtime", "x", spec(ServiceSpecSchema, { running: true, healthy: true }));
    const b = store.set(SERVICE, "runtime", "x", spec(ServiceSpecSchema, { running: true, healthy: true }));
    expect(b).toBe(a);
    const c = store.set(SERVICE, "runtime", "x", spec(ServiceSpecSchema, { running: true, healthy: false }));
    expect(c.version).toBe(a.version + 1);
  });
});
