// `talosctl machineconfig patch` and `machineconfig diff`, and the patch corpus
// (test/patch-corpus): every area of Talos's strategic-merge and JSON-patch rules as cases.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { applyPatches, loadConfigText, loadPatches } from "../src/config/patch/index.js";
import { PROJECT_ROOT, runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";

const CORPUS = path.join(PROJECT_ROOT, "test", "patch-corpus");

/** The areas a case's rule is tagged with (test/patch-corpus/README.md says what each covers). */
const RULE_AREAS = [
  "load",
  "pipeline",
  "json-patch",
  "documents",
  "merge",
  "replace",
  "custom-merge",
  "delete",
];

interface Case {
  rule: string;
  config?: string;
  base?: string;
  patches: string[];
  expected?: string;
  expectedText?: string;
  error?: string;
}

function readCase(file: string): Case {
  const c = parseYaml(fs.readFileSync(path.join(CORPUS, "cases", file), "utf8")) as Case;
  if (typeof c.rule !== "string" || !Array.isArray(c.patches))
    throw new Error(`${file}: rule and patches are required`);
  const outcomes = [c.expected, c.expectedText, c.error].filter((o) => o !== undefined);
  if (outcomes.length !== 1) throw new Error(`${file}: exactly one of expected, expectedText, error`);
  if ((c.config === undefined) === (c.base === undefined))
    throw new Error(`${file}: exactly one of config, base`);
  return c;
}

function docsOf(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((d) => d !== null);
}

function runCase(c: Case): string {
  const text = c.config ?? fs.readFileSync(path.join(CORPUS, "configs", c.base!), "utf8");
  loadConfigText(text, "config.yaml");
  const patches = loadPatches(c.patches, { cwd: CORPUS });
  return applyPatches({ text, file: "config.yaml" }, patches).text;
}

describe("patch corpus", () => {
  const files = fs
    .readdirSync(path.join(CORPUS, "cases"))
    .filter((f) => f.endsWith(".yaml"))
    .sort();

  test("tags every case with a known area and covers every area", () => {
    const tags = files.map((f) => /^\[([a-z-]+)\] /.exec(readCase(f).rule)?.[1] ?? `untagged: ${f}`);
    for (const tag of tags) expect(RULE_AREAS).toContain(tag);
    for (const area of RULE_AREAS) expect(tags).toContain(area);
  });

  test.each(files)("%s", (file) => {
    const c = readCase(file);
    if (c.error !== undefined) {
      expect(() => runCase(c)).toThrow(c.error);
      return;
    }
    const out = runCase(c);
    if (c.expectedText !== undefined) {
      expect(out).toBe(c.expectedText);
      return;
    }
    // Compared as data: what the patched config loads to, document by document in order.
    const loaded = loadConfigText(out, "patched.yaml").map((d) => d.data);
    expect(loaded).toEqual(docsOf(c.expected!));
  });
});

const CONFIGS = path.join(CORPUS, "configs");

function workdir(): string {
  const dir = tempDir("mc-patch-");
  for (const f of fs.readdirSync(CONFIGS)) fs.copyFileSync(path.join(CONFIGS, f), path.join(dir, f));
  return dir;
}

describe("talosctl machineconfig patch", () => {
  test("prints the patched config with a trailing newline (mc alias, @file patch)", async () => {
    const dir = workdir();
    fs.writeFileSync(path.join(dir, "hostname.yaml"), "machine:\n  network:\n    hostname: cp-2\n");
    const r = await runInProcess(["mc", "patch", "legacy-controlplane.yaml", "-p", "@hostname.yaml"], {
      cwd: dir,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const text = fs.readFileSync(path.join(dir, "legacy-controlplane.yaml"), "utf8");
    const expected = applyPatches({ text }, loadPatches(["@hostname.yaml"], { cwd: dir })).text;
    expect(r.stdout).toBe(`${expected}\n`);
    const docs = loadConfigText(r.stdout, "out");
    expect((docs[0]!.data as { machine: { network: { hostname: string } } }).machine.network.hostname).toBe(
      "cp-2",
    );
  });

  test("-o writes the file (parents created, mode 0644) and prints nothing", async () => {
    const dir = workdir();
    const r = await runInProcess(
      [
        "machineconfig",
        "patch",
        "multidoc-controlplane.yaml",
        "-p",
        "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: cp-9\nauto: off",
        "--output",
        "out/nested/cp.yaml",
      ],
      { cwd: dir },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const file = path.join(dir, "out/nested/cp.yaml");
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    const docs = loadConfigText(fs.readFileSync(file, "utf8"), "cp.yaml");
    expect(docs.find((d) => d.kind === "HostnameConfig")?.data).toMatchObject({
      hostname: "cp-9",
      auto: "off",
    });
    expect(docs).toHaveLength(24);
  });

  test("several -p apply in order", async () => {
    const dir = workdir();
    const r = await runInProcess(
      [
        "mc",
        "patch",
        "legacy-controlplane.yaml",
        "-p",
        "machine:\n  certSANs: {$patch: delete}",
        "-p",
        "machine:\n  certSANs: [a.example.com]",
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("    certSANs:\n        - a.example.com\n");
  });

  test("a missing config file is named", async () => {
    const r = await runInProcess(["mc", "patch", "nope.yaml", "-p", "machine: {}"], { cwd: workdir() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("failed to read nope.yaml: no such file or directory\n");
  });

  test("a config that does not load is refused before any patch is read", async () => {
    const dir = workdir();
    fs.writeFileSync(path.join(dir, "bad.yaml"), "version: v1alpha1\nmachine:\n  typ: worker\n");
    const r = await runInProcess(["mc", "patch", "bad.yaml", "-p", "missing.yaml"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.yaml: document v1alpha1: machine.typ (line 3:3): unknown key "typ"');
  });

  test("a patch that is neither kind: one line naming it, nothing written", async () => {
    const dir = workdir();
    const r = await runInProcess(
      ["mc", "patch", "legacy-controlplane.yaml", "-p", "machine:\n  nosuch: 1", "-o", "out.yaml"],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^failed to load inline patch #1: not a strategic merge patch: .*not a JSON patch: /,
    );
    expect(fs.existsSync(path.join(dir, "out.yaml"))).toBe(false);
  });

  test("a delete of a missing map key gives Talos's message", async () => {
    const r = await runInProcess(
      [
        "mc",
        "patch",
        "legacy-controlplane.yaml",
        "-p",
        "machine:\n  sysctls:\n    vm.nope: {$patch: delete}",
      ],
      { cwd: workdir() },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "inline patch #1: patch delete: path 'machine.sysctls.vm.nope' in document '/v1alpha1': failed to delete path 'machine.sysctls.vm.nope': lookup failed\n",
    );
  });

  test("a JSON patch on a multi-document config says which document and what to write", async () => {
    const r = await runInProcess(
      ["mc", "patch", "multidoc-controlplane.yaml", "-p", '[{"op":"remove","path":"/cluster/etcd"}]'],
      { cwd: workdir() },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("JSON6902 patches are not supported for multi-document machine configuration");
    expect(r.stderr).toContain("address the v1alpha1 document");
    expect(r.stderr).toContain("    cluster:\n        etcd:\n            $patch: delete\n");
  });
});

/** A small worker config that passes `validate --strict` in cloud mode. */
const WORKER_YAML = `version: v1alpha1
persist: true
machine:
  type: worker
  token: t0ken
  ca:
    crt: Y3J0
    key: ""
cluster:
  controlPlane:
    endpoint: https://10.0.0.1:6443
  token: b
`;

function validateDir(): string {
  const dir = tempDir("mc-patch-validate-");
  fs.writeFileSync(path.join(dir, "worker.yaml"), WORKER_YAML);
  return dir;
}

describe("talosctl machineconfig patch --validate (an addition to talosctl)", () => {
  test("a valid result is written as without the flag", async () => {
    const dir = validateDir();
    const patch = "machine:\n  network:\n    hostname: w-3";
    const plain = await runInProcess(["mc", "patch", "worker.yaml", "-p", patch], { cwd: dir });
    const r = await runInProcess(
      ["mc", "patch", "worker.yaml", "-p", patch, "--validate", "--mode", "cloud", "--strict"],
      { cwd: dir },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
  });

  test("an invalid result is refused with Talos's words and nothing is written", async () => {
    const dir = validateDir();
    const r = await runInProcess(
      [
        "mc",
        "patch",
        "worker.yaml",
        "-p",
        "machine:\n  network:\n    kubespan:\n      enabled: true\n      filters:\n        endpoints: [nope]",
        "--validate",
        "-m",
        "metal",
        "-o",
        "out.yaml",
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /out\.yaml: document v1alpha1: machine\.network\.kubespan\.filters\.endpoints \(line \d+:\d+\): KubeSpan endpoint filter is not valid: "nope"/,
    );
    expect(fs.existsSync(path.join(dir, "out.yaml"))).toBe(false);
  });

  test("warnings are printed; --strict turns them into errors", async () => {
    const dir = validateDir();
    const args = ["mc", "patch", "worker.yaml", "-p", "machine:\n  type: join", "--validate", "-m", "cloud"];
    const loose = await runInProcess(args, { cwd: dir });
    expect(loose.code).toBe(0);
    expect(loose.stderr).toMatch(
      /^WARNING: worker\.yaml: document v1alpha1: machine\.type \(line \d+:\d+\): use "worker" instead of "join" for machine type\n$/,
    );
    const strict = await runInProcess([...args, "--strict"], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe("");
    expect(strict.stderr).toContain('warning: use "worker" instead of "join" for machine type');
  });

  test("--mode and --strict need --validate, and --validate needs --mode", async () => {
    const dir = validateDir();
    const noValidate = await runInProcess(
      ["mc", "patch", "worker.yaml", "-p", "machine: {}", "-m", "metal"],
      {
        cwd: dir,
      },
    );
    expect(noValidate.code).toBe(1);
    expect(noValidate.stderr).toBe("--mode and --strict take effect only with --validate\n");
    const noMode = await runInProcess(["mc", "patch", "worker.yaml", "-p", "machine: {}", "--validate"], {
      cwd: dir,
    });
    expect(noMode.code).toBe(1);
    expect(noMode.stderr).toBe("--validate needs --mode\n");
  });
});

describe("talosctl machineconfig diff", () => {
  test("per-document unified diff with secrets redacted", async () => {
    const dir = workdir();
    const a = fs.readFileSync(path.join(dir, "multidoc-controlplane.yaml"), "utf8");
    const b = a
      .replace("port: 7445", "port: 7446")
      .replace(
        "clusterSecret: c2FtcGxlLWNsdXN0ZXItc2VjcmV0LWZvci10ZXN0cw==",
        "clusterSecret: bmV3LXNlY3JldA==",
      )
      .replace(/---\napiVersion: v1alpha1\nkind: KubeCoreDNSConfig\nenabled: true\n/, "");
    fs.writeFileSync(
      path.join(dir, "b.yaml"),
      `${b}---\napiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n`,
    );
    const r = await runInProcess(["mc", "diff", "multidoc-controlplane.yaml", "b.yaml"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        "--- multidoc-controlplane.yaml (KubePrismConfig)",
        "+++ b.yaml (KubePrismConfig)",
        "@@ -1,3 +1,3 @@",
        " apiVersion: v1alpha1",
        " kind: KubePrismConfig",
        "-port: 7445",
        "+port: 7446",
      ].join("\n"),
    );
    expect(r.stdout).toContain("--- multidoc-controlplane.yaml (KubeCoreDNSConfig)\n+++ /dev/null\n");
    expect(r.stdout).toContain("--- /dev/null\n+++ b.yaml (KubeSpanConfig)\n@@ -0,0 +1,3 @@\n");
    expect(r.stdout).toContain(
      "# DiscoveryIdentityConfig: secret values differ (hidden; use --show-secrets to see them)",
    );
    expect(r.stdout).not.toContain("bmV3LXNlY3JldA==");
    expect(r.stdout).not.toContain("PRIVATE KEY");

    const shown = await runInProcess(
      ["mc", "diff", "multidoc-controlplane.yaml", "b.yaml", "--show-secrets"],
      {
        cwd: dir,
      },
    );
    expect(shown.stdout).toContain("+clusterSecret: bmV3LXNlY3JldA==");
  });

  test("-o patch: a patch that turns A into B, applied with machineconfig patch", async () => {
    const dir = workdir();
    const a = fs.readFileSync(path.join(dir, "legacy-controlplane.yaml"), "utf8");
    const b = a
      .replace("        hostname: cp-1\n", "")
      .replace("            - 10.5.0.2\n    kubelet", "            - 10.5.0.9\n    kubelet");
    fs.writeFileSync(path.join(dir, "b.yaml"), b);
    const diff = await runInProcess(
      ["mc", "diff", "legacy-controlplane.yaml", "b.yaml", "-o", "patch", "--show-secrets"],
      {
        cwd: dir,
      },
    );
    expect(diff.code).toBe(0);
    expect(diff.stderr).toBe("");
    expect(diff.stdout).toContain("hostname:\n            $patch: delete");
    fs.writeFileSync(path.join(dir, "patch.yaml"), diff.stdout);
    const patched = await runInProcess(["mc", "patch", "legacy-controlplane.yaml", "-p", "@patch.yaml"], {
      cwd: dir,
    });
    expect(patched.code).toBe(0);
    expect(loadConfigText(patched.stdout, "x").map((d) => d.data)).toEqual(
      loadConfigText(b, "b").map((d) => d.data),
    );
  });

  test("identical configs: no output; redacted patch warns on stderr", async () => {
    const dir = workdir();
    const same = await runInProcess(["mc", "diff", "legacy-controlplane.yaml", "legacy-controlplane.yaml"], {
      cwd: dir,
    });
    expect(same).toEqual({ code: 0, stdout: "", stderr: "" });
    const a = fs.readFileSync(path.join(dir, "legacy-controlplane.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "b.yaml"),
      a.replace("token: p2x7rt.fedcba9876543210", "token: zzzzzz.fedcba9876543210"),
    );
    const r = await runInProcess(["mc", "diff", "legacy-controlplane.yaml", "b.yaml", "-o", "patch"], {
      cwd: dir,
    });
    expect(r.stdout).toBe("cluster:\n    token: '******'\n");
    expect(r.stderr).toContain("use --show-secrets for a patch that can be applied");
  });

  test("bad output mode and unloadable inputs", async () => {
    const dir = workdir();
    const mode = await runInProcess(
      ["mc", "diff", "legacy-controlplane.yaml", "legacy-controlplane.yaml", "-o", "json"],
      {
        cwd: dir,
      },
    );
    expect(mode.code).toBe(1);
    expect(mode.stderr).toBe('--output: unknown output format "json" (use one of: text, patch)\n');
    fs.writeFileSync(path.join(dir, "bad.yaml"), "apiVersion: v1alpha1\nkind: Nope\n");
    const bad = await runInProcess(["mc", "diff", "legacy-controlplane.yaml", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^bad\.yaml: document Nope/);
    fs.writeFileSync(
      path.join(dir, "no-legacy.yaml"),
      "apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n",
    );
    const legacyGone = await runInProcess(
      ["mc", "diff", "legacy-controlplane.yaml", "no-legacy.yaml", "-o", "patch"],
      {
        cwd: dir,
      },
    );
    expect(legacyGone.code).toBe(1);
    expect(legacyGone.stderr).toBe(
      "the v1alpha1 document cannot be removed by a patch (Talos refuses to delete the root of the legacy document)\n",
    );
  });
});

describe("the built binary", () => {
  test("talosctl mc patch runs as a process", async () => {
    const dir = workdir();
    const r = await runTalosctl(
      ["mc", "patch", "legacy-controlplane.yaml", "-p", "machine:\n  network:\n    hostname: proc"],
      {
        cwd: dir,
      },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("        hostname: proc\n");
  });
});
