// The CLI against a real talos-node in maintenance mode: --insecure version/get, a node that
// is down, certificate pinning, a config that does not load, and the first apply-config.

import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TALOS_VERSION } from "../src/version.js";
import { isolatedEnv, runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";
import { type StartedNode, startNode, stateConfig } from "./helpers/node.js";
import { waitFor } from "./helpers/wait.js";

let node: StartedNode;
let dir: string;
let home: string;
let fingerprint: string;
let closedPort: number;

function env(): Record<string, string | undefined> {
  return { HOME: home, PATH: process.env.PATH };
}

async function talosctl(args: string[]) {
  return runInProcess(args, { cwd: dir, home, env: env() });
}

beforeAll(async () => {
  dir = tempDir("talos-cli-maint-");
  home = tempDir("talos-cli-maint-home-");
  // An older server than the client: commands that check versions warn about it.
  node = await startNode({ args: ["--talos-version", "v1.13.2"] });
  // The log (stderr) may come in after the ready line (stdout).
  await node.waitForOutput(/server certificate issued\t\{"fingerprint": "[^"]+"\}/);
  const m = /server certificate issued\t\{"fingerprint": "([^"]+)"\}/.exec(node.output());
  if (!m) throw new Error(`no fingerprint in the node's output:\n${node.output()}`);
  fingerprint = m[1]!;
  closedPort = await refusedPort();
  const gen = await talosctl([
    "gen",
    "config",
    "maint",
    "https://127.0.0.1:6443",
    "--kubernetes-version",
    "1.36.0",
    // The node loads configs with its own version's kinds and fields, as Talos v1.13 does.
    "--talos-version",
    "v1.13",
    "--output-dir",
    dir,
  ]);
  expect(gen.code, gen.stderr).toBe(0);
});

afterAll(async () => {
  await node?.stop();
});

describe("maintenance mode (--insecure)", () => {
  it("prints the server version of each node and names a node that is down", async () => {
    const down = `127.0.0.1:${closedPort}`;
    const r = await talosctl(["version", "--insecure", "-n", `${node.address},${down}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Server:\n");
    expect(r.stdout).toContain(`\tNODE:        ${node.address}\n\tTag:         v`);
    // In maintenance the node has no config yet, so RBAC is not reported.
    expect(r.stdout).toContain("\tEnabled:     \n");
    expect(r.stderr).toBe(
      `error getting version from node ${down}: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${down}: connect: connection refused"\n`,
    );
  });

  it("gives -o json per node", async () => {
    const r = await talosctl(["version", "--insecure", "-n", node.address, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toHaveProperty("client.tag");
    expect(docs[1]).toMatchObject({ node: node.address, features: { rbac: false } });
    expect(docs[1]!.tag).toBe("v1.13.2");
  });

  it("reads resources in maintenance mode", async () => {
    // The listener is up before the boot sequence has found there is no config; wait for it.
    let probe = { stdout: "", stderr: "" };
    await waitFor(
      async () => {
        probe = await talosctl(["get", "machinestatus", "--insecure", "-n", node.address, "-o", "json"]);
        return JSON.parse(probe.stdout).spec?.stage === "maintenance";
      },
      {
        what: "MachineStatus stage maintenance",
        intervalMs: 200,
        details: () => `last answer:\n${probe.stdout}${probe.stderr}`,
      },
    );
    const table = await talosctl(["get", "machinestatus", "--insecure", "-n", node.address]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NODE +NAMESPACE +TYPE +ID +VERSION +STAGE +READY$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${node.address.replace(/\./g, "\\.")} +runtime +MachineStatus +machine +\\d+ +maintenance +`,
      ),
    );
    const json = await talosctl(["get", "machinestatus", "--insecure", "-n", node.address, "-o", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ node: node.address, spec: { stage: "maintenance" } });
    expect(json.stderr).toBe(
      `WARNING: ${node.address}: server version 1.13.2 is older than client version ${TALOS_VERSION.slice(1)}\n`,
    );
  });

  it("needs --nodes with --insecure", async () => {
    const r = await talosctl(["get", "machinestatus", "--insecure"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "nodes are not set for the command: please use `--nodes` flag or configuration file to set the nodes to run the command against\n",
    );
  });

  it("rejects a config that does not load before sending anything", async () => {
    const bad = path.join(dir, "bad.yaml");
    const good = fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8");
    fs.writeFileSync(bad, good.replace("\nmachine:\n", "\nmachine:\n    bogusField: 1\n"));
    const line = bad && good.split("\n").indexOf("machine:") + 2;
    const r = await talosctl(["apply-config", "--insecure", "-n", node.address, "-f", "bad.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bad\.yaml: document v1alpha1: machine\.bogusField \(line \d+:\d+\): /);
    expect(r.stderr).toContain(`(line ${line}:`);
    expect(node.mode()).toBe("maintenance");
    expect(stateConfig(node.stateDir)).toBeUndefined();
  });

  it("refuses a node whose certificate does not match --cert-fingerprint", async () => {
    const wrong = Buffer.alloc(32, 1).toString("base64");
    const r = await talosctl([
      "apply-config",
      "--insecure",
      "-n",
      node.address,
      "--cert-fingerprint",
      wrong,
      "-f",
      "controlplane.yaml",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${node.address}: error applying configuration: rpc error: code = Unavailable`,
    );
    expect(r.stderr).toContain(`server certificate fingerprint ${fingerprint} does not match`);
    expect(stateConfig(node.stateDir)).toBeUndefined();
    const junk = await talosctl(["version", "--insecure", "-n", node.address, "--cert-fingerprint", "xyz"]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain('--cert-fingerprint: "xyz" is not a certificate fingerprint');
  });

  it("applies the first config with a pinned certificate (real binary, -o json)", async () => {
    const r = await runTalosctl(
      [
        "apply-config",
        "--insecure",
        "--nodes",
        node.address,
        "--cert-fingerprint",
        fingerprint,
        "--file",
        "controlplane.yaml",
        "-o",
        "json",
      ],
      { cwd: dir, env: isolatedEnv(home) },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      node: node.address,
      mode: "no-reboot",
      modeDetails: "Applied configuration without a reboot",
      warnings: [],
    });
    await node.waitForMode("configured");
    expect(stateConfig(node.stateDir)).toBe(fs.readFileSync(path.join(dir, "controlplane.yaml"), "utf8"));
  });

  it("cannot use --insecure once the node is configured", async () => {
    const r = await talosctl(["version", "--insecure", "-n", node.address]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error getting version from node ${node.address.replace(/\./g, "\\.")}: rpc error: code = Unavailable desc = connection error: `,
      ),
    );
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
