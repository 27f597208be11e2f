// `cluster create --emulate`: every node of a local cluster served by one `talos-node --emulate`
// process, configured, bootstrapped and health-checked like one process per node, and
// `cluster destroy` stopping that process once; through the real CLI over mTLS on loopback.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess, TALOS_NODE, tempDir } from "./helpers/cli.js";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";
import { cidrAddresses, freeLoopbackCidr } from "./helpers/random.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("cluster create --emulate (1 control plane, 3 workers)", () => {
  let c: LocalCluster;
  const names = ["emu-controlplane-1", "emu-worker-1", "emu-worker-2", "emu-worker-3"];
  beforeAll(async () => {
    c = await createLocalCluster({
      name: "emu",
      controlplanes: 1,
      workers: 3,
      args: ["--emulate"],
    });
  }, 90_000);
  afterAll(async () => {
    if (c && fs.existsSync(path.join(c.state, "emu"))) await c.destroy();
  });

  it("creates the cluster in one talos-node process and waits for health", () => {
    expect({ code: c.created.code, stderr: c.created.stderr }).toMatchObject({ code: 0 });
    expect(c.created.stderr).toContain("creating 4 nodes in one talos-node --emulate process\n");
    expect(c.created.stderr).not.toContain("creating worker nodes");
    expect(c.created.stdout).toContain("bootstrapping cluster\n");
    expect(c.created.stderr).toContain("waiting for etcd to be healthy: OK");
    expect(c.created.stderr).toContain("waiting for all k8s nodes to report ready: OK");
    const record = JSON.parse(fs.readFileSync(path.join(c.state, "emu", "cluster.json"), "utf8"));
    expect(record.emulated).toBe(true);

    const pids = names.map((n) => Number(fs.readFileSync(path.join(c.state, "emu", n, "pid"), "utf8")));
    expect(new Set(pids).size).toBe(1);
    const pid = pids[0]!;
    expect(alive(pid)).toBe(true);
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(cmdline).toContain("--emulate");
    expect(cmdline[cmdline.indexOf("--emulate") + 1]).toBe("4");
    // Each node's directory reaches its own STATE inside the shared process's.
    for (const [i, n] of names.entries()) {
      const state = fs.realpathSync(path.join(c.state, "emu", n, "state"));
      expect(state).toBe(fs.realpathSync(path.join(c.state, "emu", "emulate", "state", c.ips[i]!)));
      expect(fs.readdirSync(state).length).toBeGreaterThan(0);
    }
  });

  it("answers version on all four nodes, each under its own hostname", async () => {
    const v = await c.talosctl(["-n", c.ips.join(","), "version"]);
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: "" });
    for (const ip of c.ips) expect(v.stdout).toContain(`NODE:        ${ip}\n`);
    expect(v.stdout.match(/NODE: {8}/g)).toHaveLength(4);
    const members = await c.talosctl(["-n", c.ips[0]!, "get", "members"]);
    expect(members.code).toBe(0);
    const rows = members.stdout.trim().split("\n").slice(1);
    expect(rows.map((r) => r.split(/ +/)[3])).toEqual(names);
  });

  it("shows every node", async () => {
    const show = await c.talosctl(["cluster", "show", "--name", "emu", "--state", c.state]);
    expect(show.code).toBe(0);
    for (const [i, n] of names.entries()) {
      expect(show.stdout).toMatch(
        new RegExp(`^${n} +${i === 0 ? "controlplane" : "worker"} +${c.ips[i]} `, "m"),
      );
    }
  });

  it("destroys the shared process once and removes the state", async () => {
    const pid = Number(fs.readFileSync(path.join(c.state, "emu", names[0]!, "pid"), "utf8"));
    const r = await c.destroy();
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 0,
      stderr: `${names.map((n) => `destroying node ${n}\n`).join("")}removing state directory\n`,
    });
    expect(alive(pid)).toBe(false);
    expect(fs.existsSync(path.join(c.state, "emu"))).toBe(false);
  });
});

describe("cluster create --emulate when an address is taken", () => {
  it("names the shared process's failure, and destroy cleans up after it", async () => {
    const cidr = await freeLoopbackCidr({ count: 2 });
    const busy = cidrAddresses(cidr, 2)[1]!;
    const taken = net.createServer();
    await new Promise<void>((resolve, reject) => {
      taken.once("error", reject);
      taken.listen(50000, busy, resolve);
    });
    const home = tempDir("talos-cc-emu-");
    const state = path.join(home, "clusters");
    const env = { HOME: home, TALOS_NODE_BIN: TALOS_NODE };
    try {
      const r = await runInProcess(
        [
          "cluster",
          "create",
          "--emulate",
          "--name",
          "clash",
          "--state",
          state,
          "--cidr",
          cidr,
          "--workers",
          "1",
          "--time-scale",
          "50",
        ],
        { cwd: home, home, env },
      );
      expect(r.code).toBe(1);
      const last = r.stderr.trim().split("\n").at(-1) ?? "";
      expect(last).toContain("talos-node --emulate (serving the cluster's 2 nodes) exited: ");
      expect(last).toContain(`${busy}:50000: address already in use`);
      expect(last).toContain('"talosctl cluster destroy --name clash" removes them');
      const destroyed = await runInProcess(["cluster", "destroy", "--name", "clash", "--state", state], {
        cwd: home,
        home,
        env,
      });
      expect({ code: destroyed.code, stderr: destroyed.stderr }).toEqual({
        code: 0,
        stderr: "removing state directory\n",
      });
      expect(fs.readdirSync(state)).toEqual([]);
    } finally {
      taken.close();
    }
  });
});
