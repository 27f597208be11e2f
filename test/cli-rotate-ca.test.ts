// rotate-ca and inspect dependencies of the real CLI against a real two-node cluster (a
// control plane and a worker, one talos-node --emulate process): the dry-run plan with talosctl's
// `> ` lines, the refusal of a Kubernetes rotation without a Kubernetes API, and a real rotation
// of the Talos API CA after which only the new talosconfig works, on both nodes.
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type RunResult, runInProcess, tempDir } from "./helpers/cli.js";
import { talosconfigFor } from "./helpers/cluster.js";
import { type EmulatedNodes, startEmulated } from "./helpers/emulate.js";
import { eventually, makeCluster, type TestCluster } from "./helpers/node.js";

let cluster: TestCluster;
let nodes: EmulatedNodes;
let cp: string;
let worker: string;
let dir: string;
let home: string;
let talosconfig: string;
let readerConfig: string;

function talosctl(args: readonly string[], config = talosconfig): Promise<RunResult> {
  return runInProcess(args, { cwd: dir, home, env: { HOME: home, TALOSCONFIG: config } });
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");

beforeAll(async () => {
  cluster = await makeCluster("rotate");
  nodes = await startEmulated({
    count: 2,
    seed: (_, i) => (i === 0 ? cluster.controlplane : cluster.worker),
    args: ["--time-scale", "20"],
  });
  [cp, worker] = nodes.addresses as [string, string];
  dir = tempDir("talos-rotate-");
  home = tempDir("talos-rotate-home-");
  talosconfig = path.join(dir, "talosconfig");
  fs.writeFileSync(talosconfig, talosconfigFor(cluster, [cp], [cp]), { mode: 0o600 });
  readerConfig = path.join(dir, "reader");
  fs.writeFileSync(readerConfig, talosconfigFor(cluster, [cp], [cp], cluster.reader), { mode: 0o600 });
  // The worker serves a certificate of the OS CA once the control plane's trustd issued it.
  await eventually(
    async () => {
      const r = await talosctl(["version", "-n", worker]);
      expect(r.code, r.stderr).toBe(0);
    },
    30_000,
    200,
  );
}, 90_000);

afterAll(async () => {
  await nodes?.stop();
  for (const d of [dir, home]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

describe("inspect dependencies", () => {
  it("writes the controller graph as talosctl's Graphviz text", async () => {
    const r = await talosctl(["inspect", "dependencies", "-n", cp], readerConfig);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith("digraph  {\n\t\n\t")).toBe(true);
    expect(r.stdout.endsWith("\n\t\n}\n")).toBe(true);
    const nodeIds = new Map<string, string>();
    for (const m of r.stdout.matchAll(
      /^\t(n\d+)\[(?:fillcolor="azure2",)?label="([^"]+)",shape="(box|note)"/gm,
    )) {
      nodeIds.set(m[2]!, m[1]!);
    }
    const disks = nodeIds.get("block.DisksController");
    const type = nodeIds.get("Disks.block.talos.dev");
    expect(disks).toBeDefined();
    // An exclusive output is a bold edge from the controller to its type.
    expect(r.stdout).toContain(`\t${disks}->${type}[style="bold"];\n`);
    // A weak input is dotted, labelled with the ID it is limited to.
    expect(r.stdout).toMatch(/\tn\d+->n\d+\[label="[^"]+",style="dotted"\];\n/);
  });

  it("links each live resource with --with-resources", async () => {
    const r = await talosctl(["inspect", "dependencies", "--with-resources", "-n", cp]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith("digraph  {\n\tsubgraph cluster_s")).toBe(true);
    expect(r.stdout).toMatch(/\tsubgraph cluster_s\d+ \{\n\t\tlabel="Disks\.block\.talos\.dev";\n/);
    expect(r.stdout).toMatch(/label="runtime\/Disks\.block\.talos\.dev\/sda",shape="note",style="filled"\]/);
  });

  it("needs exactly one node and no arguments", async () => {
    const two = await talosctl(["inspect", "dependencies", "-n", `${cp},${worker}`]);
    expect(two).toMatchObject({
      code: 1,
      stderr: 'command "inspect dependencies" requires exactly one node (got 2)\n',
    });
    const extra = await talosctl(["inspect", "dependencies", "x", "-n", cp]);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toMatch(/^unknown command "x" for "talosctl inspect dependencies"/);
  });
});

describe("rotate-ca", () => {
  it("prints the plan of both rotations in dry-run mode (the default) and changes nothing", async () => {
    const r = await talosctl(["rotate-ca", "-n", cp]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out.startsWith("> Starting Talos API PKI rotation, dry-run mode true...\n")).toBe(true);
    expect(out).toContain('> Using config context: "test"\n');
    expect(out).toContain(`> Using Talos API endpoints: ["${cp}"]\n`);
    expect(out).toContain(`  - control plane nodes: ["${cp}"]\n  - worker nodes: ["${worker}"]\n`);
    expect(out).toContain(
      `> Current Talos CA:\n  crt: ${b64(cluster.osCa.crt)}\n  key: ${b64(cluster.osCa.key)}\n`,
    );
    expect(out).toMatch(
      /> Generating new talosconfig:\ncontext: test\ncontexts:\n {4}test:\n {8}endpoints:\n/,
    );
    expect(out).toContain(
      `> Verifying connectivity with existing PKI:\n  - ${cp}: OK (dry-run)\n  - ${worker}: OK (dry-run)\n`,
    );
    expect(out).toContain(`> Adding new Talos CA as accepted...\n  - ${cp}: skipped (dry-run)\n`);
    expect(out).toContain("> Making new Talos CA the issuing CA, old Talos CA the accepted CA...\n");
    expect(out).toContain("> Starting Kubernetes API PKI rotation, dry-run mode true...\n");
    expect(out).toContain("> Building current Kubernetes client...\n> Current Kubernetes CA:\n  crt: ");
    expect(out).toContain("> Verifying connectivity with existing PKI...\n - OK (dry-run mode)\n");
    const done =
      "> Dry-run mode enabled, no changes were made to the cluster, re-run with `--dry-run=false` to apply the changes.\n";
    expect(out.split(done).length).toBe(3);
    expect(out.endsWith(done)).toBe(true);
    expect(fs.existsSync(path.join(dir, "talosconfig.new"))).toBe(false);
    expect((await talosctl(["version", "-n", worker])).code).toBe(0);
  });

  it("refuses a real Kubernetes rotation without the Kubernetes API, before changing anything", async () => {
    const r = await talosctl(["rotate-ca", "-n", cp, "--dry-run=false", "-o", "talosconfig.new"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^--kubernetes: rotating the Kubernetes API CA needs the cluster's Kubernetes API .*--kubernetes=false/,
    );
    expect(fs.existsSync(path.join(dir, "talosconfig.new"))).toBe(false);
  });

  it("refuses bad node addresses and several nodes", async () => {
    const ip = await talosctl(["rotate-ca", "-n", cp, "--control-plane-nodes", "cp-1"]);
    expect(ip).toMatchObject({ code: 1, stderr: 'ParseAddr("cp-1"): unable to parse IP\n' });
    const two = await talosctl(["rotate-ca", "-n", `${cp},${worker}`]);
    expect(two).toMatchObject({ code: 1, stderr: 'command "rotate-ca" requires exactly one node (got 2)\n' });
  });

  it("rotates the Talos API CA: the new talosconfig reaches both nodes, the old one no longer does", async () => {
    const r = await talosctl([
      "rotate-ca",
      "-n",
      cp,
      "--dry-run=false",
      "--kubernetes=false",
      "--control-plane-nodes",
      cp,
      "--worker-nodes",
      worker,
      "-o",
      "rotated/talosconfig",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `> Verifying connectivity with new PKI:\\n  - ${cp.replaceAll(".", "\\.")}: OK \\(version v`,
      ),
    );
    expect(r.stdout).toContain(
      `> Removing old Talos CA from the accepted CAs...\n  - ${cp}: OK\n  - ${worker}: OK\n`,
    );
    expect(r.stdout.endsWith('> Writing new talosconfig to "rotated/talosconfig"\n')).toBe(true);
    const file = path.join(dir, "rotated", "talosconfig");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const written = parse(fs.readFileSync(file, "utf8")) as {
      context: string;
      contexts: Record<string, { endpoints: string[]; ca: string; nodes?: string[] }>;
    };
    expect(written.context).toBe("test");
    expect(written.contexts.test!.endpoints).toEqual([cp]);
    const newCa = new X509Certificate(Buffer.from(written.contexts.test!.ca, "base64"));
    expect(newCa.subject).toContain("O=talos");
    expect(newCa.fingerprint256).not.toBe(new X509Certificate(cluster.osCa.crt).fingerprint256);

    const viaNew = await talosctl(["version", "-n", `${cp},${worker}`], file);
    expect(viaNew.code, viaNew.stderr).toBe(0);
    const viaOld = await talosctl(["version", "-n", cp]);
    expect(viaOld.code).toBe(1);

    // Each node's config now names the new CA; the worker holds no key, and the docs were written.
    const configs = await talosctl(["get", "mc", "-n", `${cp},${worker}`, "-o", "json"], file);
    expect(configs.code, configs.stderr).toBe(0);
    const states = [cp, worker].map((address) =>
      fs.readFileSync(path.join(nodes.stateDir, address, "config.yaml"), "utf8"),
    );
    for (const text of states) expect(text).toContain(`crt: ${written.contexts.test!.ca}`);
    expect(states[1]).toMatch(/\n {8}key: ""( # [^\n]*)?\n/);
    expect(states[0]).toMatch(/^ {4}# /m);
    // The old CA is no longer accepted, and the emptied list is left out as Talos leaves it.
    for (const text of states) expect(text).not.toMatch(/^ {4}acceptedCAs:/m);
  }, 90_000);
});
