// The metal platform's network config from META key 0x0a: what the network controllers take
// from it.
import { describe, expect, it } from "vitest";
import { META_METAL_NETWORK_CONFIG, metalPlatformNetwork, parsePlatformNetwork } from "./platform-network.js";

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

  it("takes the config from META only when it parses", () => {
    expect(metalPlatformNetwork(new Map())).toBeUndefined();
    expect(metalPlatformNetwork(new Map([[META_METAL_NETWORK_CONFIG, "addresses: [\n"]]))).toBeUndefined();
    expect(metalPlatformNetwork(new Map([[META_METAL_NETWORK_CONFIG, CONFIG]]))?.hostname).toBe("net-a");
  });
});
