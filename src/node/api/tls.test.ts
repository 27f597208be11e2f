import { createHash, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../pki/index.js";
import { configuredTls, maintenanceTls, spkiFingerprint } from "./tls.js";

describe("API TLS identities", () => {
  it("issues the maintenance certificate for the node's addresses with an SPKI fingerprint", async () => {
    const tls = await maintenanceTls(["127.0.0.1", "10.5.0.2"], "talos-abc-def", new Date());
    const cert = new X509Certificate(tls.cert.crt);
    expect(cert.subjectAltName).toContain("IP Address:10.5.0.2");
    expect(cert.subjectAltName).toContain("DNS:talos-abc-def");
    const spki = cert.publicKey.export({ type: "spki", format: "der" });
    expect(tls.fingerprint).toBe(createHash("sha256").update(spki).digest("base64"));
    expect(spkiFingerprint(tls.cert.crt)).toBe(tls.fingerprint);
  });

  it("issues the configured certificate from the OS CA with the certSANs", async () => {
    const now = new Date();
    const ca = await createCertificateAuthority({ organization: "talos", now });
    const tls = await configuredTls({
      osCa: { crt: ca.crt, key: ca.key },
      acceptedCas: [],
      addresses: ["10.5.0.2"],
      certSans: ["api.example.com", "192.0.2.10"],
      hostname: "cp-1",
      now,
    });
    const cert = new X509Certificate(tls.cert.crt);
    expect(cert.verify(new X509Certificate(ca.crt).publicKey)).toBe(true);
    for (const san of [
      "IP Address:10.5.0.2",
      "IP Address:192.0.2.10",
      "DNS:api.example.com",
      "DNS:cp-1",
      "IP Address:127.0.0.1",
    ]) {
      expect(cert.subjectAltName).toContain(san);
    }
    expect(tls.trust).toBe(ca.crt);
    expect(tls.warning).toBeUndefined();
  });

  it("falls back to a node-local CA (and says so) when the config has no CA key", async () => {
    const now = new Date();
    const ca = await createCertificateAuthority({ organization: "talos", now });
    const tls = await configuredTls({
      osCa: { crt: ca.crt, key: "" },
      acceptedCas: [],
      addresses: [],
      certSans: [],
      hostname: "w",
      now,
    });
    expect(new X509Certificate(tls.cert.crt).verify(new X509Certificate(ca.crt).publicKey)).toBe(false);
    expect(tls.warning).toContain("machine.ca.key is empty");
  });
});
