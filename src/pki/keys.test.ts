import { createPrivateKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { createSecureContext } from "node:tls";
import { describe, expect, it } from "vitest";
import {
  describeKey,
  encodePrivateKeyPem,
  generatePrivateKey,
  keyKindOf,
  parsePrivateKeyPem,
  publicKeyDer,
  toTlsKeyPem,
} from "./keys.js";
import { decodePem, encodePem } from "./pem.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

describe("key encodings", () => {
  it("writes Ed25519 as PKCS#8 under ED25519 PRIVATE KEY and reads it back", async () => {
    const key = await generatePrivateKey("ed25519");
    const pem = encodePrivateKeyPem(key);
    const block = decodePem(pem)!;
    expect(block.label).toBe("ED25519 PRIVATE KEY");
    // Go's MarshalPKCS8PrivateKey of an Ed25519 key is 48 bytes, the seed in an inner OCTET STRING.
    expect(block.der).toHaveLength(48);
    expect(block.der.equals(key.export({ format: "der", type: "pkcs8" }))).toBe(true);
    const back = parsePrivateKeyPem(pem);
    expect(keyKindOf(back)).toBe("ed25519");
    expect(publicKeyDer(back).equals(publicKeyDer(key))).toBe(true);
  });

  it("writes ECDSA P-256 as SEC1 EC PRIVATE KEY and reads it back", async () => {
    const key = await generatePrivateKey("ecdsa");
    expect(key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    const pem = encodePrivateKeyPem(key);
    expect(decodePem(pem)!.label).toBe("EC PRIVATE KEY");
    const back = parsePrivateKeyPem(pem);
    expect(describeKey(back)).toBe("ECDSA P-256");
    expect(publicKeyDer(back).equals(publicKeyDer(key))).toBe(true);
  });

  it("writes RSA as PKCS#1 RSA PRIVATE KEY and reads it back", () => {
    const pem = encodePrivateKeyPem(rsa);
    expect(decodePem(pem)!.label).toBe("RSA PRIVATE KEY");
    const back = parsePrivateKeyPem(pem);
    expect(describeKey(back)).toBe("RSA-2048");
    expect(publicKeyDer(back).equals(publicKeyDer(rsa))).toBe(true);
  });

  it("reads PKCS#8 PRIVATE KEY of each kind", async () => {
    for (const key of [rsa, await generatePrivateKey("ecdsa"), await generatePrivateKey("ed25519")]) {
      const pem = key.export({ format: "pem", type: "pkcs8" }).toString();
      expect(decodePem(pem)!.label).toBe("PRIVATE KEY");
      expect(publicKeyDer(parsePrivateKeyPem(pem)).equals(publicKeyDer(key))).toBe(true);
    }
  });

  it("names an unknown label", async () => {
    const cert = encodePem("CERTIFICATE", Buffer.from("x"));
    expect(() => parsePrivateKeyPem(cert)).toThrow('unsupported key type "CERTIFICATE"');
    const pub = (await generatePrivateKey("ed25519")).export({ format: "pem", type: "pkcs8" }).toString();
    expect(() => parsePrivateKeyPem(pub.replaceAll("PRIVATE KEY", "OPENSSH PRIVATE KEY"))).toThrow(
      'unsupported key type "OPENSSH PRIVATE KEY"',
    );
  });

  it("says when there is no PEM block or the body is not a key", () => {
    expect(() => parsePrivateKeyPem("garbage")).toThrow("failed to parse PEM block");
    expect(() => parsePrivateKeyPem(encodePem("EC PRIVATE KEY", Buffer.from("nope")))).toThrow(
      "failed to parse ECDSA key",
    );
    expect(() => parsePrivateKeyPem(encodePem("RSA PRIVATE KEY", Buffer.from("nope")))).toThrow(
      "failed to parse RSA key",
    );
  });

  it("rejects an ED25519 PRIVATE KEY label around another algorithm", () => {
    const der = rsa.export({ format: "der", type: "pkcs8" });
    expect(() => parsePrivateKeyPem(encodePem("ED25519 PRIVATE KEY", der))).toThrow(
      "failed parsing Ed25519 key, got wrong key type",
    );
  });

  it("rejects PKCS#8 keys of algorithms Talos does not use", () => {
    const x = generateKeyPairSync("x25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(() => parsePrivateKeyPem(x)).toThrow("unsupported PKCS#8 key algorithm x25519");
  });

  it("refuses encrypted PEM keys", () => {
    const text =
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    expect(() => parsePrivateKeyPem(text)).toThrow("encrypted PEM private keys are not supported");
  });
});

describe("toTlsKeyPem", () => {
  it("relabels Talos's Ed25519 key so node's TLS accepts it, and leaves others alone", async () => {
    const pem = encodePrivateKeyPem(await generatePrivateKey("ed25519"));
    expect(() => createPrivateKey(pem)).toThrow();
    const tls = toTlsKeyPem(pem);
    expect(tls.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    const key = createPrivateKey(tls);
    const sig = sign(null, Buffer.from("m"), key);
    expect(verify(null, Buffer.from("m"), parsePrivateKeyPem(pem), sig)).toBe(true);
    expect(() => createSecureContext({ key: tls })).not.toThrow();
    const ec = encodePrivateKeyPem(await generatePrivateKey("ecdsa"));
    expect(toTlsKeyPem(ec)).toBe(ec);
  });
});
