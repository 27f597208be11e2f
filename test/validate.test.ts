// talosctl validate: in-process runs of the real command, one run of the built CLI, and the
// cross-check with `gen config` output.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";

const dir = tempDir("talos-validate-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const CONTROLPLANE = `version: v1alpha1
debug: false
persist: true
machine:
    type: controlplane
    token: t
    ca:
        crt: Y3J0
        key: a2V5
    certSANs: []
cluster:
    token: b
    etcd:
        ca:
            crt: Y3J0
            key: a2V5
---
apiVersion: v1alpha1
kind: ResolverConfig
hostDNS:
    enabled: true
    forwardKubeDNSToHost: true
`;

function write(name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
}

const validate = (args: string[]) => runInProcess(["validate", ...args], { cwd: dir });

describe("talosctl validate", () => {
  it("says a valid config is valid for the mode", async () => {
    const file = write("cp.yaml", CONTROLPLANE);
    for (const mode of ["metal", "cloud", "container", "metal-agent"]) {
      expect(await validate(["--config", file, "--mode", mode])).toEqual({
        code: 0,
        stdout: `cp.yaml is valid for ${mode} mode\n`,
        stderr: "",
      });
    }
    expect(await validate(["-c", file, "-m", "cloud", "--strict"])).toMatchObject({
      code: 0,
      stdout: "cp.yaml is valid for cloud mode\n",
    });
  });

  it("prints warnings on stderr and passes; --strict fails on the v1alpha1 document's warnings", async () => {
    const text = CONTROLPLANE.replace("type: controlplane", "type: join")
      .replace("        key: a2V5\n    certSANs", '        key: ""\n    certSANs')
      .replace(/ {4}etcd:\n {8}ca:\n {12}crt: Y3J0\n {12}key: a2V5\n/, "");
    const file = write("join.yaml", text);
    const loose = await validate(["-c", file, "-m", "metal"]);
    expect(loose).toEqual({
      code: 0,
      stdout: "join.yaml is valid for metal mode\n",
      stderr:
        'WARNING: join.yaml: document v1alpha1: machine.type (line 5:5): use "worker" instead of "join" for machine type\n',
    });
    const strict = await validate(["-c", file, "-m", "metal", "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe("");
    expect(strict.stderr).toBe(
      'join.yaml: document v1alpha1: machine.type (line 5:5): warning: use "worker" instead of "join" for machine type\n',
    );
  });

  it("keeps other documents' warnings as warnings under --strict", async () => {
    const file = write(
      "install.yaml",
      `${CONTROLPLANE}---
apiVersion: v1alpha1
kind: UnattendedInstallConfig
provisioning:
    diskSelector:
        match: disk.dev_path == "/dev/sda"
`,
    );
    const r = await validate(["-c", file, "-m", "metal", "--strict"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      "WARNING: install.yaml: document UnattendedInstallConfig: installer.image (line 24:1): installer.image is not set, if Talos is not booted from asset built by Image Factory, installation will fail\n",
    );
  });

  it("lists every error at once with document, path and line, and exits non-zero", async () => {
    const file = write(
      "bad.yaml",
      CONTROLPLANE.replace("persist: true", "persist: false").replace(
        "        key: a2V5\n    certSANs",
        '        key: ""\n    certSANs',
      ),
    );
    const r = await validate(["--config", file, "--mode", "metal"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      [
        "2 errors occurred:",
        "\t* bad.yaml: document v1alpha1: machine.ca.key (line 9:9): issuing CA key is required for controlplane nodes (.machine.ca.key)",
        "\t* bad.yaml: document v1alpha1: persist (line 3:1): .persist should be enabled",
        "",
      ].join("\n"),
    );
  });

  it("reports every load problem at once", async () => {
    const file = write(
      "typo.yaml",
      CONTROLPLANE.replace("    token: t\n", "    tokn: t\n").replace("certSANs: []", "certSANs: nope"),
    );
    const r = await validate(["-c", file, "-m", "cloud"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("2 errors occurred:\n");
    expect(r.stderr).toContain(
      '\t* typo.yaml: document v1alpha1: machine.tokn (line 6:5): unknown key "tokn"\n',
    );
    expect(r.stderr).toContain(
      '\t* typo.yaml: document v1alpha1: machine.certSANs (line 10:15): expected a list, got a string ("nope")\n',
    );
    const one = write("one.yaml", CONTROLPLANE.replace("debug: false", "debug: maybe"));
    expect(await validate(["-c", one, "-m", "cloud"])).toEqual({
      code: 1,
      stdout: "",
      stderr: 'one.yaml: document v1alpha1: debug (line 2:8): expected a boolean, got a string ("maybe")\n',
    });
  });

  it("requires --mode and --config, and names the valid modes", async () => {
    const file = write("cp2.yaml", CONTROLPLANE);
    const noMode = await validate(["--config", file]);
    expect(noMode.code).toBe(1);
    expect(noMode.stderr).toContain('required flag(s) "mode" not set');
    const noConfig = await validate(["--mode", "metal"]);
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toContain('required flag(s) "config" not set');
    const bad = await validate(["--config", file, "--mode", "baremetal"]);
    expect(bad).toEqual({
      code: 1,
      stdout: "",
      stderr: 'unknown runtime mode: "baremetal" (valid modes: cloud, container, metal, metal-agent)\n',
    });
  });

  it("names a missing or unreadable file in one line", async () => {
    expect(await validate(["-c", "nope.yaml", "-m", "metal"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "nope.yaml: cannot read config: no such file\n",
    });
    expect(await validate(["-c", ".", "-m", "metal"])).toEqual({
      code: 1,
      stdout: "",
      stderr: ".: is a directory, not a config file\n",
    });
    if (process.getuid?.() !== 0) {
      const locked = write("locked.yaml", CONTROLPLANE);
      fs.chmodSync(path.join(dir, locked), 0o000);
      expect(await validate(["-c", locked, "-m", "metal"])).toMatchObject({
        code: 1,
        stderr: "locked.yaml: cannot read config: permission denied\n",
      });
    }
  });

  it("refuses binary garbage in one line", async () => {
    fs.writeFileSync(
      path.join(dir, "bin.yaml"),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0xff]),
    );
    expect(await validate(["-c", "bin.yaml", "-m", "metal"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "bin.yaml: not a YAML config: invalid UTF-8 at byte offset 7\n",
    });
  });

  it("completes --mode", async () => {
    const r = await runInProcess(["__completeNoDesc", "validate", "--mode", ""], { cwd: dir });
    expect(r.stdout.split("\n")).toEqual(
      expect.arrayContaining(["cloud", "container", "metal", "metal-agent"]),
    );
  });

  it("works as the built program", async () => {
    const file = path.join(dir, "cp-real.yaml");
    fs.writeFileSync(file, CONTROLPLANE);
    const ok = await runTalosctl(["validate", "-c", file, "-m", "metal"]);
    expect(ok).toMatchObject({ code: 0, stdout: `${file} is valid for metal mode\n` });
    fs.writeFileSync(file, CONTROLPLANE.replace("type: controlplane", "type: robot"));
    const bad = await runTalosctl(["validate", "-c", file, "-m", "metal"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${file}: document v1alpha1: machine.type (line 5:5): unknown machine type "robot"`,
    );
  });
});

// Cross-part check with `gen config` (another part of the tree): skipped while its library is absent.
const GENERATE = path.join(PROJECT_ROOT, "src/config/generate/index.ts");

describe.skipIf(!fs.existsSync(GENERATE))("talosctl validate on freshly generated configs", () => {
  it("passes --strict in metal and cloud mode, latest and legacy contracts", async () => {
    const generate = await import("../src/config/generate/index.js");
    const { fastKeygen } = await import("../src/pki/test-helpers.js");
    for (const version of [undefined, "v1.13"]) {
      const out = await generate.generateConfigs({
        clusterName: "demo",
        endpoint: "https://10.5.0.2:6443",
        keygen: fastKeygen,
        ...(version ? { contract: generate.parseTalosVersion(version) } : {}),
      });
      const tag = version ?? "latest";
      for (const which of ["controlplane", "worker"] as const) {
        const file = write(`${tag}-${which}.yaml`, out[which]);
        for (const mode of ["metal", "cloud"]) {
          expect(await validate(["-c", file, "-m", mode, "--strict"]), `${tag} ${which} ${mode}`).toEqual({
            code: 0,
            stdout: `${file} is valid for ${mode} mode\n`,
            stderr: "",
          });
        }
      }
    }
  });
});
