// The metal platform's network config from META key 0x0a: what the machine takes from it, and
// the network resources that follow it (and fall back to Talos's defaults without it).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createClock } from "../clock.js";
import { Meta } from "../state/index.js";
import {
  followMetalNetworkConfig,
  type PlatformNetwork,
  parsePlatformNetwork,
  publishNetworkFacts,
} from "./platform-network.js";
import { definitionKind, NS, namespaceKind } from "./resources/kinds.js";
import { ResourceStore } from "./resources/store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const CONFIG = `addresses:
    - address: 10.9.0.5/24
      linkName: eth0
      family: inet4
      scope: global
      flags: permanent
      layer: platform
links: []
routes: []
hostnames:
    - hostname: net-a
      domainname: ""
      layer: platform
resolvers:
    - dnsServers:
        - 10.0.0.53
      layer: platform
timeServers:
    - timeServers:
        - pool.ntp.org
      layer: platform
operators: []
externalIPs: []
`;

function store(): ResourceStore {
  const s = new ResourceStore(createClock(), { namespace: namespaceKind, definition: definitionKind });
  for (const ns of [NS.network, NS.runtime]) s.registerNamespace(ns, "");
  return s;
}

function spec(s: ResourceStore, ns: string, type: string, id: string): unknown {
  return s.get(ns, type, id)?.spec;
}

describe("the platform network config", () => {
  it("reads the hostname, servers and static addresses", () => {
    expect(parsePlatformNetwork(CONFIG)).toEqual({
      hostname: "net-a",
      dnsServers: ["10.0.0.53"],
      timeServers: ["pool.ntp.org"],
      addresses: ["10.9.0.5/24"],
    });
    expect(parsePlatformNetwork("{}\n")).toEqual({ dnsServers: [], timeServers: [], addresses: [] });
    expect(() => parsePlatformNetwork("addresses: [\n")).toThrow(
      /^failed to unmarshal metal network config from META: /,
    );
  });

  it("feeds the resources, with Talos's defaults without one", () => {
    const s = store();
    const base = {
      store: s,
      addresses: ["127.0.0.5"],
      uuid: "0123abcd-0000-0000-0000-000000000000",
      platformName: "metal",
    };
    publishNetworkFacts({ ...base, platform: undefined });
    expect(spec(s, NS.network, "ResolverStatuses.net.talos.dev", "resolvers")).toEqual({
      dnsServers: ["1.1.1.1", "8.8.8.8"],
    });
    expect(spec(s, NS.network, "TimeServerStatuses.net.talos.dev", "timeservers")).toEqual({
      timeServers: ["time.cloudflare.com"],
    });
    expect(spec(s, NS.network, "NodeAddresses.net.talos.dev", "current")).toEqual({
      addresses: ["127.0.0.5/32"],
    });
    expect(spec(s, NS.runtime, "PlatformMetadatas.talos.dev", "platformmetadata")).toMatchObject({
      platform: "metal",
    });
    expect(s.list(NS.network, "LinkStatuses.net.talos.dev").map((r) => r.id)).toEqual(["eth0", "lo"]);

    publishNetworkFacts({ ...base, platform: parsePlatformNetwork(CONFIG) });
    expect(spec(s, NS.network, "ResolverStatuses.net.talos.dev", "resolvers")).toEqual({
      dnsServers: ["10.0.0.53"],
    });
    expect(spec(s, NS.network, "TimeServerStatuses.net.talos.dev", "timeservers")).toEqual({
      timeServers: ["pool.ntp.org"],
    });
    expect(spec(s, NS.network, "NodeAddresses.net.talos.dev", "current")).toEqual({
      addresses: ["127.0.0.5/32", "10.9.0.5/24"],
    });
  });

  it("follows META key 0x0a as it is written, replaced with bad YAML and deleted", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-network-"));
    dirs.push(dir);
    const meta = new Meta(dir);
    const seen: (PlatformNetwork | undefined)[] = [];
    const logs: string[] = [];
    const detach = followMetalNetworkConfig(
      { setPlatformNetwork: (c) => seen.push(c), log: (l) => logs.push(l) },
      meta,
    );
    expect(seen).toEqual([]); // none yet: nothing to change
    meta.setTag(0x0a, CONFIG);
    expect(seen.at(-1)?.hostname).toBe("net-a");
    meta.setTag(0x0b, "other"); // another key: nothing new
    expect(seen).toHaveLength(1);
    meta.setTag(0x0a, "addresses: [\n");
    expect(seen.at(-1)).toBeUndefined();
    expect(logs[0]).toMatch(/^platform network config: failed to unmarshal metal network config from META: /);
    meta.setTag(0x0a, undefined);
    expect(seen).toHaveLength(3);
    detach();
    meta.setTag(0x0a, CONFIG);
    expect(seen).toHaveLength(3);
  });
});
