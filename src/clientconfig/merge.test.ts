import { describe, expect, it } from "vitest";
import { formatRename, mergeClientConfig } from "./merge.js";
import { emptyClientConfig } from "./model.js";

function config(current: string, ...names: string[]) {
  const c = emptyClientConfig();
  c.context = current;
  for (const n of names) c.contexts[n] = { endpoints: [`${n}.example`] };
  return c;
}

describe("mergeClientConfig", () => {
  it("renames clashing contexts to the first free <name>-<n> and follows the incoming current", () => {
    const into = config("a", "a", "a-1", "b");
    const from = config("a", "a", "c");
    const renames = mergeClientConfig(into, from);
    expect(renames).toEqual([{ from: "a", to: "a-2" }]);
    expect(Object.keys(into.contexts).sort()).toEqual(["a", "a-1", "a-2", "b", "c"]);
    expect(into.context).toBe("a-2");
    expect(into.contexts["a-2"]).toEqual({ endpoints: ["a.example"] });
    expect(into.contexts.a).toEqual({ endpoints: ["a.example"] });
  });

  it("keeps the current context when the incoming file has none or names a missing one", () => {
    const into = config("x", "x");
    mergeClientConfig(into, config("", "y"));
    expect(into.context).toBe("x");
    mergeClientConfig(into, config("ghost", "z"));
    expect(into.context).toBe("x");
  });

  it("does not share objects with the incoming config", () => {
    const into = config("", "x");
    const from = config("y", "y");
    mergeClientConfig(into, from);
    from.contexts.y!.endpoints.push("changed");
    expect(into.contexts.y!.endpoints).toEqual(["y.example"]);
  });

  it("formats renames as talosctl prints them", () => {
    expect(formatRename({ from: "a", to: "a-1" })).toBe('"a" -> "a-1"');
  });
});
