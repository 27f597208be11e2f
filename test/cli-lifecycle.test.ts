// End to end: talosctl reboot, shutdown and reset (in-process CLI) against
// real talos-node processes on fast clocks, with the --wait tracker following each node
// through its reboot over real mTLS.

import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runInProcess, tempDir } from "./helpers/cli.js";
import { type ConfiguredNode, startInProcess, talosconfigFor } from "./helpers/cluster.js";
import { startEmulated } from "./helpers/emulate.js";
import {
  BOOT_ID,
  bootId,
  FAST,
  lines,
  nodePool,
  waitRunning,
  writeCatalog,
} from "./helpers/lifecycle-cli.js";
import { eventually, makeCluster, type TestCluster } from "./helpers/node.js";

let cluster: TestCluster;
let catalog: string;
const pool = nodePool(
  () => cluster,
  () => catalog,
);
const node = pool.node;

beforeAll(async () => {
  cluster = await makeCluster("lifecycle-cli");
  catalog = writeCatalog();
}, 30_000);

afterEach(() => pool.endTest());
afterAll(() => pool.endAll());

describe("talosctl reboot", () => {
  let n: ConfiguredNode;
  beforeAll(async () => {
    n = await node([], "block");
  }, 30_000);

  it("--wait returns once the node is back, on a new boot, having shown each step once", async () => {
    const before = await bootId(n);
    const r = await n.talosctl(["reboot", "-n", "127.0.0.1"]);
    expect(r.stderr).not.toMatch(/timed out/);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stdout).toBe("");
    const shown = lines(r.stderr);
    expect(shown[0]).toBe("waiting for actor ID");
    expect(shown[1]).toMatch(/^actor ID: [0-9a-f-]{36}$/);
    expect(shown).toContain("sequence: reboot action: START");
    expect(shown.at(-1)).toBe("post check passed");
    // Without a terminal the tracker quotes the node as talosctl does (Go's %q).
    expect(r.stderr).toContain('"127.0.0.1": post check passed\n');
    // Resumed streams neither lose nor repeat events: the reboot's steps show once each, and
    // the new boot's history is read once.
    const down = shown.findIndex((l) => l.startsWith("unavailable, retrying"));
    const steps = shown.slice(2, down).filter((l) => /^(phase|task): /.test(l));
    expect(steps.length).toBeGreaterThan(4);
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps).toContain("task: stopAllServices action: START");
    expect(shown.filter((l) => l === "sequence: reboot action: START")).toHaveLength(1);
    expect(shown.filter((l) => l === "sequence: initialize action: START")).toHaveLength(1);
    const after = await bootId(n);
    expect(after).not.toBe(before);
    expect(after).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);

  it("-o json reports every update as one JSON object on stdout, ending in success", async () => {
    const r = await n.talosctl(["reboot", "-n", "127.0.0.1", "-o", "json", "--mode", "powercycle"]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const updates = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { node: string; state: string; message: string });
    expect(updates.every((u) => u.node === "127.0.0.1")).toBe(true);
    expect(updates.at(-1)).toMatchObject({ state: "succeeded", message: "post check passed" });
    expect(updates.filter((u) => u.state === "succeeded")).toHaveLength(1);
  }, 60_000);

  it("--wait=false only asks for the reboot, silently", async () => {
    const before = await bootId(n);
    const r = await n.talosctl(["reboot", "-n", "127.0.0.1", "--wait=false"]);
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
    await eventually(async () => expect(await bootId(n)).not.toBe(before), 30_000, 200);
  }, 60_000);

  it("refuses an unknown reboot mode before contacting the node", async () => {
    const r = await n.talosctl(["reboot", "-n", "127.0.0.1", "--mode", "gentle"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(
      'invalid argument "gentle" for "-m, --mode" flag: possible options are: default, powercycle, force',
    );
  });

  it("refuses a bad --timeout and --progress", async () => {
    const t = await n.talosctl(["reboot", "-n", "127.0.0.1", "--timeout", "soon"]);
    expect(t.code).toBe(1);
    expect(t.stderr.split("\n")[0]).toMatch(/--timeout/);
    const p = await n.talosctl(["reboot", "-n", "127.0.0.1", "--progress", "fancy"]);
    expect(p.code).toBe(1);
    expect(p.stderr.split("\n")[0]).toMatch(/^invalid argument "fancy" for "--progress" flag/);
    const u = await n.talosctl(["reboot", "-n", "127.0.0.1", "--unreachable-timeout=-1s"]);
    expect(u.code).toBe(1);
    expect(u.stderr).toBe("--unreachable-timeout must not be negative\n");
    // Nothing was asked of the node: it still runs its first boot.
    expect((await n.talosctl(["version", "--short"])).code).toBe(0);
  });
});

describe("talosctl reboot of several nodes", () => {
  it("follows each node through its reboot, all through one endpoint that reboots too", async () => {
    const nodes = await startEmulated({ count: 2, seed: () => cluster.controlplane, args: FAST });
    try {
      const [a, b] = nodes.addresses as [string, string];
      const dir = tempDir("talos-cli-");
      const talosconfig = path.join(dir, "talosconfig");
      fs.writeFileSync(talosconfig, talosconfigFor(cluster, [`${a}:${nodes.port}`], [a, b]), { mode: 0o600 });
      const cli = (args: string[]) => runInProcess(["--talosconfig", talosconfig, ...args], { cwd: dir });
      const boots = async () =>
        Promise.all([a, b].map(async (n) => (await cli(["read", "-n", n, BOOT_ID])).stdout.trim()));
      // Wait for both to finish booting (their first boot may still run).
      await eventually(
        async () => {
          for (const n of [a, b]) {
            const r = await cli(["get", "machinestatus", "-n", n, "-o", "jsonpath={.spec.stage}"]);
            expect(r.stdout.trim()).toBe("running");
          }
        },
        60_000,
        100,
      );
      const before = await boots();
      const r = await cli(["reboot", "-n", `${a},${b}`]);
      expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
      for (const n of [a, b]) expect(lines(r.stderr, n).at(-1)).toBe("post check passed");
      const after = await boots();
      expect(after[0]).not.toBe(before[0]);
      expect(after[1]).not.toBe(before[1]);
    } finally {
      await nodes.kill();
    }
  }, 90_000);
});

describe("the tracker when the node does not come back", () => {
  it("reports the last state when the wait times out", async () => {
    const n = await node(["--downtime", "1h"]);
    const r = await n.talosctl(["reboot", "-n", "127.0.0.1", "--timeout", "3s", "--debug"]);
    expect(r.code).toBe(1);
    // --debug adds the kernel log the node printed while it was followed.
    const [progress, consoleLog] = r.stderr.split('console logs for nodes ["127.0.0.1"]:\n');
    expect(consoleLog).toBeDefined();
    expect(
      consoleLog!
        .split("\n")
        .filter((l) => l !== "")
        .every((l) => l.startsWith("127.0.0.1: ")),
    ).toBe(true);
    const last = lines(progress!).at(-1) ?? "";
    expect(last).toMatch(
      /^timed out after 3s; last state: unavailable, retrying\.\.\. \(.*connection refused\)$/,
    );
  }, 60_000);

  it("ends with a clear error, without hanging, when the node is killed mid-wait", async () => {
    const n = await node(["--downtime", "20s"]);
    const run = startInProcess(["reboot", "-n", "127.0.0.1", "--timeout", "4s"], {
      cwd: n.dir,
      home: n.home,
      env: n.env(),
    });
    await eventually(async () => expect(run.stderr()).toMatch(/actor ID: /), 20_000, 20);
    await n.node.kill();
    const r = await run.result;
    expect(r.code).toBe(1);
    const last = lines(r.stderr).at(-1) ?? "";
    expect(last).toMatch(
      /^timed out after 4s; last state: unavailable, retrying\.\.\. \(.*(connection refused|reset|closed).*\)$/,
    );
  }, 60_000);

  it("reports a node killed during the reboot as unreachable, long before --timeout", async () => {
    const n = await node(["--downtime", "20s"]);
    const run = startInProcess(
      ["reboot", "-n", "127.0.0.1", "--timeout", "10m", "--unreachable-timeout", "2s"],
      { cwd: n.dir, home: n.home, env: n.env() },
    );
    await eventually(async () => expect(run.stderr()).toMatch(/actor ID: /), 20_000, 20);
    await n.node.kill();
    const r = await run.result;
    expect(r.code).toBe(1);
    // Its own failure, not the timeout's, with what the node last said before it went away.
    expect(lines(r.stderr).at(-1)).toMatch(
      /^unreachable for 2s, longer than a reboot takes; last state: (?!unavailable).+$/,
    );
  }, 60_000);
});

describe("talosctl shutdown and reset", () => {
  it("without a terminal refuse the talosconfig's default nodes; on one they ask", async () => {
    const n = await node();
    for (const [verb, what] of [
      ["shutdown", "shut down"],
      ["reset", "reset"],
    ] as const) {
      const defaults = await n.talosctl([verb]);
      expect(defaults.code).toBe(1);
      expect(defaults.stderr.split("\n")[0]).toBe(
        `refusing to ${what} the talosconfig's default nodes (127.0.0.1) without a terminal to confirm: name them with --nodes (-n), or pass --yes (-y)`,
      );
    }
    // A terminal asks even when the nodes are named; anything but y/yes cancels.
    const answeredNo = await runInProcess(["shutdown", "-n", "127.0.0.1"], {
      cwd: n.dir,
      home: n.home,
      env: n.env(),
      stdinIsTTY: true,
      input: "n\n",
    });
    expect(answeredNo.code).toBe(1);
    expect(answeredNo.stderr).toContain("shut down 127.0.0.1? (y/N): ");
    expect(answeredNo.stderr).toContain("shutdown canceled: not confirmed");
    const defaultsAsked = await runInProcess(["reset"], {
      cwd: n.dir,
      home: n.home,
      env: n.env(),
      stdinIsTTY: true,
      input: "\n",
    });
    expect(defaultsAsked.code).toBe(1);
    expect(defaultsAsked.stderr).toContain("reset 127.0.0.1? (y/N): ");
    expect(defaultsAsked.stderr).toContain("reset canceled: not confirmed");
    // The node is untouched: it still answers.
    expect((await n.talosctl(["version", "--short"])).code).toBe(0);
  }, 60_000);

  it("shutdown of nodes named with -n goes ahead without a terminal, as talosctl does", async () => {
    const n = await node();
    const r = await n.talosctl(["shutdown", "-n", "127.0.0.1"]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stderr).not.toContain("(y/N)");
    const shown = lines(r.stderr);
    expect(shown).toContain("events check condition met");
    expect(shown.at(-1)).toBe("post check passed");
  }, 60_000);

  it("refuses reset flag combinations before contacting the node", async () => {
    const n = await node();
    const r = await n.talosctl([
      "reset",
      "-n",
      "127.0.0.1",
      "--yes",
      "--wipe-mode",
      "system-disk",
      "--user-disks-to-wipe",
      "/dev/sdb",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe("--user-disks-to-wipe cannot be used with --wipe-mode system-disk");
    const mode = await n.talosctl(["reset", "-n", "127.0.0.1", "--yes", "--wipe-mode", "everything"]);
    expect(mode.stderr.split("\n")[0]).toMatch(/^invalid argument "everything" for "--wipe-mode" flag/);
  }, 30_000);

  it("reset --reboot waits until the node is back in maintenance mode", async () => {
    const n = await node();
    // A reset may take over the boot sequence but not the initialize one before it (the
    // node would answer "locked"): start from a booted node.
    await waitRunning(n);
    const r = await n.talosctl(["reset", "-n", "127.0.0.1", "--yes", "--reboot"]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stderr).at(-1)).toMatch(/^post check passed/);
    await n.node.waitForMode("maintenance");
  }, 60_000);
});

describe("talosctl upgrade", () => {
  it("refuses an invalid image reference before contacting the node", async () => {
    const n = await node();
    const r = await n.talosctl(["upgrade", "-n", "127.0.0.1", "-i", "ghcr.io/Siderolabs/installer:"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(
      '--image "ghcr.io/Siderolabs/installer:": not a valid image reference (e.g. ghcr.io/siderolabs/installer:v1.15.0)',
    );
  }, 30_000);
});
