// The controller runtime: runs on input changes and on changes of what a controller reads,
// writes what a run declares (owned, versions bumped only on change) and destroys the rest.
import { describe, expect, it } from "vitest";
import { VersionSpecSchema } from "../../gen/resource/definitions/runtime/runtime_pb.js";
import { createClock } from "../clock.js";
import { type Controller, ControllerRuntime } from "./controller.js";
import { messageKind, spec } from "./kinds.js";
import { ResourceStore } from "./store.js";

const VERSION = messageKind("Versions.runtime.talos.dev", VersionSpecSchema);
const TYPE = VERSION.definition.type;

describe("controller runtime", () => {
  it("writes what a run declares, destroys what it no longer declares, and re-runs readers", () => {
    const store = ResourceStore.forNode(createClock());
    const source = { names: ["a", "b"] };
    let copies = 0;
    const producer: Controller<typeof source> = {
      name: "test.Producer",
      inputs: ["names"],
      run({ source: s, put }) {
        for (const n of s.names) put(VERSION, "runtime", n, spec(VersionSpecSchema, { version: n }));
      },
    };
    const reader: Controller<typeof source> = {
      name: "test.Reader",
      owner: "",
      inputs: [],
      reads: [{ namespace: "runtime", type: TYPE }],
      run({ list, put }) {
        copies++;
        const ids = list("runtime", TYPE)
          .filter((r) => r.owner === "test.Producer")
          .map((r) => r.id);
        put(VERSION, "runtime", "summary", spec(VersionSpecSchema, { name: ids.join(",") }));
      },
    };
    const rt = new ControllerRuntime(store, source, [producer, reader]);
    rt.start();
    expect(store.list("runtime", TYPE).map((r) => `${r.id}:${r.owner}:${r.version}`)).toEqual([
      "a:test.Producer:1",
      "b:test.Producer:1",
      "summary::1",
    ]);
    source.names = ["b", "c"];
    rt.changed("names");
    expect(store.list("runtime", TYPE).map((r) => `${r.id}:${r.version}`)).toEqual([
      "b:1",
      "c:1",
      "summary:2",
    ]);
    expect((store.get("runtime", TYPE, "summary")!.spec as { name: string }).name).toBe("b,c");
    // An input nobody reads runs nothing.
    const before = copies;
    rt.changed("other");
    expect(copies).toBe(before);
    rt.close();
    source.names = [];
    rt.changed("names");
    expect(store.list("runtime", TYPE)).toHaveLength(3);
  });

  it("keeps what a failing run had and reports it", () => {
    const store = ResourceStore.forNode(createClock());
    const lines: string[] = [];
    let fail = false;
    const flaky: Controller<null> = {
      name: "test.Flaky",
      inputs: ["x"],
      run({ put }) {
        if (fail) throw new Error("boom");
        put(VERSION, "runtime", "kept", spec(VersionSpecSchema, { version: "1" }));
      },
    };
    const rt = new ControllerRuntime(store, null, [flaky], (l) => lines.push(l));
    rt.start();
    fail = true;
    rt.changed("x");
    expect(store.get("runtime", TYPE, "kept")).toBeDefined();
    expect(lines).toEqual(["controller failed: test.Flaky: boom"]);
  });

  it("stops controllers that keep re-running each other", () => {
    const store = ResourceStore.forNode(createClock());
    let n = 0;
    const loop: Controller<null> = {
      name: "test.Loop",
      inputs: [],
      reads: [{ namespace: "runtime", type: TYPE }],
      run({ put }) {
        put(VERSION, "runtime", "loop", spec(VersionSpecSchema, { version: String(n++) }));
      },
    };
    expect(() => new ControllerRuntime(store, null, [loop]).start()).toThrow(
      "keep re-running each other: test.Loop",
    );
  });
});
