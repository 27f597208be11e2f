import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import {
  CURRENT_CONTRACT,
  contractGreater,
  formatContract,
  parseContract,
  usesRsaServiceAccountKey,
  usesSecretboxEncryption,
} from "./contract.js";

describe("parseContract", () => {
  it.each([
    ["v1.8", 1, 8],
    ["1.8", 1, 8],
    ["v1.8.3", 1, 8],
    ["1.15", 1, 15],
    ["v1.15.0-alpha.1", 1, 15],
    ["v0.14", 0, 14],
    ["v2.0", 2, 0],
  ])("reads %s", (text, major, minor) => {
    expect(parseContract(text)).toEqual({ major, minor, current: false });
  });

  it("treats an empty version as current", () => {
    expect(parseContract("")).toBe(CURRENT_CONTRACT);
    expect(formatContract(CURRENT_CONTRACT)).toBe("current");
    expect(formatContract(parseContract("1.7.2"))).toBe("v1.7");
  });

  it.each(["foo", "v1", "1", "v1.x", "1.8-beta", "latest", "vv1.8"])(
    "rejects %s with one clear line",
    (text) => {
      expect(() => parseContract(text)).toThrow(UserError);
      expect(() => parseContract(text)).toThrow(`invalid talos version ${JSON.stringify(text)}`);
    },
  );
});

describe("contract gates", () => {
  it("compares strictly, current above all", () => {
    expect(contractGreater(parseContract("1.7"), 1, 6)).toBe(true);
    expect(contractGreater(parseContract("1.6"), 1, 6)).toBe(false);
    expect(contractGreater(parseContract("2.0"), 1, 99)).toBe(true);
    expect(contractGreater(CURRENT_CONTRACT, 99, 99)).toBe(true);
  });

  it("switches the service-account key to RSA after 1.6 and encryption to secretbox after 1.2", () => {
    expect(usesRsaServiceAccountKey(parseContract("1.6"))).toBe(false);
    expect(usesRsaServiceAccountKey(parseContract("1.7"))).toBe(true);
    expect(usesRsaServiceAccountKey(CURRENT_CONTRACT)).toBe(true);
    expect(usesSecretboxEncryption(parseContract("1.2"))).toBe(false);
    expect(usesSecretboxEncryption(parseContract("1.3"))).toBe(true);
  });
});
