import { createHash, generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import { BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier } from "@peculiar/asn1-x509";
import { describe, expect, it } from "vitest";
import { createCertificateAuthority } from "./ca.js";
import { generatePrivateKey, publicKeyDer } from "./keys.js";
import { encodePem } from "./pem.js";
import { HAVE_OPENSSL, NO_OPENSSL_REASON, openssl, scratchDir } from "./test-helpers.js";
import {
  buildName,
  CA_VALIDITY_MS,
  certificateHash,
  ipBytes,
  nameValues,
  OID,
  type ParsedCertificate,
  parseCertificatePem,
} from "./x509.js";

const NOW = new Date("2026-05-04T12:34:56.789Z");
const NOW_S = new Date("2026-05-04T12:34:56Z");

interface Ext {
  oid: string;
  critical: boolean;
  value: Buffer;
}

function extensions(cert: ParsedCertificate): Ext[] {
  return (cert.asn.tbsCertificate.extensions ?? []).map((e) => ({
    oid: e.extnID,
    critical: e.critical,
    value: Buffer.from(e.extnValue.buffer),
  }));
}

function serialOf(cert: ParsedCertificate): bigint {
  const bytes = Buffer.from(cert.asn.tbsCertificate.serialNumber);
  expect(bytes[0]! & 0x80).toBe(0); // a positive INTEGER
  if (bytes.length > 1) expect(bytes[0] === 0 && (bytes[1]! & 0x80) === 0).toBe(false); // minimal
  return BigInt(`0x${bytes.toString("hex")}`);
}

/**
 * Every property of the CA profile Talos gives all four CAs (siderolabs/crypto: x509, called from
 * siderolabs/talos: pkg/machinery/config/generate/secrets/ca.go).
 */
function expectCaProfile(cert: ParsedCertificate, org: string | undefined, signatureOid: string): void {
  const tbs = cert.asn.tbsCertificate;
  expect(tbs.version).toBe(2); // v3
  const serial = serialOf(cert);
  expect(serial >= 0n && serial < 2n ** 128n).toBe(true);

  const subjectDer = Buffer.from(AsnConvert.serialize(tbs.subject));
  expect(Buffer.from(AsnConvert.serialize(tbs.issuer)).equals(subjectDer)).toBe(true);
  if (org === undefined) {
    expect(tbs.subject).toHaveLength(0);
  } else {
    expect(tbs.subject).toHaveLength(1);
    expect(tbs.subject[0]).toHaveLength(1);
    expect(tbs.subject[0]![0]!.type).toBe(OID.organization);
    expect(nameValues(tbs.subject, OID.organization)).toEqual([org]);
  }

  expect(cert.notBefore.getTime()).toBe(NOW_S.getTime());
  expect(cert.notAfter.getTime()).toBe(NOW_S.getTime() + CA_VALIDITY_MS);
  expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(87_600 * 3_600_000);

  const exts = extensions(cert);
  expect(exts.map((e) => e.oid)).toEqual([
    OID.keyUsage,
    OID.extKeyUsage,
    OID.basicConstraints,
    OID.subjectKeyId,
  ]);
  const [ku, eku, bc, ski] = exts as [Ext, Ext, Ext, Ext];
  expect(ku.critical).toBe(true);
  const usage = AsnConvert.parse(ku.value, KeyUsage);
  expect(usage.toJSON().sort()).toEqual(["digitalSignature", "keyCertSign"]);
  expect(ku.value.toString("hex")).toBe("03020284"); // trailing zero bits trimmed, as Go does
  expect(eku.critical).toBe(false);
  expect([...AsnConvert.parse(eku.value, ExtendedKeyUsage)]).toEqual([OID.serverAuth, OID.clientAuth]);
  expect(bc.critical).toBe(true);
  const constraints = AsnConvert.parse(bc.value, BasicConstraints);
  expect(constraints.cA).toBe(true);
  expect(constraints.pathLenConstraint).toBeUndefined();
  expect(ski.critical).toBe(false);
  const keyId = Buffer.from(AsnConvert.parse(ski.value, SubjectKeyIdentifier).buffer);
  expect(keyId).toHaveLength(20);
  // Random, not the SHA-1 of the public key that Go would otherwise derive.
  const sha1 = createHash("sha1").update(publicKeyDer(cert.publicKey)).digest();
  expect(keyId.equals(sha1)).toBe(false);
  expect(cert.subjectKeyId?.equals(keyId)).toBe(true);
  expect(cert.authorityKeyId).toBeUndefined();
  expect(cert.x509.subjectAltName).toBeUndefined();

  expect(cert.asn.signatureAlgorithm.algorithm).toBe(signatureOid);
  expect(tbs.signature.algorithm).toBe(signatureOid);
  expect(tbs.signature.parameters ?? undefined).toBeUndefined();
  expect(cert.x509.verify(cert.publicKey)).toBe(true);
  expect(cert.isCA).toBe(true);
  expect(cert.x509.ca).toBe(true);
}

describe("CA profile", () => {
  it("Ed25519 CA: pure Ed25519 signature, O=talos", async () => {
    const ca = await createCertificateAuthority({ organization: "talos", keyKind: "ed25519", now: NOW });
    expectCaProfile(ca.cert, "talos", OID.ed25519);
    expect(ca.key.startsWith("-----BEGIN ED25519 PRIVATE KEY-----\n")).toBe(true);
  });

  it("ECDSA P-256 CA: ECDSA-with-SHA256, O=etcd", async () => {
    const ca = await createCertificateAuthority({ organization: "etcd", keyKind: "ecdsa", now: NOW });
    expectCaProfile(ca.cert, "etcd", OID.ecdsaWithSHA256);
    expect(ca.cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(ca.key.startsWith("-----BEGIN EC PRIVATE KEY-----\n")).toBe(true);
  });

  it("aggregator CA: an empty distinguished name", async () => {
    const ca = await createCertificateAuthority({ keyKind: "ecdsa", now: NOW });
    expectCaProfile(ca.cert, undefined, OID.ecdsaWithSHA256);
    expect(ca.cert.x509.subject ?? "").toBe("");
  });

  it("RSA CA: sha512WithRSAEncryption with NULL parameters", async () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const ca = await createCertificateAuthority({ organization: "rsa", key, now: NOW });
    expect(ca.cert.asn.signatureAlgorithm.algorithm).toBe(OID.sha512WithRSA);
    expect(ca.cert.x509.verify(ca.cert.publicKey)).toBe(true);
    expect(ca.key.startsWith("-----BEGIN RSA PRIVATE KEY-----\n")).toBe(true);
  });

  it("draws a fresh serial and key id each time, even for the same key", async () => {
    const key = await generatePrivateKey("ed25519");
    const a = await createCertificateAuthority({ organization: "x", key, now: NOW });
    const b = await createCertificateAuthority({ organization: "x", key, now: NOW });
    expect(a.cert.x509.serialNumber).not.toBe(b.cert.x509.serialNumber);
    expect(a.cert.subjectKeyId!.equals(b.cert.subjectKeyId!)).toBe(false);
  });

  it("writes validity after 2049 as GeneralizedTime", async () => {
    const ca = await createCertificateAuthority({
      organization: "x",
      now: NOW,
      ttlMs: 50 * 365 * 86_400_000,
    });
    expect(ca.cert.asn.tbsCertificate.validity.notBefore.utcTime).toBeDefined();
    expect(ca.cert.asn.tbsCertificate.validity.notAfter.generalTime).toBeDefined();
    expect(ca.cert.notAfter.getUTCFullYear()).toBe(2076);
  });

  it("puts IP and DNS alternative names on a CA when asked (gen keypair)", async () => {
    const ca = await createCertificateAuthority({
      organization: "kp",
      now: NOW,
      ips: ["10.5.0.2"],
      dnsNames: ["n1"],
    });
    expect(ca.cert.x509.subjectAltName).toBe("DNS:n1, IP Address:10.5.0.2");
  });

  it.skipIf(!HAVE_OPENSSL)(
    `openssl shows the profile (${HAVE_OPENSSL ? "openssl found" : NO_OPENSSL_REASON})`,
    async () => {
      const ca = await createCertificateAuthority({ organization: "talos", now: NOW });
      const dir = scratchDir();
      fs.writeFileSync(path.join(dir, "ca.pem"), ca.crt);
      const text = openssl(["x509", "-text", "-noout", "-in", "ca.pem"], dir);
      expect(text).toContain("Version: 3 (0x2)");
      expect(text).toContain("Signature Algorithm: ED25519");
      expect(text).toContain("Issuer: O = talos");
      expect(text).toContain("Subject: O = talos");
      expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Certificate Sign/);
      expect(text).toMatch(
        /X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication, TLS Web Client Authentication/,
      );
      expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
      expect(text).toContain("X509v3 Subject Key Identifier");
      expect(text).not.toContain("Authority Key Identifier");
      expect(openssl(["verify", "-CAfile", "ca.pem", "ca.pem"], dir).trim()).toBe("ca.pem: OK");
      // The .sha256 pin equals openssl's hash of the DER public key.
      fs.writeFileSync(
        path.join(dir, "pub.pem"),
        openssl(["x509", "-in", "ca.pem", "-noout", "-pubkey"], dir),
      );
      openssl(["pkey", "-pubin", "-in", "pub.pem", "-outform", "der", "-out", "pub.der"], dir);
      const hash = createHash("sha256")
        .update(fs.readFileSync(path.join(dir, "pub.der")))
        .digest("hex");
      expect(certificateHash(ca.cert)).toBe(`sha256:${hash}`);
    },
  );
});

describe("buildName", () => {
  it("puts all organizations in one RDN ordered by their DER, then the CN", () => {
    const name = buildName({ organizations: ["os:reader", "os:admin", "os:etcd:backup"], commonName: "n" });
    expect(name).toHaveLength(2);
    const orgs = name[0]!.map((atv) => atv.value.toString());
    // Shorter encodings sort first in a DER SET; equal lengths compare bytewise.
    expect(orgs).toEqual(["os:admin", "os:reader", "os:etcd:backup"]);
    expect(name[1]![0]!.type).toBe(OID.commonName);
  });

  it("uses PrintableString when possible, UTF8String otherwise", () => {
    const name = buildName({ organizations: ["talos", "tälos", "a_b"] });
    const kinds = Object.fromEntries(
      name[0]!.map((atv) => [
        atv.value.toString(),
        atv.value.printableString !== undefined ? "printable" : "utf8",
      ]),
    );
    expect(kinds).toEqual({ talos: "printable", tälos: "utf8", a_b: "utf8" });
  });

  it("is empty for no organizations", () => {
    expect(buildName({})).toHaveLength(0);
  });
});

describe("ipBytes", () => {
  it("encodes IPv4 in 4 bytes, IPv6 in 16, IPv4-mapped IPv6 in 4", () => {
    expect(ipBytes("10.5.0.2")?.toString("hex")).toBe("0a050002");
    expect(ipBytes("::1")?.toString("hex")).toBe(`${"00".repeat(15)}01`);
    expect(ipBytes("fd00::1:2")?.toString("hex")).toBe("fd000000000000000000000000010002");
    expect(ipBytes("::ffff:10.0.0.1")?.toString("hex")).toBe("0a000001");
    expect(ipBytes("nope")).toBeUndefined();
    expect(ipBytes("1.2.3.256")).toBeUndefined();
  });
});

describe("parseCertificatePem", () => {
  it("explains what is wrong", () => {
    expect(() => parseCertificatePem("")).toThrow("failed to parse PEM block");
    expect(() => parseCertificatePem(encodePem("EC PRIVATE KEY", Buffer.from("x")))).toThrow(
      'failed to parse certificate: PEM block is "EC PRIVATE KEY", not "CERTIFICATE"',
    );
    expect(() => parseCertificatePem(encodePem("CERTIFICATE", Buffer.from("garbage")))).toThrow(
      "failed to parse certificate: x509: malformed certificate",
    );
  });
});
