import { describe, expect, it } from "vitest";
import { deepEqual, isEmptyConfig, sameConfigData } from "./config-text.js";

describe("sameConfigData", () => {
  const base =
    "version: v1alpha1\nmachine:\n    type: worker\n    token: abc\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: n1\n";

  it("ignores comments, whitespace, quoting and key order", () => {
    const same =
      "# header\nversion: 'v1alpha1'  # c\nmachine:\n  token: abc\n  type: \"worker\"\n\n---\nkind: HostnameConfig\napiVersion: v1alpha1\nhostname: n1\n---\n";
    expect(sameConfigData(base, same)).toBe(true);
  });

  it("sees changed values, added keys and reordered documents", () => {
    expect(sameConfigData(base, base.replace("worker", "controlplane"))).toBe(false);
    expect(sameConfigData(base, base.replace("token: abc", "token: abc\n    nodeLabels: {a: b}"))).toBe(
      false,
    );
    const [a, b] = base.split("---\n");
    expect(sameConfigData(base, `${b}---\n${a}`)).toBe(false);
  });

  it("refuses duplicate keys instead of hiding an edit behind them", () => {
    expect(() => sameConfigData(base, base.replace("token: abc", "token: abc\n    token: xyz"))).toThrow();
  });
});

describe("helpers", () => {
  it("knows an empty file", () => {
    expect(isEmptyConfig("# only\n\n   # comments\n")).toBe(true);
    expect(isEmptyConfig("# c\nmachine: {}\n")).toBe(false);
  });

  it("compares deeply", () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual(Number.NaN, Number.NaN)).toBe(true);
  });
});
