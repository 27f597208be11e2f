// `talosctl gen config` / `talosctl machineconfig gen`: the real command in-process (and once as
// the built program), its files and messages, and every bad input failing cleanly.
import { createPrivateKey, X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { generateConfigs } from "../src/config/generate/index.js";
import { fastKeygen, legacyShapedBundle, schemaProblems } from "../src/config/generate/testkit.js";
import { loadMachineConfig } from "../src/config/load/index.js";
import { encodeBundle, encodePem, PEM_LABEL, type SecretsBundle } from "../src/pki/index.js";
import { runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";

const ENDPOINT = "https://10.5.0.2:6443";
const NOW = new Date("2026-05-04T12:00:00Z");
const FILES = ["controlplane.yaml", "worker.yaml", "talosconfig"];

let bundle: SecretsBundle;
let secretsFile: string;

beforeAll(async () => {
  // One bundle for every run: only the admin key is generated per run.
  bundle = await legacyShapedBundle();
  secretsFile = path.join(tempDir("talos-secrets-"), "secrets.yaml");
  fs.writeFileSync(secretsFile, encodeBundle(bundle), { mode: 0o600 });
});

async function genConfig(cwd: string, ...args: string[]) {
  return runInProcess(["gen", "config", ...args], { cwd, now: () => NOW });
}

async function withSecrets(cwd: string, ...args: string[]) {
  return genConfig(cwd, "demo", ENDPOINT, "--with-secrets", secretsFile, ...args);
}

function expectError(r: { code: number; stdout: string; stderr: string }, message: string | RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  const text = r.stderr.trimEnd();
  if (typeof message === "string") expect(text).toBe(message);
  else expect(text).toMatch(message);
}

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe("gen config writes the three files", () => {
  it("to the current directory, mode 0644, announcing each on stderr", async () => {
    const dir = tempDir();
    const r = await withSecrets(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      ["generating PKI and tokens", ...FILES.map((f) => `Created ${path.join(dir, f)}`), ""].join("\n"),
    );
    for (const f of FILES) expect(mode(path.join(dir, f)), f).toBe(0o644);

    const cp = docs(fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8"));
    const identity = cp.find((d) => d.kind === "DiscoveryIdentityConfig")!;
    expect(identity.clusterID).toBe(bundle.cluster.id);
    expect(bundle.cluster.id).toMatch(/[-_]|^[A-Za-z0-9]+=$/);
    const sa = cp.find((d) => d.kind === "KubeServiceAccountConfig") as { issuer: { privateKey: string } };
    expect(sa.issuer.privateKey).toBe(bundle.certs.k8sServiceAccount.key);
    expect(sa.issuer.privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    for (const doc of cp) {
      const kind = "kind" in doc ? String(doc.kind) : "v1alpha1";
      expect(schemaProblems({ kind, data: doc }, { major: 1, minor: 15, current: true })).toEqual([]);
    }
  });

  it("writes a talosconfig whose admin certificate the bundle's Talos CA signed", async () => {
    const dir = tempDir();
    expect((await withSecrets(dir, "-t", "talosconfig", "-o", "tc")).code).toBe(0);
    const config = parse(fs.readFileSync(path.join(dir, "tc"), "utf8"));
    expect(config.context).toBe("demo");
    expect(config.contexts.demo.endpoints).toEqual([]);
    const cert = new X509Certificate(Buffer.from(config.contexts.demo.crt, "base64").toString());
    expect(cert.verify(new X509Certificate(bundle.certs.os.crt).publicKey)).toBe(true);
    expect(cert.subject).toBe("O=os:admin");
    expect(cert.publicKey.asymmetricKeyType).toBe("ed25519");
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(cert.ca).toBe(false);
    const days = (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / 86_400_000;
    expect(days).toBe(365);
    expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime());
    const keyPem = Buffer.from(config.contexts.demo.key, "base64").toString();
    expect(keyPem).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----/);
    const key = createPrivateKey(keyPem.replaceAll("ED25519 PRIVATE KEY", "PRIVATE KEY"));
    expect(key.asymmetricKeyType).toBe("ed25519");
  });

  it("into a directory given with -o, creating it", async () => {
    const dir = tempDir();
    const r = await withSecrets(dir, "-o", "a/b");
    expect(r.code).toBe(0);
    for (const f of FILES) expect(fs.existsSync(path.join(dir, "a/b", f)), f).toBe(true);
    expect(r.stderr).toContain(`Created ${path.join(dir, "a/b/controlplane.yaml")}`);
  });

  it("into the hidden --output-dir, even for one type", async () => {
    const dir = tempDir();
    const r = await withSecrets(dir, "--output-dir", "out", "-t", "worker");
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, "out"))).toEqual(["worker.yaml"]);
  });

  it("to one file or to stdout for a single output type", async () => {
    const dir = tempDir();
    const file = await withSecrets(dir, "-t", "worker", "-o", "w.yaml");
    expect(file.code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(["w.yaml"]);
    const out = await withSecrets(dir, "-t", "controlplane", "-o", "-");
    expect(out.code).toBe(0);
    expect(out.stderr).toBe("generating PKI and tokens\n");
    expect(docs(out.stdout)[0]).toMatchObject({ machine: { type: "controlplane" } });
    expect(fs.readdirSync(dir)).toEqual(["w.yaml"]);
    // A repeated -o keeps its last value, as pflag does.
    const last = await withSecrets(dir, "-t", "worker", "-o", "x.yaml", "-o", "-");
    expect(last.code).toBe(0);
    expect(docs(last.stdout)[0]).toMatchObject({ machine: { type: "worker" } });
    expect(fs.readdirSync(dir)).toEqual(["w.yaml"]);
  });

  it("overwrites with --force (and -f)", async () => {
    const dir = tempDir();
    expect((await withSecrets(dir)).code).toBe(0);
    const before = fs.readFileSync(path.join(dir, "talosconfig"), "utf8");
    expect((await withSecrets(dir, "--force")).code).toBe(0);
    expect((await withSecrets(dir, "-f")).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "talosconfig"), "utf8")).not.toBe(before);
  });

  it("as talosctl machineconfig gen and mc gen, with the same flags", async () => {
    for (const cmd of [
      ["machineconfig", "gen"],
      ["mc", "gen"],
    ]) {
      const dir = tempDir();
      const r = await runInProcess(
        [
          ...cmd,
          "demo",
          ENDPOINT,
          "--with-secrets",
          secretsFile,
          "--talos-version",
          "v1.13",
          "-t",
          "worker",
          "-o",
          "-",
        ],
        { cwd: dir },
      );
      expect(r.code, cmd.join(" ")).toBe(0);
      expect(docs(r.stdout).map((d) => d.kind ?? "v1alpha1")).toEqual(["v1alpha1", "HostnameConfig"]);
    }
  });
});

describe("gen config options", () => {
  it("writes comments by default and none with --with-docs=false --with-examples=false", async () => {
    const dir = tempDir();
    const plain = await withSecrets(
      dir,
      "-t",
      "controlplane",
      "-o",
      "-",
      "--with-docs=false",
      "--with-examples=false",
    );
    const commented = await withSecrets(dir, "-t", "controlplane", "-o", "-");
    expect(plain.stdout).not.toMatch(/#/);
    expect(commented.stdout).toMatch(/^ {4}type: controlplane # /m);
    expect(commented.stdout).toMatch(/^ {4}# {3}- 10\.0\.0\.10$/m);
    expect(docs(commented.stdout)).toEqual(docs(plain.stdout));
    const docsOnly = await withSecrets(dir, "-t", "controlplane", "-o", "-", "--with-examples=false");
    expect(docsOnly.stdout).toMatch(/ # /);
    expect(docsOnly.stdout).not.toMatch(/^ *# #/m);
    const examplesOnly = await withSecrets(dir, "-t", "controlplane", "-o", "-", "--with-docs=false");
    expect(examplesOnly.stdout).not.toMatch(/: .* # /);
    expect(examplesOnly.stdout).toMatch(/^ {4}# {3}- 10\.0\.0\.10$/m);
  });

  it("generates for an older contract with --talos-version", async () => {
    const dir = tempDir();
    const r = await withSecrets(
      dir,
      "--talos-version",
      "1.11",
      "-t",
      "controlplane",
      "-o",
      "-",
      "--with-docs=false",
      "--with-examples=false",
    );
    expect(r.code).toBe(0);
    const [legacy, ...rest] = docs(r.stdout);
    expect(rest).toEqual([]);
    expect(legacy).toMatchObject({
      machine: { features: { rbac: true }, install: { disk: "/dev/sda", wipe: false } },
      cluster: {
        clusterName: "demo",
        controlPlane: { endpoint: ENDPOINT },
        apiServer: { certSANs: ["10.5.0.2"] },
      },
    });
  });

  it("passes SANs, mirrors (comma-separated too), KubeSpan, discovery, disk, image and DNS domain through", async () => {
    const dir = tempDir();
    const r = await withSecrets(
      dir,
      "-t",
      "controlplane",
      "-o",
      "-",
      "--additional-sans",
      "k8s.example.org,10.0.0.9",
      "--registry-mirror",
      "docker.io=https://m1.example.org,ghcr.io=https://m3.example.org",
      "--registry-mirror",
      "docker.io=https://m2.example.org",
      "--with-kubespan",
      "--with-cluster-discovery=false",
      "--install-disk",
      "/dev/vda",
      "--install-image",
      "example.org/installer:v1",
      "--dns-domain",
      "corp.internal",
      "--kubernetes-version",
      "v1.35.1",
    );
    expect(r.code).toBe(0);
    const all = docs(r.stdout);
    const kind = (k: string) => all.filter((d) => d.kind === k);
    expect(all[0]).toMatchObject({ machine: { certSANs: ["k8s.example.org", "10.0.0.9"] } });
    expect(kind("RegistryMirrorConfig")).toEqual([
      {
        apiVersion: "v1alpha1",
        kind: "RegistryMirrorConfig",
        name: "docker.io",
        endpoints: [{ url: "https://m1.example.org" }, { url: "https://m2.example.org" }],
      },
      {
        apiVersion: "v1alpha1",
        kind: "RegistryMirrorConfig",
        name: "ghcr.io",
        endpoints: [{ url: "https://m3.example.org" }],
      },
    ]);
    expect(kind("KubeSpanConfig")).toEqual([
      { apiVersion: "v1alpha1", kind: "KubeSpanConfig", enabled: true },
    ]);
    expect(kind("DiscoveryServiceConfig")).toEqual([]);
    expect(kind("UnattendedInstallConfig")[0]).toMatchObject({
      installer: { image: "example.org/installer:v1" },
      provisioning: { diskSelector: { match: 'disk.dev_path == "/dev/vda"' } },
    });
    expect(kind("KubeNetworkConfig")[0]).toMatchObject({ dnsDomain: "corp.internal" });
    expect(kind("KubeAPIServerConfig")[0]).toEqual({
      apiVersion: "v1alpha1",
      kind: "KubeAPIServerConfig",
      image: "registry.k8s.io/kube-apiserver:v1.35.1",
      certExtraSANs: ["k8s.example.org", "10.0.0.9"],
    });
  });

  it("takes the default installer tag from $TAG", async () => {
    const dir = tempDir();
    const r = await runInProcess(
      ["gen", "config", "demo", ENDPOINT, "--with-secrets", secretsFile, "-t", "worker", "-o", "-"],
      {
        cwd: dir,
        env: { TAG: "v9.9.9" },
      },
    );
    expect(r.stdout).toContain(
      "image: factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v9.9.9",
    );
  });

  it("accepts a bundle whose keys carry the PKCS#8 PRIVATE KEY label", async () => {
    const dir = tempDir();
    const saKey = createPrivateKey(bundle.certs.k8sServiceAccount.key);
    const pkcs8 = encodePem(PEM_LABEL.pkcs8PrivateKey, saKey.export({ format: "der", type: "pkcs8" }));
    const relabelled = { ...bundle, certs: { ...bundle.certs, k8sServiceAccount: { key: pkcs8 } } };
    const file = path.join(dir, "s.yaml");
    fs.writeFileSync(file, encodeBundle(relabelled));
    const r = await genConfig(dir, "demo", ENDPOINT, "--with-secrets", file, "-t", "controlplane", "-o", "-");
    expect(r.code).toBe(0);
    const sa = docs(r.stdout).find((d) => d.kind === "KubeServiceAccountConfig") as {
      issuer: { privateKey: string };
    };
    expect(sa.issuer.privateKey).toBe(pkcs8);
  });

  it("applies --config-patch to both configs and the per-type patches to their own", async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, "cp.yaml"),
      'apiVersion: v1alpha1\nkind: KubeAPIServerConfig\nextraArgs:\n  audit-log-maxage: "30"\n',
    );
    fs.writeFileSync(path.join(dir, "w.yaml"), "apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n");
    const r = await withSecrets(
      dir,
      "--with-docs=false",
      "--config-patch",
      '{"machine": {"certSANs": ["patched.example.org"]}}',
      "--config-patch-control-plane",
      "@cp.yaml",
      "--config-patch-worker",
      "w.yaml",
    );
    expect(r.stderr).toContain("Created");
    expect(r.code).toBe(0);
    const cp = docs(fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8"));
    const worker = docs(fs.readFileSync(path.join(dir, "worker.yaml"), "utf8"));
    expect(cp[0]).toMatchObject({ machine: { certSANs: ["patched.example.org"] } });
    expect(worker[0]).toMatchObject({ machine: { certSANs: ["patched.example.org"] } });
    expect(cp.find((d) => d.kind === "KubeAPIServerConfig")).toMatchObject({
      extraArgs: { "audit-log-maxage": "30" },
    });
    expect(worker[worker.length - 1]).toEqual({
      apiVersion: "v1alpha1",
      kind: "KubeSpanConfig",
      enabled: true,
    });
    expect(cp.find((d) => d.kind === "KubeSpanConfig")).toBeUndefined();
    // The patched container is re-encoded in Talos's layout, with examples kept.
    const text = fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8");
    expect(text).toMatch(/^kind: KubeAPIServerConfig\nimage: .*\nextraArgs:\n {4}audit-log-maxage: "30"$/m);
    expect(loadMachineConfig(text, { file: "controlplane.yaml" }).documents.length).toBe(cp.length);
  });
});

describe("gen config with a JSON patch on a single-document contract", () => {
  it("applies it and writes the result in Talos's layout", async () => {
    const dir = tempDir();
    const r = await withSecrets(
      dir,
      "--talos-version",
      "v1.11",
      "-t",
      "worker",
      "-o",
      "-",
      "--with-docs=false",
      "--with-examples=false",
      "--config-patch",
      '[{"op": "add", "path": "/machine/certSANs/-", "value": "x.example.org"}]',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^version: v1alpha1\ndebug: false\npersist: true\nmachine:\n {4}type: worker\n/);
    expect(r.stdout).toContain("    certSANs:\n        - x.example.org\n    kubelet:\n");
  });
});

describe("gen config refuses bad input with one clear message and writes nothing", () => {
  const refuses = async (args: readonly string[], message: string | RegExp) => {
    const dir = tempDir();
    const r = await genConfig(dir, ...args);
    expectError(r, message);
    expect(fs.readdirSync(dir)).toEqual([]);
  };

  it("endpoints that are not https:// URLs", async () => {
    const cases: [string, string][] = [
      [
        "192.168.0.1",
        'no scheme and port specified for the cluster endpoint URL\ntry: "https://192.168.0.1:6443"',
      ],
      [
        "192.168.0.1:6443",
        'no scheme specified for the cluster endpoint URL\ntry: "https://192.168.0.1:6443"',
      ],
      [
        "192.168.0.1:2000",
        'no scheme specified for the cluster endpoint URL\ntry: "https://192.168.0.1:2000"',
      ],
      [
        "cp.example.org:6443",
        'no scheme specified for the cluster endpoint URL\ntry: "https://cp.example.org:6443"',
      ],
      [
        "http://192.168.0.1:2000",
        'the control plane endpoint URL should have scheme https://\ntry: "https://192.168.0.1:2000"',
      ],
      [
        "tcp://10.0.0.1",
        'the control plane endpoint URL should have scheme https://\ntry: "https://10.0.0.1:6443"',
      ],
      [
        "https://[::1",
        "failed to parse the cluster endpoint URL: parse \"https://[::1\": missing ']' in host",
      ],
      [
        "https://h:abc",
        'failed to parse the cluster endpoint URL: parse "https://h:abc": invalid port ":abc" after host',
      ],
      [
        "https://fd00::1:6443",
        "error validating the cluster endpoint URL: IPv6 addresses MUST be enclosed by square brackets",
      ],
      ["https://:6443", "error validating the cluster endpoint URL: hostname must not be blank"],
      ["https://h:", "error validating the cluster endpoint URL: port number must be numeric"],
      [
        "https://h:70000",
        "error validating the cluster endpoint URL: port number must be between 1 and 65535",
      ],
      ["https://h:0", "error validating the cluster endpoint URL: port number must be between 1 and 65535"],
    ];
    for (const [endpoint, message] of cases) await refuses(["demo", endpoint], message);
  });

  it("accepts https endpoints with or without a port, and bracketed IPv6", async () => {
    for (const endpoint of ["https://10.0.0.1", "https://[fd00::1]:6443", "https://cp.example.org:443/"]) {
      const dir = tempDir();
      const r = await genConfig(
        dir,
        "demo",
        endpoint,
        "--with-secrets",
        secretsFile,
        "-t",
        "worker",
        "-o",
        "-",
      );
      expect(r.code, endpoint).toBe(0);
      expect(docs(r.stdout).find((d) => d.kind === "KubeClusterConfig")).toMatchObject({ endpoint });
    }
  });

  it("unknown and invalid --talos-version", async () => {
    await refuses(
      ["demo", ENDPOINT, "--talos-version", "banana"],
      'invalid talos-version: error parsing version "banana"',
    );
    await refuses(
      ["demo", ENDPOINT, "--talos-version", "v1"],
      'invalid talos-version: error parsing version "v1"',
    );
    await refuses(
      ["demo", ENDPOINT, "--talos-version", "v2.0"],
      /^unknown talos-version "v2\.0": version contracts v1\.0 to v1\.15/,
    );
    await refuses(["demo", ENDPOINT, "--talos-version", "0.14"], /^unknown talos-version "0\.14"/);
  });

  it("exactly a cluster name and an endpoint", async () => {
    // cobra's words, then the usage.
    await refuses(
      ["demo"],
      /^accepts 2 arg\(s\), received 1\n\nUsage:\n {2}talosctl gen config <cluster name> <cluster endpoint> \[flags\]\n/,
    );
    await refuses(["demo", ENDPOINT, "extra"], /^accepts 2 arg\(s\), received 3\n\nUsage:/);
  });

  it("output flags", async () => {
    await refuses(
      ["demo", ENDPOINT, "-t", "kubeconfig"],
      /^invalid output type: "kubeconfig" \(valid types: /,
    );
    await refuses(
      ["demo", ENDPOINT, "-t", "worker,x,y"],
      /^invalid output type: "x"; invalid output type: "y"/,
    );
    await refuses(["demo", ENDPOINT, "-t", ""], "at least one output type must be specified");
    await refuses(["demo", ENDPOINT, "-o", "-"], "can't use multiple output types with stdout");
    await refuses(
      ["demo", ENDPOINT, "-o", "-", "-t", "worker,talosconfig"],
      "can't use multiple output types with stdout",
    );
    // -t is a string slice: repeating it adds types rather than replacing them.
    await refuses(
      ["demo", ENDPOINT, "-t", "worker", "-t", "talosconfig", "-o", "-"],
      "can't use multiple output types with stdout",
    );
    await refuses(["demo", ENDPOINT, "-o", "x", "--output-dir", "y"], "can't use both output-dir and output");
  });

  it("other flag values", async () => {
    await refuses(["demo", ENDPOINT, "--version", "v1alpha2"], 'unknown config version: "v1alpha2"');
    await refuses(["demo", ENDPOINT, "--registry-mirror", "x"], 'invalid registry mirror spec: "x"');
    await refuses(
      ["demo", ENDPOINT, "--registry-mirror", "docker.io="],
      'invalid registry mirror spec: "docker.io="',
    );
    await refuses(["demo", ENDPOINT, "--kubernetes-version", "1.x"], /^invalid kubernetes-version "1\.x"/);
    await refuses(["demo", ENDPOINT, "--dns-domain", "a b"], /^invalid dns-domain "a b"/);
    await refuses(["", ENDPOINT], "cluster name must not be empty");
  });

  it("missing and broken secrets bundles, naming the file", async () => {
    const dir = tempDir();
    await refuses(
      ["demo", ENDPOINT, "--with-secrets", path.join(dir, "nope.yaml")],
      /nope\.yaml.*no such file/,
    );
    const broken = path.join(dir, "broken.yaml");
    fs.writeFileSync(broken, "cluster:\n    id: x\n");
    await refuses(["demo", ENDPOINT, "--with-secrets", broken], /broken\.yaml.*cluster\.secret is required/);
  });

  it("bad patches, naming the patch", async () => {
    await refuses(
      ["demo", ENDPOINT, "--with-secrets", secretsFile, "--config-patch", "@missing.yaml"],
      /^error parsing config JSON patch: .*missing\.yaml/,
    );
    await refuses(
      [
        "demo",
        ENDPOINT,
        "--with-secrets",
        secretsFile,
        "--config-patch",
        '[{"op": "add", "path": "/machine/x", "value": 1}]',
      ],
      /^generating PKI and tokens\nfailed to generate config bundle: error patching configs: inline patch #1: JSON6902 patches are not supported for multi-document machine configuration/,
    );
  });

  it("existing files without --force, before writing any of them", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "worker.yaml"), "mine\n");
    const r = await withSecrets(dir);
    expectError(r, `file "${path.join(dir, "worker.yaml")}" already exists, use --force to overwrite`);
    expect(fs.readdirSync(dir)).toEqual(["worker.yaml"]);
    expect(fs.readFileSync(path.join(dir, "worker.yaml"), "utf8")).toBe("mine\n");
  });

  it("a wrong number of arguments", async () => {
    const dir = tempDir();
    expect((await genConfig(dir, "demo")).code).toBe(1);
    expect((await genConfig(dir, "demo", ENDPOINT, "extra")).code).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("generated configs are valid for the validator", () => {
  it("controlplane and worker pass validate --strict in metal and cloud mode", async () => {
    const dir = tempDir();
    expect((await withSecrets(dir)).code).toBe(0);
    for (const file of ["controlplane.yaml", "worker.yaml"]) {
      for (const mode of ["metal", "cloud"]) {
        const r = await runInProcess(["validate", "--config", file, "--mode", mode, "--strict"], {
          cwd: dir,
        });
        expect(r.stderr, `${file} ${mode}`).toBe("");
        expect(r.stdout).toBe(`${file} is valid for ${mode} mode\n`);
      }
    }
  });
});

describe("the built program", () => {
  it("generates a fresh bundle (RSA service-account key) when no secrets are given", async () => {
    const dir = tempDir();
    const r = await runTalosctl(["gen", "config", "demo", ENDPOINT], { cwd: dir, timeoutMs: 60_000 });
    expect(r.stderr).toBe(
      ["generating PKI and tokens", ...FILES.map((f) => `Created ${path.join(dir, f)}`), ""].join("\n"),
    );
    expect(r.code).toBe(0);
    const cp = docs(fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8"));
    const sa = cp.find((d) => d.kind === "KubeServiceAccountConfig") as { issuer: { privateKey: string } };
    const key = createPrivateKey(sa.issuer.privateKey);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(4096);
    const identity = cp.find((d) => d.kind === "DiscoveryIdentityConfig")!;
    expect(String(identity.clusterID)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
});

describe("library and command agree", () => {
  it("the command's output is the library's for the same bundle and options", async () => {
    const dir = tempDir();
    const r = await withSecrets(dir, "-t", "controlplane", "-o", "-");
    const lib = await generateConfigs({
      clusterName: "demo",
      endpoint: ENDPOINT,
      secrets: bundle,
      comments: true,
      now: NOW,
      keygen: fastKeygen,
    });
    expect(r.stdout).toBe(lib.controlplane);
  });
});
