import { describe, expect, it } from "vitest";
import { parseBurst } from "./test-burst.js";

describe("parseBurst", () => {
  it.each([
    ["events:2000", { kind: "events", count: 2000 }],
    ["events:2000:500", { kind: "events", count: 2000, rate: 500 }],
    ["events:2000:500:wait", { kind: "events", count: 2000, rate: 500, wait: true }],
    ["log:etcd:100", { kind: "log", service: "etcd", count: 100 }],
    ["log:etcd:100:20:wait", { kind: "log", service: "etcd", count: 100, rate: 20, wait: true }],
  ])("reads %s", (text, spec) => {
    expect(parseBurst(text)).toEqual(spec);
  });

  it.each([
    "events:2000:wait",
    "log:etcd:100:wait",
    "events:0",
    "events:x:1",
    "log:Etcd:1",
    "wait",
    "events:1:2:3",
  ])("refuses %s", (text) => {
    expect(parseBurst(text)).toBeUndefined();
  });
});
