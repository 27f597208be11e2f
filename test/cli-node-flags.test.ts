// The command-line rules of node-facing commands, end to end against a real configured
// talos-node: pflag's attached and glued shorts, values that start with "-", repeated plain
// and slice flags, the talosconfig given with --talosconfig (last one wins; missing or empty
// fails as talosctl does), and completion that connects with the flags typed so far.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type RunResult, runInProcess, tempDir } from "./helpers/cli.js";
import { type ConfiguredNode, startConfiguredNode } from "./helpers/cluster.js";

let c: ConfiguredNode;
/** A scratch directory with no TALOSCONFIG in the environment. */
let bare: string;
const NODE = "127.0.0.1";

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** Runs talosctl in `bare` with an environment that names no talosconfig. */
function bareRun(args: readonly string[]): Promise<RunResult> {
  return runInProcess(args, { cwd: bare, home: bare, env: { HOME: bare, PATH: process.env.PATH } });
}

beforeAll(async () => {
  c = await startConfiguredNode();
  bare = tempDir("talos-cli-flags-");
}, 60_000);

afterAll(async () => {
  await c?.stop();
  for (const dir of [bare, c?.dir, c?.home]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("short flags", () => {
  it("take an attached value: get -oyaml, -ojson", async () => {
    const yaml = await c.talosctl(["get", "machinestatus", "-oyaml"]);
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(parse(yaml.stdout)).toMatchObject({
      node: NODE,
      metadata: { type: "MachineStatuses.runtime.talos.dev" },
    });
    const json = await c.talosctl(["get", "machinestatus", "-ojson"]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ node: NODE, metadata: { id: "machine" } });
  });

  it("take an attached node list: -n127.0.0.1, -n10.5.0.2,10.5.0.3", async () => {
    const r = await c.talosctl(["memory", `-n${NODE}`, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).map((l) => (JSON.parse(l) as { node: string }).node)).toEqual([NODE]);
    const two = await c.talosctl(["bootstrap", "-n10.5.0.2,10.5.0.3"]);
    expect(two.code).toBe(1);
    expect(two.stderr).toBe('command "bootstrap" requires exactly one node (got 2)\n');
  });

  it("glue after a value-taking short into its value: list -tfl is --type fl", async () => {
    const glued = await c.talosctl(["ls", "-r", "-tfl", "/etc"]);
    expect(glued.code, glued.stderr).toBe(0);
    const names = lines(glued.stdout);
    // Plain names (no -l table), files and links only.
    expect(names).toContain("cri/containerd.toml");
    expect(names).not.toContain("cri");
    expect(glued.stdout).not.toMatch(/^NODE /);
    // The same as the spelled-out forms.
    const spelled = await c.talosctl(["ls", "-r", "--type", "f,l", "/etc"]);
    expect(lines(spelled.stdout).sort()).toEqual([...names].sort());
    const repeated = await c.talosctl(["ls", "-r", "-t", "f", "-t", "l", "/etc"]);
    expect(lines(repeated.stdout).sort()).toEqual([...names].sort());
  });
});

describe("values that start with a dash", () => {
  it("are taken by --tail without '=': logs --tail -1 shows everything", async () => {
    const all = await c.talosctl(["logs", "machined", "--tail", "-1"]);
    expect(all.code, all.stderr).toBe(0);
    const withEquals = await c.talosctl(["logs", "machined", "--tail=-1"]);
    expect(lines(all.stdout).length).toBeGreaterThan(2);
    expect(lines(all.stdout).length).toBeLessThanOrEqual(lines(withEquals.stdout).length);
  });

  it("are taken by events --tail: -1 is the tail, not a flag", async () => {
    const r = await c.talosctl(["events", "--tail", "-1", "--since", "0".repeat(20)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("--tail and --since can't be used together: choose one way to pick past events\n");
  });

  it("accept list --depth 0 and negative depths, as talosctl does", async () => {
    const top = lines((await c.talosctl(["ls", "/etc"])).stdout);
    for (const depth of ["0", "-1"]) {
      const r = await c.talosctl(["ls", "-d", depth, "/etc"]);
      expect(r.code, r.stderr).toBe(0);
      expect(lines(r.stdout).sort()).toEqual([...top].sort());
    }
  });
});

describe("repeated flags", () => {
  it("accumulate --nodes: -n a -n b,c is three nodes", async () => {
    const r = await c.talosctl(["bootstrap", "-n", "10.5.0.2", "-n", "10.5.0.3,10.5.0.4"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('command "bootstrap" requires exactly one node (got 3)\n');
  });

  it("keep the last --talosconfig, and create nothing for the others", async () => {
    const r = await bareRun(["memory", "--talosconfig", "a", "--talosconfig", c.talosconfig, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).map((l) => (JSON.parse(l) as { node: string }).node)).toEqual([NODE]);
    expect(fs.readdirSync(bare).filter((name) => name.startsWith("a"))).toEqual([]);
  });
});

describe("a talosconfig named with --talosconfig", () => {
  it("that does not exist is created empty, then the command fails as talosctl's does", async () => {
    const missing = path.join(bare, "missing", "talosconfig");
    const r = await bareRun(["memory", "--talosconfig", missing]);
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: "failed to determine endpoints\n" });
    expect(fs.readFileSync(missing, "utf8")).toBe('context: ""\ncontexts: {}\n');
    const named = await bareRun(["memory", "--talosconfig", missing, "-n", NODE]);
    expect(named.code).toBe(1);
    expect(named.stderr).toContain("failed to determine endpoints");
  });

  it("that is empty fails on the endpoints, or with -e on the missing context", async () => {
    const empty = path.join(bare, "empty");
    fs.writeFileSync(empty, "");
    const r = await bareRun(["processes", "--talosconfig", empty]);
    expect(r).toMatchObject({ code: 1, stderr: "failed to determine endpoints\n" });
    const endpoint = await bareRun(["processes", "--talosconfig", empty, "-e", NODE, "-n", NODE]);
    expect(endpoint).toMatchObject({
      code: 1,
      stderr:
        "failed to create client connection: failed to resolve configuration context: talos config file is empty\n",
    });
  });
});

describe("completion", () => {
  it("of get's type connects with the --talosconfig and --nodes typed before it", async () => {
    const r = await bareRun([
      "__completeNoDesc",
      "get",
      "--talosconfig",
      c.talosconfig,
      "-n",
      NODE,
      "machines",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toContain("machinestatus");
    // Without them there is nothing to ask.
    const none = await bareRun(["__completeNoDesc", "get", "machines"]);
    expect(lines(none.stdout)).toEqual([":1"]);
  });
});
