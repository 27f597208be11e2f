import { beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { encodeYaml } from "../yaml/index.js";
import { generateBundle, type SecretsBundle } from "./bundle.js";
import { encodeBundle } from "./bundle-file.js";
import { parseContract } from "./contract.js";
import { bundleFromMachineConfig, parseMachineConfigDocuments } from "./from-machine-config.js";
import { quickBundle } from "./test-helpers.js";
import { validateBundle } from "./validate.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const pair = (p: { crt: string; key: string }) => ({ crt: b64(p.crt), key: b64(p.key) });

/** A controlplane config in the fat v1alpha1 layout of contracts up to 1.13. */
function legacyConfig(b: SecretsBundle): string {
  return encodeYaml({
    version: "v1alpha1",
    debug: false,
    persist: true,
    machine: { type: "controlplane", token: b.trustdInfo.token, ca: pair(b.certs.os), certSANs: [] },
    cluster: {
      id: b.cluster.id,
      secret: b.cluster.secret,
      controlPlane: { endpoint: "https://10.5.0.2:6443" },
      clusterName: "demo",
      token: b.secrets.bootstrapToken,
      ...(b.secrets.secretboxEncryptionSecret
        ? { secretboxEncryptionSecret: b.secrets.secretboxEncryptionSecret }
        : {}),
      ...(b.secrets.aescbcEncryptionSecret
        ? { aescbcEncryptionSecret: b.secrets.aescbcEncryptionSecret }
        : {}),
      ca: pair(b.certs.k8s),
      aggregatorCA: pair(b.certs.k8sAggregator),
      serviceAccount: { key: b64(b.certs.k8sServiceAccount.key) },
      etcd: { ca: pair(b.certs.etcd) },
    },
  });
}

/** A controlplane config in the multi-document layout of contracts 1.14 and later. */
function multidocConfig(b: SecretsBundle, encryption?: unknown): string {
  const docs: unknown[] = [
    {
      version: "v1alpha1",
      debug: false,
      persist: true,
      machine: { type: "controlplane", token: b.trustdInfo.token, ca: pair(b.certs.os), certSANs: [] },
      cluster: { token: b.secrets.bootstrapToken, etcd: { ca: pair(b.certs.etcd) } },
    },
    {
      apiVersion: "v1alpha1",
      kind: "DiscoveryServiceConfig",
      name: "default",
      endpoint: "https://discovery.talos.dev/",
    },
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
      config: encryption ?? {
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
      issuer: { privateKey: b.certs.k8sServiceAccount.key, issuerURL: "https://10.5.0.2:6443" },
    },
  ];
  return docs.map((d) => encodeYaml(d)).join("---\n");
}

const extract = (text: string) =>
  bundleFromMachineConfig(parseMachineConfigDocuments(text, "cp.yaml"), "cp.yaml");

let bundle: SecretsBundle;
beforeAll(async () => {
  bundle = await quickBundle();
});

describe("bundleFromMachineConfig", () => {
  it("extracts the whole bundle from a legacy (fat v1alpha1) config", () => {
    const got = extract(legacyConfig(bundle));
    expect(got).toEqual(bundle);
    expect(encodeBundle(got)).toBe(encodeBundle(bundle));
  });

  it("extracts an AES-CBC bundle from an old config", async () => {
    const old = await generateBundle({ contract: parseContract("1.2"), now: new Date() });
    const got = extract(legacyConfig(old));
    expect(got.secrets?.aescbcEncryptionSecret).toBe(old.secrets.aescbcEncryptionSecret);
    expect(got.secrets?.secretboxEncryptionSecret).toBeUndefined();
    expect(encodeBundle(got)).toBe(encodeBundle(old));
  });

  it("extracts the whole bundle from a multi-document (1.14+) config", () => {
    const got = extract(multidocConfig(bundle));
    expect(got).toEqual(bundle);
    expect(validateBundle(got)).toEqual([]);
  });

  it("takes the secretbox secret from the first entry covering secrets, only if its first provider is secretbox", () => {
    const secret = bundle.secrets.secretboxEncryptionSecret!;
    const box = (s: string) => ({
      secretbox: {
        keys: [
          { name: "k", secret: s },
          { name: "old", secret: "OLD" },
        ],
      },
    });
    const later = extract(
      multidocConfig(bundle, {
        resources: [
          { providers: [box("NOT-THIS")], resources: ["configmaps"] },
          { providers: [box(secret), { identity: {} }], resources: ["configmaps", "secrets"] },
          { providers: [box("NOR-THIS")], resources: ["secrets"] },
        ],
      }),
    );
    expect(later.secrets?.secretboxEncryptionSecret).toBe(secret);

    const aesFirst = extract(
      multidocConfig(bundle, {
        resources: [{ providers: [{ aescbc: { keys: [] } }, box(secret)], resources: ["secrets"] }],
      }),
    );
    expect(aesFirst.secrets?.secretboxEncryptionSecret).toBeUndefined();
    expect(validateBundle(aesFirst)).toEqual([
      "one of [secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret] is required",
    ]);
  });

  it("leaves parts the config does not carry empty", () => {
    const text = encodeYaml({
      version: "v1alpha1",
      machine: { type: "controlplane", token: "a.b" },
      cluster: { token: "oops" },
    });
    const got = extract(text);
    expect(got.cluster).toEqual({ id: "", secret: "" });
    expect(got.secrets?.bootstrapToken).toBe(""); // a token that is not <id>.<secret> is lost
    expect(got.certs).toEqual({
      etcd: undefined,
      k8s: undefined,
      k8sAggregator: undefined,
      k8sServiceAccount: undefined,
      os: undefined,
    });
    expect(validateBundle(got)).toContain("cluster.id is required");
  });

  it("refuses a worker config", () => {
    const text = legacyConfig(bundle).replace("type: controlplane", "type: worker");
    expect(() => extract(text)).toThrow(UserError);
    expect(() => extract(text)).toThrow(/^cp\.yaml: machine\.type is "worker"/);
  });

  it.each([
    [
      "bad base64",
      (t: string) => t.replace(/(\n {4}ca:\n {8}crt: )\S+/, "$1abc$def"),
      "cp.yaml: machine.ca.crt: invalid base64 (expected the base64 of a PEM block)",
    ],
    [
      "a list for a CA",
      (t: string) => t.replace(/\n {4}aggregatorCA:\n( {8}.*\n)+/, "\n    aggregatorCA: [1]\n"),
      "cp.yaml: cluster.aggregatorCA: expected a mapping, got a list",
    ],
    [
      "a number for a token",
      (t: string) => t.replace(/\n {4}token: \S+/, "\n    token: 12"),
      "cp.yaml: machine.token: expected a string, got number",
    ],
  ])("names the field for %s", (_what, edit, message) => {
    const text = edit(legacyConfig(bundle));
    expect(() => extract(text)).toThrow(message);
  });

  it("names a bad issuingCA in a multi-document config", () => {
    const docs = parseMachineConfigDocuments(multidocConfig(bundle), "cp.yaml") as Record<string, unknown>[];
    docs.find((d) => d.kind === "KubeAPIServerCAConfig")!.issuingCA = 5;
    expect(() => bundleFromMachineConfig(docs, "cp.yaml")).toThrow(
      "cp.yaml: KubeAPIServerCAConfig.issuingCA: expected a mapping, got number",
    );
    docs.find((d) => d.kind === "KubeAPIServerCAConfig")!.issuingCA = { cert: ["x"], key: "" };
    expect(() => bundleFromMachineConfig(docs, "cp.yaml")).toThrow(
      "cp.yaml: KubeAPIServerCAConfig.issuingCA.cert: expected a string, got object",
    );
  });
});

describe("parseMachineConfigDocuments", () => {
  it("skips empty documents and names the line of a syntax error", () => {
    expect(parseMachineConfigDocuments("---\n---\na: 1\n", "c.yaml")).toEqual([{ a: 1 }]);
    expect(() => parseMachineConfigDocuments("a: 1\n---\nb: [\n", "c.yaml")).toThrow(
      /^failed to parse c\.yaml \(line \d+\): /,
    );
    expect(() => parseMachineConfigDocuments("a: *nothing\n", "c.yaml")).toThrow(
      /^failed to parse c\.yaml: /,
    );
  });
});
