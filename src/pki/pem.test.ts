import { describe, expect, it } from "vitest";
import { decodePem, encodePem, isStrictBase64, relabelPem } from "./pem.js";

describe("encodePem", () => {
  it("wraps the body at 64 characters and ends with a newline", () => {
    const der = Buffer.alloc(60, 7);
    const pem = encodePem("CERTIFICATE", der);
    const lines = pem.split("\n");
    expect(lines[0]).toBe("-----BEGIN CERTIFICATE-----");
    expect(lines[1]).toHaveLength(64);
    expect(lines[2]).toHaveLength(Buffer.from(der).toString("base64").length - 64);
    expect(lines[3]).toBe("-----END CERTIFICATE-----");
    expect(pem.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
  });

  it("round-trips through decodePem", () => {
    const der = Buffer.from([...Array(200).keys()]);
    const block = decodePem(encodePem("ED25519 PRIVATE KEY", der));
    expect(block?.label).toBe("ED25519 PRIVATE KEY");
    expect(block?.der.equals(der)).toBe(true);
    expect(block?.headers).toEqual([]);
  });
});

describe("decodePem", () => {
  const pem = encodePem("EC PRIVATE KEY", Buffer.from("hello world"));

  it("ignores text around the block and takes the first block", () => {
    const text = `junk before\n${pem}${encodePem("CERTIFICATE", Buffer.from("second"))}trailer`;
    expect(decodePem(text)?.label).toBe("EC PRIVATE KEY");
    expect(decodePem(text)?.der.toString()).toBe("hello world");
  });

  it("accepts CRLF line endings", () => {
    expect(decodePem(pem.replaceAll("\n", "\r\n"))?.der.toString()).toBe("hello world");
  });

  it("reads RFC 1421 headers", () => {
    const text =
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    expect(decodePem(text)?.headers).toEqual([
      ["Proc-Type", "4,ENCRYPTED"],
      ["DEK-Info", "AES-128-CBC,00"],
    ]);
  });

  it("returns undefined for text without a block, a mismatched END or a bad body", () => {
    expect(decodePem("not a pem")).toBeUndefined();
    expect(decodePem("")).toBeUndefined();
    expect(decodePem(pem.replace("END EC", "END RSA"))).toBeUndefined();
    expect(decodePem("-----BEGIN X-----\n!!!!\n-----END X-----\n")).toBeUndefined();
    expect(decodePem(pem.replace(/^-----BEGIN.*\n/, ""))).toBeUndefined();
  });
});

describe("isStrictBase64", () => {
  it("wants standard alphabet and padding", () => {
    expect(isStrictBase64("QUJD")).toBe(true);
    expect(isStrictBase64("QUI=")).toBe(true);
    expect(isStrictBase64("")).toBe(true);
    expect(isStrictBase64("QUI")).toBe(false);
    expect(isStrictBase64("QU-_")).toBe(false);
    expect(isStrictBase64("QU I=")).toBe(false);
    expect(isStrictBase64("QUJD\nQUJD")).toBe(true);
  });
});

describe("relabelPem", () => {
  it("changes BEGIN and END labels only", () => {
    const pem = encodePem("ED25519 PRIVATE KEY", Buffer.from("k"));
    const out = relabelPem(pem, "ED25519 PRIVATE KEY", "PRIVATE KEY");
    expect(out).toBe(encodePem("PRIVATE KEY", Buffer.from("k")));
  });
});
