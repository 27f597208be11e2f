import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { KeyKind, SecretsBundle } from "../../pki/index.js";
import { generatePrivateKey } from "../../pki/index.js";
import { encodeMachineConfig } from "../encode/index.js";
import {
  CURRENT_CONTRACT,
  contractVersionString,
  type GeneratedConfigs,
  type GenerateOptions,
  generateConfigs,
  parseTalosVersion,
  type VersionContract,
} from "./index.js";
import { fastKeygen, legacyShapedBundle, schemaProblems } from "./testkit.js";

const NOW = new Date("2026-03-01T10:00:00Z");
const ENDPOINT = "https://10.5.0.2:6443";

/** Every contract the toolkit knows, oldest first, then the current one. */
const CONTRACTS: readonly VersionContract[] = [
  ...Array.from({ length: 16 }, (_, i) => parseTalosVersion(`v1.${i}`)),
  CURRENT_CONTRACT,
];
const label = (c: VersionContract) => (c.current ? "current" : `v${c.major}.${c.minor}`);

let modern: SecretsBundle;
let aescbc: SecretsBundle;
const cache = new Map<string, GeneratedConfigs>();

beforeAll(async () => {
  modern = await legacyShapedBundle();
  aescbc = await legacyShapedBundle(parseTalosVersion("v1.2"));
});

function bundleFor(contract: VersionContract): SecretsBundle {
  return !contract.current && contract.minor <= 2 ? aescbc : modern;
}

async function gen(
  contract: VersionContract,
  extra: Partial<GenerateOptions> = {},
): Promise<GeneratedConfigs> {
  const key = `${label(contract)} ${JSON.stringify(extra)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = await generateConfigs({
    clusterName: "demo",
    endpoint: ENDPOINT,
    contract,
    secrets: bundleFor(contract),
    now: NOW,
    keygen: fastKeygen,
    ...extra,
  });
  cache.set(key, out);
  return out;
}

const v = (version: string) => parseTalosVersion(version);
type Which = "controlplane" | "worker";

function kinds(out: GeneratedConfigs, which: Which): string[] {
  return out.documents[which].documents.map((d) => (d.name ? `${d.kind}/${d.name}` : d.kind));
}

function legacy(out: GeneratedConfigs, which: Which): Record<string, unknown> {
  return out.documents[which].documents.find((d) => d.kind === "v1alpha1")!.data;
}

function docOf(out: GeneratedConfigs, which: Which, kind: string): Record<string, unknown> | undefined {
  return out.documents[which].documents.find((d) => d.kind === kind)?.data;
}

function at(data: unknown, dotted: string): unknown {
  let node = data;
  for (const step of dotted.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

const LATEST_CP_KINDS = [
  "v1alpha1",
  "DiscoveryServiceConfig/default",
  "DiscoveryIdentityConfig",
  "UnattendedInstallConfig",
  "ResolverConfig",
  "VolumeConfig/EPHEMERAL",
  "FilesystemTrimConfig",
  "SecurityProfileConfig",
  "HostnameConfig",
  "KubeClusterConfig",
  "KubeNodeConfig",
  "KubeletConfig",
  "KubeNetworkConfig",
  "KubeAPIServerCAConfig",
  "KubePrismConfig",
  "KubeAggregatorCAConfig",
  "KubeAdmissionControlConfig/PodSecurity",
  "KubeAuditPolicyConfig",
  "KubeAuthenticationConfig",
  "KubeAuthorizerConfig/node",
  "KubeAuthorizerConfig/rbac",
  "KubeEtcdEncryptionConfig",
  "KubeServiceAccountConfig",
  "KubeAPIServerConfig",
  "KubeControllerManagerConfig",
  "KubeSchedulerConfig",
  "KubeProxyConfig",
  "KubeFlannelCNIConfig",
  "KubeCoreDNSConfig",
];
const LATEST_WORKER_KINDS = LATEST_CP_KINDS.slice(0, LATEST_CP_KINDS.indexOf("KubeAggregatorCAConfig"));

describe.each(CONTRACTS.map((c) => [label(c), c] as const))("contract %s", (_name, contract) => {
  it("writes documents that Talos's schema of that release accepts", async () => {
    const out = await gen(contract);
    for (const which of ["controlplane", "worker"] as const) {
      const problems = out.documents[which].documents.flatMap((d) => schemaProblems(d, contract));
      expect(problems, which).toEqual([]);
    }
  });

  it("lays the documents out as the contract's layout says", async () => {
    const out = await gen(contract);
    const multidoc = contract.current || contract.minor >= 14;
    const hostname = contract.current || contract.minor >= 12;
    const cp = kinds(out, "controlplane");
    const worker = kinds(out, "worker");
    if (multidoc) {
      expect(cp).toEqual(LATEST_CP_KINDS);
      expect(worker).toEqual(LATEST_WORKER_KINDS);
    } else {
      expect(cp).toEqual(hostname ? ["v1alpha1", "HostnameConfig"] : ["v1alpha1"]);
      expect(worker).toEqual(cp);
    }
    const cpLegacy = legacy(out, "controlplane");
    expect(Object.keys(cpLegacy)).toEqual(["version", "debug", "persist", "machine", "cluster"]);
    expect(at(cpLegacy, "machine.type")).toBe("controlplane");
    expect(at(legacy(out, "worker"), "machine.type")).toBe("worker");
    expect(at(legacy(out, "worker"), "machine.ca.key")).toBe("");
    expect(at(cpLegacy, "machine.ca.key")).not.toBe("");
    if (multidoc) {
      expect(Object.keys(at(cpLegacy, "machine") as object)).toEqual([
        "type",
        "token",
        "ca",
        "certSANs",
        "features",
      ]);
      expect(Object.keys(at(cpLegacy, "cluster") as object)).toEqual(["token", "etcd"]);
      expect(Object.keys(at(legacy(out, "worker"), "cluster") as object)).toEqual(["token"]);
    } else {
      expect(at(cpLegacy, "machine.install")).toMatchObject({ disk: "/dev/sda", wipe: false });
      expect(at(cpLegacy, "cluster.controlPlane.endpoint")).toBe(ENDPOINT);
      expect(at(legacy(out, "worker"), "cluster.etcd")).toBeUndefined();
      expect(at(legacy(out, "worker"), "cluster.ca.key")).toBe("");
      expect(at(legacy(out, "worker"), "cluster.apiServer")).toBeUndefined();
    }
  });

  it("encodes in Talos's key order, and comments change nothing but comments", async () => {
    const out = await gen(contract);
    for (const which of ["controlplane", "worker"] as const) {
      const config = out.documents[which];
      const asWritten = encodeMachineConfig(config, { order: "as-written" });
      expect(encodeMachineConfig(config, { contract: contractVersionString(contract) })).toBe(asWritten);
      expect(out[which]).toBe(asWritten);
      const commented = encodeMachineConfig(config, {
        comments: true,
        contract: contractVersionString(contract),
      });
      const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS());
      expect(parse(commented)).toEqual(parse(asWritten));
      expect(parse(asWritten)).toEqual(config.documents.map((d) => d.data));
    }
  });
});

describe("version gates", () => {
  const cp = async (version: string, path: string, extra: Partial<GenerateOptions> = {}) =>
    at(legacy(await gen(v(version), extra), "controlplane"), path);
  const w = async (version: string, path: string) => at(legacy(await gen(v(version)), "worker"), path);

  it("PodSecurity admission after 1.0", async () => {
    expect(await cp("v1.0", "cluster.apiServer.admissionControl")).toBeUndefined();
    expect(await cp("v1.1", "cluster.apiServer.admissionControl")).toMatchObject([{ name: "PodSecurity" }]);
  });

  it("stable hostname flag from 1.2 until the hostname document replaces it in 1.12", async () => {
    expect(await cp("v1.1", "machine.features.stableHostname")).toBeUndefined();
    expect(await cp("v1.2", "machine.features.stableHostname")).toBe(true);
    expect(await cp("v1.11", "machine.features.stableHostname")).toBe(true);
    expect(await cp("v1.12", "machine.features.stableHostname")).toBeUndefined();
  });

  it("kubelet seccomp default after 1.1 and no manifests directory after 1.2", async () => {
    expect(await cp("v1.1", "machine.kubelet.defaultRuntimeSeccompProfileEnabled")).toBeUndefined();
    expect(await cp("v1.2", "machine.kubelet.defaultRuntimeSeccompProfileEnabled")).toBe(true);
    expect(await cp("v1.2", "machine.kubelet.disableManifestsDirectory")).toBeUndefined();
    expect(await cp("v1.3", "machine.kubelet.disableManifestsDirectory")).toBe(true);
  });

  it("mirrors k8s.gcr.io for contract 1.2 only", async () => {
    expect(await cp("v1.1", "machine.registries")).toBeUndefined();
    expect(await cp("v1.2", "machine.registries")).toEqual({
      mirrors: { "k8s.gcr.io": { endpoints: ["https://registry.k8s.io", "https://k8s.gcr.io"] } },
    });
    expect(await cp("v1.3", "machine.registries")).toBeUndefined();
  });

  it("disables the Kubernetes discovery registry after 1.1", async () => {
    expect(await cp("v1.1", "cluster.discovery")).toEqual({
      enabled: true,
      registries: { kubernetes: {}, service: {} },
    });
    expect(await cp("v1.2", "cluster.discovery.registries.kubernetes")).toEqual({ disabled: true });
  });

  it("ext key usage check and RBAC flags until 1.11", async () => {
    expect(await cp("v1.2", "machine.features.apidCheckExtKeyUsage")).toBeUndefined();
    expect(await cp("v1.3", "machine.features.apidCheckExtKeyUsage")).toBe(true);
    expect(await cp("v1.11", "machine.features.rbac")).toBe(true);
    expect(await cp("v1.11", "machine.features.apidCheckExtKeyUsage")).toBe(true);
    expect(await cp("v1.12", "machine.features.rbac")).toBeUndefined();
    expect(await cp("v1.12", "machine.features.apidCheckExtKeyUsage")).toBeUndefined();
  });

  it("audit policy after 1.2", async () => {
    expect(await cp("v1.2", "cluster.apiServer.auditPolicy")).toBeUndefined();
    expect(await cp("v1.3", "cluster.apiServer.auditPolicy")).toEqual({
      apiVersion: "audit.k8s.io/v1",
      kind: "Policy",
      rules: [{ level: "Metadata" }],
    });
  });

  it("AES-CBC before 1.3, secretbox after", async () => {
    expect(await cp("v1.2", "cluster.aescbcEncryptionSecret")).toBe(aescbc.secrets.aescbcEncryptionSecret);
    expect(await cp("v1.2", "cluster.secretboxEncryptionSecret")).toBeUndefined();
    expect(await cp("v1.3", "cluster.secretboxEncryptionSecret")).toBe(
      modern.secrets.secretboxEncryptionSecret,
    );
    expect(await w("v1.3", "cluster.secretboxEncryptionSecret")).toBeUndefined();
  });

  it("disk quota after 1.4, KubePrism after 1.5, host DNS after 1.6 and forwarding after 1.7", async () => {
    expect(await cp("v1.4", "machine.features.diskQuotaSupport")).toBeUndefined();
    expect(await cp("v1.5", "machine.features.diskQuotaSupport")).toBe(true);
    expect(await cp("v1.5", "machine.features.kubePrism")).toBeUndefined();
    expect(await cp("v1.6", "machine.features.kubePrism")).toEqual({ enabled: true, port: 7445 });
    expect(await cp("v1.6", "machine.features.hostDNS")).toBeUndefined();
    expect(await cp("v1.7", "machine.features.hostDNS")).toEqual({ enabled: true });
    expect(await cp("v1.8", "machine.features.hostDNS")).toEqual({
      enabled: true,
      forwardKubeDNSToHost: true,
    });
  });

  it("RSA service-account keys after 1.6", async () => {
    const asked = async (version: string) => {
      const kinds: KeyKind[] = [];
      await generateConfigs({
        clusterName: "demo",
        endpoint: ENDPOINT,
        contract: v(version),
        now: NOW,
        keygen: (kind) => {
          kinds.push(kind);
          return generatePrivateKey(kind === "rsa" ? "ecdsa" : kind);
        },
      });
      return kinds;
    };
    expect(await asked("v1.6")).not.toContain("rsa");
    expect(await asked("v1.7")).toContain("rsa");
  });

  it("cluster name on workers and the load-balancer exclusion label after 1.7", async () => {
    expect(await w("v1.7", "cluster.clusterName")).toBeUndefined();
    expect(await w("v1.8", "cluster.clusterName")).toBe("demo");
    expect(await cp("v1.7", "machine.nodeLabels")).toBeUndefined();
    expect(await cp("v1.8", "machine.nodeLabels")).toEqual({
      "node.kubernetes.io/exclude-from-external-load-balancers": "",
    });
    expect(await w("v1.8", "machine.nodeLabels")).toBeUndefined();
  });

  it("1.12: hostname document, UKI command line, no PSP flag, no endpoint in the API server SANs", async () => {
    expect(kinds(await gen(v("v1.11")), "controlplane")).toEqual(["v1alpha1"]);
    expect(await cp("v1.11", "cluster.apiServer.certSANs")).toEqual(["10.5.0.2"]);
    expect(await cp("v1.11", "cluster.apiServer.disablePodSecurityPolicy")).toBe(true);
    expect(await cp("v1.11", "machine.install.grubUseUKICmdline")).toBeUndefined();
    expect(kinds(await gen(v("v1.12")), "controlplane")).toEqual(["v1alpha1", "HostnameConfig"]);
    expect(await cp("v1.12", "cluster.apiServer.certSANs")).toBeUndefined();
    expect(await cp("v1.12", "cluster.apiServer.disablePodSecurityPolicy")).toBeUndefined();
    expect(await cp("v1.12", "machine.install.grubUseUKICmdline")).toBe(true);
  });

  it("registry mirrors move from the v1alpha1 document to documents in 1.12", async () => {
    const mirrors = [
      { host: "docker.io", endpoints: ["https://mirror.example.org", "https://mirror2.example.org"] },
      { host: "ghcr.io", endpoints: ["https://ghcr-mirror.example.org"] },
    ];
    expect(await cp("v1.11", "machine.registries.mirrors", { registryMirrors: mirrors })).toEqual({
      "docker.io": { endpoints: ["https://mirror.example.org", "https://mirror2.example.org"] },
      "ghcr.io": { endpoints: ["https://ghcr-mirror.example.org"] },
    });
    for (const version of ["v1.12", "v1.15"]) {
      const out = await gen(v(version), { registryMirrors: mirrors });
      expect(at(legacy(out, "controlplane"), "machine.registries")).toBeUndefined();
      const docs = out.documents.worker.documents.filter((d) => d.kind === "RegistryMirrorConfig");
      expect(docs.map((d) => d.data)).toEqual([
        {
          apiVersion: "v1alpha1",
          kind: "RegistryMirrorConfig",
          name: "docker.io",
          endpoints: [{ url: "https://mirror.example.org" }, { url: "https://mirror2.example.org" }],
        },
        {
          apiVersion: "v1alpha1",
          kind: "RegistryMirrorConfig",
          name: "ghcr.io",
          endpoints: [{ url: "https://ghcr-mirror.example.org" }],
        },
      ]);
      expect(docs.flatMap((d) => schemaProblems(d, v(version)))).toEqual([]);
    }
  });

  it("KubeSpan in machine.network until 1.12, as a document from 1.13", async () => {
    expect(await cp("v1.12", "machine.network")).toEqual({});
    expect(await cp("v1.12", "machine.network", { kubeSpan: true })).toEqual({ kubespan: { enabled: true } });
    expect(await cp("v1.13", "machine.network")).toBeUndefined();
    for (const version of ["v1.13", "v1.14"]) {
      const out = await gen(v(version), { kubeSpan: true });
      expect(docOf(out, "worker", "KubeSpanConfig")).toEqual({
        apiVersion: "v1alpha1",
        kind: "KubeSpanConfig",
        enabled: true,
      });
      expect(out.documents.controlplane.documents.flatMap((d) => schemaProblems(d, v(version)))).toEqual([]);
    }
  });

  it("1.14 moves Kubernetes, discovery, install and host DNS into documents", async () => {
    const before = await gen(v("v1.13"));
    const after = await gen(v("v1.14"));
    for (const kind of [
      "ResolverConfig",
      "DiscoveryServiceConfig",
      "DiscoveryIdentityConfig",
      "UnattendedInstallConfig",
      "KubeletConfig",
      "VolumeConfig",
      "FilesystemTrimConfig",
      "SecurityProfileConfig",
    ]) {
      expect(docOf(before, "controlplane", kind), kind).toBeUndefined();
      expect(docOf(after, "controlplane", kind), kind).toBeDefined();
    }
    expect(at(legacy(before, "controlplane"), "machine.features.hostDNS")).toBeDefined();
    expect(at(legacy(after, "controlplane"), "machine.features.hostDNS")).toBeUndefined();
    expect(at(legacy(after, "controlplane"), "cluster.discovery")).toBeUndefined();
    expect(at(legacy(after, "controlplane"), "cluster.id")).toBeUndefined();
    expect(at(legacy(after, "controlplane"), "machine.install")).toBeUndefined();
    expect(docOf(after, "controlplane", "VolumeConfig")).toMatchObject({
      name: "EPHEMERAL",
      mount: { secure: true },
    });
    expect(docOf(after, "controlplane", "SecurityProfileConfig")).toMatchObject({ workloadIsolation: true });
  });

  it("1.14 and 1.15 produce the same layout, and newer 1.x versions behave as the newest", async () => {
    const strip = (out: GeneratedConfigs) => kinds(out, "controlplane");
    expect(strip(await gen(v("v1.14")))).toEqual(strip(await gen(v("v1.15"))));
    expect(strip(await gen(v("v1.99")))).toEqual(strip(await gen(CURRENT_CONTRACT)));
  });
});

describe("latest layout contents", () => {
  it("carries certificates as PEM in documents and as base64 in the v1alpha1 document", async () => {
    const out = await gen(CURRENT_CONTRACT);
    const ca = docOf(out, "controlplane", "KubeAPIServerCAConfig")!;
    expect(ca.issuingCA).toEqual({ cert: modern.certs.k8s.crt, key: modern.certs.k8s.key });
    expect(docOf(out, "worker", "KubeAPIServerCAConfig")).toEqual({
      apiVersion: "v1alpha1",
      kind: "KubeAPIServerCAConfig",
      acceptedCAs: [modern.certs.k8s.crt],
    });
    expect(at(legacy(out, "controlplane"), "cluster.etcd.ca.crt")).toBe(
      Buffer.from(modern.certs.etcd.crt).toString("base64"),
    );
    expect(docOf(out, "controlplane", "KubeServiceAccountConfig")).toMatchObject({
      issuer: { privateKey: modern.certs.k8sServiceAccount.key, issuerURL: ENDPOINT },
    });
    expect(docOf(out, "controlplane", "DiscoveryIdentityConfig")).toMatchObject({
      clusterID: modern.cluster.id,
      clusterSecret: modern.cluster.secret,
    });
    expect(out.worker).toContain("acceptedCAs:\n    - |\n      -----BEGIN CERTIFICATE-----\n");
  });

  it("labels and taints control planes only", async () => {
    const out = await gen(CURRENT_CONTRACT);
    expect(docOf(out, "controlplane", "KubeNodeConfig")).toEqual({
      apiVersion: "v1alpha1",
      kind: "KubeNodeConfig",
      nodeIP: {},
      labels: {
        "node-role.kubernetes.io/control-plane": "",
        "node.kubernetes.io/exclude-from-external-load-balancers": "",
      },
      taints: { "node-role.kubernetes.io/control-plane": "NoSchedule" },
    });
    expect(docOf(out, "worker", "KubeNodeConfig")).toEqual({
      apiVersion: "v1alpha1",
      kind: "KubeNodeConfig",
      nodeIP: {},
    });
  });

  it("applies the options: SANs, DNS domain, install disk and image, Kubernetes version, discovery", async () => {
    const out = await gen(CURRENT_CONTRACT, {
      additionalSANs: ["k8s.example.org", "10.0.0.9"],
      dnsDomain: "corp.internal",
      installDisk: "/dev/nvme0n1",
      installImage: "example.org/installer:v9",
      kubernetesVersion: "v1.36.2",
      discovery: false,
    });
    expect(at(legacy(out, "controlplane"), "machine.certSANs")).toEqual(["k8s.example.org", "10.0.0.9"]);
    expect(docOf(out, "controlplane", "KubeAPIServerConfig")).toEqual({
      apiVersion: "v1alpha1",
      kind: "KubeAPIServerConfig",
      image: "registry.k8s.io/kube-apiserver:v1.36.2",
      certExtraSANs: ["k8s.example.org", "10.0.0.9"],
    });
    expect(docOf(out, "worker", "KubeNetworkConfig")).toMatchObject({ dnsDomain: "corp.internal" });
    expect(docOf(out, "worker", "UnattendedInstallConfig")).toEqual({
      apiVersion: "v1alpha1",
      kind: "UnattendedInstallConfig",
      installer: { image: "example.org/installer:v9" },
      provisioning: { diskSelector: { match: 'disk.dev_path == "/dev/nvme0n1"' }, wipe: false },
    });
    expect(docOf(out, "worker", "KubeletConfig")).toMatchObject({
      image: "ghcr.io/siderolabs/kubelet:v1.36.2",
    });
    expect(docOf(out, "worker", "DiscoveryServiceConfig")).toBeUndefined();
    expect(docOf(out, "worker", "DiscoveryIdentityConfig")).toBeDefined();
    expect(out.documents.controlplane.documents.flatMap((d) => schemaProblems(d, CURRENT_CONTRACT))).toEqual(
      [],
    );
  });

  it("leaves install settings out when the install disk is empty", async () => {
    const latest = await gen(CURRENT_CONTRACT, { installDisk: "" });
    expect(docOf(latest, "worker", "UnattendedInstallConfig")).toBeUndefined();
    const old = await gen(v("v1.13"), { installDisk: "" });
    expect(at(legacy(old, "worker"), "machine.install")).toEqual({
      image: expect.stringContaining("metal-installer"),
      wipe: false,
      grubUseUKICmdline: true,
    });
  });

  it("writes AES-CBC secrets of old bundles under an aescbc provider", async () => {
    const out = await gen(CURRENT_CONTRACT, { secrets: aescbc });
    expect(docOf(out, "controlplane", "KubeEtcdEncryptionConfig")).toMatchObject({
      config: {
        resources: [
          {
            providers: [
              { aescbc: { keys: [{ name: "key1", secret: aescbc.secrets.aescbcEncryptionSecret }] } },
            ],
            resources: ["secrets"],
          },
        ],
      },
    });
  });

  it("leaves Kubernetes and etcd out with skipKubernetesAndEtcd", async () => {
    const out = await gen(CURRENT_CONTRACT, { skipKubernetesAndEtcd: true });
    expect(kinds(out, "controlplane").some((k) => k.startsWith("Kube"))).toBe(false);
    expect(at(legacy(out, "controlplane"), "cluster")).toEqual({});
    const old = await gen(v("v1.13"), { skipKubernetesAndEtcd: true });
    const cluster = at(legacy(old, "controlplane"), "cluster") as Record<string, unknown>;
    for (const key of [
      "token",
      "secretboxEncryptionSecret",
      "ca",
      "aggregatorCA",
      "serviceAccount",
      "apiServer",
      "etcd",
    ]) {
      expect(cluster[key], key).toBeUndefined();
    }
  });
});

describe("the schema check itself", () => {
  it("flags unknown keys, wrong types and misused allowances", async () => {
    const out = await gen(v("v1.11"));
    const legacyDoc = out.documents.controlplane.documents[0]!;
    expect(schemaProblems(legacyDoc, v("v1.11"))).toEqual([]);
    // The pre-1.12 allowance does not reach 1.12.
    expect(schemaProblems(legacyDoc, v("v1.12")).join("\n")).toMatch(/rbac/);
    const broken = structuredClone(legacyDoc.data);
    const machine = broken.machine as Record<string, unknown>;
    broken.persist = false;
    machine.bogus = 1;
    (machine.features as Record<string, unknown>).rbac = false;
    const problems = schemaProblems({ kind: "v1alpha1", data: broken }, v("v1.11")).join("\n");
    expect(problems).toMatch(/persist: expected true, got false/);
    expect(problems).toMatch(/machine\.features\.rbac: expected true/);
    expect(problems).toMatch(/must NOT have additional properties.*bogus/);
    const install = { apiVersion: "v1alpha1", kind: "UnattendedInstallConfig", provisioning: { wipe: "no" } };
    expect(
      schemaProblems({ kind: "UnattendedInstallConfig", data: install }, CURRENT_CONTRACT).join(),
    ).toMatch(/wipe/);
    const endpoint = {
      apiVersion: "v1alpha1",
      kind: "DiscoveryServiceConfig",
      name: "x",
      endpoint: "not a url",
    };
    expect(schemaProblems({ kind: "DiscoveryServiceConfig", data: endpoint }, CURRENT_CONTRACT)).not.toEqual(
      [],
    );
  });
});

describe("talosconfig", () => {
  it("holds one context named after the cluster with a fresh Ed25519 admin certificate", async () => {
    const out = await gen(CURRENT_CONTRACT);
    expect(out.clientConfig.context).toBe("demo");
    const ctx = out.clientConfig.contexts.demo!;
    expect(ctx.endpoints).toEqual([]);
    expect(ctx.nodes).toBeUndefined();
    expect(Buffer.from(ctx.ca!, "base64").toString()).toBe(modern.certs.os.crt);
    const cert = new X509Certificate(Buffer.from(ctx.crt!, "base64").toString());
    const ca = new X509Certificate(modern.certs.os.crt);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subject).toBe("O=os:admin");
    expect(cert.publicKey.asymmetricKeyType).toBe("ed25519");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime());
    expect(new Date(cert.validTo).getTime() - NOW.getTime()).toBe(365 * 24 * 3600 * 1000);
    expect(Buffer.from(ctx.key!, "base64").toString()).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----\n/);
    expect(out.talosconfig).toMatch(/^context: demo\ncontexts:\n {4}demo:\n {8}endpoints: \[\]\n {8}ca: /);
  });

  it("issues a new certificate on every run, even with the same bundle", async () => {
    const a = await generateConfigs({ clusterName: "demo", endpoint: ENDPOINT, secrets: modern, now: NOW });
    const b = await generateConfigs({ clusterName: "demo", endpoint: ENDPOINT, secrets: modern, now: NOW });
    expect(a.clientConfig.contexts.demo!.crt).not.toBe(b.clientConfig.contexts.demo!.crt);
    expect(a.controlplane).toBe(b.controlplane);
  });
});

describe("input checks", () => {
  const base = { clusterName: "demo", endpoint: ENDPOINT, now: NOW, keygen: fastKeygen };
  it("refuses a bad endpoint, cluster name, DNS domain or Kubernetes version before generating keys", async () => {
    const refuse = (extra: Partial<GenerateOptions>, message: RegExp) =>
      expect(
        generateConfigs({
          ...base,
          ...extra,
          keygen: () => {
            throw new Error("no key should be generated");
          },
        }),
      ).rejects.toThrow(message);
    await refuse({ endpoint: "10.5.0.2" }, /^no scheme and port specified/);
    await refuse({ clusterName: " " }, /^cluster name must not be empty$/);
    await refuse({ dnsDomain: "bad domain" }, /^invalid dns-domain "bad domain"/);
    await refuse({ kubernetesVersion: "latest" }, /^invalid kubernetes-version "latest"/);
  });
});
