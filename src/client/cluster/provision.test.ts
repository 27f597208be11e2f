import { describe, expect, it } from "vitest";
import { checkClusterName, EMULATE_THRESHOLD, planAddresses, useEmulation } from "./provision.js";

describe("planAddresses", () => {
  it("puts the gateway at .1 and the nodes from .2 on", () => {
    expect(planAddresses("127.5.0.0/24", 3)).toEqual({
      gateway: "127.5.0.1",
      nodes: ["127.5.0.2", "127.5.0.3", "127.5.0.4"],
    });
    expect(planAddresses("127.5.0.77/24", 1).nodes).toEqual(["127.5.0.2"]);
  });

  it("refuses networks that are malformed, too small or not loopback", () => {
    expect(() => planAddresses("127.5.0/24", 1)).toThrow('--cidr "127.5.0/24": expected an IPv4 network');
    expect(() => planAddresses("127.5.0.0/30", 2)).toThrow(
      "--cidr 127.5.0.0/30: room for 1 nodes, 2 requested",
    );
    expect(() => planAddresses("10.5.0.0/24", 1)).toThrow("use a network inside 127.0.0.0/8");
    expect(() => planAddresses("127.5.300.0/24", 1)).toThrow("expected an IPv4 network");
  });
});

describe("checkClusterName", () => {
  it("accepts DNS labels only", () => {
    expect(() => checkClusterName("talos-default")).not.toThrow();
    expect(() => checkClusterName("Bad_Name")).toThrow('--name "Bad_Name": expected a DNS label');
    expect(() => checkClusterName("")).toThrow("expected a DNS label");
  });
});

describe("useEmulation", () => {
  it("follows --emulate when given, else emulates only above the threshold", () => {
    expect(EMULATE_THRESHOLD).toBe(16);
    expect(useEmulation(undefined, EMULATE_THRESHOLD)).toBe(false);
    expect(useEmulation(undefined, EMULATE_THRESHOLD + 1)).toBe(true);
    expect(useEmulation(true, 2)).toBe(true);
    expect(useEmulation(false, 100)).toBe(false);
  });
});
