import { describe, expect, it } from "vitest";
import {
  canonicalIP,
  canonicalPrefix,
  decodeStdBase64,
  endpointURIError,
  hostnameError,
  isDNSDomain,
  isMasked,
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
