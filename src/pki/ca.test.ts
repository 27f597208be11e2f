import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import tls from "node:tls";
import { AsnConvert } from "@peculiar/asn1-schema";
import { ExtendedKeyUsage, KeyUsage } from "@peculiar/asn1-x509";
import { describe, expect, it } from "vitest";
import {
  ADMIN_CERTIFICATE_VALIDITY_MS,
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
  loadCertificateAuthority,
} from "./ca.js";
import { describeKey, type KeyKind, keyKindOf, parsePrivateKeyPem, toTlsKeyPem } from "./keys.js";
import { decodePem } from "./pem.js";
import {
  fastKeygen,
  HAVE_OPENSSL,
  NO_OPENSSL_REASON,
  openssl,
  opensslStatus,
  scratchDir,
} from "./test-helpers.js";
import { nameValues, OID, type ParsedCertificate, parseCertificatePem } from "./x509.js";

const NOW = new Date("2026-05-04T12:00:00Z");

function ext(cert: ParsedCertificate, oid: string) {
  return cert.asn.tbsCertificate.extensions?.find((e) => e.extnID === oid);
}

describe("issueClientCertificate (admin certificate profile)", () => {
  it("follows the profile: O per sorted role, no CN, digitalSignature, clientAuth, AKI = CA SKI", async () => {
    const ca = await createCertificateAuthority({ organization: "talos", now: NOW });
    const leaf = await issueClientCertificate({
      ca,
      roles: ["os:reader", "os:admin", "os:admin"],
      ttlMs: ADMIN_CERTIFICATE_VALIDITY_MS,
      now: NOW,
    });
    const cert = parseCertificatePem(leaf.crt);
    const tbs = cert.asn.tbsCertificate;
    expect(tbs.version).toBe(2);
    expect(nameValues(tbs.subject, OID.organization)).toEqual(["os:admin", "os:reader"]);
    expect(nameValues(tbs.subject, OID.commonName)).toEqual([]);
    expect(cert.x509.issuer).toBe("O=talos");
    expect(cert.notBefore.getTime()).toBe(NOW.getTime());
    expect(cert.notAfter.getTime() - NOW.getTime()).toBe(8_760 * 3_600_000);
    expect(tbs.extensions!.map((e) => e.extnID)).toEqual([OID.keyUsage, OID.extKeyUsage, OID.authorityKeyId]);
    const ku = ext(cert, OID.keyUsage)!;
    expect(ku.critical).toBe(true);
    expect(AsnConvert.parse(ku.extnValue.buffer, KeyUsage).toJSON()).toEqual(["digitalSignature"]);
    const eku = ext(cert, OID.extKeyUsage)!;
    expect(eku.critical).toBe(false);
    expect([...AsnConvert.parse(eku.extnValue.buffer, ExtendedKeyUsage)]).toEqual([OID.clientAuth]);
    expect(ext(cert, OID.basicConstraints)).toBeUndefined();
    expect(ext(cert, OID.subjectKeyId)).toBeUndefined();
    expect(ext(cert, OID.subjectAltName)).toBeUndefined();
    expect(cert.authorityKeyId?.equals(ca.cert.subjectKeyId!)).toBe(true);
    const serial = BigInt(`0x${Buffer.from(tbs.serialNumber).toString("hex")}`);
    expect(serial < 2n ** 128n).toBe(true);
    expect(cert.x509.verify(ca.cert.publicKey)).toBe(true);
    expect(cert.x509.checkIssued(ca.cert.x509)).toBe(true);
    // The key is Talos's Ed25519 encoding and belongs to the certificate.
    expect(decodePem(leaf.key)?.label).toBe("ED25519 PRIVATE KEY");
    expect(cert.x509.checkPrivateKey(parsePrivateKeyPem(leaf.key))).toBe(true);
  });

  it("accepts the CA as PEM text too", async () => {
    const ca = await createCertificateAuthority({ organization: "talos", now: NOW });
    const leaf = await issueClientCertificate({
      ca: { crt: ca.crt, key: ca.key },
      roles: ["os:reader"],
      ttlMs: 1000,
      now: NOW,
    });
    expect(parseCertificatePem(leaf.crt).x509.verify(ca.cert.publicKey)).toBe(true);
  });

  it.each([
    ["ed25519", "ed25519", "Ed25519"],
    ["ecdsa", "ecdsa", "ECDSA P-256"],
    ["rsa", "rsa", "RSA-2048"],
  ] as const)("a %s CA gets a %s leaf key", async (caKind: KeyKind, leafKind: KeyKind, described: string) => {
    const requested: KeyKind[] = [];
    const keygen = async (kind: KeyKind) => {
      requested.push(kind);
      return fastKeygen(kind);
    };
    const ca = await createCertificateAuthority({ organization: "o", keyKind: caKind, keygen, now: NOW });
    const leaf = await issueClientCertificate({ ca, roles: ["os:admin"], ttlMs: 60_000, now: NOW, keygen });
    expect(requested).toEqual([caKind, leafKind]);
    const key = parsePrivateKeyPem(leaf.key);
    expect(keyKindOf(key)).toBe(leafKind);
    expect(describeKey(key)).toBe(described);
    expect(parseCertificatePem(leaf.crt).x509.verify(ca.cert.publicKey)).toBe(true);
  });

  it("asks for RSA-4096 leaves from the default generator for an RSA CA", async () => {
    // Only the requested kind is checked here; the 4096-bit size is covered by the bundle test.
    const kinds: KeyKind[] = [];
    const ca = await createCertificateAuthority({
      organization: "o",
      keyKind: "rsa",
      keygen: fastKeygen,
      now: NOW,
    });
    await issueClientCertificate({
      ca,
      roles: ["os:admin"],
      ttlMs: 1,
      now: NOW,
      keygen: async (k) => {
        kinds.push(k);
        return fastKeygen(k);
      },
    });
    expect(kinds).toEqual(["rsa"]);
  });

  it.skipIf(!HAVE_OPENSSL)(
    `openssl verifies client certificates of Ed25519 and ECDSA CAs (${HAVE_OPENSSL ? "openssl found" : NO_OPENSSL_REASON})`,
    async () => {
      const dir = scratchDir();
      for (const kind of ["ed25519", "ecdsa"] as const) {
        const ca = await createCertificateAuthority({
          organization: "talos",
          keyKind: kind,
          now: new Date(),
        });
        const leaf = await issueClientCertificate({
          ca,
          roles: ["os:admin"],
          ttlMs: 3_600_000,
          now: new Date(),
        });
        fs.writeFileSync(path.join(dir, `ca-${kind}.pem`), ca.crt);
        fs.writeFileSync(path.join(dir, `leaf-${kind}.pem`), leaf.crt);
        const verified = openssl(
          ["verify", "-purpose", "sslclient", "-CAfile", `ca-${kind}.pem`, `leaf-${kind}.pem`],
          dir,
        );
        expect(verified.trim()).toBe(`leaf-${kind}.pem: OK`);
        const text = openssl(["x509", "-text", "-noout", "-in", `leaf-${kind}.pem`], dir);
        expect(text).toContain("Issuer: O = talos");
        expect(text).toContain("Subject: O = os:admin\n");
        expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/);
        expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
        expect(text).toContain("X509v3 Authority Key Identifier");
        expect(text).not.toContain("Basic Constraints");
        expect(text).toContain(
          kind === "ed25519" ? "Signature Algorithm: ED25519" : "Signature Algorithm: ecdsa-with-SHA256",
        );
        // A client certificate must not pass as a server certificate.
        const asServer = opensslStatus(
          ["verify", "-purpose", "sslserver", "-CAfile", `ca-${kind}.pem`, `leaf-${kind}.pem`],
          dir,
        );
        expect(asServer.status).not.toBe(0);
        expect(asServer.out).toContain("unsuitable certificate purpose");
      }
    },
  );
});

describe("issueServerCertificate", () => {
  it("carries serverAuth and the names, and works for mutual TLS with a client certificate", async () => {
    const ca = await createCertificateAuthority({ organization: "talos", now: NOW });
    const now = new Date();
    const server = await issueServerCertificate({
      ca,
      dnsNames: ["localhost"],
      ips: ["127.0.0.1", "::1"],
      ttlMs: 3_600_000,
      now,
      commonName: "talos-node",
    });
    const cert = parseCertificatePem(server.crt);
    expect(cert.x509.subject).toBe("CN=talos-node");
    expect(cert.x509.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(ext(cert, OID.subjectAltName)?.critical).toBe(false);
    expect([...AsnConvert.parse(ext(cert, OID.extKeyUsage)!.extnValue.buffer, ExtendedKeyUsage)]).toEqual([
      OID.serverAuth,
    ]);
    const client = await issueClientCertificate({ ca, roles: ["os:reader"], ttlMs: 3_600_000, now });

    const seen = await new Promise<string>((resolve, reject) => {
      const srv = tls.createServer(
        {
          cert: server.crt,
          key: toTlsKeyPem(server.key),
          ca: ca.crt,
          requestCert: true,
          rejectUnauthorized: true,
        },
        (socket) => {
          const peer = socket.getPeerCertificate();
          socket.end(`${String(peer.subject?.O)}`);
        },
      );
      srv.listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as AddressInfo;
        const conn = tls.connect({
          host: "127.0.0.1",
          port,
          ca: ca.crt,
          cert: client.crt,
          key: toTlsKeyPem(client.key),
          servername: "localhost",
        });
        let data = "";
        conn.on("data", (d) => {
          data += d;
        });
        conn.on("end", () => {
          srv.close();
          resolve(data);
        });
        conn.on("error", (err) => {
          srv.close();
          reject(err);
        });
      });
    });
    expect(seen).toBe("os:reader");
  });

  it("marks the names critical when the subject is empty", async () => {
    const ca = await createCertificateAuthority({ organization: "talos", now: NOW });
    const server = await issueServerCertificate({ ca, dnsNames: ["n"], ips: [], ttlMs: 1000, now: NOW });
    expect(ext(parseCertificatePem(server.crt), OID.subjectAltName)?.critical).toBe(true);
  });

  it("rejects a bad IP", async () => {
    const ca = await createCertificateAuthority({ organization: "talos", now: NOW });
    await expect(
      issueServerCertificate({ ca, dnsNames: [], ips: ["300.1.1.1"], ttlMs: 1, now: NOW }),
    ).rejects.toThrow("invalid IP: 300.1.1.1");
  });
});

describe("loadCertificateAuthority", () => {
  it("loads a pair and refuses a key that is not the certificate's", async () => {
    const a = await createCertificateAuthority({ organization: "a", now: NOW });
    const b = await createCertificateAuthority({ organization: "b", now: NOW });
    expect(loadCertificateAuthority({ crt: a.crt, key: a.key }).cert.x509.subject).toBe("O=a");
    expect(() => loadCertificateAuthority({ crt: a.crt, key: b.key })).toThrow(
      "the private key does not belong to the certificate",
    );
    expect(() => loadCertificateAuthority({ crt: a.crt, key: "" })).toThrow("failed to parse PEM block");
  });
});
