import { describe, expect, it } from "vitest";
import { RESOURCES } from "./resources.js";
import { checkFieldSelector, parseFieldSelector, parseLabelSelector } from "./selectors.js";
import { KubeStatusError } from "./status.js";

const labels = (l: Record<string, string>) => (k: string) => l[k];

describe("selectors", () => {
  it("parses every label selector form", () => {
    const sel = parseLabelSelector("app=web,tier!=db,env in (prod, staging),!legacy,owner,zone notin (a)");
    expect(sel.matches(labels({ app: "web", env: "prod", owner: "me" }))).toBe(true);
    expect(sel.matches(labels({ app: "web", env: "dev", owner: "me" }))).toBe(false);
    expect(sel.matches(labels({ app: "web", env: "prod", owner: "me", legacy: "" }))).toBe(false);
    expect(parseLabelSelector("a==b").matches(labels({ a: "b" }))).toBe(true);
    expect(parseLabelSelector("").matches(labels({}))).toBe(true);
  });

  it("refuses malformed selectors with 400", () => {
    for (const bad of ["a=b,", "a in", "bad key=1", "a=(b"]) {
      expect(() => parseLabelSelector(bad), bad).toThrow(KubeStatusError);
    }
    expect(() => parseFieldSelector("nonsense")).toThrow(KubeStatusError);
  });

  it("accepts only the field labels a kind supports", () => {
    const pods = RESOURCES.find((r) => r.kind === "Pod")!;
    expect(() =>
      checkFieldSelector(pods, parseFieldSelector("spec.nodeName=n1,status.phase!=Failed")),
    ).not.toThrow();
    expect(() => checkFieldSelector(pods, parseFieldSelector("spec.image=x"))).toThrow(
      "field label not supported: spec.image",
    );
  });
});
