// KubeSpan and discovery across real local clusters (`cluster create`, real talos-node processes,
// the real CLI over mTLS on loopback): every node lists the others as KubeSpan peers by their
// public keys, a node whose process stops goes down on the others after Talos's timings and
// comes back up when it runs again; a cluster with discovery disabled shows no affiliates.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers/cli.js";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";
import { waitFor } from "./helpers/wait.js";

/** Table rows of `talosctl get` (header dropped), split on runs of spaces. */
async function rows(c: LocalCluster, ip: string, type: string): Promise<string[][]> {
  const r = await c.talosctl(["-n", ip, "get", type]);
  if (r.code !== 0) throw new Error(`get ${type} on ${ip}: ${r.stderr}`);
  return r.stdout
    .trim()
    .split("\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => l.split(/ +/));
}

function patchFile(text: string): string {
  const file = path.join(tempDir("talos-ks-patch-"), "patch.yaml");
  fs.writeFileSync(file, text);
  return `@${file}`;
}

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("KubeSpan on a cluster of three", () => {
  let c: LocalCluster;
  const names = ["ks-controlplane-1", "ks-worker-1", "ks-worker-2"];
  /** Public key of each node by hostname. */
  const keys = new Map<string, string>();

  beforeAll(async () => {
    c = await createLocalCluster({
      name: "ks",
      workers: 2,
      args: ["--config-patch", patchFile("machine:\n  network:\n    kubespan:\n      enabled: true\n")],
    });
    expect({ code: c.created.code, stderr: c.created.stderr }).toMatchObject({ code: 0 });
  }, 120_000);
  afterAll(async () => {
    await c?.destroy();
  });

  it("announces each node's KubeSpan identity and lists the others as peers, up on their endpoints", async () => {
    for (const [i, ip] of c.ips.entries()) {
      const [identity] = await rows(c, ip, "kubespanidentities");
      // NODE NAMESPACE TYPE ID VERSION ADDRESS PUBLICKEY
      expect(identity?.[5]).toMatch(/^fd[0-9a-f:]+\/128$/);
      keys.set(names[i]!, identity![6]!);
    }
    expect(new Set(keys.values()).size).toBe(3);
    for (const [i, ip] of c.ips.entries()) {
      const others = names.filter((_, j) => j !== i);
      // NODE NAMESPACE TYPE ID VERSION LABEL ENDPOINTS
      const specs = await waitFor(
        async () => {
          const r = await rows(c, ip, "kubespanpeerspecs");
          return r.length === 2 && r;
        },
        { what: `two peer specs on ${ip}` },
      );
      expect(specs.map((r) => [r[3], r[5], r[6]])).toEqual(
        expect.arrayContaining(others.map((n) => [keys.get(n), n, `["${c.ips[names.indexOf(n)]}:51820"]`])),
      );
      // NODE NAMESPACE TYPE ID VERSION LABEL ENDPOINT STATE RX TX
      const statuses = await waitFor(
        async () => {
          const r = await rows(c, ip, "kubespanpeerstatuses");
          return r.length === 2 && r.every((s) => s[7] === "up") && r;
        },
        { what: `both peers up on ${ip}` },
      );
      for (const s of statuses) {
        const peer = names.indexOf(s[5]!);
        expect([s[3], s[6]]).toEqual([keys.get(s[5]!), `${c.ips[peer]}:51820`]);
        expect(Number(s[8])).toBeGreaterThan(0);
        expect(Number(s[9])).toBeGreaterThan(0);
      }
      // The endpoints of the peers that are up, by affiliate.
      expect((await rows(c, ip, "kubespanendpoints")).map((r) => r[3]).sort()).toEqual(
        others.map((n) => keys.get(n)).sort(),
      );
    }
    // The affiliates carry the KubeSpan part the peers derive from.
    const affiliates = await c.talosctl(["-n", c.ips[0]!, "get", "affiliates", "-o", "yaml"]);
    for (const key of keys.values()) expect(affiliates.stdout).toContain(`publicKey: ${key}`);
  });

  it("takes a stopped node's peer down after the down interval, keeps its member, and brings it back up", async () => {
    const nodeDir = path.join(c.state, "ks", "ks-worker-2");
    const pid = Number(fs.readFileSync(path.join(nodeDir, "pid"), "utf8"));
    const argv = fs
      .readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((a) => a !== "");
    const key = keys.get("ks-worker-2")!;
    process.kill(pid, "SIGTERM");
    await waitFor(() => !processAlive(pid), { what: "ks-worker-2's process to exit" });
    // 275 s of node time without a handshake (5.5 s at the cluster's time scale of 50).
    const peerState = async () =>
      (await rows(c, c.ips[0]!, "kubespanpeerstatuses")).find((r) => r[3] === key)?.[7];
    await waitFor(async () => (await peerState()) === "down", {
      what: "ks-worker-2's peer down",
      timeoutMs: 30_000,
    });
    // The discovery service keeps the affiliate of a node that went down until its TTL.
    expect((await rows(c, c.ips[0]!, "members")).map((r) => r[3])).toEqual(names);
    // The other worker stops listing it among the endpoints of peers that are up, as its own peer goes down.
    await waitFor(async () => !(await rows(c, c.ips[1]!, "kubespanendpoints")).some((r) => r[3] === key), {
      what: "ks-worker-2's endpoint gone on ks-worker-1",
      timeoutMs: 30_000,
    });
    // The same node (same STATE, same key) runs again.
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: "ignore", cwd: nodeDir });
    child.unref();
    fs.writeFileSync(path.join(nodeDir, "pid"), `${child.pid}\n`);
    await waitFor(async () => (await peerState()) === "up", {
      what: "ks-worker-2's peer up again",
      timeoutMs: 60_000,
    });
    // The other worker follows it too: while the restarted node boots, its affiliate carries no
    // KubeSpan part until its identity is ready (its peer leaves and comes back), so wait for it.
    await waitFor(
      async () => (await rows(c, c.ips[1]!, "kubespanpeerstatuses")).find((r) => r[3] === key)?.[7] === "up",
      { what: "ks-worker-2's peer up again on ks-worker-1", timeoutMs: 60_000 },
    );
  }, 120_000);
});

describe("a cluster with discovery disabled", () => {
  let c: LocalCluster;
  beforeAll(async () => {
    c = await createLocalCluster({
      name: "nodisc",
      args: [
        "--config-patch",
        patchFile("apiVersion: v1alpha1\nkind: DiscoveryServiceConfig\nname: default\n$patch: delete\n"),
      ],
    });
    expect({ code: c.created.code, stderr: c.created.stderr }).toMatchObject({ code: 0 });
  }, 120_000);
  afterAll(async () => {
    await c?.destroy();
  });

  it("shows no members or affiliates, its own identity, and a discovery config with discovery off", async () => {
    for (const ip of c.ips) {
      expect(await rows(c, ip, "members")).toEqual([]);
      expect(await rows(c, ip, "affiliates")).toEqual([]);
      const identities = await rows(c, ip, "identities");
      expect(identities.map((r) => r[3])).toEqual(["local"]);
      const info = await rows(c, ip, "info");
      expect(info.map((r) => r[3])).toEqual(["current"]);
      const config = await c.talosctl(["-n", ip, "get", "discoveryconfigs", "-o", "yaml"]);
      expect(config.stdout).toMatch(/\n {4}discoveryEnabled: false\n/);
      expect(config.stdout).toMatch(/\n {4}registryServiceEnabled: false\n/);
    }
  });
});

describe("a cluster with discovery on and both registries off", () => {
  let c: LocalCluster;
  beforeAll(async () => {
    c = await createLocalCluster({
      name: "noreg",
      args: [
        "--config-patch",
        patchFile("apiVersion: v1alpha1\nkind: DiscoveryServiceConfig\nname: default\n$patch: delete\n"),
        "--config-patch",
        patchFile(
          "cluster:\n  discovery:\n    enabled: true\n    registries:\n      kubernetes:\n        disabled: true\n      service:\n        disabled: true\n",
        ),
      ],
    });
    expect({ code: c.created.code, stderr: c.created.stderr }).toMatchObject({ code: 0 });
  }, 120_000);
  afterAll(async () => {
    await c?.destroy();
  });

  it("shows each node only its own affiliate and member", async () => {
    for (const [i, ip] of c.ips.entries()) {
      const own = i === 0 ? "noreg-controlplane-1" : "noreg-worker-1";
      expect((await rows(c, ip, "members")).map((r) => r[3])).toEqual([own]);
      expect((await rows(c, ip, "affiliates")).map((r) => r[5])).toEqual([own]);
      const config = await c.talosctl(["-n", ip, "get", "discoveryconfigs", "-o", "yaml"]);
      expect(config.stdout).toMatch(/\n {4}discoveryEnabled: true\n/);
      expect(config.stdout).toMatch(/\n {4}registryServiceEnabled: false\n/);
    }
  });
});
