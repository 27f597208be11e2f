import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { endpointUrl, formatAuthority, parseEndpoint } from "./endpoints.js";

describe("parseEndpoint", () => {
  it.each([
    ["10.5.0.2", "10.5.0.2", 50000],
    ["10.5.0.2:50001", "10.5.0.2", 50001],
    ["node-1.example.com", "node-1.example.com", 50000],
    ["node-1.example.com:443", "node-1.example.com", 443],
    [" 10.5.0.2 ", "10.5.0.2", 50000],
    ["::1", "::1", 50000],
    ["fd00::2", "fd00::2", 50000],
    ["[fd00::2]", "fd00::2", 50000],
    ["[fd00::2]:50001", "fd00::2", 50001],
    ["https://omni.example.com", "omni.example.com", 443],
    ["https://omni.example.com:8443/path", "omni.example.com", 8443],
    ["http://proxy.local", "proxy.local", 80],
    ["grpc://10.0.0.1", "10.0.0.1", 50000],
    ["https://[fd00::3]:9000", "fd00::3", 9000],
  ])("%j → %s port %i", (text, host, port) => {
    const e = parseEndpoint(text);
    expect(e.host).toBe(host);
    expect(e.port).toBe(port);
    expect(e.given).toBe(text);
  });

  it.each([
    ["", "empty endpoint"],
    ["10.5.0.2:", 'invalid endpoint "10.5.0.2:": bad port ""'],
    ["10.5.0.2:abc", 'invalid endpoint "10.5.0.2:abc": bad port "abc"'],
    ["10.5.0.2:70000", 'invalid endpoint "10.5.0.2:70000": port 70000 out of range'],
    [":50000", 'invalid endpoint ":50000": missing host'],
    ["[fd00::2", 'invalid endpoint "[fd00::2": missing "]"'],
    ["[host]:1", 'invalid endpoint "[host]:1": "host" is not an IPv6 address'],
    ["https://", 'invalid endpoint "https://": not a valid URL'],
    ["a b:1", 'invalid endpoint "a b:1": "a b" is not a host name'],
  ])("rejects %j", (text, message) => {
    expect(() => parseEndpoint(text)).toThrow(UserError);
    expect(() => parseEndpoint(text)).toThrow(message);
  });

  it("uses the given default port", () => {
    expect(parseEndpoint("10.0.0.1", 1234).port).toBe(1234);
  });
});

describe("formatting", () => {
  it("brackets IPv6 hosts", () => {
    expect(formatAuthority({ host: "fd00::2", port: 50000 })).toBe("[fd00::2]:50000");
    expect(formatAuthority({ host: "10.5.0.2", port: 50000 })).toBe("10.5.0.2:50000");
    expect(endpointUrl({ host: "fd00::2", port: 1 })).toBe("https://[fd00::2]:1");
  });
});
