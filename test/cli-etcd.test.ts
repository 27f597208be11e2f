// etcd maintenance end to end: snapshots (saved atomically, verifiable, restored by
// `bootstrap --recover-from`), alarms from the backend quota, defragmentation, the storage
// downgrade, with real talosctl runs against real talos-node control planes.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotStatus } from "../src/etcd/index.js";
import type { SharedKv } from "../src/node/cluster/etcd-shared.js";
import { tempDir } from "./helpers/cli.js";
import { type ConfiguredNode, startConfiguredNode, talosconfigFor } from "./helpers/cluster.js";
import { clusterKv, withEtcdQuota } from "./helpers/etcd.js";
import { eventually, makeCluster, seedState, startNode } from "./helpers/node.js";

const QUOTA = 2 * 1024 * 1024;

let cp: ConfiguredNode;
let kv: SharedKv;
let discovery: string;
let work: string;

async function ok(args: string[], extra?: Record<string, string | undefined>) {
  const r = await cp.talosctl(args, extra);
  if (r.code !== 0) throw new Error(`talosctl ${args.join(" ")} failed: ${r.stderr}`);
  return r;
}

async function status(): Promise<{
  dbSize: number;
  dbSizeInUse: number;
  raftIndex: number;
  storage: string;
  errors: string[];
}> {
  const r = await ok(["etcd", "status", "-o", "json"]);
  return JSON.parse(r.stdout.trim()) as never;
}

beforeAll(async () => {
  const cluster = await makeCluster("etcd-ops");
  cluster.controlplane = withEtcdQuota(cluster.controlplane, QUOTA);
  discovery = tempDir("talos-etcd-discovery-");
  work = tempDir("talos-etcd-work-");
  cp = await startConfiguredNode({ cluster, args: ["--time-scale", "50", "--discovery-dir", discovery] });
  await eventually(async () => {
    const r = await cp.talosctl(["etcd", "status"]);
    if (r.code !== 0) throw new Error(r.stderr);
  }, 30_000);
  kv = clusterKv(discovery, cluster.controlplane);
}, 60_000);

afterAll(async () => {
  kv?.close();
  await cp?.stop();
  for (const d of [discovery, work]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

describe("the emulated etcd's data", () => {
  it("grows the revision, raft index and db size with writes", async () => {
    const before = await status();
    for (let i = 0; i < 200; i++)
      await kv.put(`/registry/configmaps/default/cm-${i}`, Buffer.alloc(1024, i % 256));
    expect(kv.revision()).toBe(201);
    const after = await status();
    expect(after.raftIndex).toBe(before.raftIndex + 200);
    expect(after.dbSize).toBeGreaterThan(before.dbSize + 200 * 1024);
    expect(after.dbSizeInUse).toBeGreaterThan(200 * 1024);
    expect(after.storage).toBe("3.6.0");
  });

  it("answers range, compare-and-swap and watches", async () => {
    expect(kv.range("/registry/configmaps/default/").count).toBe(200);
    const cm = kv.get("/registry/configmaps/default/cm-7")!;
    expect(cm.version).toBe(1);
    expect((await kv.put(cm.key, "x", { expectModRevision: cm.modRevision + 1 })).succeeded).toBe(false);
    const seen: string[] = [];
    const stop = kv.watch("/registry/configmaps/", { prefix: true }, (events) => {
      for (const e of events) seen.push(`${e.type} ${e.kv.key}`);
    });
    const swapped = await kv.put(cm.key, "x", { expectModRevision: cm.modRevision });
    expect(swapped).toMatchObject({ succeeded: true, revision: 202 });
    stop();
    expect(seen).toEqual(["put /registry/configmaps/default/cm-7"]);
    expect(kv.get(cm.key)!.version).toBe(2);
  });
});

describe("talosctl etcd snapshot", () => {
  it("saves a snapshot that etcd's status reads: size, hash, revision, keys", async () => {
    const file = path.join(work, "db.snapshot");
    const r = await ok(["etcd", "snapshot", file]);
    const bytes = fs.readFileSync(file);
    expect(bytes.length % 512).toBe(32);
    expect(createHash("sha256").update(bytes.subarray(0, -32)).digest().equals(bytes.subarray(-32))).toBe(
      true,
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const s = snapshotStatus(bytes);
    expect(s).toMatchObject({ revision: 202, totalKey: 200, totalSize: bytes.length - 32 });
    expect(r.stdout).toBe(
      `etcd snapshot saved to ${JSON.stringify(file)} (${bytes.length} bytes)\n` +
        `snapshot info: hash ${s.hash.toString(16).padStart(8, "0")}, revision 202, total keys 200, total size ${s.totalSize}\n`,
    );
    expect(fs.existsSync(`${file}.part`)).toBe(false);
    const db = await status();
    expect(s.totalSize).toBe(db.dbSize);
  });

  it("prints JSON with -o json and replaces an existing file", async () => {
    const file = path.join(work, "existing.snapshot");
    fs.writeFileSync(file, "old");
    const r = await ok(["etcd", "snapshot", file, "-o", "json"]);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ node: "127.0.0.1", path: file, revision: 202, totalKeys: 200 });
    expect(fs.statSync(file).size).toBe(j.size);
  });

  it("writes into a FIFO and through a symlink, replacing neither", async () => {
    const fifo = path.join(work, "snapshot.fifo");
    execFileSync("mkfifo", [fifo]);
    // The reader copies the FIFO into a file, not into a pipe to this process: the command runs
    // in this process and writes the FIFO synchronously, so a pipe back here would fill up and
    // stall the reader, and with it the writer.
    const copied = path.join(work, "snapshot.copied");
    const reader = spawn("sh", ["-c", 'cat "$0" > "$1"', fifo, copied], { stdio: "ignore" });
    const drained = new Promise<void>((resolve) => reader.on("close", () => resolve()));
    try {
      const r = await ok(["etcd", "snapshot", fifo, "-o", "json"]);
      await drained;
      const j = JSON.parse(r.stdout) as { size: number; totalKeys: number };
      const bytes = fs.readFileSync(copied);
      expect(bytes.length).toBe(j.size);
      expect(snapshotStatus(bytes).totalKey).toBe(j.totalKeys);
      expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
      expect(fs.readdirSync(work).filter((f) => f.endsWith(".part"))).toEqual([]);
    } finally {
      if (reader.exitCode === null) reader.kill();
    }

    const real = path.join(work, "real.snapshot");
    const link = path.join(work, "link.snapshot");
    fs.writeFileSync(real, "old");
    fs.symlinkSync("real.snapshot", link);
    const r = await ok(["etcd", "snapshot", link, "-o", "json"]);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync(real).size).toBe((JSON.parse(r.stdout) as { size: number }).size);
  });

  it("fails cleanly on paths it cannot write, leaving no .part behind", async () => {
    const dir = path.join(work, "a-directory");
    fs.mkdirSync(dir);
    const r1 = await cp.talosctl(["etcd", "snapshot", dir]);
    expect(r1.code).toBe(1);
    expect(r1.stderr.trim()).toBe(`error renaming to final location: rename ${dir}.part ${dir}: file exists`);
    expect(fs.existsSync(`${dir}.part`)).toBe(false);
    const missing = path.join(work, "nope", "db.snapshot");
    const r2 = await cp.talosctl(["etcd", "snapshot", missing]);
    expect(r2.stderr.trim()).toBe(
      `error creating temporary file: open ${missing}.part: no such file or directory`,
    );
    const underFile = path.join(work, "existing.snapshot", "db");
    const r3 = await cp.talosctl(["etcd", "snapshot", underFile]);
    expect(r3.stderr.trim()).toBe(`error creating temporary file: open ${underFile}.part: not a directory`);
    const r4 = await cp.talosctl(["etcd", "snapshot"]);
    expect(r4.code).toBe(1);
    expect(r4.stderr).toContain("accepts 1 arg(s), received 0");
    const r5 = await cp.talosctl(["etcd", "snapshot", path.join(work, "x"), "-n", "127.0.0.1,127.0.0.1"]);
    expect(r5.stderr.trim()).toBe('command "etcd snapshot" requires exactly one node (got 2)');
  });

  it("is refused to os:reader and allowed to os:operator", async () => {
    const readerConfig = path.join(work, "reader-talosconfig");
    fs.writeFileSync(
      readerConfig,
      talosconfigFor(cp.cluster, [cp.node.address], ["127.0.0.1"], cp.cluster.reader),
    );
    const operatorConfig = path.join(work, "operator-talosconfig");
    fs.writeFileSync(
      operatorConfig,
      talosconfigFor(cp.cluster, [cp.node.address], ["127.0.0.1"], cp.cluster.operator),
    );
    const denied = await cp.talosctl(["etcd", "snapshot", path.join(work, "r.snapshot")], {
      TALOSCONFIG: readerConfig,
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe(
      "error reading: rpc error: code = PermissionDenied desc = not authorized",
    );
    expect(fs.existsSync(path.join(work, "r.snapshot.part"))).toBe(false);
    for (const args of [
      ["etcd", "defrag"],
      ["etcd", "alarm", "disarm"],
      ["etcd", "downgrade", "validate", "3.5"],
    ]) {
      const r = await cp.talosctl(args, { TALOSCONFIG: readerConfig });
      expect(r.stderr).toContain("code = PermissionDenied desc = not authorized");
    }
    expect((await cp.talosctl(["etcd", "alarm", "list"], { TALOSCONFIG: readerConfig })).code).toBe(0);
    expect(
      (
        await cp.talosctl(["etcd", "snapshot", path.join(work, "o.snapshot")], {
          TALOSCONFIG: operatorConfig,
        })
      ).code,
    ).toBe(0);
    const downgrade = await cp.talosctl(["etcd", "downgrade", "validate", "3.5"], {
      TALOSCONFIG: operatorConfig,
    });
    expect(downgrade.stderr).toContain("code = PermissionDenied desc = not authorized");
  });
});

describe("talosctl etcd defrag", () => {
  it("shrinks the db size to what compacted data takes", async () => {
    await kv.deletePrefix("/registry/configmaps/default/cm-1");
    await kv.compact(kv.revision());
    const before = await status();
    expect(before.dbSizeInUse).toBeLessThan(before.dbSize);
    const r = await ok(["etcd", "defrag"]);
    expect(r.stdout).toBe("");
    const after = await status();
    expect(after.dbSize).toBe(after.dbSizeInUse);
    expect(after.dbSize).toBeLessThan(before.dbSize);
    const two = await cp.talosctl(["etcd", "defrag", "-n", "127.0.0.1,127.0.0.1"]);
    expect(two.stderr.trim()).toBe('command "etcd defrag" requires exactly one node (got 2)');
  });
});

describe("etcd alarms", () => {
  it("raise NOSPACE past the quota, refuse writes, and disarm", async () => {
    const empty = await ok(["etcd", "alarm", "list"]);
    expect(empty.stdout).toBe("");
    let refused = "";
    for (let i = 0; i < 4000 && refused === ""; i++) {
      try {
        await kv.put(`/registry/secrets/big-${i}`, Buffer.alloc(4096, 1));
      } catch (err) {
        refused = (err as Error).message;
      }
    }
    expect(refused).toBe("etcdserver: mvcc: database space exceeded");
    const list = await ok(["etcd", "alarm", "list"]);
    const member = (await ok(["etcd", "members", "-o", "json"])).stdout;
    const id = (JSON.parse(member) as { id: string }).id;
    expect(list.stdout).toBe(`NODE        MEMBER             ALARM\n127.0.0.1   ${id}   NOSPACE\n`);
    const json = await ok(["etcd", "alarm", "list", "-o", "json"]);
    expect(JSON.parse(json.stdout)).toEqual({ node: "127.0.0.1", member: id, alarm: "NOSPACE" });
    const s = await status();
    expect(s.errors).toEqual([`memberID:${BigInt(`0x${id}`)} alarm:NOSPACE`]);
    await expect(kv.put("/registry/x", "y")).rejects.toThrow("etcdserver: mvcc: database space exceeded");
    // The way out: free space (delete, compact, defragment), then disarm.
    await kv.deletePrefix("/registry/secrets/");
    await kv.compact(kv.revision());
    await ok(["etcd", "defrag"]);
    const disarm = await ok(["etcd", "alarm", "disarm"]);
    expect(disarm.stdout).toBe(list.stdout);
    expect((await ok(["etcd", "alarm", "list"])).stdout).toBe("");
    expect((await kv.put("/registry/x", "y")).succeeded).toBe(true);
  });
});

describe("talosctl etcd downgrade", () => {
  it("validates, enables and cancels with etcd's answers", async () => {
    const v = await ok(["etcd", "downgrade", "validate", "3.5"]);
    expect(v.stdout).toBe(
      "NODE        MESSAGE\n127.0.0.1   downgrade validate success, cluster version 3.6\n",
    );
    const bad: [string[], string][] = [
      [
        ["validate", "3.4"],
        "code = InvalidArgument desc = etcd downgrade is only supported to 3.5 and later versions",
      ],
      [["validate", "3"], "code = InvalidArgument desc = version should be in MAJOR.MINOR format"],
      [["validate", "3.x"], "code = InvalidArgument desc = minor version should be a number"],
      [["enable", "x.5"], "code = InvalidArgument desc = major version should be a number"],
      [
        ["validate", "3.7"],
        "code = Unknown desc = failed to query etcd status: etcdserver: invalid downgrade target version",
      ],
    ];
    for (const [args, message] of bad) {
      const r = await cp.talosctl(["etcd", "downgrade", ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`rpc error: ${message}`);
    }
    const e = await ok(["etcd", "downgrade", "enable", "3.5", "-o", "json"]);
    expect(JSON.parse(e.stdout)).toEqual({ node: "127.0.0.1", action: "enable", clusterVersion: "3.6" });
    expect((await status()).storage).toBe("3.5.0");
    const again = await cp.talosctl(["etcd", "downgrade", "validate", "3.5"]);
    expect(again.stderr.trim()).toBe(
      "rpc error: code = Unknown desc = failed to query etcd status: etcdserver: invalid downgrade target version",
    );
    const c = await ok(["etcd", "downgrade", "cancel"]);
    expect(c.stdout).toBe("NODE        MESSAGE\n127.0.0.1   downgrade cancel success, cluster version 3.5\n");
    expect((await status()).storage).toBe("3.6.0");
    const extra = await cp.talosctl(["etcd", "downgrade", "cancel", "3.5"]);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toContain('unknown command "3.5" for "talosctl etcd downgrade cancel"');
  });
});

describe("talosctl bootstrap --recover-from", () => {
  it("restores a snapshot into a new cluster; a corrupt one fails etcd as on Talos", async () => {
    const file = path.join(work, "recover.snapshot");
    await ok(["etcd", "snapshot", file]);
    const saved = snapshotStatus(fs.readFileSync(file));
    const cluster = await makeCluster("etcd-recovered");
    const state = tempDir("talos-etcd-recover-state-");
    seedState(state, cluster.controlplane, { bootstrapped: false });
    const disc = tempDir("talos-etcd-recover-discovery-");
    const node = await startNode({ stateDir: state, args: ["--time-scale", "50", "--discovery-dir", disc] });
    const config = path.join(work, "recover-talosconfig");
    fs.writeFileSync(config, talosconfigFor(cluster, [node.address], ["127.0.0.1"]));
    const on = (args: string[]) => cp.talosctl(args, { TALOSCONFIG: config });
    try {
      const corrupt = path.join(work, "corrupt.snapshot");
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 40] ^= 0xff;
      fs.writeFileSync(corrupt, bytes);
      let r = { code: 1, stdout: "", stderr: "" };
      await eventually(async () => {
        r = await on(["bootstrap", "--recover-from", corrupt]);
        if (r.stderr.includes("bootstrap is not available yet")) throw new Error(r.stderr);
      }, 30_000);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^recovering from snapshot ".*corrupt\\.snapshot": hash [0-9a-f]{8}, revision ${saved.revision}, total keys ${saved.totalKey}, total size ${saved.totalSize}\n$`,
        ),
      );
      await eventually(async () => {
        const svc = await on(["service", "etcd", "-o", "json"]);
        const j = JSON.parse(svc.stdout) as { state: string; events: { message: string }[] };
        if (j.state !== "Failed") throw new Error(svc.stdout);
        expect(j.events.at(-1)!.message).toMatch(
          /^Failed to run pre stage: error recovering from the snapshot: expected sha256 \[[\d ]+\], got \[[\d ]+\]$/,
        );
      });
      const good = await on(["bootstrap", "--recover-from", file]);
      expect(good.code).toBe(0);
      expect(good.stdout).toBe(
        `recovering from snapshot ${JSON.stringify(file)}: hash ${saved.hash.toString(16).padStart(8, "0")}, revision ${saved.revision}, total keys ${saved.totalKey}, total size ${saved.totalSize}\n`,
      );
      await eventually(async () => {
        const s = await on(["etcd", "status"]);
        if (s.code !== 0) throw new Error(s.stderr);
      }, 30_000);
      const restored = clusterKv(disc, cluster.controlplane);
      expect(restored.range("").count).toBe(saved.totalKey);
      expect(restored.range("").kvs.map((e) => e.key)).toEqual(kv.range("").kvs.map((e) => e.key));
      expect(restored.get("/registry/configmaps/default/cm-7")!.value.toString()).toBe("x");
      expect(restored.revision()).toBe(saved.revision);
      restored.close();
      const missing = await on(["bootstrap", "--recover-from", path.join(work, "absent.snapshot")]);
      expect(missing.stderr.trim()).toBe(
        `stat ${path.join(work, "absent.snapshot")}: no such file or directory`,
      );
      const notSnapshot = path.join(work, "not-a-snapshot");
      fs.writeFileSync(notSnapshot, Buffer.alloc(16 * 1024, 1));
      const invalid = await on(["bootstrap", "--recover-from", notSnapshot]);
      expect(invalid.stderr.trim()).toBe("invalid database");
    } finally {
      await node.stop();
      fs.rmSync(state, { recursive: true, force: true });
      fs.rmSync(disc, { recursive: true, force: true });
    }
  }, 90_000);
});
