// The resource store: meta resources, versions, watches and their history.
import { describe, expect, it } from "vitest";
import { RESOURCE_DEFINITION_TYPE } from "../../../wire/index.js";
import { createClock } from "../../clock.js";
import { definitionKind, NS, namespaceKind, serviceKind } from "./kinds.js";
import { ResourceStore, type StoreEvent } from "./store.js";

function store(): ResourceStore {
  const s = new ResourceStore(createClock(), { namespace: namespaceKind, definition: definitionKind });
  s.registerNamespace(NS.runtime, "runtime");
  s.registerKind(serviceKind);
  return s;
}

const up = { running: true, healthy: true, unknown: false };

describe("resource store", () => {
  it("registers definitions and namespaces as meta resources", () => {
    const s = store();
    expect(s.hasNamespace("runtime")).toBe(true);
    expect(s.hasNamespace("secrets")).toBe(false);
    expect(s.get("meta", RESOURCE_DEFINITION_TYPE, "services.v1alpha1.talos.dev")?.spec).toMatchObject({
      displayType: "Service",
    });
    expect(s.kindOf("Services.v1alpha1.talos.dev")).toBe(serviceKind);
  });

  it("bumps versions on change only and keeps created time", () => {
    const s = store();
    const a = s.set(serviceKind, "runtime", "apid", { running: false, healthy: false, unknown: true });
    const b = s.set(serviceKind, "runtime", "apid", up);
    const c = s.set(serviceKind, "runtime", "apid", { ...up });
    expect([a.version, b.version, c.version]).toEqual([1, 2, 2]);
    expect(b.created).toBe(a.created);
    expect(s.list("runtime", "Services.v1alpha1.talos.dev").map((r) => r.id)).toEqual(["apid"]);
  });

  it("tells watchers of one type or one id and remembers history", () => {
    const s = store();
    const kind: StoreEvent[] = [];
    const one: StoreEvent[] = [];
    const stop = s.watch({ namespace: "runtime", type: "Services.v1alpha1.talos.dev" }, (e) => kind.push(e));
    s.watch({ namespace: "runtime", type: "Services.v1alpha1.talos.dev", id: "etcd" }, (e) => one.push(e));
    s.set(serviceKind, "runtime", "apid", up);
    s.set(serviceKind, "runtime", "etcd", up);
    s.set(serviceKind, "runtime", "etcd", { ...up, healthy: false });
    s.remove("runtime", "Services.v1alpha1.talos.dev", "etcd");
    stop();
    s.set(serviceKind, "runtime", "kubelet", up);
    expect(kind.map((e) => `${e.type}:${e.resource.id}`)).toEqual([
      "created:apid",
      "created:etcd",
      "updated:etcd",
      "destroyed:etcd",
    ]);
    expect(one.map((e) => e.type)).toEqual(["created", "updated", "destroyed"]);
    expect(one[1]!.old?.version).toBe(1);
    expect(s.history({ namespace: "runtime", type: "Services.v1alpha1.talos.dev", id: "etcd" })).toHaveLength(
      3,
    );
  });
});
