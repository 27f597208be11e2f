import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { createCertificateAuthority } from "./ca.js";
import { parseContract } from "./contract.js";
import { bundleFromKubernetesPki } from "./from-kubernetes-pki.js";
import { encodePrivateKeyPem, generatePrivateKey } from "./keys.js";
import { fastKeygen, scratchDir } from "./test-helpers.js";
import { validateBundle } from "./validate.js";

const NOW = new Date("2026-03-01T10:00:00Z");
const contract = parseContract("1.8");

/** A directory laid out as kubeadm leaves /etc/kubernetes/pki (RSA CA and SA key, like kubeadm). */
async function kubeadmDir(): Promise<string> {
  const dir = scratchDir();
  fs.mkdirSync(path.join(dir, "etcd"));
  const rsa = await fastKeygen("rsa");
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  const ca = await createCertificateAuthority({ organization: "kubernetes", key: rsa, now: NOW });
  write("ca.crt", ca.crt);
  write("ca.key", ca.key);
  const etcd = await createCertificateAuthority({ organization: "etcd-ca", keyKind: "ecdsa", now: NOW });
  write("etcd/ca.crt", etcd.crt);
  write("etcd/ca.key", etcd.key);
  const fp = await createCertificateAuthority({ organization: "front-proxy-ca", keyKind: "ecdsa", now: NOW });
  write("front-proxy-ca.crt", fp.crt);
  // kubeadm may write PKCS#8 keys; any supported label is accepted.
  write("front-proxy-ca.key", fp.privateKey.export({ format: "pem", type: "pkcs8" }).toString());
  write("sa.key", encodePrivateKeyPem(rsa));
  write("sa.pub", "unused");
  return dir;
}

describe("bundleFromKubernetesPki", () => {
  it("keeps the kubeadm CAs and service-account key verbatim and generates the rest", async () => {
    const dir = await kubeadmDir();
    const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
    const bundle = await bundleFromKubernetesPki(dir, {
      contract,
      now: NOW,
      bootstrapToken: "abcdef.0123456789abcdef",
    });
    expect(bundle.certs.k8s).toEqual({ crt: read("ca.crt"), key: read("ca.key") });
    expect(bundle.certs.etcd).toEqual({ crt: read("etcd/ca.crt"), key: read("etcd/ca.key") });
    expect(bundle.certs.k8sAggregator).toEqual({
      crt: read("front-proxy-ca.crt"),
      key: read("front-proxy-ca.key"),
    });
    expect(bundle.certs.k8sServiceAccount).toEqual({ key: read("sa.key") });
    expect(bundle.secrets.bootstrapToken).toBe("abcdef.0123456789abcdef");
    expect(bundle.certs.os.crt).toContain("BEGIN CERTIFICATE");
    expect(bundle.trustdInfo.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(validateBundle(bundle, contract)).toEqual([]);
  });

  it("uses any token verbatim and generates one when none is given", async () => {
    const dir = await kubeadmDir();
    expect(
      (await bundleFromKubernetesPki(dir, { contract, now: NOW, bootstrapToken: "free-form" })).secrets
        .bootstrapToken,
    ).toBe("free-form");
    expect((await bundleFromKubernetesPki(dir, { contract, now: NOW })).secrets.bootstrapToken).toMatch(
      /^[a-z0-9]{6}\.[a-z0-9]{16}$/,
    );
  });

  it("resolves a relative directory against cwd and names it as given", async () => {
    const dir = await kubeadmDir();
    const bundle = await bundleFromKubernetesPki(path.basename(dir), {
      contract,
      now: NOW,
      cwd: path.dirname(dir),
    });
    expect(bundle.certs.k8s.crt).toContain("BEGIN CERTIFICATE");
    await expect(bundleFromKubernetesPki("nope-dir", { contract, now: NOW, cwd: dir })).rejects.toThrow(
      "failed to read nope-dir: no such file or directory",
    );
  });

  it("refuses a file given as the directory", async () => {
    const dir = await kubeadmDir();
    const file = path.join(dir, "ca.crt");
    await expect(bundleFromKubernetesPki(file, { contract, now: NOW })).rejects.toThrow(
      `"${file}" is not a directory`,
    );
  });

  it("names a missing file", async () => {
    const dir = await kubeadmDir();
    fs.rmSync(path.join(dir, "etcd", "ca.key"));
    await expect(bundleFromKubernetesPki(dir, { contract, now: NOW })).rejects.toThrow(
      `failed to read ${path.join(dir, "etcd", "ca.key")}: no such file or directory`,
    );
  });

  it("names an unparsable file", async () => {
    const dir = await kubeadmDir();
    fs.writeFileSync(path.join(dir, "front-proxy-ca.crt"), "not a certificate");
    const err = await bundleFromKubernetesPki(dir, { contract, now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`${path.join(dir, "front-proxy-ca.crt")}: failed to parse PEM block`);
    fs.writeFileSync(path.join(dir, "front-proxy-ca.crt"), fs.readFileSync(path.join(dir, "ca.crt")));
    await expect(bundleFromKubernetesPki(dir, { contract, now: NOW })).rejects.toThrow(
      `${path.join(dir, "front-proxy-ca.key")}: the private key does not belong to the certificate in ${path.join(dir, "front-proxy-ca.crt")}`,
    );
  });

  it("refuses a service-account key Kubernetes cannot use", async () => {
    const dir = await kubeadmDir();
    fs.writeFileSync(path.join(dir, "sa.key"), encodePrivateKeyPem(await generatePrivateKey("ed25519")));
    await expect(bundleFromKubernetesPki(dir, { contract, now: NOW })).rejects.toThrow(
      `${path.join(dir, "sa.key")}: expected an RSA or ECDSA private key, got Ed25519`,
    );
    fs.writeFileSync(
      path.join(dir, "sa.key"),
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    );
    await expect(bundleFromKubernetesPki(dir, { contract, now: NOW })).rejects.toThrow(
      `${path.join(dir, "sa.key")}: unsupported key type "PUBLIC KEY"`,
    );
  });
});
