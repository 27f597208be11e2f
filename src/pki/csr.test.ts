import fs from "node:fs";
import path from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import { ExtendedKeyUsage } from "@peculiar/asn1-x509";
import { describe, expect, it } from "vitest";
import { createCertificateAuthority } from "./ca.js";
import {
  createCertificateSigningRequest,
  parseCertificateSigningRequest,
  signCertificateRequest,
} from "./csr.js";
import { generatePrivateKey, publicKeyDer } from "./keys.js";
import { decodePem, encodePem } from "./pem.js";
import { fastKeygen, HAVE_OPENSSL, NO_OPENSSL_REASON, openssl, scratchDir } from "./test-helpers.js";
import { nameValues, OID, parseCertificatePem } from "./x509.js";

const NOW = new Date("2026-05-04T12:00:00Z");

describe("certificate signing requests", () => {
  it.each(["ed25519", "ecdsa", "rsa"] as const)("round-trips a %s request", async (kind) => {
    const key = await fastKeygen(kind);
    const pem = createCertificateSigningRequest({
      key,
      organizations: ["os:admin"],
      ips: ["10.5.0.2", "fd00::2"],
    });
    expect(decodePem(pem)?.label).toBe("CERTIFICATE REQUEST");
    const csr = parseCertificateSigningRequest(pem);
    expect(nameValues(csr.subject, OID.organization)).toEqual(["os:admin"]);
    expect(publicKeyDer(csr.publicKey).equals(publicKeyDer(key))).toBe(true);
    expect(csr.ips.map((b) => b.toString("hex"))).toEqual(["0a050002", "fd000000000000000000000000000002"]);
    expect(csr.dnsNames).toEqual([]);
  });

  it("refuses a request whose signature does not verify", async () => {
    const key = await generatePrivateKey("ed25519");
    const block = decodePem(
      createCertificateSigningRequest({ key, organizations: ["os:admin"], ips: ["10.0.0.1"] }),
    )!;
    const der = Buffer.from(block.der);
    der[der.length - 1]! ^= 0xff;
    expect(() => parseCertificateSigningRequest(encodePem("CERTIFICATE REQUEST", der))).toThrow(
      "failed verifying CSR signature",
    );
  });

  it("explains unreadable input", () => {
    expect(() => parseCertificateSigningRequest("nothing")).toThrow("failed to parse PEM block");
    expect(() => parseCertificateSigningRequest(encodePem("CERTIFICATE REQUEST", Buffer.from("x")))).toThrow(
      "failed to parse CSR: malformed certificate request",
    );
    expect(() => parseCertificateSigningRequest(encodePem("ED25519 PRIVATE KEY", Buffer.from("x")))).toThrow(
      'failed to parse CSR: PEM block is "ED25519 PRIVATE KEY", not "CERTIFICATE REQUEST"',
    );
  });

  it("signs a request into a client certificate of the CA", async () => {
    const ca = await createCertificateAuthority({ organization: "talos", now: NOW });
    const key = await generatePrivateKey("ed25519");
    const csr = createCertificateSigningRequest({
      key,
      organizations: ["os:reader", "os:admin"],
      ips: ["10.5.0.2"],
    });
    const cert = parseCertificatePem(signCertificateRequest({ ca, csr, now: NOW, ttlMs: 24 * 3_600_000 }));
    expect(cert.x509.subject).toBe("O=os:admin + O=os:reader");
    expect(cert.x509.subjectAltName).toBe("IP Address:10.5.0.2");
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(24 * 3_600_000);
    const eku = cert.asn.tbsCertificate.extensions!.find((e) => e.extnID === OID.extKeyUsage)!;
    expect([...AsnConvert.parse(eku.extnValue.buffer, ExtendedKeyUsage)]).toEqual([OID.clientAuth]);
    expect(cert.authorityKeyId?.equals(ca.cert.subjectKeyId!)).toBe(true);
    expect(cert.isCA).toBe(false);
    expect(publicKeyDer(cert.publicKey).equals(publicKeyDer(key))).toBe(true);
    expect(cert.x509.verify(ca.cert.publicKey)).toBe(true);
  });

  it.skipIf(!HAVE_OPENSSL)(
    `openssl accepts the request (${HAVE_OPENSSL ? "openssl found" : NO_OPENSSL_REASON})`,
    async () => {
      const dir = scratchDir();
      const csr = createCertificateSigningRequest({
        key: await generatePrivateKey("ecdsa"),
        organizations: ["os:admin"],
        ips: ["10.5.0.2"],
      });
      fs.writeFileSync(path.join(dir, "r.csr"), csr);
      const out = openssl(["req", "-verify", "-noout", "-text", "-in", "r.csr"], dir);
      expect(out).toContain("Subject: O = os:admin");
      expect(out).toContain("IP Address:10.5.0.2");
    },
  );
});
