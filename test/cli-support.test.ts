// talosctl support end to end: the bundle's layout (talosctl's paths and file names) from a
// real control plane, redaction of sensitive resources, the errors table and a failed
// Kubernetes client as talosctl reports them, encryption choices and bad inputs.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers/cli.js";
import { type ConfiguredNode, startConfiguredNode } from "./helpers/cluster.js";
import { eventually } from "./helpers/node.js";
import { readZip } from "./helpers/zip.js";

let cp: ConfiguredNode;
let discovery: string;

beforeAll(async () => {
  discovery = tempDir("talos-support-discovery-");
  cp = await startConfiguredNode({ args: ["--time-scale", "50", "--discovery-dir", discovery] });
  await eventually(async () => {
    const r = await cp.talosctl(["service", "etcd"]);
    if (!r.stdout.includes("Running")) throw new Error(r.stdout);
  }, 30_000);
}, 60_000);

afterAll(async () => {
  await cp?.stop();
  if (discovery) fs.rmSync(discovery, { recursive: true, force: true });
});

describe("talosctl support", () => {
  it("writes a zip with talosctl's layout and reports what it could not collect", async () => {
    const out = path.join(cp.dir, "bundle.zip");
    const r = await cp.talosctl(["support", "--no-encryption", "-O", out, "-w", "4"]);
    // The node serves the Kubernetes API on 127.0.0.1:6443, which other single-node tests may
    // hold at the same time: when the Kubernetes client cannot be made, talosctl writes the
    // bundle and then returns that failure (exit 1); otherwise the bundle line comes last.
    const lines = r.stderr.trim().split("\n");
    const written = `Support bundle is written to ${out}`;
    if (r.code === 0) {
      expect(lines.at(-1)).toBe(written);
    } else {
      expect(r.code).toBe(1);
      expect(lines.at(-2)).toBe(written);
      expect(lines.at(-1)).toMatch(/^failed to create kubernetes client: /);
    }
    // Whatever a collector could not get is listed in talosctl's table before the bundle line.
    if (lines[0] === "Processed with errors:") expect(lines[1]).toBe("   SOURCE      ERROR");
    const files = readZip(fs.readFileSync(out));
    const names = [...files.keys()];
    for (const name of [
      "dmesg.log",
      "mounts",
      "processes",
      "summary",
      "service-logs/etcd.log",
      "service-logs/etcd.state",
    ]) {
      expect(names).toContain(`127.0.0.1/${name}`);
    }
    // Per node under its address; the cluster's Kubernetes part (when the client could be made)
    // under kubernetesResources/ and kubernetes-logs/.
    expect(
      names
        .filter((n) => !n.startsWith("127.0.0.1/"))
        .filter((n) => !/^kubernetes(Resources|-logs)\//.test(n)),
    ).toEqual([]);
    expect(names.filter((n) => n.startsWith("127.0.0.1/resources/")).every((n) => n.endsWith(".yaml"))).toBe(
      true,
    );
    expect(names).toContain("127.0.0.1/resources/machinestatuses.runtime.talos.dev.yaml");
    const config = files.get("127.0.0.1/resources/machineconfigs.config.talos.dev.yaml")!.toString();
    expect(config).toMatch(/\nspec: <REDACTED>\n$/);
    expect(config).not.toContain("BEGIN");
    expect(files.get("127.0.0.1/processes")!.toString()).toMatch(
      /^PID +STATE +THREADS +CPU-TIME +VIRTMEM +RESMEM +COMMAND\n/,
    );
    expect(files.get("127.0.0.1/summary")!.toString()).toMatch(/^Client:\n\tTag: .*\nServer:\n\tTag: /s);
    expect(files.get("127.0.0.1/service-logs/etcd.state")!.toString()).toMatch(
      /^ID {7}etcd\nSTATE {4}Running\n/,
    );
    expect(files.get("127.0.0.1/dmesg.log")!.length).toBeGreaterThan(0);
  });

  it("prints collector notes with -v", async () => {
    const out = path.join(cp.dir, "verbose.zip");
    const r = await cp.talosctl(["support", "--no-encryption", "-O", out, "-v"]);
    expect(r.stdout).toContain("getting system/etcd service logs\n");
    expect(r.stdout).toContain("getting mounts\n");
  });

  it("encrypts to the recipients given and refuses what it cannot do", async () => {
    const out = path.join(cp.dir, "bundle.zip.age");
    const recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    const r = await cp.talosctl([
      "support",
      "-O",
      out,
      "--encryption-no-default-recipients",
      "--encryption-recipients",
      recipient,
    ]);
    expect(
      r.stderr.startsWith(`Encrypting support bundle to the following recipients:\n  - ${recipient}\n`),
    ).toBe(true);
    const head = fs.readFileSync(out).subarray(0, 60).toString("latin1");
    expect(head.startsWith("age-encryption.org/v1\n-> X25519 ")).toBe(true);
    const bad: [string[], string][] = [
      [
        ["support"],
        "the default recipients of support bundles (the Sidero Labs team's keys) are not built into this talosctl",
      ],
      [
        ["support", "--no-encryption", "--encryption-recipients", recipient],
        "--encryption-recipients and --encryption-no-default-recipients cannot be used with --no-encryption",
      ],
      [
        ["support", "--encryption-no-default-recipients"],
        "no recipients to encrypt to: --encryption-no-default-recipients is set but no --encryption-recipients provided",
      ],
      [
        ["support", "--encryption-no-default-recipients", "--encryption-recipients", "age1nope"],
        'failed to parse recipient "age1nope": malformed recipient',
      ],
      [
        ["support", "--no-encryption", "-O", path.join(cp.dir, "missing", "b.zip")],
        `open ${path.join(cp.dir, "missing", "b.zip")}: no such file or directory`,
      ],
    ];
    for (const [args, message] of bad) {
      const b = await cp.talosctl(args);
      expect(b.code).toBe(1);
      expect(b.stderr).toContain(message);
    }
    expect(fs.existsSync(path.join(cp.dir, "support.zip.age"))).toBe(false);
  });
});
