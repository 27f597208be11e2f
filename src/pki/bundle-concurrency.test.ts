// generateBundle signs each CA as soon as its own key arrives, so the certificate work is done
// while the slow RSA service-account key is still being made. The test holds the RSA key back
// and counts the CAs signed meanwhile: an order of events, not a time.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { generateBundle } from "./bundle.js";
import { createCertificateAuthority } from "./ca.js";
import { parseContract } from "./contract.js";
import { generatePrivateKey, type KeyKind, parsePrivateKeyPem } from "./keys.js";
import { decodePem } from "./pem.js";
import { parseCertificatePem } from "./x509.js";

vi.mock("./ca.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("./ca.js")>();
  return { ...original, createCertificateAuthority: vi.fn(original.createCertificateAuthority) };
});

const NOW = new Date("2026-03-01T10:00:00Z");

/** Lets pending callbacks and promise continuations run, at most `turns` event-loop turns. */
async function turnsUntil(done: () => boolean, turns = 1000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((r) => setImmediate(r));
}

describe("generateBundle concurrency", () => {
  it("signs all four CAs while the service-account key is still being made", async () => {
    const signed = vi.mocked(createCertificateAuthority);
    signed.mockClear();
    const asked: KeyKind[] = [];
    let releaseRsa: (key: KeyObject) => void = () => {};
    const keygen = (kind: KeyKind): Promise<KeyObject> => {
      asked.push(kind);
      if (kind !== "rsa") return generatePrivateKey(kind);
      return new Promise((resolve) => {
        releaseRsa = resolve;
      });
    };
    let settled = false;
    const bundle = generateBundle({ contract: parseContract("1.8"), now: NOW, keygen }).finally(() => {
      settled = true;
    });
    // Every key is asked for before any of them is awaited.
    expect(asked.sort()).toEqual(["ecdsa", "ecdsa", "ecdsa", "ed25519", "rsa"]);

    await turnsUntil(() => signed.mock.calls.length === 4);
    // In whatever order their keys came back from the thread pool.
    expect(signed.mock.calls.map(([o]) => o.organization ?? "").sort()).toEqual([
      "",
      "etcd",
      "kubernetes",
      "talos",
    ]);
    expect(settled).toBe(false);

    // A small RSA key stands in for the 4096-bit one: only the order of events matters here.
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    releaseRsa(privateKey);
    const made = await bundle;
    const sa = made.certs.k8sServiceAccount.key;
    expect(decodePem(sa)?.label).toBe("RSA PRIVATE KEY");
    expect(parsePrivateKeyPem(sa).equals(privateKey)).toBe(true);
    for (const ca of [made.certs.etcd, made.certs.k8s, made.certs.k8sAggregator, made.certs.os]) {
      expect(parseCertificatePem(ca.crt).notBefore.toISOString()).toBe(NOW.toISOString());
    }
  });

  it("fails with the service-account key's error", async () => {
    const keygen = (kind: KeyKind): Promise<KeyObject> =>
      kind === "rsa" ? Promise.reject(new Error("no entropy")) : generatePrivateKey(kind);
    await expect(generateBundle({ contract: parseContract("1.8"), now: NOW, keygen })).rejects.toThrow(
      "no entropy",
    );
  });
});
