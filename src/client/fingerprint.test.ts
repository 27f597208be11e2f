import { createHash, X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { createCertificateAuthority, decodePem } from "../pki/index.js";
import { matchesFingerprint, parseFingerprint, spkiFingerprint } from "./fingerprint.js";

let der: Buffer;
let expected: Buffer;

beforeAll(async () => {
  const ca = await createCertificateAuthority({ organization: "fp", keyKind: "ed25519", now: new Date() });
  der = Buffer.from(decodePem(ca.crt)!.der);
  // Computed independently: the SubjectPublicKeyInfo as node:crypto exports it.
  const spki = new X509Certificate(ca.crt).publicKey.export({ type: "spki", format: "der" });
  expected = createHash("sha256").update(spki).digest();
});

describe("SPKI fingerprints", () => {
  it("hashes the certificate's public key, in base64", () => {
    expect(spkiFingerprint(der)).toBe(expected.toString("base64"));
  });

  it("reads base64, URL-safe base64, hex and colon-separated hex", () => {
    const hex = expected.toString("hex");
    for (const text of [
      expected.toString("base64"),
      expected.toString("base64url"),
      hex,
      hex.toUpperCase(),
      hex.match(/../g)!.join(":"),
      `sha256:${hex}`,
      ` ${expected.toString("base64")} `,
    ]) {
      expect(parseFingerprint(text).equals(expected)).toBe(true);
    }
  });

  it.each(["", "abc", "sha256:", "zz".repeat(32), Buffer.alloc(16).toString("base64")])(
    "rejects %j",
    (text) => {
      expect(() => parseFingerprint(text)).toThrow(UserError);
      expect(() => parseFingerprint(text)).toThrow("--cert-fingerprint:");
    },
  );

  it("matches only the pinned keys", () => {
    const other = Buffer.alloc(32, 9);
    expect(matchesFingerprint(der, [other, expected])).toBe(true);
    expect(matchesFingerprint(der, [other])).toBe(false);
    expect(matchesFingerprint(der, [])).toBe(false);
  });
});
