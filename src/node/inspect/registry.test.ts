import { describe, expect, it } from "vitest";
import {
  ControllerRegistry,
  dependencyEdges,
  runningControllers,
  talosControllerDependencies,
} from "./registry.js";

describe("the controller registry", () => {
  it("knows a Talos controller's declared inputs and outputs", () => {
    expect(talosControllerDependencies("block.DisksController")).toEqual({
      name: "block.DisksController",
      inputs: [
        { namespace: "runtime", type: "BlockDevices.block.talos.dev", kind: "weak" },
        { namespace: "runtime", type: "BlockSymlinks.block.talos.dev", kind: "weak" },
      ],
      outputs: [{ type: "Disks.block.talos.dev", kind: "exclusive" }],
    });
    const merge = talosControllerDependencies("HostnameMergeControllers.net.talos.dev");
    expect(merge?.outputs).toEqual([{ type: "HostnameSpecs.net.talos.dev", kind: "shared" }]);
    expect(talosControllerDependencies("nope.Controller")).toBeUndefined();
  });

  it("registers by Talos name or with explicit dependencies, and refuses an unknown name alone", () => {
    const r = new ControllerRegistry();
    r.register("v1alpha1.ServiceController");
    r.register({ name: "emulated.Thing", inputs: [], outputs: [{ type: "X.y", kind: "shared" }] });
    expect(r.list().map((c) => c.name)).toEqual(["v1alpha1.ServiceController", "emulated.Thing"]);
    expect(() => r.register("nope.Controller")).toThrow(/unknown Talos controller "nope.Controller"/);
  });

  it("adds the owners of resources that are Talos controllers", () => {
    const r = new ControllerRegistry();
    r.register({ name: "emulated.Thing", inputs: [], outputs: [] });
    const names = runningControllers(r, [
      "",
      "block.DisksController",
      "not-a-controller",
      "emulated.Thing",
    ]).map((c) => c.name);
    expect(names).toEqual(["emulated.Thing", "block.DisksController"]);
  });

  it("orders the edges as COSI exports them: exclusive outputs, shared outputs, then inputs by controller", () => {
    const edges = dependencyEdges([
      {
        name: "b",
        inputs: [
          { namespace: "runtime", type: "Z", kind: "destroy-ready" },
          { namespace: "config", type: "A", id: "v1alpha1", kind: "strong" },
        ],
        outputs: [{ type: "S", kind: "shared" }],
      },
      {
        name: "a",
        inputs: [{ namespace: "runtime", type: "Y", kind: "weak" }],
        outputs: [{ type: "X", kind: "exclusive" }],
      },
    ]);
    expect(edges.map((e) => `${e.edge} ${e.controller} ${e.namespace}/${e.type}/${e.id}`)).toEqual([
      "output-exclusive a /X/",
      "output-shared b /S/",
      "input-weak a runtime/Y/",
      "input-strong b config/A/v1alpha1",
      "input-destroy-ready b runtime/Z/",
    ]);
  });
});
