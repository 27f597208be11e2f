import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { LoadedSecretsBundle, SecretsBundle } from "./bundle.js";
import { loadBundle } from "./bundle-file.js";
import { createCertificateAuthority } from "./ca.js";
import { encodePrivateKeyPem, generatePrivateKey } from "./keys.js";
import { quickBundle } from "./test-helpers.js";
import { validateBundle } from "./validate.js";

let good: SecretsBundle;
beforeAll(async () => {
  good = await quickBundle();
});

const b64 = (s: string) => Buffer.from(s).toString("base64");
const ENC = "[secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret]";

describe("validateBundle: Talos's messages", () => {
  const cases: [string, (b: SecretsBundle) => LoadedSecretsBundle, string[]][] = [
    ["no cluster", (b) => ({ ...b, cluster: undefined }), ["cluster is required"]],
    ["no cluster id", (b) => ({ ...b, cluster: { ...b.cluster, id: "" } }), ["cluster.id is required"]],
    [
      "no cluster secret",
      (b) => ({ ...b, cluster: { ...b.cluster, secret: "" } }),
      ["cluster.secret is required"],
    ],
    ["no secrets", (b) => ({ ...b, secrets: undefined }), ["secrets is required"]],
    [
      "no bootstrap token",
      (b) => ({ ...b, secrets: { ...b.secrets, bootstrapToken: "" } }),
      ["secrets.bootstraptoken is required"],
    ],
    [
      "no encryption secret",
      (b) => ({ ...b, secrets: { bootstrapToken: "a.b" } }),
      [`one of ${ENC} is required`],
    ],
    [
      "both encryption secrets",
      (b) => ({ ...b, secrets: { ...b.secrets, aescbcEncryptionSecret: "x" } }),
      [`only one of ${ENC} is allowed`],
    ],
    ["no trustdinfo", (b) => ({ ...b, trustdInfo: undefined }), ["trustdinfo is required"]],
    ["no trustd token", (b) => ({ ...b, trustdInfo: { token: "" } }), ["trustdinfo.token is required"]],
    ["no certs", (b) => ({ ...b, certs: undefined }), ["certs is required"]],
    ["no etcd", (b) => ({ ...b, certs: { ...b.certs, etcd: undefined } }), ["certs.etcd is required"]],
    ["no k8s", (b) => ({ ...b, certs: { ...b.certs, k8s: undefined } }), ["certs.k8s is required"]],
    [
      "no aggregator",
      (b) => ({ ...b, certs: { ...b.certs, k8sAggregator: undefined } }),
      ["certs.k8saggregator is required"],
    ],
    [
      "no service account",
      (b) => ({ ...b, certs: { ...b.certs, k8sServiceAccount: undefined } }),
      ["certs.k8sserviceaccount is required"],
    ],
    ["no os", (b) => ({ ...b, certs: { ...b.certs, os: undefined } }), ["certs.os is required"]],
    [
      "an etcd key that is not PEM",
      (b) => ({ ...b, certs: { ...b.certs, etcd: { ...b.certs.etcd, key: "garbage" } } }),
      ["certs.etcd is invalid: failed to parse PEM block"],
    ],
    [
      "a k8s certificate that is not PEM",
      (b) => ({ ...b, certs: { ...b.certs, k8s: { ...b.certs.k8s, crt: "" } } }),
      ["certs.k8s is invalid: failed to parse PEM block"],
    ],
    [
      "a certificate where the os key belongs",
      (b) => ({ ...b, certs: { ...b.certs, os: { crt: b.certs.os.crt, key: b.certs.os.crt } } }),
      ['certs.os is invalid: unsupported key type: "CERTIFICATE"'],
    ],
    [
      "a certificate where the service-account key belongs",
      (b) => ({ ...b, certs: { ...b.certs, k8sServiceAccount: { key: b.certs.os.crt } } }),
      ['certs.k8sserviceaccount.key is invalid: unsupported key type "CERTIFICATE"'],
    ],
    [
      "a key where the aggregator certificate belongs",
      (b) => ({
        ...b,
        certs: { ...b.certs, k8sAggregator: { ...b.certs.k8sAggregator, crt: b.certs.k8sAggregator.key } },
      }),
      [
        'certs.k8saggregator is invalid: failed to parse certificate: PEM block is "EC PRIVATE KEY", not "CERTIFICATE"',
      ],
    ],
  ];

  it.each(cases)("%s", (_what, mutate, expected) => {
    expect(validateBundle(mutate(good))).toEqual(expected);
  });

  it("accepts a complete bundle", () => {
    expect(validateBundle(good)).toEqual([]);
  });

  it("reports all problems at once in Talos's order (its six-error example)", () => {
    // The shape of Talos's own invalid fixture: no cluster secret, no encryption secret, no
    // trustdinfo, an etcd pair without key, no aggregator, a certificate as the os key.
    const text = [
      "cluster:",
      "    id: cgvhCbucls-WqkESDTRqykFgb4hROI4cBpgB0YJLLtM=",
      "secrets:",
      "    bootstraptoken: 2psnp2.lry8e9gycdix3bpa",
      "certs:",
      "    etcd:",
      `        crt: ${b64(good.certs.etcd.crt)}`,
      "    k8s:",
      `        crt: ${b64(good.certs.k8s.crt)}`,
      `        key: ${b64(good.certs.k8s.key)}`,
      "    k8sserviceaccount:",
      `        key: ${b64(good.certs.k8sServiceAccount.key)}`,
      "    os:",
      `        key: ${b64(good.certs.os.crt)}`,
      "",
    ].join("\n");
    expect(validateBundle(loadBundle(text, "invalid-secrets.yaml"))).toEqual([
      "cluster.secret is required",
      `one of ${ENC} is required`,
      "trustdinfo is required",
      "certs.etcd is invalid: failed to parse PEM block",
      "certs.k8saggregator is required",
      'certs.os is invalid: unsupported key type: "CERTIFICATE"',
    ]);
  });
});

describe("validateBundle: keys that cannot serve their field", () => {
  it("names an RSA key in certs.os and what was expected", async () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const os = await createCertificateAuthority({ organization: "talos", key, now: new Date() });
    const bundle = { ...good, certs: { ...good.certs, os: { crt: os.crt, key: os.key } } };
    expect(validateBundle(bundle)).toEqual(["certs.os.key: expected an Ed25519 or ECDSA key, got RSA-2048"]);
  });

  it("names an Ed25519 service-account key", async () => {
    const key = encodePrivateKeyPem(await generatePrivateKey("ed25519"));
    const bundle = { ...good, certs: { ...good.certs, k8sServiceAccount: { key } } };
    expect(validateBundle(bundle)).toEqual([
      "certs.k8sserviceaccount.key: expected an ECDSA or RSA key, got Ed25519",
    ]);
  });

  it("names a key that is not its certificate's", () => {
    const bundle = {
      ...good,
      certs: { ...good.certs, k8s: { crt: good.certs.k8s.crt, key: good.certs.etcd.key } },
    };
    expect(validateBundle(bundle)).toEqual([
      "certs.k8s.key: the ECDSA P-256 private key does not belong to the ECDSA P-256 certificate in certs.k8s.crt",
    ]);
  });

  it("lists Talos's problems before these", () => {
    const bundle = {
      ...good,
      cluster: undefined,
      certs: { ...good.certs, k8s: { crt: good.certs.k8s.crt, key: good.certs.etcd.key } },
    };
    expect(validateBundle(bundle)[0]).toBe("cluster is required");
    expect(validateBundle(bundle)).toHaveLength(2);
  });
});
