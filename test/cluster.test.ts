// Local clusters end to end: `cluster create` with real talos-node processes, bootstrap, etcd
// membership across control planes, health (passing and failing), kubeconfig merging and
// `cluster destroy`, all through the real CLI over mTLS on loopback.
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { runInProcess, TALOS_NODE, tempDir } from "./helpers/cli.js";
import { talosconfigFor } from "./helpers/cluster.js";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";
import { eventually, makeCluster, seedState, startNode, unaryCall } from "./helpers/node.js";
import { freeLoopbackCidr } from "./helpers/random.js";

describe("cluster create (1 control plane, 1 worker)", () => {
  let c: LocalCluster;
  beforeAll(async () => {
    c = await createLocalCluster({ name: "duo" });
  }, 90_000);
  afterAll(async () => {
    await c?.destroy();
  });

  it("creates the cluster, waits for health and merges a context named after it", async () => {
    expect({ code: c.created.code, stderr: c.created.stderr }).toMatchObject({ code: 0 });
    expect(c.created.stderr).toContain(`creating state directory in "${path.join(c.state, "duo")}"`);
    expect(c.created.stderr).toContain("creating controlplane nodes\ncreating worker nodes\n");
    expect(c.created.stdout).toContain("bootstrapping cluster\n");
    expect(c.created.stderr).toContain("waiting for etcd to be healthy: OK");
    expect(c.created.stderr).toContain("waiting for all k8s nodes to report ready: OK");
    expect(c.created.stdout).toMatch(/PROVISIONER +process\nNAME +duo\n/);
    expect(c.created.stdout).toMatch(new RegExp(`duo-worker-1 +worker +${c.ips[1]!.replace(/\./g, "\\.")}`));
    for (const n of ["duo-controlplane-1", "duo-worker-1"]) {
      const pid = Number(fs.readFileSync(path.join(c.state, "duo", n, "pid"), "utf8"));
      expect(() => process.kill(pid, 0)).not.toThrow();
    }
    const contexts = await c.talosctl(["config", "contexts"]);
    expect(contexts.stdout).toMatch(new RegExp(`^\\* +duo +${c.ips[0]!.replace(/\./g, "\\.")} `, "m"));
  });

  it("answers version on both nodes and lists both as members", async () => {
    // Through the control plane endpoint of the merged context, which forwards to the worker.
    const v = await c.talosctl(["-n", `${c.ips[0]},${c.ips[1]}`, "version"]);
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: "" });
    expect(v.stdout).toContain(`NODE:        ${c.ips[0]}`);
    expect(v.stdout).toContain(`NODE:        ${c.ips[1]}`);
    // The worker serves a certificate its control plane's trustd signed with the OS CA, so
    // talosctl (verifying the OS CA) talks to it directly as well.
    await eventually(async () => {
      const w = await c.talosctl(["-e", c.ips[1]!, "-n", c.ips[1]!, "version"]);
      if (w.code !== 0) throw new Error(w.stderr);
      expect(w.stdout).toContain(`NODE:        ${c.ips[1]}`);
    });
    const members = await c.talosctl(["-n", c.ips[0]!, "get", "members"]);
    expect(members.code).toBe(0);
    const rows = members.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^NODE +NAMESPACE +TYPE +ID +VERSION +HOSTNAME +MACHINE TYPE +OS +ADDRESSES$/);
    expect(rows.slice(1).map((r) => r.split(/ +/).slice(3, 7))).toEqual([
      ["duo-controlplane-1", "1", "duo-controlplane-1", "controlplane"],
      ["duo-worker-1", "1", "duo-worker-1", "worker"],
    ]);
  });

  it("signs certificates in trustd only for the machine token", async () => {
    const context = parseYaml(fs.readFileSync(path.join(c.state, "duo", "talosconfig"), "utf8"));
    const ca = Buffer.from(context.contexts.duo.ca, "base64");
    const client = new grpc.Client(`${c.ips[0]}:50001`, grpc.credentials.createSsl(ca));
    try {
      const metadata = new grpc.Metadata();
      metadata.set("token", "wrong.token");
      await expect(
        unaryCall(client, "/securityapi.SecurityService/Certificate", new Uint8Array(), { metadata }),
      ).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: "invalid token" });
    } finally {
      client.close();
    }
  });

  it("refuses a second bootstrap with Talos's error", async () => {
    const r = await c.talosctl(["-n", c.ips[0]!, "bootstrap"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty",
    );
    const worker = await c.talosctl(["-n", c.ips[1]!, "bootstrap"]);
    expect(worker.code).toBe(1);
    expect(worker.stderr.trim()).toBe(
      "error executing bootstrap: rpc error: code = InvalidArgument desc = etcd is not configured, bootstrap is not possible",
    );
    const two = await c.talosctl(["-n", `${c.ips[0]},${c.ips[1]}`, "bootstrap"]);
    expect(two.stderr.trim()).toBe('command "bootstrap" requires exactly one node (got 2)');
  });

  it("passes server-side health and names the discovered nodes", async () => {
    const r = await c.talosctl(["-n", c.ips[0]!, "health", "--wait-timeout", "20s"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`discovered nodes: ["${c.ips[0]}" "${c.ips[1]}"]`);
    expect(r.stderr.trim().split("\n").at(-1)).toBe("waiting for all k8s nodes to report schedulable: OK");
  });

  it("passes client-side health against the nodes given", async () => {
    const r = await c.talosctl([
      "-n",
      c.ips[0]!,
      "health",
      "--server=false",
      "--control-plane-nodes",
      c.ips[0]!,
      "--worker-nodes",
      c.ips[1]!,
      "--wait-timeout",
      "20s",
    ]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stderr).not.toContain("discovered nodes");
    expect(r.stderr).toContain("waiting for etcd members to be control plane nodes: OK");
    expect(r.stderr.trim().split("\n").at(-1)).toBe("waiting for all k8s nodes to report schedulable: OK");
    // A node that is not there fails the apid check, naming it.
    const missing = await c.talosctl([
      "-n",
      c.ips[0]!,
      "health",
      "--server=false",
      "--control-plane-nodes",
      c.ips[0]!,
      "--worker-nodes",
      `${c.ips[1]},${c.ips[0]!.replace(/\.2$/, ".99")}`,
      "--wait-timeout",
      "2s",
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n").at(-1)).toMatch(
      /^healthcheck error: waiting for apid to be ready: timed out; last error: 127\.\d+\.\d+\.99: /,
    );
  });

  it("merges the admin kubeconfig into an existing file, renaming what clashes", async () => {
    const file = path.join(c.home, "existing-kubeconfig");
    fs.writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "  - name: other",
        "    cluster: { server: https://10.0.0.1:6443 }",
        "users:",
        "  - name: other-admin",
        "    user: { token: abc }",
        "contexts:",
        "  - name: other",
        "    context: { cluster: other, user: other-admin }",
        "current-context: other",
        "",
      ].join("\n"),
    );
    const r = await c.talosctl(["-n", c.ips[0]!, "kubeconfig", file]);
    expect(r.code).toBe(0);
    const merged = parseYaml(fs.readFileSync(file, "utf8"));
    // client-go keeps the entries in maps, so they are written sorted by name.
    expect(merged.clusters.map((x: { name: string }) => x.name)).toEqual(["duo", "other"]);
    expect(merged["current-context"]).toBe("admin@duo");
    const duo = merged.clusters.find((x: { name: string }) => x.name === "duo");
    expect(duo.cluster.server).toBe(`https://${c.cidr.replace(/\.0\/24$/, ".1")}:6443`);
    const admin = merged.users.find((x: { name: string }) => x.name === "admin@duo");
    expect(Buffer.from(admin.user["client-certificate-data"], "base64").toString()).toContain(
      "BEGIN CERTIFICATE",
    );
    // Again: the new admin certificate differs, so the user and context get new names.
    const again = await c.talosctl(["-n", c.ips[0]!, "kubeconfig", file]);
    expect(again.stdout).toContain('renamed auth info "admin@duo" -> "admin@duo-1"');
    expect(parseYaml(fs.readFileSync(file, "utf8"))["current-context"]).toBe("admin@duo-1");
    // "-" prints it.
    const printed = await c.talosctl(["-n", c.ips[0]!, "kubeconfig", "-"]);
    expect(printed.code).toBe(0);
    expect(parseYaml(printed.stdout)["current-context"]).toBe("admin@duo");
    // Without merging, an existing file is refused.
    const refused = await c.talosctl(["-n", c.ips[0]!, "kubeconfig", file, "--merge=false"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`kubeconfig file already exists, use --force to overwrite: "${file}"`);
    // --force without merging replaces the file with the cluster's kubeconfig alone.
    const forced = await c.talosctl(["-n", c.ips[0]!, "kubeconfig", file, "--merge=false", "--force"]);
    expect(forced.code).toBe(0);
    const replaced = parseYaml(fs.readFileSync(file, "utf8"));
    expect(replaced.clusters.map((x: { name: string }) => x.name)).toEqual(["duo"]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("keeps etcd membership and health across a control plane reboot", async () => {
    const before = await c.talosctl(["-n", c.ips[0]!, "etcd", "members", "-o", "json"]);
    const reboot = await c.talosctl(["-n", c.ips[0]!, "reboot"]);
    expect({ code: reboot.code, stderr: reboot.stderr }).toMatchObject({ code: 0 });
    const health = await eventually(async () => {
      const r = await c.talosctl(["-n", c.ips[0]!, "health", "--wait-timeout", "20s"]);
      if (r.code !== 0) throw new Error(r.stderr);
      return r;
    }, 40_000);
    expect(health.stderr).toContain("waiting for etcd members to be control plane nodes: OK");
    const after = await c.talosctl(["-n", c.ips[0]!, "etcd", "members", "-o", "json"]);
    expect(JSON.parse(after.stdout).id).toBe(JSON.parse(before.stdout).id);
  }, 60_000);

  it("refuses to create a cluster whose name exists", async () => {
    const r = await c.talosctl(["cluster", "create", "--name", "duo", "--state", c.state]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toContain('cluster "duo" already exists');
    expect(r.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
  });

  it("names the node that could not start when its address is taken", async () => {
    const r = await c.talosctl([
      "cluster",
      "create",
      "--name",
      "clash",
      "--state",
      c.state,
      "--cidr",
      c.cidr,
      "--workers",
      "0",
      "--time-scale",
      "50",
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines.at(-1)).toContain(`talos-node of clash-controlplane-1 (${c.ips[0]}) exited: `);
    expect(lines.at(-1)).toContain("address already in use");
    expect(lines.at(-1)).toContain('"talosctl cluster destroy --name clash" removes them');
    const destroyed = await c.talosctl(["cluster", "destroy", "--name", "clash", "--state", c.state]);
    expect(destroyed.code).toBe(0);
  });

  it("destroys a cluster whose processes already died", async () => {
    for (const n of ["duo-controlplane-1", "duo-worker-1"]) {
      const pid = Number(fs.readFileSync(path.join(c.state, "duo", n, "pid"), "utf8"));
      process.kill(pid, "SIGKILL");
    }
    const r = await c.destroy();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("removing state directory");
    expect(fs.existsSync(path.join(c.state, "duo"))).toBe(false);
    const show = await c.talosctl(["cluster", "show", "--name", "duo", "--state", c.state]);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('cluster "duo" not found');
  });
});

describe("cluster create of an older Talos version", () => {
  it("gives v1.12 nodes the install disk their metal config needs, and they run that version", async () => {
    // Until 1.14 a metal node's config must name its install disk (v1alpha1 machine.install).
    const c = await createLocalCluster({
      name: "old",
      workers: 0,
      args: ["--talos-version", "v1.12.4", "--kubernetes-version", "1.34.1"],
    });
    try {
      expect({
        code: c.created.code,
        stderr: c.created.stderr.split("\n").slice(-4).join("\n"),
      }).toMatchObject({
        code: 0,
      });
      const mc = await c.talosctl(["-n", c.ips[0]!, "get", "machineconfig", "-o", "jsonpath={.spec}"]);
      expect(mc.stdout).toMatch(/\n {4}install:\n {8}disk: \/dev\/sda\n/);
      const v = await c.talosctl(["-n", c.ips[0]!, "version", "--short"]);
      expect(v.stdout).toContain("Tag:         v1.12.4");
    } finally {
      await c.destroy();
    }
  }, 90_000);
});

describe("etcd across three control planes", () => {
  let c: LocalCluster;
  beforeAll(async () => {
    c = await createLocalCluster({ name: "trio", controlplanes: 3, workers: 0 });
  }, 90_000);
  afterAll(async () => {
    await c?.destroy();
  });

  // Each control plane is asked directly: its API certificate is signed by the OS CA.
  const on = (ip: string, args: string[]) => c.talosctl(["-e", ip, "-n", ip, ...args]);
  const members = async (node: string): Promise<{ id: string; hostname: string }[]> => {
    const r = await on(node, ["etcd", "members", "-o", "json"]);
    expect(r.stderr).toBe("");
    return r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
  };

  it("lists the same three members on every control plane", async () => {
    expect(c.created.code).toBe(0);
    for (const ip of c.ips) {
      const m = await members(ip);
      expect(m.map((x) => x.hostname).sort()).toEqual([
        "trio-controlplane-1",
        "trio-controlplane-2",
        "trio-controlplane-3",
      ]);
      expect(m.every((x) => /^[0-9a-f]{16}$/.test(x.id))).toBe(true);
    }
    const status = await on(c.ips[0]!, ["etcd", "status"]);
    expect(status.stdout.split("\n")[0]).toMatch(/^NODE +MEMBER +DB SIZE +IN USE +LEADER +RAFT INDEX/);
  });

  it("hands leadership over when the leader forfeits it", async () => {
    const leaderOf = async (ip: string): Promise<{ member: string; leader: string }> => {
      const r = await on(ip, ["etcd", "status", "-o", "json"]);
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout);
    };
    const { leader } = await leaderOf(c.ips[0]!);
    const leaderIp = (await Promise.all(c.ips.map(async (ip) => ({ ip, status: await leaderOf(ip) })))).find(
      (x) => x.status.member === leader,
    )!.ip;
    const follower = c.ips.find((ip) => ip !== leaderIp)!;
    // A follower has nothing to forfeit; the leader hands over to another member.
    expect((await on(follower, ["etcd", "forfeit-leadership"])).code).toBe(0);
    expect((await leaderOf(follower)).leader).toBe(leader);
    expect((await on(leaderIp, ["etcd", "forfeit-leadership"])).code).toBe(0);
    const after = await leaderOf(c.ips[0]!);
    expect(after.leader).not.toBe(leader);
    for (const ip of c.ips) expect((await leaderOf(ip)).leader).toBe(after.leader);
  });

  it("leaves, removes members by id, and rejects bad ids", async () => {
    const leave = await on(c.ips[2]!, ["etcd", "leave"]);
    expect(leave.code).toBe(0);
    expect((await members(c.ips[0]!)).map((x) => x.hostname).sort()).toEqual([
      "trio-controlplane-1",
      "trio-controlplane-2",
    ]);
    const left = await on(c.ips[2]!, ["etcd", "members"]);
    expect(left.code).toBe(1);
    expect(left.stderr).toContain("etcd is not running on this node");

    const second = (await members(c.ips[0]!)).find((x) => x.hostname === "trio-controlplane-2")!;
    const removed = await on(c.ips[0]!, ["etcd", "remove-member", second.id]);
    expect(removed.code).toBe(0);
    expect((await members(c.ips[0]!)).map((x) => x.hostname)).toEqual(["trio-controlplane-1"]);

    const unknown = await on(c.ips[0]!, ["etcd", "remove-member", second.id]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`code = NotFound desc = etcd member ${second.id} not found`);
    const bad = await on(c.ips[0]!, ["etcd", "remove-member", "xyz"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'invalid member ID "xyz": expected up to 16 hex digits, as "etcd members" prints it',
    );
    const last = await on(c.ips[0]!, ["etcd", "leave"]);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain("this node is the only etcd member");
  });
});

describe("health on a cluster that is not bootstrapped", () => {
  it("fails after --wait-timeout, naming the check that did not pass", async () => {
    const cluster = await makeCluster("unbooted");
    const stateDir = tempDir("talos-node-state-");
    seedState(stateDir, cluster.controlplane, { bootstrapped: false });
    const node = await startNode({
      stateDir,
      args: ["--time-scale", "50", "--discovery-dir", tempDir("talos-discovery-")],
    });
    try {
      const dir = tempDir("talos-cli-");
      const talosconfig = path.join(dir, "talosconfig");
      fs.writeFileSync(talosconfig, talosconfigFor(cluster, [node.address], ["127.0.0.1"]), { mode: 0o600 });
      const env = { HOME: dir, TALOSCONFIG: talosconfig, TALOS_NODE_BIN: TALOS_NODE };
      const r = await runInProcess(["health", "--wait-timeout", "2s"], { cwd: dir, home: dir, env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("waiting for etcd to be healthy: ...");
      expect(r.stderr.trim().split("\n").at(-1)).toMatch(
        /^healthcheck error: rpc error: code = Unknown desc = waiting for etcd to be healthy: timed out; last error: 127\.0\.0\.1: service "etcd" not in expected state "Running": current state \[Preparing\]$/,
      );
      const bad = await runInProcess(["health", "--wait-timeout", "soon"], { cwd: dir, home: dir, env });
      expect(bad.code).toBe(1);
      expect(bad.stderr.split("\n")[0]).toContain("--wait-timeout");
    } finally {
      await node.stop();
    }
  }, 60_000);
});

describe("cluster create refuses bad input before starting anything", () => {
  it.each([
    [["--controlplanes", "0"], "--controlplanes: expected at least 1 (got 0)"],
    [["--workers", "-1"], "--workers: expected 0 or more (got -1)"],
    [["--cidr", "10.5.0.0/24"], "use a network inside 127.0.0.0/8"],
    [["--cidr", "127.5.0.0/30", "--workers", "3"], "room for 1 nodes, 4 requested"],
    [["--name", "Bad_Name"], '--name "Bad_Name": expected a DNS label'],
    [["--talos-version", "1.2"], '--talos-version "1.2": expected vX.Y.Z'],
    [["--wait-timeout", "soon"], "--wait-timeout"],
    [["--config-patch", "@missing.yaml"], "missing.yaml"],
  ])("%j", async (flags, message) => {
    const home = tempDir("talos-cc-bad-");
    const state = path.join(home, "clusters");
    const r = await runInProcess(["cluster", "create", "--state", state, ...flags], {
      cwd: home,
      home,
      env: { HOME: home, TALOS_NODE_BIN: TALOS_NODE },
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toContain(message);
    // A malformed flag value is followed by the usage, as cobra prints it; the rest is one line.
    if (flags[0] !== "--wait-timeout") expect(lines).toHaveLength(1);
    expect(fs.existsSync(state)).toBe(false);
  });

  it("removes what it started when a config patch does not apply", async () => {
    const home = tempDir("talos-cc-bad-");
    const state = path.join(home, "clusters");
    const r = await runInProcess(
      [
        "cluster",
        "create",
        "--state",
        state,
        "--cidr",
        await freeLoopbackCidr({ count: 2 }),
        "--config-patch",
        '[{"op":"remove","path":"/machine/no-such-field"}]',
      ],
      { cwd: home, home, env: { HOME: home, TALOS_NODE_BIN: TALOS_NODE } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("creating controlplane nodes");
    expect(r.stderr).toContain("failed to generate config bundle: error patching configs: inline patch #1");
    expect(fs.readdirSync(state)).toEqual([]);
  });
});
