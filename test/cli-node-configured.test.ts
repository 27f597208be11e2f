// The CLI against a real, configured talos-node over mTLS: a node is brought up in
// maintenance mode, configured with `apply-config --insecure`, then driven through a
// talosconfig context: version, get (every format, aliases, watch), apply-config modes,
// patch, edit, config new, and the errors users meet.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { killAtEnd } from "./helpers/cleanup.js";
import { isolatedEnv, type RunResult, runInProcess, TALOSCTL, tempDir } from "./helpers/cli.js";
import { configVariant, type StartedNode, startNode, stateConfig } from "./helpers/node.js";
import { waitForLine } from "./helpers/wait.js";

let node: StartedNode;
let dir: string;
let home: string;
let talosconfig: string;
let controlplane: string;

const NODE = "127.0.0.1";

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { HOME: home, TALOSCONFIG: talosconfig, PATH: process.env.PATH, ...extra };
}

function talosctl(args: string[], extra: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runInProcess(args, { cwd: dir, home, env: env(extra) });
}

/** The text of a MachineConfig resource (v1alpha1 = active, persistent = saved). */
async function machineConfig(id: "v1alpha1" | "persistent"): Promise<{ text: string; version: number }> {
  const r = await talosctl(["get", "mc", id, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as { spec: string; metadata: { version: number } };
  return { text: doc.spec, version: doc.metadata.version };
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  dir = tempDir("talos-cli-node-");
  home = tempDir("talos-cli-node-home-");
  talosconfig = path.join(dir, "talosconfig");
  node = await startNode();
  const gen = await runInProcess(["gen", "config", "demo", "https://127.0.0.1:6443", "--output-dir", dir], {
    cwd: dir,
    home,
    env: { HOME: home },
  });
  expect(gen.code, gen.stderr).toBe(0);
  controlplane = fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8");
  const apply = await talosctl(["apply-config", "--insecure", "-n", node.address, "-f", "controlplane.yaml"]);
  expect(apply.code, apply.stderr).toBe(0);
  expect(apply.stderr).toBe("Applied configuration without a reboot\n");
  await node.waitForMode("configured");
  expect((await talosctl(["config", "endpoint", node.address])).code).toBe(0);
  expect((await talosctl(["config", "node", NODE])).code).toBe(0);
});

afterAll(async () => {
  await node?.stop();
});

describe("version", () => {
  it("prints the client block, then a server block per node", async () => {
    const r = await talosctl(["version"]);
    expect(r.code, r.stderr).toBe(0);
    const server = r.stdout.slice(r.stdout.indexOf("Server:\n"));
    expect(server).toMatch(
      /^Server:\n\tNODE: {8}127\.0\.0\.1\n\tTag: {9}v\d+\.\d+\.\d+\S*\n\tSHA: {9}.*\n\tBuilt: {7}.*\n\tGo version: {2}.*\n\tOS\/Arch: {5}\S+\/\S+\n\tEnabled: {5}RBAC\n$/,
    );
    const short = await talosctl(["version", "--short"]);
    expect(short.stdout).toMatch(/^Client:\nTalos v\S+\nServer:\n\tNODE: {8}127\.0\.0\.1\n/);
  });

  it("gives -o json and hidden --json", async () => {
    const r = await talosctl(["version", "-o", "json"]);
    const docs = r.stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(docs[1]).toMatchObject({ node: NODE, features: { rbac: true } });
    const proto = await talosctl(["version", "--json"]);
    const lines = proto.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ features: { rbac: true } });
  });

  it("fails over to a live endpoint", async () => {
    const closed = await refusedPort();
    const r = await talosctl(["version", "-e", `127.0.0.1:${closed},${node.address}`, "--short"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("\tNODE:        127.0.0.1\n");
  });
});

describe("get", () => {
  it("prints a table with the definition's columns, resolving aliases", async () => {
    for (const name of [
      "machinestatus",
      "MachineStatuses",
      "machinestatuses.runtime",
      "MACHINESTATUSES.runtime.talos.dev",
    ]) {
      const r = await talosctl(["get", name]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^NODE {8}NAMESPACE +TYPE +ID +VERSION +STAGE +READY$/);
      expect(lines[1]).toMatch(/^127\.0\.0\.1 {3}runtime +MachineStatus +machine +\d+ +\S+ +(true|false)$/);
    }
  });

  it("queries several nodes one after another, in --nodes order", async () => {
    // The node serves calls addressed to any of its own names.
    const r = await talosctl(["get", "machinestatus", "-n", "localhost,127.0.0.1"]);
    expect(r.code, r.stderr).toBe(0);
    const nodes = r.stdout
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/ +/)[0]);
    expect(nodes).toEqual(["localhost", "127.0.0.1"]);
  });

  it("completes resource types from the node", async () => {
    const r = await talosctl(["__completeNoDesc", "get", "m"]);
    const candidates = r.stdout.trim().split("\n");
    expect(candidates).toEqual(expect.arrayContaining(["mc", "ms", "machineconfig"]));
    expect(candidates[candidates.length - 1]).toBe(":4");
  });

  it("lists resource definitions with their aliases", async () => {
    const r = await talosctl(["get", "rd"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/ALIASES$/);
    expect(r.stdout).toMatch(/machineconfigs\.config\.talos\.dev +\d+ +.*\bmc\b/);
  });

  it("prints YAML documents with node, metadata and spec", async () => {
    const r = await talosctl(["get", "mc", "-o", "yaml"]);
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout.split(/^---\n/m);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatch(
      /^node: 127\.0\.0\.1\nmetadata:\n {4}namespace: config\n {4}type: MachineConfigs\.config\.talos\.dev\n {4}id: \S+\n {4}version: \d+\n/,
    );
    expect(docs[1]).toMatch(/\nspec: \|/);
    const active = parse(docs.find((d) => d.includes("id: v1alpha1"))!) as { spec: string };
    const documents = parseAllDocuments(active.spec);
    expect(Array.isArray(documents) && documents.length > 1).toBe(true);
  });

  it("prints one sorted JSON object per resource, and JSONPath", async () => {
    const r = await talosctl(["get", "machinestatus", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\{\n {4}"metadata": \{\n {8}"created": /);
    const doc = JSON.parse(r.stdout) as { node: string; spec: { stage: string } };
    expect(doc.node).toBe(NODE);
    const jp = await talosctl([
      "get",
      "machinestatus",
      "-o",
      "jsonpath={.node} {.metadata.id} {.spec.stage}",
    ]);
    expect(jp.stdout).toBe(`${NODE} machine ${doc.spec.stage}\n`);
    const bare = await talosctl(["get", "machinestatus", "-o", "jsonpath"]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("jsonpath needs an expression");
  });

  it("names an unknown type and an unknown id", async () => {
    const unknown = await talosctl(["get", "nosuchthing"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'rpc error: code = NotFound desc = resource "nosuchthing" is not registered\n',
    );
    // Short aliases several types share are refused, as talosctl refuses them.
    const ambiguous = await talosctl(["get", "ms"]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toBe(
      'rpc error: code = InvalidArgument desc = resource type "ms" is ambiguous: [machinestatuses.runtime.talos.dev manifeststatuses.kubernetes.talos.dev memorystats.perf.talos.dev mountstatuses.block.talos.dev]\n',
    );
    const missing = await talosctl(["get", "machinestatus", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^NODE +NAMESPACE +TYPE +ID +VERSION/);
    expect(missing.stderr).toMatch(
      /^error getting resource on node 127\.0\.0\.1: rpc error: code = NotFound desc = /,
    );
  });

  it("watches: initial rows after the bootstrap marker, then changes, until Ctrl+C", async () => {
    const child = killAtEnd(
      spawn(process.execPath, [TALOSCTL, "get", "mc", "-w"], {
        cwd: dir,
        env: isolatedEnv(home, { TALOSCONFIG: talosconfig }),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const waitFor = (re: RegExp) =>
      waitForLine(child.stdout, re, { seen: out, what: `${re} from get -w (stderr:\n${err})` });
    try {
      await waitFor(/v1alpha1/);
      const lines = out.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^NODE {8}\* {3}NAMESPACE +TYPE +ID +VERSION$/);
      expect(
        lines.filter((l) => /^127\.0\.0\.1 +\+ +config +MachineConfig +(persistent|v1alpha1) +\d+$/.test(l)),
      ).toHaveLength(2);
      const patched = await talosctl(["patch", "mc", "-p", '{"machine":{"sysctls":{"watched":"yes"}}}']);
      expect(patched.code, patched.stderr).toBe(0);
      // An update row: a blank in the event column.
      await waitFor(/\n127\.0\.0\.1 {7}config +MachineConfig +v1alpha1 +\d+\n/);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(err).toContain("Signal received, aborting");
  });
});

describe("apply-config", () => {
  it("shows a dry run without changing anything", async () => {
    const before = await machineConfig("v1alpha1");
    write("dry.yaml", configVariant(controlplane, "dry"));
    const r = await talosctl(["apply-config", "-f", "dry.yaml", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^Dry run summary:\nApplied configuration without a reboot \(skipped in dry-run\)\.\nConfig diff:\n\n/,
    );
    expect(r.stderr).toMatch(/\n\+ +variant: "?dry"?\n/);
    expect(await machineConfig("v1alpha1")).toEqual(before);
  });

  it("applies in no-reboot mode, with a local patch, and reports JSON", async () => {
    const file = write("nr.yaml", configVariant(controlplane, "no-reboot"));
    const r = await talosctl([
      "apply",
      "-f",
      file,
      "-m",
      "no-reboot",
      "-p",
      '{"machine":{"sysctls":{"patched":"locally"}}}',
      "-o",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      node: NODE,
      mode: "no-reboot",
      modeDetails: "Applied configuration without a reboot",
      warnings: [],
    });
    const active = parse((await machineConfig("v1alpha1")).text.split(/^---$/m)[0]!) as {
      machine: { sysctls: Record<string, string> };
    };
    expect(active.machine.sysctls).toMatchObject({ variant: "no-reboot", patched: "locally" });
  });

  it("labels each node's messages when several nodes answer", async () => {
    // Both names reach the same node, which (as Talos) runs one apply at a time: the second of
    // the two concurrent calls may be refused while the first is checked.
    const r = await talosctl(["apply-config", "-f", "nr.yaml", "--dry-run", "-n", "127.0.0.1,localhost"]);
    const lines = r.stderr.trimEnd().split("\n");
    expect(
      lines.every((l) => l.startsWith("127.0.0.1: ") || l.startsWith("localhost: ")),
      r.stderr,
    ).toBe(true);
    expect(new Set(lines.map((l) => l.slice(0, l.indexOf(":"))))).toEqual(
      new Set(["127.0.0.1", "localhost"]),
    );
    expect(lines.filter((l) => l.endsWith(": Dry run summary:")).length).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.endsWith(": Config diff:"))).toBe(true);
    if (r.code !== 0) expect(r.stderr).toContain("another apply configuration is already in progress");
  });

  it("stages a config for the next reboot", async () => {
    const active = await machineConfig("v1alpha1");
    write("staged.yaml", configVariant(controlplane, "staged"));
    const r = await talosctl(["apply-config", "-f", "staged.yaml", "--mode", "staged"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("Staged configuration to be applied after the next reboot\n");
    expect((await machineConfig("persistent")).text).toContain('variant: "staged"');
    expect((await machineConfig("v1alpha1")).text).toBe(active.text);
  });

  it("tries a config with a rollback timeout", async () => {
    write("try.yaml", configVariant(controlplane, "tried"));
    const r = await talosctl(["apply-config", "-f", "try.yaml", "-m", "try", "--timeout", "2m30s"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      "Applied configuration without a reboot\nThe config is applied in 'try' mode and will be automatically reverted back in 2m30s\n",
    );
    // A normal apply afterwards makes the node keep a known config for the tests that follow.
    write("base.yaml", controlplane);
    expect((await talosctl(["apply-config", "-f", "base.yaml"])).code).toBe(0);
  });

  it("rejects bad flags and files before connecting", async () => {
    const mode = await talosctl(["apply-config", "-f", "base.yaml", "-m", "reboot"]);
    expect(mode.code).toBe(1);
    expect(mode.stderr.split("\n")[0]).toBe(
      'invalid argument "reboot" for "-m, --mode" flag: possible options are: auto, no-reboot, staged, try',
    );
    const timeout = await talosctl(["apply-config", "-f", "base.yaml", "--timeout", "soon"]);
    expect(timeout.stderr.split("\n")[0]).toBe(
      'invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"',
    );
    const nofile = await talosctl(["apply-config"]);
    expect(nofile.stderr).toBe("no filename supplied for configuration\n");
    const missing = await talosctl(["apply-config", "-f", "nope.yaml"]);
    expect(missing.stderr).toBe("failed to read nope.yaml: no such file or directory\n");
    const before = await machineConfig("v1alpha1");
    write("invalid.yaml", controlplane.replace("\nmachine:\n", "\nmachine:\n    nodeTaints: [1, 2]\n"));
    const invalid = await talosctl(["apply-config", "-f", "invalid.yaml"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^invalid\.yaml: document v1alpha1: machine\.nodeTaints \(line 6:\d+\): /);
    expect(await machineConfig("v1alpha1")).toEqual(before);
  });
});

describe("patch machineconfig", () => {
  it("patches, then skips an unchanged result without sending it", async () => {
    const patch = '{"machine":{"sysctls":{"from":"patch"}}}';
    const first = await talosctl(["patch", "machineconfig", "-p", patch]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe(
      "patched MachineConfigs.config.talos.dev/v1alpha1 at the node 127.0.0.1\nApplied configuration without a reboot\n",
    );
    const before = await machineConfig("v1alpha1");
    expect(before.text).toContain("from: patch");
    write("same.yaml", "machine:\n  sysctls:\n    from: patch # the same again\n");
    const again = await talosctl(["patch", "mc", "--patch-file", "same.yaml"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe("Apply was skipped: no changes detected.\n");
    // Not sent: the resource version did not move.
    expect((await machineConfig("v1alpha1")).version).toBe(before.version);
    const json = await talosctl(["patch", "mc", "-p", patch, "-o", "json"]);
    expect(JSON.parse(json.stdout)).toEqual({ node: NODE, changed: false });
  });

  it("applies in dry-run mode and reports JSON", async () => {
    const r = await talosctl([
      "patch",
      "mc",
      "-p",
      '{"machine":{"sysctls":{"dry":"run"}}}',
      "--dry-run",
      "-o",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { modeDetails: string; changed: boolean };
    expect(doc.changed).toBe(true);
    expect(doc.modeDetails).toContain("Dry run summary:");
    expect((await machineConfig("v1alpha1")).text).not.toContain("dry: run");
  });

  it("needs a patch and a machineconfig type", async () => {
    const none = await talosctl(["patch", "mc"]);
    expect(none.code).toBe(1);
    expect(none.stderr.split("\n")[0]).toBe("either --patch or --patch-file should be defined");
    const other = await talosctl(["patch", "machinestatus", "-p", '{"machine":{"sysctls":{"a":"b"}}}']);
    expect(other.stderr).toBe("only machineconfig resource type is supported\n");
  });
});

describe("edit machineconfig", () => {
  function editor(name: string, script: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return file;
  }

  it("applies what the editor saved", async () => {
    // Earlier tests may have left a sysctls map: add the key to it rather than repeat the map
    // (a repeated key is a load error, and the editor would be reopened forever).
    const ed = editor(
      "ed-label.sh",
      [
        `if grep -q '^    sysctls:$' "$1"; then sed -i 's/^    sysctls:$/    sysctls:\\n        edited: "yes"/' "$1";`,
        `else sed -i 's/^machine:$/machine:\\n    sysctls:\\n        edited: "yes"/' "$1"; fi`,
      ].join("\n"),
    );
    const r = await talosctl(["edit", "mc"], { EDITOR: ed });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("Applied configuration without a reboot\n");
    expect((await machineConfig("v1alpha1")).text).toMatch(
      /^ {4}sysctls:\n(?: {8}.*\n)* {8}edited: "yes"\n/m,
    );
  });

  it("reopens with the error on top when the saved config is invalid", async () => {
    const log = path.join(dir, "seen.log");
    const count = path.join(dir, "count");
    fs.writeFileSync(count, "");
    const current = (await machineConfig("v1alpha1")).text;
    expect(current).toContain('edited: "yes"');
    const fixed = write("fixed.yaml", current.replace('edited: "yes"', 'edited: "twice"'));
    const ed = editor(
      "ed-twice.sh",
      [
        `echo x >> ${count}`,
        `cat "$1" >> ${log}; echo ==== >> ${log}`,
        `if [ "$(wc -l < ${count})" -eq 1 ]; then printf 'machine: [unclosed\\n' > "$1";`,
        `else cp ${fixed} "$1"; fi`,
      ].join("\n"),
    );
    const r = await talosctl(["edit", "mc"], { TALOS_EDITOR: ed, EDITOR: "false" });
    expect(r.code, r.stderr).toBe(0);
    const seen = fs.readFileSync(log, "utf8").split("====\n");
    expect(seen[0]).toMatch(/^# Editing MachineConfigs\.config\.talos\.dev\/v1alpha1 at node 127\.0\.0\.1\n/);
    expect(seen[1]).toMatch(/^# .+\n/);
    expect(seen[1]).toContain("# Editing MachineConfigs.config.talos.dev/v1alpha1 at node 127.0.0.1\n");
    expect(seen[1]).toContain("machine: [unclosed");
    expect((await machineConfig("v1alpha1")).text).toContain('edited: "twice"');
  });

  it("skips an unchanged or emptied file, and gives JSON", async () => {
    const same = await talosctl(["edit", "mc"], { EDITOR: "true" });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toBe("Apply was skipped: no changes detected.\n");
    const empty = await talosctl(["edit", "mc", "-o", "json"], { EDITOR: editor("ed-empty.sh", ': > "$1"') });
    expect(JSON.parse(empty.stdout)).toEqual({ node: NODE, changed: false, skipped: "empty file" });
  });

  it("gives up when the editor saves the same invalid text again", async () => {
    const ed = editor("ed-broken.sh", `printf 'machine: [unclosed\\n' > "$1"`);
    const r = await talosctl(["edit", "mc"], { EDITOR: ed });
    expect(r.code).toBe(1);
    const m =
      /^A copy of your changes has been stored to "(.+)"\nEdit canceled, no valid changes were saved\.\n$/.exec(
        r.stderr,
      );
    expect(m, r.stderr).not.toBeNull();
    expect(fs.readFileSync(m![1]!, "utf8")).toContain("machine: [unclosed");
    fs.rmSync(m![1]!);
  });
});

describe("config new", () => {
  it("writes a reader talosconfig whose reader is denied the machine config", async () => {
    const r = await talosctl(["config", "new", "reader.yaml", "--roles", "os:reader", "--crt-ttl", "1h"]);
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(dir, "reader.yaml");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const cfg = parse(fs.readFileSync(file, "utf8")) as {
      context: string;
      contexts: Record<string, { endpoints: string[] }>;
    };
    expect(cfg.context).toBe("reader@demo");
    expect(cfg.contexts[cfg.context]!.endpoints).toEqual([node.address]);

    const denied = await talosctl(["--talosconfig", file, "-n", NODE, "get", "mc"]);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toBe("NODE   NAMESPACE   TYPE   ID   VERSION\n");
    expect(denied.stderr).toBe(
      "error listing resources on node 127.0.0.1: rpc error: code = PermissionDenied desc = not authorized\n",
    );
    const one = await talosctl(["--talosconfig", file, "-n", NODE, "get", "mc", "v1alpha1"]);
    expect(one.stderr).toBe(
      "error getting resource on node 127.0.0.1: rpc error: code = PermissionDenied desc = not authorized\n",
    );
    const allowed = await talosctl(["--talosconfig", file, "-n", NODE, "get", "machinestatus"]);
    expect(allowed.code, allowed.stderr).toBe(0);
    const newer = await talosctl(["--talosconfig", file, "-n", NODE, "config", "new", "again.yaml"]);
    expect(newer.code).toBe(1);
    expect(newer.stderr).toBe(
      "error generating client configuration: rpc error: code = PermissionDenied desc = not authorized\n",
    );
  });

  it("checks roles, the node count and the target file first", async () => {
    const roles = await talosctl(["config", "new", "x.yaml", "--roles", "os:reader,os:bogus"]);
    expect(roles.stderr).toBe("unknown roles: os:bogus\n");
    const exists = await talosctl(["config", "new", "reader.yaml"]);
    expect(exists.stderr).toBe('talosconfig file already exists: "reader.yaml"\n');
    const two = await talosctl(["config", "new", "y.yaml", "-n", "127.0.0.1,127.0.0.2"]);
    expect(two.stderr).toBe('command "config new" requires exactly one node (got 2)\n');
    expect(fs.existsSync(path.join(dir, "x.yaml")) || fs.existsSync(path.join(dir, "y.yaml"))).toBe(false);
  });
});

describe("connection errors", () => {
  it("says when nodes are not set and when a context is unknown", async () => {
    const bare = path.join(dir, "bare-talosconfig");
    const cfg = parse(fs.readFileSync(talosconfig, "utf8")) as {
      context: string;
      contexts: Record<string, { nodes?: string[] }>;
    };
    delete cfg.contexts[cfg.context]!.nodes;
    fs.writeFileSync(bare, JSON.stringify(cfg));
    const r = await talosctl(["--talosconfig", bare, "version"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "nodes are not set for the command: please use `--nodes` flag or configuration file to set the nodes to run the command against\n",
    );
    const ctx = await talosctl(["get", "machinestatus", "--context", "nope"]);
    expect(ctx.code).toBe(1);
    expect(ctx.stderr).toMatch(/^context "nope" not found in config/);
  });

  it("reports the node a call could not reach and still prints the others", async () => {
    // A control plane forwards to the named node, on its own port; nothing listens there.
    const r = await talosctl(["version", "-n", `${NODE},127.0.0.254`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("\tNODE:        127.0.0.1\n");
    expect(r.stderr).toBe(
      `error getting version from node 127.0.0.254: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.254:${node.port}: connect: connection refused"\n`,
    );
    const get = await talosctl(["get", "machinestatus", "-n", `127.0.0.254,${NODE}`]);
    expect(get.code).toBe(1);
    expect(get.stdout).toMatch(/\n127\.0\.0\.1 +runtime +MachineStatus +machine /);
    expect(get.stderr).toMatch(
      /^127\.0\.0\.254: error getting server version: rpc error: code = Unavailable/,
    );
  });

  it("keeps the node's config when nothing was applied", async () => {
    expect(stateConfig(node.stateDir)).toBeDefined();
  });
});

/**
 * A loopback port nobody listens on. Port 1 when it refuses connections (it cannot be taken by
 * a test's node, unlike a free port released a moment ago); else a port just released.
 */
async function refusedPort(): Promise<number> {
  const refused = await new Promise<boolean>((resolve) => {
    const s = net.connect(1, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
  if (refused) return 1;
  return new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
