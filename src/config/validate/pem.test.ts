// Certificates and keys are judged with crypto/x509's errors, as siderolabs/crypto wraps them.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assertValidPEM, certificateError, pemBlocks, privateKeyError } from "./pem.js";

const pem = (type: string, der: Buffer) =>
  `-----BEGIN ${type}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END ${type}-----\n`;

/** A DER element: tag, minimal length, body. */
function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len =
    n < 128 ? Buffer.from([n]) : n < 256 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const int = (v: number) => tlv(0x02, Buffer.from([v]));
const AI = seq(tlv(0x06, Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])));

describe("certificateError", () => {
  it.each([
    ["garbage", Buffer.from("not a certificate"), "x509: malformed certificate"],
    ["a truncated element", seq(int(1)).subarray(0, 3), "x509: malformed certificate"],
    ["no tbs sequence", seq(int(1)), "x509: malformed tbs certificate"],
    ["a bad version", seq(seq(tlv(0xa0, tlv(0x04, Buffer.from([1]))))), "x509: malformed version"],
    ["version 4", seq(seq(tlv(0xa0, int(3)))), "x509: invalid version"],
    ["no serial", seq(seq(tlv(0xa0, int(2)))), "x509: malformed serial number"],
    ["no algorithm", seq(seq(int(5))), "x509: malformed signature algorithm identifier"],
    ["no outer algorithm", seq(seq(int(5), AI)), "x509: malformed algorithm identifier"],
    [
      "different algorithms",
      seq(seq(int(5), AI), seq(tlv(0x06, Buffer.from([0x2a])))),
      "x509: inner and outer signature algorithm identifiers don't match",
    ],
    ["no issuer", seq(seq(int(5), AI), AI), "x509: malformed issuer"],
    ["no validity", seq(seq(int(5), AI, seq()), AI), "x509: malformed validity"],
  ])("%s", (_name, der, message) => {
    expect(certificateError(pem("CERTIFICATE", der))).toBe(`failed to parse certificate: ${message}`);
  });

  it("needs a PEM block", () => {
    expect(certificateError("nothing")).toBe("failed to parse PEM block");
  });
});

describe("privateKeyError", () => {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const ed = generateKeyPairSync("ed25519").privateKey;

  it("accepts keys in their own block types", () => {
    expect(privateKeyError(ec.export({ format: "pem", type: "sec1" }) as string)).toBeUndefined();
    expect(privateKeyError(ec.export({ format: "pem", type: "pkcs8" }) as string)).toBeUndefined();
    expect(
      privateKeyError(pem("ED25519 PRIVATE KEY", ed.export({ format: "der", type: "pkcs8" }))),
    ).toBeUndefined();
  });

  it("names the parser a key of another format needs", () => {
    const pkcs8 = ec.export({ format: "der", type: "pkcs8" });
    expect(privateKeyError(pem("EC PRIVATE KEY", pkcs8))).toBe(
      "failed to parse ECDSA key: x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)",
    );
    const sec1 = ec.export({ format: "der", type: "sec1" });
    expect(privateKeyError(pem("RSA PRIVATE KEY", sec1))).toBe(
      "failed to parse RSA key: x509: failed to parse private key (use ParseECPrivateKey instead for this key format)",
    );
    expect(privateKeyError(pem("ED25519 PRIVATE KEY", pkcs8))).toBe(
      "failed parsing Ed25519 key, got wrong key type",
    );
  });

  it("words unknown block types as each siderolabs/crypto type does", () => {
    expect(privateKeyError(pem("DSA PRIVATE KEY", Buffer.from([1])))).toBe(
      'unsupported key type "DSA PRIVATE KEY"',
    );
    expect(privateKeyError(pem("DSA PRIVATE KEY", Buffer.from([1])), true)).toBe(
      'unsupported key type: "DSA PRIVATE KEY"',
    );
  });
});

describe("PEM blocks as encoding/pem finds them", () => {
  const body = Buffer.from("hello").toString("base64");
  it.each([
    ["a block", `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`, ["CERTIFICATE"]],
    ["blanks after the dashes", `-----BEGIN A-----  \n${body}\n-----END A----- \t\n`, ["A"]],
    ["CRLF line ends", `-----BEGIN A-----\r\n${body}\r\n-----END A-----\r\n`, ["A"]],
    [
      "headers before the body",
      `-----BEGIN A-----\nProc-Type: 4,ENCRYPTED\n\n${body}\n-----END A-----`,
      ["A"],
    ],
    ["an empty block", "-----BEGIN A-----\n-----END A-----\n", ["A"]],
    [
      "text around blocks",
      `junk\n-----BEGIN A-----\n${body}\n-----END A-----\nmore\n-----BEGIN B-----\n${body}\n-----END B-----`,
      ["A", "B"],
    ],
    ["a BEGIN inside a line", `junk -----BEGIN A-----\n${body}\n-----END A-----\n`, []],
    ["an END of another type", `-----BEGIN A-----\n${body}\n-----END B-----\n`, []],
    ["text after the END dashes", `-----BEGIN A-----\n${body}\n-----END A----- x\n`, []],
    [
      "a bad body is skipped for the next block",
      `-----BEGIN A-----\n!!!!\n-----END A-----\n-----BEGIN B-----\n${body}\n-----END B-----\n`,
      ["B"],
    ],
  ])("%s", (_name, text, types) => {
    expect(pemBlocks(text).map((b) => b.type)).toEqual(types);
  });

  it("keeps the body's bytes", () => {
    expect(pemBlocks(`-----BEGIN A-----\n${body}\n-----END A-----`)[0]?.der.toString()).toBe("hello");
  });

  it("asserts blocks of the expected types, as Talos's AssertValidPEM", () => {
    const block = (type: string) => `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`;
    expect(assertValidPEM(block("CERTIFICATE"), "CERTIFICATE")).toBeUndefined();
    expect(assertValidPEM(block("CERTIFICATE") + block("PRIVATE KEY"), "CERTIFICATE")).toBe(
      'unexpected PEM block type "PRIVATE KEY", expected one of ["CERTIFICATE"]',
    );
    expect(assertValidPEM(block("RSA PRIVATE KEY"))).toBeUndefined();
    expect(assertValidPEM("not pem")).toBe("no PEM blocks found");
  });
});
