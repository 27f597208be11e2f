import type { KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateBundle, generateToken } from "./bundle.js";
import { CURRENT_CONTRACT, parseContract } from "./contract.js";
import { describeKey, generatePrivateKey, type KeyKind, parsePrivateKeyPem } from "./keys.js";
import { decodePem } from "./pem.js";
import { quickBundle } from "./test-helpers.js";
import { validateBundle } from "./validate.js";
import { parseCertificatePem } from "./x509.js";

const NOW = new Date("2026-03-01T10:00:00Z");
const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

function expect32ByteStdBase64(value: string): void {
  expect(value).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(value, "base64")).toHaveLength(32);
}

describe("generateBundle", () => {
  it("makes the four CAs with one shared start time, their organizations and key types", async () => {
    const bundle = await quickBundle(NOW);
    const cas = {
      etcd: parseCertificatePem(bundle.certs.etcd.crt),
      k8s: parseCertificatePem(bundle.certs.k8s.crt),
      k8sAggregator: parseCertificatePem(bundle.certs.k8sAggregator.crt),
      os: parseCertificatePem(bundle.certs.os.crt),
    };
    for (const ca of Object.values(cas)) {
      expect(ca.notBefore.toISOString()).toBe(NOW.toISOString());
      expect(ca.notAfter.getTime() - NOW.getTime()).toBe(87_600 * 3_600_000);
      expect(ca.isCA).toBe(true);
    }
    expect(cas.etcd.x509.subject).toBe("O=etcd");
    expect(cas.k8s.x509.subject).toBe("O=kubernetes");
    expect(cas.k8sAggregator.x509.subject ?? "").toBe("");
    expect(cas.os.x509.subject).toBe("O=talos");
    expect(describeKey(parsePrivateKeyPem(bundle.certs.etcd.key))).toBe("ECDSA P-256");
    expect(describeKey(parsePrivateKeyPem(bundle.certs.k8s.key))).toBe("ECDSA P-256");
    expect(describeKey(parsePrivateKeyPem(bundle.certs.k8sAggregator.key))).toBe("ECDSA P-256");
    expect(decodePem(bundle.certs.os.key)?.label).toBe("ED25519 PRIVATE KEY");
    expect(validateBundle(bundle, parseContract("1.6"))).toEqual([]);
  });

  it("makes tokens, cluster id and secrets of the right shape", async () => {
    const bundle = await quickBundle(NOW);
    expect(bundle.secrets.bootstrapToken).toMatch(TOKEN);
    expect(bundle.trustdInfo.token).toMatch(TOKEN);
    expect(bundle.trustdInfo.token).not.toBe(bundle.secrets.bootstrapToken);
    expect32ByteStdBase64(bundle.cluster.id);
    expect32ByteStdBase64(bundle.cluster.secret);
    expect32ByteStdBase64(bundle.secrets.secretboxEncryptionSecret!);
    expect(bundle.secrets.aescbcEncryptionSecret).toBeUndefined();
  });

  it("uses an ECDSA service-account key up to contract 1.6", async () => {
    const bundle = await generateBundle({ contract: parseContract("v1.6.4"), now: NOW });
    expect(decodePem(bundle.certs.k8sServiceAccount.key)?.label).toBe("EC PRIVATE KEY");
  });

  it("uses an AES-CBC secret instead of secretbox up to contract 1.2", async () => {
    const bundle = await generateBundle({ contract: parseContract("1.2"), now: NOW });
    expect(bundle.secrets.secretboxEncryptionSecret).toBeUndefined();
    expect32ByteStdBase64(bundle.secrets.aescbcEncryptionSecret!);
    expect(validateBundle(bundle)).toEqual([]);
  });

  it("uses an RSA-4096 PKCS#1 service-account key for current contracts, and reports key generation time", async () => {
    const timings: number[] = [];
    const bundle = await generateBundle({
      contract: CURRENT_CONTRACT,
      now: NOW,
      onKeygen: (ms) => timings.push(ms),
    });
    expect(decodePem(bundle.certs.k8sServiceAccount.key)?.label).toBe("RSA PRIVATE KEY");
    expect(describeKey(parsePrivateKeyPem(bundle.certs.k8sServiceAccount.key))).toBe("RSA-4096");
    expect(timings).toHaveLength(1);
    expect(timings[0]).toBeGreaterThan(0);
    expect(validateBundle(bundle)).toEqual([]);
  });

  it("asks for all keys at once so RSA does not hold the others up", async () => {
    const asked: KeyKind[] = [];
    const pending: (() => void)[] = [];
    const keygen = (kind: KeyKind) => {
      asked.push(kind);
      return new Promise<KeyObject>((resolve) => {
        pending.push(() => void generatePrivateKey(kind === "rsa" ? "ecdsa" : kind).then(resolve));
      });
    };
    const done = generateBundle({ contract: parseContract("1.8"), now: NOW, keygen });
    await new Promise((r) => setImmediate(r));
    expect(asked.sort()).toEqual(["ecdsa", "ecdsa", "ecdsa", "ed25519", "rsa"]);
    for (const release of pending) release();
    await done;
  });

  it("keeps seeded parts and generates only the rest", async () => {
    const base = await quickBundle(NOW);
    const asked: KeyKind[] = [];
    const bundle = await generateBundle({
      contract: parseContract("1.8"),
      now: NOW,
      keygen: (kind) => {
        asked.push(kind);
        return generatePrivateKey(kind);
      },
      seed: {
        k8s: base.certs.k8s,
        etcd: base.certs.etcd,
        k8sAggregator: base.certs.k8sAggregator,
        k8sServiceAccount: base.certs.k8sServiceAccount,
        bootstrapToken: "abc.def",
      },
    });
    expect(asked).toEqual(["ed25519"]);
    expect(bundle.certs.k8s).toEqual(base.certs.k8s);
    expect(bundle.certs.k8sServiceAccount).toEqual(base.certs.k8sServiceAccount);
    expect(bundle.secrets.bootstrapToken).toBe("abc.def");
    expect(bundle.certs.os.crt).not.toBe(base.certs.os.crt);
  });
});

describe("generateToken", () => {
  it("draws from [0-9a-z] in the 6.16 shape, every character reachable", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const t = generateToken();
      expect(t).toMatch(TOKEN);
      for (const c of t.replace(".", "")) seen.add(c);
    }
    expect(seen.size).toBe(36);
  });
});
