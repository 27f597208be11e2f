import { describe, expect, test } from "vitest";
import { MergeError, mergeDocumentData } from "./merge.js";
import { type FieldFacts, type ShapeSource, UNKNOWN_FIELD } from "./shape.js";

/** Field facts from a small table keyed by `a.b[].c` patterns. */
function table(entries: Record<string, Partial<FieldFacts>>): ShapeSource {
  return {
    field(_kind, path) {
      let key = "";
      for (const p of path) key += typeof p === "number" ? "[]" : key === "" ? p : `.${p}`;
      const e = entries[key];
      return e === undefined ? UNKNOWN_FIELD : { ...UNKNOWN_FIELD, ...e };
    },
  };
}

const shapes = table({
  name: { type: "string" },
  mtu: { type: "int" },
  ptrInt: { type: "int", pointer: true },
  ptrStr: { type: "string", pointer: true },
  enabled: { type: "bool", pointer: true },
  readonly: { type: "bool" },
  install: { type: "object", pointer: true },
  "install.disk": { type: "string" },
  "install.wipe": { type: "bool" },
  sans: { type: "array" },
  subnets: { type: "array", mergeReplace: true },
  labels: { type: "map" },
  "labels.*": { type: "string" },
  policy: { type: "unstructured", mergeReplace: true },
  extra: { type: "unstructured" },
  args: { type: "map", args: true },
  endpoint: { type: "string", url: true },
  cidr: { type: "string", atomic: "when-set" },
  size: { type: "string", atomic: "always" },
  links: { type: "array", keyedBy: { keys: ["interface", "selector"], onMatch: "merge" } },
  "links[]": { type: "object" },
  "links[].interface": { type: "string" },
  "links[].mtu": { type: "int" },
  "links[].addresses": { type: "array" },
  "links[].selector": { type: "object" },
  rules: { type: "array", keyedBy: { keys: ["pattern"], onMatch: "replace" } },
  mirrors: { type: "map" },
  "mirrors.*": { type: "object" },
});

const merge = (left: Record<string, unknown>, right: Record<string, unknown>) =>
  mergeDocumentData(left, right, { kind: "test", shapes });

describe("scalars", () => {
  test("a set value replaces, a zero value keeps the config's", () => {
    expect(merge({ name: "a", mtu: 1500 }, { name: "b", mtu: 9000 })).toEqual({ name: "b", mtu: 9000 });
    expect(merge({ name: "a", mtu: 1500 }, { name: "", mtu: 0 })).toEqual({ name: "a", mtu: 1500 });
  });
  test("a pointer scalar takes a zero too", () => {
    expect(merge({ ptrInt: 5, ptrStr: "x" }, { ptrInt: 0, ptrStr: "" })).toEqual({ ptrInt: 0, ptrStr: "" });
  });
  test("bools are always replaced, pointer or not", () => {
    expect(merge({ enabled: true, readonly: true }, { enabled: false, readonly: false })).toEqual({
      enabled: false,
      readonly: false,
    });
  });
  test("null in the patch keeps the config's value", () => {
    expect(merge({ name: "a", install: { disk: "/dev/sda" } }, { name: null, install: null })).toEqual({
      name: "a",
      install: { disk: "/dev/sda" },
    });
  });
  test("a key the config lacks is added", () => {
    expect(merge({}, { name: "b" })).toEqual({ name: "b" });
  });
});

describe("structs", () => {
  test("merged field by field", () => {
    expect(merge({ install: { disk: "/dev/sda", wipe: true } }, { install: { wipe: false } })).toEqual({
      install: { disk: "/dev/sda", wipe: false },
    });
  });
  test("an absent struct takes the patch's", () => {
    expect(merge({}, { install: { disk: "/dev/sdb" } })).toEqual({ install: { disk: "/dev/sdb" } });
  });
});

describe("lists", () => {
  test("append, no de-duplication", () => {
    expect(merge({ sans: ["a", "b"] }, { sans: ["b", "c"] })).toEqual({ sans: ["a", "b", "b", "c"] });
  });
  test("[] onto a list changes nothing, onto nothing gives []", () => {
    expect(merge({ sans: ["a"] }, { sans: [] })).toEqual({ sans: ["a"] });
    expect(merge({}, { sans: [] })).toEqual({ sans: [] });
  });
  test('merge:"replace" lists are replaced, [] included', () => {
    expect(merge({ subnets: ["10.0.0.0/8"] }, { subnets: ["192.168.0.0/16"] })).toEqual({
      subnets: ["192.168.0.0/16"],
    });
    expect(merge({ subnets: ["10.0.0.0/8"] }, { subnets: [] })).toEqual({ subnets: [] });
  });
});

describe("maps", () => {
  test("per key; a zero value keeps the existing one", () => {
    expect(merge({ labels: { a: "1", b: "2" } }, { labels: { b: "", c: "3" } })).toEqual({
      labels: { a: "1", b: "2", c: "3" },
    });
  });
  test("a new key takes the patch value even when zero", () => {
    expect(merge({ labels: { a: "1" } }, { labels: { z: "" } })).toEqual({ labels: { a: "1", z: "" } });
  });
  test("map values that are structs merge", () => {
    expect(
      merge(
        { mirrors: { "docker.io": { endpoints: ["a"] } } },
        { mirrors: { "docker.io": { endpoints: ["b"] } } },
      ),
    ).toEqual({ mirrors: { "docker.io": { endpoints: ["a", "b"] } } });
  });
});

describe("free-form objects", () => {
  test("deep merge with list append", () => {
    const left = { extra: { a: { list: [1], keep: "x" }, s: "v" } };
    const right = { extra: { a: { list: [2] }, s: "w", n: null } };
    expect(merge(left, right)).toEqual({ extra: { a: { list: [1, 2], keep: "x" }, s: "w", n: null } });
  });
  test("a type change is an error naming Go's types and the path", () => {
    let err: unknown;
    try {
      merge({ extra: { a: { b: "text" } } }, { extra: { a: { b: [1] } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MergeError);
    expect((err as MergeError).message).toBe("merge type mismatch left string right []interface {}");
    expect((err as MergeError).path).toEqual(["extra", "a", "b"]);
    expect((err as MergeError).code).toBe("invalid");
  });
  test('merge:"replace": replaced whole, {} empties it', () => {
    expect(merge({ policy: { rules: [1], kind: "P" } }, { policy: { rules: [2] } })).toEqual({
      policy: { rules: [2] },
    });
    expect(merge({ policy: { rules: [1] } }, { policy: {} })).toEqual({ policy: {} });
  });
});

describe("custom mergers (keyed lists, meta.Args, atomic values)", () => {
  test("extraArgs: per-key replace, lists replace whole, {} is a no-op", () => {
    const left = { args: { a: "1", b: ["x", "y"] } };
    expect(merge(left, { args: { b: ["z"], c: "3" } })).toEqual({ args: { a: "1", b: ["z"], c: "3" } });
    expect(merge(left, { args: {} })).toEqual(left);
  });
  test("URLs merge component by component", () => {
    expect(merge({ endpoint: "https://127.0.0.1:6643/" }, { endpoint: "https://10.0.0.1" })).toEqual({
      endpoint: "https://10.0.0.1/",
    });
  });
  test("atomic values: replaced when set, kept when the patch omits or zeroes them", () => {
    expect(merge({ cidr: "10.0.0.0/8", size: "1GB" }, { cidr: "10.1.0.0/16", size: "2GB" })).toEqual({
      cidr: "10.1.0.0/16",
      size: "2GB",
    });
    expect(merge({ cidr: "10.0.0.0/8", size: "1GB" }, { cidr: "" })).toEqual({
      cidr: "10.0.0.0/8",
      size: "1GB",
    });
  });
  test("keyed list: matched by the first key the patch item sets, merged deep", () => {
    const left = {
      links: [
        { interface: "eth0", mtu: 1500, addresses: ["10.0.0.2/24"] },
        { selector: { busPath: "0*" }, mtu: 1500 },
      ],
    };
    const right = {
      links: [
        { interface: "eth0", mtu: 9000, addresses: ["10.0.0.3/24"] },
        { selector: { busPath: "0*" }, mtu: 1400 },
        { interface: "eth1", mtu: 1280 },
      ],
    };
    expect(merge(left, right)).toEqual({
      links: [
        { interface: "eth0", mtu: 9000, addresses: ["10.0.0.2/24", "10.0.0.3/24"] },
        { selector: { busPath: "0*" }, mtu: 1400 },
        { interface: "eth1", mtu: 1280 },
      ],
    });
  });
  test("keyed list with replace: a matched item is replaced wholesale", () => {
    const left = {
      rules: [
        { pattern: "a/*", keyless: {} },
        { pattern: "b/*", x: 1 },
      ],
    };
    expect(merge(left, { rules: [{ pattern: "a/*", deny: true }] })).toEqual({
      rules: [
        { pattern: "a/*", deny: true },
        { pattern: "b/*", x: 1 },
      ],
    });
  });
});

describe("fields nobody describes", () => {
  test("merged by what the values look like", () => {
    expect(merge({ u: { a: [1], s: "x", b: true } }, { u: { a: [2], s: "", b: false } })).toEqual({
      u: { a: [1, 2], s: "x", b: false },
    });
  });
});

test("the inputs are not modified", () => {
  const left = { sans: ["a"], install: { disk: "x" } };
  const right = { sans: ["b"], install: { disk: "y" } };
  merge(left, right);
  expect(left).toEqual({ sans: ["a"], install: { disk: "x" } });
  expect(right).toEqual({ sans: ["b"], install: { disk: "y" } });
});
