import { describe, expect, test } from "vitest";
import { holdsPrivateKey, REDACTED, redactData } from "./redact.js";

const pemKey =
  "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFakeKeyMaterialForTests==\n-----END EC PRIVATE KEY-----\n";
const pemCert = "-----BEGIN CERTIFICATE-----\nMIIBFakeCertificate==\n-----END CERTIFICATE-----\n";
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("redaction", () => {
  test("v1alpha1: tokens, CA keys, cluster secret and encryption secrets; certificates and ids stay", () => {
    const data = {
      machine: { token: "abc.def", ca: { crt: b64(pemCert), key: b64(pemKey) } },
      cluster: {
        id: "cluster-id",
        secret: "cluster-secret",
        token: "ghi.jkl",
        secretboxEncryptionSecret: "sb",
        aescbcEncryptionSecret: "cbc",
        ca: { crt: b64(pemCert), key: b64(pemKey) },
        serviceAccount: { key: b64(pemKey) },
        etcd: { ca: { crt: b64(pemCert), key: b64(pemKey) } },
      },
    };
    const r = redactData("v1alpha1", data);
    expect(r.value).toEqual({
      machine: { token: REDACTED, ca: { crt: b64(pemCert), key: REDACTED } },
      cluster: {
        id: "cluster-id",
        secret: REDACTED,
        token: REDACTED,
        secretboxEncryptionSecret: REDACTED,
        aescbcEncryptionSecret: REDACTED,
        ca: { crt: b64(pemCert), key: REDACTED },
        serviceAccount: { key: REDACTED },
        etcd: { ca: { crt: b64(pemCert), key: REDACTED } },
      },
    });
    expect(r.redacted).toContain("cluster.etcd.ca.key");
    expect(data.machine.token).toBe("abc.def");
  });

  test("multi-document kinds: raw PEM keys, identity secret, etcd encryption keys, wireguard, registry auth", () => {
    expect(redactData("KubeAPIServerCAConfig", { issuingCA: { cert: pemCert, key: pemKey } }).value).toEqual({
      issuingCA: { cert: pemCert, key: REDACTED },
    });
    expect(redactData("DiscoveryIdentityConfig", { clusterID: "id", clusterSecret: "s" }).value).toEqual({
      clusterID: "id",
      clusterSecret: REDACTED,
    });
    expect(
      redactData("KubeEtcdEncryptionConfig", {
        config: { resources: [{ providers: [{ secretbox: { keys: [{ name: "key2", secret: "x" }] } }] }] },
      }).value,
    ).toEqual({
      config: { resources: [{ providers: [{ secretbox: { keys: [{ name: "key2", secret: REDACTED }] } }] }] },
    });
    expect(
      redactData("WireguardConfig", { privateKey: "k", peers: [{ presharedKey: "p", publicKey: "pub" }] })
        .value,
    ).toEqual({
      privateKey: REDACTED,
      peers: [{ presharedKey: REDACTED, publicKey: "pub" }],
    });
    expect(redactData("RegistryAuthConfig", { username: "u", password: "p", auth: "dTpw" }).value).toEqual({
      username: "u",
      password: REDACTED,
      auth: REDACTED,
    });
    expect(
      redactData("SideroLinkConfig", { apiUrl: "https://omni.example.com?jointoken=s3cr3t&x=1" }).value,
    ).toEqual({
      apiUrl: `https://omni.example.com?jointoken=${REDACTED}&x=1`,
    });
  });

  test("empty values are not marked", () => {
    expect(redactData("v1alpha1", { machine: { ca: { key: "" }, token: "" } }).redacted).toEqual([]);
  });

  test("private keys are found raw or base64-encoded, certificates are not", () => {
    expect(holdsPrivateKey(pemKey)).toBe(true);
    expect(holdsPrivateKey(b64(pemKey))).toBe(true);
    expect(holdsPrivateKey(b64(pemCert))).toBe(false);
    expect(holdsPrivateKey("plain text")).toBe(false);
  });
});
