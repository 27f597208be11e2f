import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { UserError } from "../errors.js";
import type { LoadedSecretsBundle, SecretsBundle } from "./bundle.js";
import { encodeBundle, loadBundle, REDACTED, readSecretsBundleFile } from "./bundle-file.js";
import { createCertificateAuthority } from "./ca.js";
import { CURRENT_CONTRACT } from "./contract.js";
import { encodePrivateKeyPem, generatePrivateKey } from "./keys.js";
import { quickBundle, scratchDir } from "./test-helpers.js";
import { validateBundle } from "./validate.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const CRT = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN EC PRIVATE KEY-----\nBBBB\n-----END EC PRIVATE KEY-----\n";

const FIXED: SecretsBundle = {
  cluster: { id: "ID==", secret: "SECRET==" },
  secrets: { bootstrapToken: "abcdef.0123456789abcdef", secretboxEncryptionSecret: "BOX=" },
  trustdInfo: { token: "ghijkl.0123456789ghijkl" },
  certs: {
    etcd: { crt: CRT, key: KEY },
    k8s: { crt: CRT, key: KEY },
    k8sAggregator: { crt: CRT, key: KEY },
    k8sServiceAccount: { key: KEY },
    os: { crt: CRT, key: KEY },
  },
};

describe("encodeBundle", () => {
  it("writes talosctl's layout: fixed key order, 4-space indent, base64 of the whole PEM on one line", () => {
    const c = b64(CRT);
    const k = b64(KEY);
    expect(c.endsWith("LS0tLQo=")).toBe(true); // the PEM's trailing newline is inside
    expect(encodeBundle(FIXED)).toBe(
      [
        "cluster:",
        "    id: ID==",
        "    secret: SECRET==",
        "secrets:",
        "    bootstraptoken: abcdef.0123456789abcdef",
        "    secretboxencryptionsecret: BOX=",
        "trustdinfo:",
        "    token: ghijkl.0123456789ghijkl",
        "certs:",
        "    etcd:",
        `        crt: ${c}`,
        `        key: ${k}`,
        "    k8s:",
        `        crt: ${c}`,
        `        key: ${k}`,
        "    k8saggregator:",
        `        crt: ${c}`,
        `        key: ${k}`,
        "    k8sserviceaccount:",
        `        key: ${k}`,
        "    os:",
        `        crt: ${c}`,
        `        key: ${k}`,
        "",
      ].join("\n"),
    );
  });

  it("writes the AES-CBC secret for old contracts, in its place", () => {
    const text = encodeBundle({
      ...FIXED,
      secrets: { bootstrapToken: "a.b", aescbcEncryptionSecret: "CBC=" },
    });
    expect(text).toContain(
      "secrets:\n    bootstraptoken: a.b\n    aescbcencryptionsecret: CBC=\ntrustdinfo:",
    );
  });

  it("quotes what YAML would read as another type, writes missing parts as null", () => {
    const bundle: LoadedSecretsBundle = {
      cluster: { id: "", secret: "12345" },
      secrets: { bootstrapToken: "123456.1234567890123456" },
      trustdInfo: { token: "yes" },
      certs: { k8s: { crt: "", key: REDACTED } },
    };
    expect(encodeBundle({ cluster: { id: "null", secret: "a: b" } })).toContain(
      `    id: "null"\n    secret: 'a: b'\n`,
    );
    const text = encodeBundle(bundle);
    expect(text).toContain('    id: ""\n    secret: "12345"\n');
    expect(text).toContain('    bootstraptoken: "123456.1234567890123456"\n');
    expect(text).toContain('    token: "yes"\n');
    expect(text).toContain(
      `    etcd: null\n    k8s:\n        crt: ""\n        key: '******'\n    k8saggregator: null\n`,
    );
    expect(encodeBundle({})).toBe("cluster: null\nsecrets: null\ntrustdinfo: null\ncerts: null\n");
    expect(loadBundle(text, "x.yaml")).toEqual({
      cluster: { id: "", secret: "12345" },
      secrets: { bootstrapToken: "123456.1234567890123456" },
      trustdInfo: { token: "yes" },
      certs: {
        etcd: undefined,
        k8s: { crt: "", key: REDACTED },
        k8sAggregator: undefined,
        k8sServiceAccount: undefined,
        os: undefined,
      },
    });
  });

  it("round-trips a generated bundle", async () => {
    const bundle = await quickBundle();
    const text = encodeBundle(bundle);
    expect(loadBundle(text, "secrets.yaml")).toEqual(bundle);
    expect(Object.keys(parse(text))).toEqual(["cluster", "secrets", "trustdinfo", "certs"]);
    expect(text.split("\n").every((l) => l.length === 0 || /^( {4})*\S/.test(l))).toBe(true);
  });
});

describe("loadBundle", () => {
  it("ignores unknown keys and leaves missing sections undefined", () => {
    const text = `cluster:\n    id: a\n    secret: b\n    extra: 1\nextra: [1, 2]\n`;
    expect(loadBundle(text, "s.yaml")).toEqual({
      cluster: { id: "a", secret: "b" },
      secrets: undefined,
      trustdInfo: undefined,
      certs: undefined,
    });
    expect(loadBundle("", "s.yaml")).toEqual({});
  });

  it("loads bundles as the real talosctl writes them: URL-safe id, EC service-account key, PRIVATE KEY label", async () => {
    const now = new Date();
    const os = await createCertificateAuthority({ organization: "talos", now });
    const osPkcs8 = (await import("./keys.js"))
      .parsePrivateKeyPem(os.key)
      .export({ format: "pem", type: "pkcs8" })
      .toString();
    const ec = () => createCertificateAuthority({ organization: "etcd", keyKind: "ecdsa", now });
    const [etcd, k8s, agg] = await Promise.all([
      ec(),
      ec(),
      createCertificateAuthority({ keyKind: "ecdsa", now }),
    ]);
    const sa = encodePrivateKeyPem(await generatePrivateKey("ecdsa"));
    const text = [
      "cluster:",
      "    id: cgvhCbucls-WqkESDTRqykFgb4hROI4cBpgB0YJLLtM=",
      "    secret: 0Yw+ZVt7Z1t4G0S2kSRNBzmWD+gCXlLyRUZ0E+mzH5c=",
      "secrets:",
      "    bootstraptoken: 2psnp2.lry8e9gycdix3bpa",
      "    secretboxencryptionsecret: 6mWmcB6V+9p7ZwKqQvRnGf7o3p0W8y3x1m5eHk2QmHs=",
      "trustdinfo:",
      "    token: q1w2e3.r4t5y6u7i8o9p0a1",
      "certs:",
      `    etcd: {crt: ${b64(etcd.crt)}, key: ${b64(etcd.key)}}`,
      "    k8s:",
      `        key: ${b64(k8s.key)}`,
      `        crt: ${b64(k8s.crt)}`,
      "    k8saggregator:",
      `        crt: ${b64(agg.crt)}`,
      `        key: ${b64(agg.key)}`,
      "    k8sserviceaccount:",
      `        key: ${b64(sa)}`,
      "    os:",
      `        crt: ${b64(os.crt)}`,
      `        key: ${b64(osPkcs8)}`,
      "",
    ].join("\n");
    const bundle = loadBundle(text, "secrets.yaml");
    expect(bundle.cluster?.id).toBe("cgvhCbucls-WqkESDTRqykFgb4hROI4cBpgB0YJLLtM=");
    expect(bundle.certs?.os?.key.startsWith("-----BEGIN PRIVATE KEY-----")).toBe(true);
    expect(validateBundle(bundle, CURRENT_CONTRACT)).toEqual([]);
  });

  it.each([
    [
      "bad base64",
      "certs:\n    os:\n        crt: ''\n        key: not*base64\n",
      "certs.os.key: invalid base64",
    ],
    [
      "unpadded base64",
      `certs:\n    etcd:\n        crt: ${b64(CRT).replace(/=+$/, "")}\n`,
      "certs.etcd.crt: invalid base64",
    ],
    ["a list for a section", "certs: [1, 2]\n", "certs: expected a mapping, got a list"],
    [
      "a string for a pair",
      "certs:\n    k8s: hello\n",
      'certs.k8s: expected a mapping, got the string "hello"',
    ],
    ["a mapping for a string", "cluster:\n    id: {a: 1}\n", "cluster.id: expected a string, got a mapping"],
    ["a list at the top", "- a\n- b\n", "expected a mapping at the top level"],
  ])("names the file and field for %s", (_what, text, message) => {
    expect(() => loadBundle(text, "my/secrets.yaml")).toThrow(UserError);
    expect(() => loadBundle(text, "my/secrets.yaml")).toThrow(
      `invalid secrets bundle my/secrets.yaml: ${message}`,
    );
  });

  it("names the file and line of a YAML syntax error", () => {
    expect(() => loadBundle("cluster:\n    id: a\n  bad: [\n", "s.yaml")).toThrow(
      /^failed to parse secrets bundle s\.yaml \(line \d+\): /,
    );
  });

  it("keeps the redaction marker as is", () => {
    const bundle = loadBundle(`certs:\n    os:\n        crt: ${b64(CRT)}\n        key: "******"\n`, "s.yaml");
    expect(bundle.certs?.os).toEqual({ crt: CRT, key: REDACTED });
  });
});

describe("readSecretsBundleFile", () => {
  it("returns a valid bundle, or one line naming the file and every problem", async () => {
    const dir = scratchDir();
    const good = path.join(dir, "good.yaml");
    fs.writeFileSync(good, encodeBundle(await quickBundle()));
    expect(readSecretsBundleFile(good, CURRENT_CONTRACT).certs.os.crt).toContain("BEGIN CERTIFICATE");

    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, "cluster:\n    id: x\n");
    expect(() => readSecretsBundleFile(bad, CURRENT_CONTRACT)).toThrow(
      `invalid secrets bundle ${bad}: cluster.secret is required; secrets is required; trustdinfo is required; certs is required`,
    );
    expect(() => readSecretsBundleFile(path.join(dir, "none.yaml"), CURRENT_CONTRACT)).toThrow(
      `failed to read ${path.join(dir, "none.yaml")}: no such file or directory`,
    );
  });
});
