import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseAddr, parsePrefix } from "./netip.js";
import {
  configYaml,
  type NetworkFormData,
  NetworkFormError,
  toPlatformNetworkConfig,
} from "./network-config.js";

const EMPTY: NetworkFormData = {
  hostname: "",
  dnsServers: "",
  timeServers: "",
  iface: "(none)",
  vlanId: "",
  mode: "DHCP",
  addresses: "",
  gateway: "",
};

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("no error");
}

describe("netip parsing", () => {
  it("gives Go's ParseAddr errors", () => {
    // Texts as Go's net/netip prints them.
    const cases: [string, string][] = [
      ["", 'ParseAddr(""): unable to parse IP'],
      ["bad", 'ParseAddr("bad"): unable to parse IP'],
      ["1.2.3", 'ParseAddr("1.2.3"): IPv4 address too short'],
      ["1.2.3.256", 'ParseAddr("1.2.3.256"): IPv4 field has value >255'],
      ["01.2.3.4", 'ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero'],
      ["1.2.3.4.5", 'ParseAddr("1.2.3.4.5"): IPv4 address too long'],
      ["1..2.3", 'ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")'],
      ["1.2.3.4x", 'ParseAddr("1.2.3.4x"): unexpected character (at "x")'],
      ["1:2:3", 'ParseAddr("1:2:3"): address string too short'],
      ["1::2::3", 'ParseAddr("1::2::3"): multiple :: in address (at ":3")'],
      ["fe80::1%", 'ParseAddr("fe80::1%"): zone must be a non-empty string'],
      ["1:2:3:4:5:6:7:8:9", 'ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")'],
      ["12345::", 'ParseAddr("12345::"): IPv6 field has value >=2^16 (at "12345::")'],
      [
        "1:2:3:4:5:6:7:8::",
        'ParseAddr("1:2:3:4:5:6:7:8::"): the :: must expand to at least one field of zeros',
      ],
      [":1", 'ParseAddr(":1"): each colon-separated field must have at least one digit (at ":1")'],
      ["1:", 'ParseAddr("1:"): colon must be followed by more characters (at ":")'],
    ];
    for (const [input, message] of cases)
      expect(
        errorOf(() => parseAddr(input)),
        input,
      ).toBe(message);
  });

  it("prints addresses canonically", () => {
    expect(parseAddr("10.0.0.1").text).toBe("10.0.0.1");
    expect(parseAddr("::1").text).toBe("::1");
    expect(parseAddr("2001:DB8:0:0:0:0:0:1").text).toBe("2001:db8::1");
    expect(parseAddr("1:2:3:4:5:6:7::").text).toBe("1:2:3:4:5:6:7:0");
    expect(parseAddr("::ffff:1.2.3.4").text).toBe("::ffff:1.2.3.4");
  });

  it("gives Go's ParsePrefix errors", () => {
    expect(errorOf(() => parsePrefix("10.0.0.1"))).toBe(`netip.ParsePrefix("10.0.0.1"): no '/'`);
    expect(errorOf(() => parsePrefix("1.2.3.4/33"))).toBe(
      'netip.ParsePrefix("1.2.3.4/33"): prefix length out of range',
    );
    expect(errorOf(() => parsePrefix("1.2.3.4/x"))).toBe(
      'netip.ParsePrefix("1.2.3.4/x"): bad bits after slash: "x"',
    );
    expect(errorOf(() => parsePrefix("1.2.3/24"))).toBe(
      'netip.ParsePrefix("1.2.3/24"): ParseAddr("1.2.3"): IPv4 address too short',
    );
    expect(parsePrefix("2001:db8::1/64").text).toBe("2001:db8::1/64");
  });
});

describe("the platform network config from the form", () => {
  it("builds a static config with Talos's fields and keeps what the form does not manage", () => {
    const base = {
      externalIPs: ["1.2.3.4"],
      hostnames: [{ hostname: "old", domainname: "", layer: "platform" }],
    };
    const config = toPlatformNetworkConfig(
      {
        ...EMPTY,
        hostname: "node-a",
        dnsServers: "10.0.0.53, 1.1.1.1",
        timeServers: "pool.ntp.org",
        iface: "eth0",
        vlanId: "42",
        mode: "Static",
        addresses: "10.0.0.5/24",
        gateway: "10.0.0.1",
      },
      base,
    );
    expect(Object.keys(config)).toEqual([
      "addresses",
      "links",
      "routes",
      "hostnames",
      "resolvers",
      "timeServers",
      "operators",
      "externalIPs",
    ]);
    expect(config.externalIPs).toEqual(["1.2.3.4"]);
    expect(config.hostnames).toEqual([{ hostname: "node-a", domainname: "", layer: "platform" }]);
    expect(config.addresses).toEqual([
      {
        address: "10.0.0.5/24",
        linkName: "eth0.42",
        family: "inet4",
        scope: "global",
        flags: "permanent",
        layer: "platform",
      },
    ]);
    expect((config.links as { name: string }[]).map((l) => l.name)).toEqual(["eth0", "eth0.42"]);
    expect((config.routes as { gateway: string; outLinkName: string }[])[0]).toMatchObject({
      gateway: "10.0.0.1",
      outLinkName: "eth0.42",
    });
    expect(config.operators).toEqual([]);
    const yaml = configYaml(config);
    expect(yaml).toContain("timeServers:\n    - timeServers:\n        - pool.ntp.org\n");
    expect(parse(yaml)).toEqual(config);
  });

  it("uses DHCP on the interface and writes empty lists as []", () => {
    const config = toPlatformNetworkConfig({ ...EMPTY, iface: "eth0" });
    expect(config.operators).toEqual([
      {
        operator: "dhcp4",
        linkName: "eth0",
        requireUp: true,
        dhcp4: { routeMetric: 1024 },
        layer: "platform",
      },
    ]);
    expect(configYaml(toPlatformNetworkConfig(EMPTY), 2)).toBe(
      "addresses: []\nlinks: []\nroutes: []\nhostnames: []\nresolvers: []\ntimeServers: []\noperators: []\nexternalIPs: []\n",
    );
  });

  it("reports every bad value as Talos's multierror text", () => {
    const err = (() => {
      try {
        toPlatformNetworkConfig({
          ...EMPTY,
          dnsServers: "1.1.1.1 bad",
          iface: "eth0",
          vlanId: "5000",
          mode: "Static",
          addresses: "10.0.0.5",
          gateway: "",
        });
      } catch (e) {
        return e as NetworkFormError;
      }
      throw new Error("no error");
    })();
    expect(err).toBeInstanceOf(NetworkFormError);
    expect(err.message).toBe(
      "5 errors occurred:\n" +
        '\t* failed to parse DNS servers: 1 error occurred:\n\t* address: ParseAddr("bad"): unable to parse IP\n\n\n' +
        "\t* VLAN ID must be in the range 1..4094, got 5000\n" +
        `\t* netip.ParsePrefix("10.0.0.5"): no '/'\n` +
        "\t* no addresses specified\n" +
        '\t* gateway: ParseAddr(""): unable to parse IP\n\n',
    );
    expect(
      errorOf(() =>
        toPlatformNetworkConfig({ ...EMPTY, iface: "eth0", mode: "Static", gateway: "10.0.0.1" }),
      ),
    ).toBe("1 error occurred:\n\t* no addresses specified\n\n");
  });
});
