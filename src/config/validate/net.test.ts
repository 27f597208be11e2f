import { describe, expect, it } from "vitest";
import {
  canonicalIP,
  canonicalPrefix,
  decodeStdBase64,
  endpointURIError,
  hostnameError,
  isDNSDomain,
  isMasked,
  netipAddrError,
  netipPrefixError,
  parseIP,
  parsePrefix,
} from "./net.js";

describe("net helpers", () => {
  it("parses addresses and prefixes of both families", () => {
    expect(parseIP("10.0.0.1")).toEqual({ family: 4, value: 0x0a000001n });
    expect(parseIP("::ffff:10.0.0.1")?.value).toBe(0xffff0a000001n);
    expect(parseIP("fd00::1")?.value).toBe((0xfd00n << 112n) | 1n);
    expect(parseIP("10.0.0.256")).toBeUndefined();
    expect(parsePrefix("fd00::/8")).toMatchObject({ family: 6, bits: 8 });
    expect(parsePrefix("10.0.0.0/33")).toBeUndefined();
    expect(parsePrefix("10.0.0.0")).toBeUndefined();
    expect(isMasked(parsePrefix("10.96.0.0/12")!)).toBe(true);
    expect(isMasked(parsePrefix("10.96.0.1/12")!)).toBe(false);
    expect(isMasked(parsePrefix("fd00:db8:10::/56")!)).toBe(true);
    expect(isMasked(parsePrefix("fd00:db8:10::1/56")!)).toBe(false);
  });

  it("writes addresses and prefixes as netip's String does", () => {
    expect(canonicalIP("10.0.0.1")).toBe("10.0.0.1");
    expect(canonicalIP("FD00:0:0:0:0:0:0:1")).toBe("fd00::1");
    expect(canonicalIP("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(canonicalIP("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(canonicalIP("0:0:0:0:0:0:0:0")).toBe("::");
    expect(canonicalIP("::FFFF:10.0.0.1")).toBe("::ffff:10.0.0.1");
    expect(canonicalIP("::10.0.0.1")).toBe("::a00:1");
    expect(canonicalIP("fe80:0::1%eth0")).toBe("fe80::1%eth0");
    expect(canonicalIP("10.0.0")).toBeUndefined();
    expect(canonicalPrefix("FD00:0::/8")).toBe("fd00::/8");
    expect(canonicalPrefix("10.0.0.1/8")).toBe("10.0.0.1/8");
    expect(canonicalPrefix("10.0.0.1")).toBeUndefined();
  });

  it("refuses addresses and prefixes with netip's words", () => {
    for (const ok of ["10.0.0.1", "fd00::1", "fe80::1%eth0", "::", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8"])
      expect(netipAddrError(ok)).toBeUndefined();
    expect(netipAddrError("1.2.3")).toBe('ParseAddr("1.2.3"): IPv4 address too short');
    expect(netipAddrError("1.2.3.04")).toBe('ParseAddr("1.2.3.04"): IPv4 field has octet with leading zero');
    expect(netipAddrError("abc")).toBe('ParseAddr("abc"): unable to parse IP');
    expect(netipAddrError("%eth0")).toBe('ParseAddr("%eth0"): missing IPv6 address');
    expect(netipAddrError("fe80::1%")).toBe('ParseAddr("fe80::1%"): zone must be a non-empty string');
    expect(netipAddrError("1::2::3")).toBe('ParseAddr("1::2::3"): multiple :: in address (at ":3")');
    expect(netipAddrError("fd00::zz")).toBe(
      'ParseAddr("fd00::zz"): each colon-separated field must have at least one digit (at "zz")',
    );
    expect(netipAddrError("12345::")).toBe(
      'ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")',
    );
    expect(netipAddrError("1:2:3:4:5:6:7:8:9")).toBe(
      'ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")',
    );
    expect(netipAddrError("1:2:3:4:5:6:7")).toBe('ParseAddr("1:2:3:4:5:6:7"): address string too short');
    expect(netipAddrError("1:2:3:4::5:6:7:8")).toBe(
      'ParseAddr("1:2:3:4::5:6:7:8"): the :: must expand to at least one field of zeros',
    );
    expect(netipAddrError("fd00:1")).toBe('ParseAddr("fd00:1"): address string too short');
    expect(netipAddrError("1:2:3:4:5:6:7:")).toBe(
      'ParseAddr("1:2:3:4:5:6:7:"): colon must be followed by more characters (at ":")',
    );
    expect(netipAddrError("::1.2.3.256")).toBe('ParseAddr("::1.2.3.256"): IPv4 field has value >255');
    expect(netipAddrError("1:2:1.2.3.4")).toBe(
      'ParseAddr("1:2:1.2.3.4"): embedded IPv4 address must replace the final 2 fields of the address (at "1.2.3.4")',
    );
    expect(netipPrefixError("fd00::/64")).toBeUndefined();
    expect(netipPrefixError("10.0.0.0")).toBe(`netip.ParsePrefix("10.0.0.0"): no '/'`);
    expect(netipPrefixError("fe80::1%eth0/64")).toBe(
      'netip.ParsePrefix("fe80::1%eth0/64"): IPv6 zones cannot be present in a prefix',
    );
    expect(netipPrefixError("10.0.0.0/08")).toBe(
      'netip.ParsePrefix("10.0.0.0/08"): bad bits after slash: "08"',
    );
    expect(netipPrefixError("10.0.0.0/99999999999999999999")).toBe(
      'netip.ParsePrefix("10.0.0.0/99999999999999999999"): bad bits after slash: "99999999999999999999"',
    );
    expect(netipPrefixError("10.0.0.0/33")).toBe(
      'netip.ParsePrefix("10.0.0.0/33"): prefix length out of range',
    );
    expect(netipPrefixError("fd00::zz/8")).toBe(
      'netip.ParsePrefix("fd00::zz/8"): ParseAddr("fd00::zz"): each colon-separated field must have at least one digit (at "zz")',
    );
  });

  it("checks endpoint URLs as Talos does", () => {
    expect(endpointURIError("https://[fd00::1]:6443")).toBeUndefined();
    expect(endpointURIError("https://example.com")).toBeUndefined();
    expect(endpointURIError("https://fd00::1")).toBe("IPv6 addresses MUST be enclosed by square brackets");
    expect(endpointURIError("https://a:0")).toBe("port number must be between 1 and 65535");
    expect(endpointURIError("https://a:b")).toBe("port number must be numeric");
    expect(endpointURIError("example.com")).toBe("hostname must not be blank");
  });

  it("checks names and base64", () => {
    expect(isDNSDomain("cluster.local")).toBe(true);
    expect(isDNSDomain("cluster.local.")).toBe(true);
    expect(isDNSDomain("-bad")).toBe(false);
    expect(hostnameError("node-1.example.com")).toBeUndefined();
    expect(hostnameError("node_1")).toBe('invalid hostname "node_1"');
    expect(hostnameError(`${"a".repeat(60)}.`.repeat(5))).toMatch(/longer than 253/);
    expect(decodeStdBase64(Buffer.alloc(32).toString("base64"))?.length).toBe(32);
    expect(decodeStdBase64("a-b_")).toBeUndefined();
  });
});
