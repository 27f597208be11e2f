// `talosctl gen secrets|ca|key|csr|crt|keypair`: the real commands in-process (and a few as the
// built program), their files, and every bad input giving one line and writing nothing.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  CURRENT_CONTRACT,
  createCertificateAuthority,
  decodePem,
  describeKey,
  encodeBundle,
  encodePrivateKeyPem,
  generateBundle,
  generatePrivateKey,
  loadBundle,
  parseCertificatePem,
  parseContract,
  parsePrivateKeyPem,
  readSecretsBundleFile,
  type SecretsBundle,
  validateBundle,
} from "../src/pki/index.js";
import { runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";

const OPENSSL = "/usr/bin/openssl";
const HAVE_OPENSSL = fs.existsSync(OPENSSL);
const OPENSSL_NOTE = HAVE_OPENSSL ? "checked with openssl" : `skipped: ${OPENSSL} is not installed`;

const b64 = (s: string) => Buffer.from(s).toString("base64");
const mode = (file: string) => fs.statSync(file).mode & 0o777;
const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), "utf8");

/** Runs talosctl in-process in `cwd`; every failure must be exactly one line on stderr. */
async function gen(cwd: string, ...args: string[]) {
  const r = await runInProcess(["gen", ...args], { cwd });
  if (r.code !== 0) expect(r.stderr.trimEnd().split("\n")[0]).not.toBe("");
  return r;
}

function expectOneLineError(
  r: { code: number; stdout: string; stderr: string },
  message: string | RegExp,
): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  const first = r.stderr.split("\n")[0]!;
  if (typeof message === "string") expect(first).toBe(message);
  else expect(first).toMatch(message);
}

let bundle16: SecretsBundle;
beforeAll(async () => {
  bundle16 = await generateBundle({ contract: parseContract("1.6"), now: new Date() });
});

describe("gen secrets", () => {
  it("writes secrets.yaml silently, mode 0600, a valid bundle for the contract", async () => {
    const dir = tempDir();
    const r = await gen(dir, "secrets", "--talos-version", "v1.6");
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    const file = path.join(dir, "secrets.yaml");
    expect(mode(file)).toBe(0o600);
    const bundle = readSecretsBundleFile(file, parseContract("1.6"));
    expect(decodePem(bundle.certs.k8sServiceAccount.key)?.label).toBe("EC PRIVATE KEY");
    expect(read(dir, "secrets.yaml").startsWith("cluster:\n    id: ")).toBe(true);
  });

  it("prints to stdout with -o - and writes no file", async () => {
    const dir = tempDir();
    const r = await gen(dir, "secrets", "-o", "-", "--talos-version", "1.2");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const bundle = loadBundle(r.stdout, "stdout");
    expect(validateBundle(bundle)).toEqual([]);
    expect(bundle.secrets?.aescbcEncryptionSecret).toBeDefined();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("writes where -o/--output-file says, relative to the working directory", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "sub"));
    expect((await gen(dir, "secrets", "--output-file", "sub/s.yaml", "--talos-version", "1.6")).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "sub", "s.yaml"))).toBe(true);
  });

  it("refuses to overwrite without --force, and overwrites with -f", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "secrets.yaml"), "keep me");
    const r = await gen(dir, "secrets", "--talos-version", "1.6");
    expectOneLineError(r, 'file "secrets.yaml" already exists, use --force to overwrite');
    expect(read(dir, "secrets.yaml")).toBe("keep me");
    expect((await gen(dir, "secrets", "--talos-version", "1.6", "-f")).code).toBe(0);
    expect(read(dir, "secrets.yaml")).toContain("certs:");
  });

  it("names an unwritable output path", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "file"), "");
    expectOneLineError(
      await gen(dir, "secrets", "--talos-version", "1.6", "-o", "missing/s.yaml"),
      "failed to write missing/s.yaml: no such directory",
    );
    expectOneLineError(
      await gen(dir, "secrets", "--talos-version", "1.6", "-o", "file/s.yaml"),
      "failed to write file/s.yaml: a parent is not a directory",
    );
    expect(fs.readdirSync(dir)).toEqual(["file"]);
  });

  it("rejects a bad --talos-version and conflicting inputs", async () => {
    const dir = tempDir();
    expectOneLineError(
      await gen(dir, "secrets", "--talos-version", "one.two"),
      /^invalid talos version "one\.two"/,
    );
    expectOneLineError(
      await gen(dir, "secrets", "-p", "x", "--from-controlplane-config", "y"),
      "--from-kubernetes-pki and --from-controlplane-config cannot be used together",
    );
    expectOneLineError(
      await gen(dir, "secrets", "-t", "abc.def"),
      "--kubernetes-bootstrap-token is only used with --from-kubernetes-pki",
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  describe("--from-kubernetes-pki", () => {
    async function kubeadmDir(root: string): Promise<string> {
      const dir = path.join(root, "pki");
      fs.mkdirSync(path.join(dir, "etcd"), { recursive: true });
      const now = new Date();
      for (const [crt, key, org] of [
        ["ca.crt", "ca.key", "kubernetes"],
        ["etcd/ca.crt", "etcd/ca.key", "etcd-ca"],
        ["front-proxy-ca.crt", "front-proxy-ca.key", "front-proxy-ca"],
      ] as const) {
        const ca = await createCertificateAuthority({ organization: org, keyKind: "ecdsa", now });
        fs.writeFileSync(path.join(dir, crt), ca.crt);
        fs.writeFileSync(path.join(dir, key), ca.key);
      }
      fs.writeFileSync(path.join(dir, "sa.key"), encodePrivateKeyPem(await generatePrivateKey("ecdsa")));
      return dir;
    }

    it("keeps the kubeadm CAs and the given token", async () => {
      const root = tempDir();
      const dir = await kubeadmDir(root);
      const r = await gen(
        root,
        "secrets",
        "-p",
        "pki",
        "-t",
        "abcdef.0123456789abcdef",
        "--talos-version",
        "1.8",
        "-o",
        "-",
      );
      expect(r.code).toBe(0);
      const bundle = loadBundle(r.stdout, "stdout");
      expect(bundle.certs?.k8s).toEqual({ crt: read(dir, "ca.crt"), key: read(dir, "ca.key") });
      expect(bundle.certs?.etcd?.key).toBe(read(dir, "etcd/ca.key"));
      expect(bundle.certs?.k8sAggregator?.crt).toBe(read(dir, "front-proxy-ca.crt"));
      expect(bundle.certs?.k8sServiceAccount?.key).toBe(read(dir, "sa.key"));
      expect(bundle.secrets?.bootstrapToken).toBe("abcdef.0123456789abcdef");
      expect(validateBundle(bundle)).toEqual([]);
    });

    it("names what is wrong with the directory", async () => {
      const root = tempDir();
      const dir = await kubeadmDir(root);
      expectOneLineError(
        await gen(root, "secrets", "-p", "pki/ca.crt", "-o", "-"),
        '"pki/ca.crt" is not a directory',
      );
      fs.writeFileSync(path.join(dir, "etcd", "ca.crt"), "garbage");
      expectOneLineError(
        await gen(root, "secrets", "-p", "pki", "-o", "-"),
        "pki/etcd/ca.crt: failed to parse PEM block",
      );
      fs.rmSync(path.join(dir, "sa.key"));
      fs.copyFileSync(path.join(dir, "ca.crt"), path.join(dir, "etcd", "ca.crt"));
      expectOneLineError(
        await gen(root, "secrets", "-p", "pki"),
        "pki/etcd/ca.key: the private key does not belong to the certificate in pki/etcd/ca.crt",
      );
      fs.copyFileSync(path.join(dir, "ca.key"), path.join(dir, "etcd", "ca.key"));
      expectOneLineError(
        await gen(root, "secrets", "-p", "pki"),
        "failed to read pki/sa.key: no such file or directory",
      );
      expect(fs.existsSync(path.join(root, "secrets.yaml"))).toBe(false);
    });
  });

  describe("--from-controlplane-config", () => {
    const pair = (p: { crt: string; key: string }) => ({ crt: b64(p.crt), key: b64(p.key) });
    const v1alpha1 = (b: SecretsBundle, type = "controlplane") => ({
      version: "v1alpha1",
      machine: { type, token: b.trustdInfo.token, ca: pair(b.certs.os) },
      cluster: { token: b.secrets.bootstrapToken, etcd: { ca: pair(b.certs.etcd) } },
    });

    it("recovers the bundle from a multi-document config (YAML-equal to the original)", async () => {
      const dir = tempDir();
      const b = bundle16;
      const docs = [
        v1alpha1(b),
        {
          apiVersion: "v1alpha1",
          kind: "DiscoveryIdentityConfig",
          clusterID: b.cluster.id,
          clusterSecret: b.cluster.secret,
        },
        {
          apiVersion: "v1alpha1",
          kind: "KubeAPIServerCAConfig",
          issuingCA: { cert: b.certs.k8s.crt, key: b.certs.k8s.key },
        },
        {
          apiVersion: "v1alpha1",
          kind: "KubeAggregatorCAConfig",
          issuingCA: { cert: b.certs.k8sAggregator.crt, key: b.certs.k8sAggregator.key },
        },
        {
          apiVersion: "v1alpha1",
          kind: "KubeEtcdEncryptionConfig",
          config: {
            resources: [
              {
                providers: [
                  { secretbox: { keys: [{ name: "key2", secret: b.secrets.secretboxEncryptionSecret }] } },
                ],
                resources: ["secrets"],
              },
            ],
          },
        },
        {
          apiVersion: "v1alpha1",
          kind: "KubeServiceAccountConfig",
          issuer: { privateKey: b.certs.k8sServiceAccount.key },
        },
      ];
      fs.writeFileSync(
        path.join(dir, "controlplane.yaml"),
        docs.map((d) => stringify(d, { indent: 4 })).join("---\n"),
      );
      const r = await gen(dir, "secrets", "--from-controlplane-config", "controlplane.yaml");
      expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(read(dir, "secrets.yaml")).toBe(encodeBundle(b));
      expect(mode(path.join(dir, "secrets.yaml"))).toBe(0o600);
    });

    it("recovers the bundle from a legacy config", async () => {
      const dir = tempDir();
      const b = bundle16;
      const doc = v1alpha1(b) as { cluster: Record<string, unknown> };
      Object.assign(doc.cluster, {
        id: b.cluster.id,
        secret: b.cluster.secret,
        secretboxEncryptionSecret: b.secrets.secretboxEncryptionSecret,
        ca: pair(b.certs.k8s),
        aggregatorCA: pair(b.certs.k8sAggregator),
        serviceAccount: { key: b64(b.certs.k8sServiceAccount.key) },
      });
      fs.writeFileSync(path.join(dir, "cp.yaml"), stringify(doc, { indent: 4 }));
      const r = await gen(dir, "secrets", "--from-controlplane-config", "cp.yaml", "-o", "-");
      expect(r.stdout).toBe(encodeBundle(b));
    });

    it("names the file for a missing, worker, broken or incomplete config", async () => {
      const dir = tempDir();
      expectOneLineError(
        await gen(dir, "secrets", "--from-controlplane-config", "none.yaml"),
        "failed to read none.yaml: no such file or directory",
      );
      fs.writeFileSync(path.join(dir, "worker.yaml"), stringify(v1alpha1(bundle16, "worker")));
      expectOneLineError(
        await gen(dir, "secrets", "--from-controlplane-config", "worker.yaml"),
        /^worker\.yaml: machine\.type is "worker"/,
      );
      fs.writeFileSync(path.join(dir, "broken.yaml"), "machine: [\n");
      expectOneLineError(
        await gen(dir, "secrets", "--from-controlplane-config", "broken.yaml"),
        /^failed to parse broken\.yaml \(line \d+\): /,
      );
      fs.writeFileSync(path.join(dir, "partial.yaml"), stringify(v1alpha1(bundle16)));
      expectOneLineError(
        await gen(dir, "secrets", "--from-controlplane-config", "partial.yaml"),
        "partial.yaml does not hold a complete secrets bundle: cluster.id is required; cluster.secret is required; " +
          "one of [secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret] is required; " +
          "certs.k8s is required; certs.k8saggregator is required; certs.k8sserviceaccount is required",
      );
      expect(fs.existsSync(path.join(dir, "secrets.yaml"))).toBe(false);
    });
  });

  it("works as the built program", async () => {
    const dir = tempDir();
    const r = await runTalosctl(["gen", "secrets", "--talos-version", "v1.6", "-o", "-"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(validateBundle(loadBundle(r.stdout, "stdout"))).toEqual([]);
    const again = await runTalosctl(["gen", "secrets", "--talos-version", "bogus"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^invalid talos version "bogus"/);
  });
});

describe("loading a bundle for --with-secrets", () => {
  async function bundleFile(edit: (text: string) => string): Promise<string> {
    const dir = tempDir();
    const file = path.join(dir, "secrets.yaml");
    fs.writeFileSync(file, edit(encodeBundle(bundle16)));
    return file;
  }
  const lineOf = (text: string, re: RegExp) => text.split("\n").findIndex((l) => re.test(l));

  it("names a missing field", async () => {
    const file = await bundleFile((t) => t.replace(/\n {4}token: .*/, '\n    token: ""'));
    expect(() => readSecretsBundleFile(file, CURRENT_CONTRACT)).toThrow(
      `invalid secrets bundle ${file}: trustdinfo.token is required`,
    );
  });

  it("names a field with bad base64", async () => {
    const file = await bundleFile((t) => {
      const lines = t.split("\n");
      const i = lineOf(t, /^ {4}os:$/) + 2;
      lines[i] = "        key: abc$def";
      return lines.join("\n");
    });
    expect(() => readSecretsBundleFile(file, CURRENT_CONTRACT)).toThrow(
      `invalid secrets bundle ${file}: certs.os.key: invalid base64 (expected the base64 of a PEM block)`,
    );
  });

  it("names a field whose PEM is broken", async () => {
    const file = await bundleFile((t) => {
      const lines = t.split("\n");
      lines[lineOf(t, /^ {4}etcd:$/) + 1] = `        crt: ${b64("-----BEGIN CERTIFICATE-----\nAAAA\n")}`;
      return lines.join("\n");
    });
    expect(() => readSecretsBundleFile(file, CURRENT_CONTRACT)).toThrow(
      `invalid secrets bundle ${file}: certs.etcd is invalid: failed to parse PEM block`,
    );
  });

  it("names a field holding the wrong kind of key", async () => {
    const rsaCa = await createCertificateAuthority({
      organization: "talos",
      key: (await import("node:crypto")).generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
      now: new Date(),
    });
    const file = await bundleFile((t) => {
      const lines = t.split("\n");
      const i = lineOf(t, /^ {4}os:$/);
      lines[i + 1] = `        crt: ${b64(rsaCa.crt)}`;
      lines[i + 2] = `        key: ${b64(rsaCa.key)}`;
      return lines.join("\n");
    });
    expect(() => readSecretsBundleFile(file, CURRENT_CONTRACT)).toThrow(
      `invalid secrets bundle ${file}: certs.os.key: expected an Ed25519 or ECDSA key, got RSA-2048`,
    );
  });
});

describe("gen ca", () => {
  it("writes <org>.crt, <org>.sha256 and <org>.key (0600), an Ed25519 CA", async () => {
    const dir = tempDir();
    const r = await gen(dir, "ca", "--organization", "acme", "--hours", "2");
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(fs.readdirSync(dir).sort()).toEqual(["acme.crt", "acme.key", "acme.sha256"]);
    for (const f of ["acme.crt", "acme.key", "acme.sha256"]) expect(mode(path.join(dir, f))).toBe(0o600);
    const cert = parseCertificatePem(read(dir, "acme.crt"));
    expect(cert.x509.subject).toBe("O=acme");
    expect(cert.isCA).toBe(true);
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(2 * 3_600_000);
    expect(decodePem(read(dir, "acme.key"))?.label).toBe("ED25519 PRIVATE KEY");
    expect(cert.x509.checkPrivateKey(parsePrivateKeyPem(read(dir, "acme.key")))).toBe(true);
    const spki = cert.publicKey.export({ format: "der", type: "spki" });
    const hash = (await import("node:crypto")).createHash("sha256").update(spki).digest("hex");
    expect(read(dir, "acme.sha256")).toBe(`sha256:${hash}`);
  });

  it("makes an RSA-4096 CA with --rsa", async () => {
    const dir = tempDir();
    expect((await gen(dir, "ca", "--organization", "r", "--rsa")).code).toBe(0);
    expect(decodePem(read(dir, "r.key"))?.label).toBe("RSA PRIVATE KEY");
    expect(describeKey(parsePrivateKeyPem(read(dir, "r.key")))).toBe("RSA-4096");
  });

  it("rejects bad input and refuses to overwrite any of its files", async () => {
    const dir = tempDir();
    expectOneLineError(await gen(dir, "ca"), 'required flag(s) "organization" not set');
    expectOneLineError(await gen(dir, "ca", "--organization", "a", "--hours", "0"), /^invalid --hours "0"/);
    // --hours is an int flag: pflag refuses what is not a whole number before the command runs.
    expectOneLineError(
      await gen(dir, "ca", "--organization", "a", "--hours", "x"),
      'invalid argument "x" for "--hours" flag: strconv.ParseInt: parsing "x": invalid syntax',
    );
    expectOneLineError(
      await gen(dir, "ca", "--organization", "a", "--hours", "1.5"),
      'invalid argument "1.5" for "--hours" flag: strconv.ParseInt: parsing "1.5": invalid syntax',
    );
    expectOneLineError(await gen(dir, "ca", "--organization", ""), /^--organization must not be empty/);
    fs.writeFileSync(path.join(dir, "a.sha256"), "old");
    expectOneLineError(
      await gen(dir, "ca", "--organization", "a"),
      'file "a.sha256" already exists, use --force to overwrite',
    );
    expect(fs.readdirSync(dir)).toEqual(["a.sha256"]);
    expect((await gen(dir, "ca", "--organization", "a", "--force")).code).toBe(0);
    expect(read(dir, "a.sha256")).toMatch(/^sha256:[0-9a-f]{64}$/);
    expectOneLineError(
      await gen(dir, "ca", "--organization", "no/dir"),
      "failed to write no/dir.crt: no such directory",
    );
  });

  it("works as the built program", async () => {
    const dir = tempDir();
    const r = await runTalosctl(["gen", "ca", "--organization", "talos"], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(fs.readdirSync(dir).sort()).toEqual(["talos.crt", "talos.key", "talos.sha256"]);
  });
});

describe("gen key, csr, crt", () => {
  it("makes a key, a request from it and a client certificate openssl accepts", async () => {
    const dir = tempDir();
    expect((await gen(dir, "ca", "--organization", "talos")).code).toBe(0);
    expect(await gen(dir, "key", "--name", "admin")).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(decodePem(read(dir, "admin.key"))?.label).toBe("ED25519 PRIVATE KEY");
    expect(mode(path.join(dir, "admin.key"))).toBe(0o600);

    expect(
      (await gen(dir, "csr", "--key", "admin.key", "--ip", "10.5.0.2", "--roles", "os:reader,os:operator"))
        .code,
    ).toBe(0);
    expect(decodePem(read(dir, "admin.csr"))?.label).toBe("CERTIFICATE REQUEST");

    expect(
      (await gen(dir, "crt", "--ca", "talos", "--csr", "admin.csr", "--name", "admin", "--hours", "3")).code,
    ).toBe(0);
    const cert = parseCertificatePem(read(dir, "admin.crt"));
    // One multi-valued RDN: a DER SET orders its members by encoding, so the shorter comes first.
    expect(cert.x509.subject).toBe("O=os:reader + O=os:operator");
    expect(cert.x509.subjectAltName).toBe("IP Address:10.5.0.2");
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(3 * 3_600_000);
    expect(cert.x509.checkIssued(parseCertificatePem(read(dir, "talos.crt")).x509)).toBe(true);
    expect(cert.x509.checkPrivateKey(parsePrivateKeyPem(read(dir, "admin.key")))).toBe(true);
    expect(mode(path.join(dir, "admin.crt"))).toBe(0o600);

    if (HAVE_OPENSSL) {
      const out = execFileSync(
        OPENSSL,
        ["verify", "-purpose", "sslclient", "-CAfile", "talos.crt", "admin.crt"],
        {
          cwd: dir,
          encoding: "utf8",
        },
      );
      expect(out.trim()).toBe("admin.crt: OK");
    }
  });

  it(`signs requests of ECDSA keys with an ECDSA CA (${OPENSSL_NOTE})`, async () => {
    const dir = tempDir();
    const ca = await createCertificateAuthority({ organization: "ec", keyKind: "ecdsa", now: new Date() });
    fs.writeFileSync(path.join(dir, "ec.crt"), ca.crt);
    fs.writeFileSync(path.join(dir, "ec.key"), ca.key);
    fs.writeFileSync(path.join(dir, "u.pem"), encodePrivateKeyPem(await generatePrivateKey("ecdsa")));
    expect((await gen(dir, "csr", "--key", "u.pem", "--ip", "fd00::5")).code).toBe(0);
    expect((await gen(dir, "crt", "--ca", "ec", "--csr", "u.csr", "--name", "u")).code).toBe(0);
    const cert = parseCertificatePem(read(dir, "u.crt"));
    expect(cert.x509.subject).toBe("O=os:admin");
    expect(cert.x509.verify(ca.cert.publicKey)).toBe(true);
    if (HAVE_OPENSSL) {
      const text = execFileSync(OPENSSL, ["x509", "-text", "-noout", "-in", "u.crt"], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(text).toContain("Signature Algorithm: ecdsa-with-SHA256");
      expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
      expect(text).toContain("IP Address:FD00:0:0:0:0:0:0:5");
    }
  });

  it("gen key: refuses to overwrite, needs --name, names an unwritable path", async () => {
    const dir = tempDir();
    expect((await gen(dir, "key", "--name", "k")).code).toBe(0);
    const before = read(dir, "k.key");
    expectOneLineError(
      await gen(dir, "key", "--name", "k"),
      'file "k.key" already exists, use --force to overwrite',
    );
    expect(read(dir, "k.key")).toBe(before);
    expect((await gen(dir, "key", "--name", "k", "-f")).code).toBe(0);
    expect(read(dir, "k.key")).not.toBe(before);
    expectOneLineError(await gen(dir, "key"), 'required flag(s) "name" not set');
    expectOneLineError(
      await gen(dir, "key", "--name", "k.key/x"),
      "failed to write k.key/x.key: a parent is not a directory",
    );
  });

  it("gen csr: names bad keys, IPs and roles, and refuses to overwrite", async () => {
    const dir = tempDir();
    expect((await gen(dir, "key", "--name", "k")).code).toBe(0);
    expectOneLineError(await gen(dir, "csr", "--key", "k.key"), 'required flag(s) "ip" not set');
    expectOneLineError(
      await gen(dir, "csr", "--key", "nope.key", "--ip", "1.2.3.4"),
      "failed to read nope.key: no such file or directory",
    );
    fs.writeFileSync(path.join(dir, "bad.key"), "not a key");
    expectOneLineError(
      await gen(dir, "csr", "--key", "bad.key", "--ip", "1.2.3.4"),
      "bad.key: failed to parse PEM block",
    );
    fs.copyFileSync(path.join(dir, "k.key"), path.join(dir, "cert.key"));
    fs.writeFileSync(
      path.join(dir, "cert.key"),
      (await createCertificateAuthority({ organization: "x", now: new Date() })).crt,
    );
    expectOneLineError(
      await gen(dir, "csr", "--key", "cert.key", "--ip", "1.2.3.4"),
      'cert.key: unsupported key type "CERTIFICATE"',
    );
    expectOneLineError(await gen(dir, "csr", "--key", "k.key", "--ip", "1.2.3"), "invalid IP: 1.2.3");
    expectOneLineError(
      await gen(
        dir,
        "csr",
        "--key",
        "k.key",
        "--ip",
        "1.2.3.4",
        "--roles",
        "os:admin,os:root",
        "--roles",
        "boss",
      ),
      "unknown roles: os:root, boss",
    );
    expect(fs.existsSync(path.join(dir, "k.csr"))).toBe(false);
    expect((await gen(dir, "csr", "--key", "k.key", "--ip", "1.2.3.4")).code).toBe(0);
    expectOneLineError(
      await gen(dir, "csr", "--key", "k.key", "--ip", "1.2.3.4"),
      'file "k.csr" already exists, use --force to overwrite',
    );
  });

  it("gen crt: names missing or mismatched CA files, bad requests, and refuses to overwrite", async () => {
    const dir = tempDir();
    expect((await gen(dir, "ca", "--organization", "ca")).code).toBe(0);
    expect((await gen(dir, "ca", "--organization", "other")).code).toBe(0);
    expect((await gen(dir, "key", "--name", "u")).code).toBe(0);
    expect((await gen(dir, "csr", "--key", "u.key", "--ip", "10.0.0.9")).code).toBe(0);

    expectOneLineError(
      await gen(dir, "crt", "--ca", "ca", "--csr", "u.csr"),
      'required flag(s) "name" not set',
    );
    expectOneLineError(
      await gen(dir, "crt", "--ca", "nope", "--csr", "u.csr", "--name", "u"),
      "failed to read nope.crt: no such file or directory",
    );
    fs.copyFileSync(path.join(dir, "other.key"), path.join(dir, "mixed.key"));
    fs.copyFileSync(path.join(dir, "ca.crt"), path.join(dir, "mixed.crt"));
    expectOneLineError(
      await gen(dir, "crt", "--ca", "mixed", "--csr", "u.csr", "--name", "u"),
      "mixed.key: the private key does not belong to the certificate",
    );
    expectOneLineError(
      await gen(dir, "crt", "--ca", "ca", "--csr", "u.key", "--name", "u"),
      'u.key: failed to parse CSR: PEM block is "ED25519 PRIVATE KEY", not "CERTIFICATE REQUEST"',
    );
    const csr = decodePem(read(dir, "u.csr"))!;
    const tampered = Buffer.from(csr.der);
    tampered[tampered.length - 3]! ^= 0x55;
    fs.writeFileSync(
      path.join(dir, "t.csr"),
      `-----BEGIN CERTIFICATE REQUEST-----\n${tampered.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`,
    );
    expectOneLineError(
      await gen(dir, "crt", "--ca", "ca", "--csr", "t.csr", "--name", "u"),
      "t.csr: failed verifying CSR signature",
    );
    expectOneLineError(
      await gen(dir, "crt", "--ca", "ca", "--csr", "u.csr", "--name", "u", "--hours", "-1"),
      /^invalid --hours "-1"/,
    );

    // A leaf certificate cannot sign.
    expect((await gen(dir, "crt", "--ca", "ca", "--csr", "u.csr", "--name", "u")).code).toBe(0);
    fs.copyFileSync(path.join(dir, "u.key"), path.join(dir, "leaf.key"));
    fs.copyFileSync(path.join(dir, "u.crt"), path.join(dir, "leaf.crt"));
    expectOneLineError(
      await gen(dir, "crt", "--ca", "leaf", "--csr", "u.csr", "--name", "x"),
      "leaf.crt: not a CA certificate (basic constraints do not say CA:TRUE)",
    );
    expectOneLineError(
      await gen(dir, "crt", "--ca", "ca", "--csr", "u.csr", "--name", "u"),
      'file "u.crt" already exists, use --force to overwrite',
    );
    expect(fs.existsSync(path.join(dir, "x.crt"))).toBe(false);
  });
});

describe("gen keypair", () => {
  it("writes a self-signed certificate for the IP, valid 24 hours, and its key", async () => {
    const dir = tempDir();
    const r = await gen(dir, "keypair", "--organization", "kp", "--ip", "10.5.0.3");
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(fs.readdirSync(dir).sort()).toEqual(["kp.crt", "kp.key"]);
    const cert = parseCertificatePem(read(dir, "kp.crt"));
    expect(cert.x509.subject).toBe("O=kp");
    expect(cert.x509.subjectAltName).toBe("IP Address:10.5.0.3");
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(24 * 3_600_000);
    expect(cert.x509.checkPrivateKey(parsePrivateKeyPem(read(dir, "kp.key")))).toBe(true);
    expect(mode(path.join(dir, "kp.key"))).toBe(0o600);
  });

  it("rejects bad input and refuses to overwrite", async () => {
    const dir = tempDir();
    expectOneLineError(
      await gen(dir, "keypair", "--ip", "10.0.0.1"),
      'required flag(s) "organization" not set',
    );
    expectOneLineError(await gen(dir, "keypair", "--organization", "kp", "--ip", "ten"), "invalid IP: ten");
    fs.writeFileSync(path.join(dir, "kp.key"), "x");
    expectOneLineError(
      await gen(dir, "keypair", "--organization", "kp"),
      'file "kp.key" already exists, use --force to overwrite',
    );
    expect(fs.readdirSync(dir)).toEqual(["kp.key"]);
  });
});
