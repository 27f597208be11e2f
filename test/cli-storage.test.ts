// wipe disk|lv|vg|pv|md and diskfree (df) of the real CLI against real talos-node processes:
// a configured node whose extra disks hold partitions, LVM volume groups and md arrays (given
// with --storage), and a node in maintenance mode; Talos's refusals (system disk, devices and
// volumes in use, unknown names), the reader rule (only in maintenance), and upgrade's
// refusal of an unknown containerd namespace.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess, tempDir } from "./helpers/cli.js";
import { type ConfiguredNode, startConfiguredNode, talosconfigFor } from "./helpers/cluster.js";
import { type StartedNode, startNode } from "./helpers/node.js";

const NODE = "127.0.0.1";

const LAYOUT = `partitions:
  /dev/sdb:
    - size: 1GiB
      filesystem: xfs
      mountedOn: /var/mnt/data
    - size: 1GiB
      filesystem: ext4
lvm:
  - vg: vg0
    pvs: [/dev/sdc]
    lvs:
      - name: lv0
        size: 1GiB
        mountedOn: /var/mnt/lv0
      - name: lv1
        size: 512MiB
  - vg: vg1
    pvs: [/dev/sdg]
    lvs:
      - name: scratch
        size: 1GiB
md:
  - name: data
    level: raid1
    members: [/dev/sdd, /dev/sde]
    mountedOn: /var/mnt/md
  - name: scratch
    level: raid0
    members: [/dev/sdh, /dev/sdi]
`;

const DISKS = [
  "sda:10GiB",
  "sdb:4GiB",
  "sdc:4GiB",
  "sdd:2GiB",
  "sde:2GiB",
  "sdf:2GiB",
  "sdg:2GiB",
  "sdh:1GiB",
  "sdi:1GiB",
];

let c: ConfiguredNode;
let readerConfig: string;
let maintenance: StartedNode;
const scratch = tempDir("talos-storage-test-");

function diskFlags(): string[] {
  return DISKS.flatMap((d) => ["--disk", `/dev/${d}`]);
}

beforeAll(async () => {
  const layout = path.join(scratch, "storage.yaml");
  fs.writeFileSync(layout, LAYOUT);
  c = await startConfiguredNode({ args: ["--time-scale", "50", ...diskFlags(), "--storage", layout] });
  readerConfig = path.join(c.dir, "reader-talosconfig");
  fs.writeFileSync(readerConfig, talosconfigFor(c.cluster, [c.node.address], [NODE], c.cluster.reader), {
    mode: 0o600,
  });
  maintenance = await startNode({ args: ["--disk", "/dev/sda:10GiB", "--disk", "/dev/sdb:2GiB"] });
}, 60_000);

afterAll(async () => {
  await c?.stop();
  await maintenance?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const failure = (code: string, desc: string, prefix = "error wiping device on node"): string =>
  `${prefix} ${NODE}: rpc error: code = ${code} desc = ${desc}\n`;

describe("wipe disk", () => {
  it("wipes an unused disk, and a partition with --method ZEROES --drop-partition", async () => {
    expect(await c.talosctl(["wipe", "disk", "sdf"])).toEqual({ code: 0, stdout: "", stderr: "" });
    const drop = await c.talosctl(["wipe", "disk", "sdb2", "--method", "ZEROES", "--drop-partition"]);
    expect(drop).toEqual({ code: 0, stdout: "", stderr: "" });
    // The partition is gone from the disk, also in what STATE keeps for the next boot.
    const gone = await c.talosctl(["wipe", "disk", "sdb2"]);
    expect(gone).toMatchObject({ code: 1, stderr: failure("NotFound", 'blockdevice "sdb2" not found') });
    const kept = JSON.parse(fs.readFileSync(path.join(c.node.stateDir, "storage.json"), "utf8")) as {
      partitions: { disk: string; number: number }[];
    };
    expect(kept.partitions.map((p) => `${p.disk}${p.number}`)).toEqual(["/dev/sdb1"]);
    expect(c.node.output()).toContain('wiping block device "sdb2" with zeroes');
  });

  it("refuses the system disk, devices in use and unknown devices in Talos's words", async () => {
    const cases: [string, string, string][] = [
      ["sda", "FailedPrecondition", 'blockdevice "sda" is in use by volume "EPHEMERAL"'],
      ["sda5", "FailedPrecondition", 'blockdevice "sda5" is in use by volume "STATE"'],
      ["sdb1", "FailedPrecondition", 'block device "sdb1" is mounted or in use'],
      ["sdb", "FailedPrecondition", 'block device "sdb" is mounted or in use'],
      ["sdc", "FailedPrecondition", 'blockdevice "sdc" is in use by disk "dm-0"'],
      ["sdd", "FailedPrecondition", 'blockdevice "sdd" is in use by disk "md127"'],
      ["sdz", "NotFound", 'blockdevice "sdz" not found'],
    ];
    for (const [device, code, desc] of cases) {
      const r = await c.talosctl(["wipe", "disk", device]);
      expect({ device, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        device,
        code: 1,
        stdout: "",
        stderr: failure(code, desc),
      });
    }
    // Every device is checked before any is wiped: a bad one leaves the good one alone.
    const mixed = await c.talosctl(["wipe", "disk", "sdg", "sdz"]);
    expect(mixed.code).toBe(1);
    expect(c.node.output()).not.toContain('wiping block device "sdg"');
  });

  it("refuses bad flags and missing arguments before calling the node", async () => {
    const method = await c.talosctl(["wipe", "disk", "sdf", "--method", "SLOW"]);
    expect(method).toMatchObject({ code: 1, stderr: 'invalid wipe method "SLOW"\n' });
    const none = await c.talosctl(["wipe", "disk"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^requires at least 1 arg\(s\), only received 0/);
  });
});

describe("wipe lv, vg, pv", () => {
  it("removes logical volumes, volume groups and physical volumes, refusing open or used ones", async () => {
    const lv = await c.talosctl(["wipe", "lv", "vg0/lv1"]);
    expect(lv).toEqual({ code: 0, stdout: "", stderr: "" });
    const again = await c.talosctl(["wipe", "lv", "vg0/lv1"]);
    expect(again.stderr).toBe(failure("NotFound", "lvm: resource not found", "error from node"));
    const open = await c.talosctl(["wipe", "lv", "vg0/lv0"]);
    expect(open.stderr).toBe(failure("FailedPrecondition", "lvm: logical volume is open", "error from node"));
    const openGroup = await c.talosctl(["wipe", "vg", "vg0"]);
    expect(openGroup.stderr).toBe(
      failure("FailedPrecondition", "lvm: logical volume is open", "error from node"),
    );
    const usedPv = await c.talosctl(["wipe", "pv", "/dev/sdc"]);
    expect(usedPv.stderr).toBe(failure("FailedPrecondition", "lvm: resource in use", "error from node"));
    // vg1 goes with its LV; its PV keeps its label until `wipe pv`, and the disk is free then.
    expect(await c.talosctl(["wipe", "vg", "vg1"])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await c.talosctl(["wipe", "pv", "/dev/sdg"])).toEqual({ code: 0, stdout: "", stderr: "" });
    const noLabel = await c.talosctl(["wipe", "pv", "/dev/sdg"]);
    expect(noLabel.stderr).toBe(failure("NotFound", "lvm: resource not found", "error from node"));
    const noGroup = await c.talosctl(["wipe", "vg", "nope"]);
    expect(noGroup.stderr).toBe(failure("NotFound", "lvm: resource not found", "error from node"));
    expect(c.node.output()).toMatch(/removing LVM resource\t\{"service": "lvmd", "op": "lvremove"/);
  });

  it("checks the arguments as talosctl does", async () => {
    const bad = await c.talosctl(["wipe", "lv", "vg0"]);
    expect(bad).toMatchObject({ code: 1, stderr: 'invalid logical volume "vg0", expected <vg>/<lv>\n' });
    const two = await c.talosctl(["wipe", "vg", "a", "b"]);
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(/^accepts 1 arg\(s\), received 2/);
  });
});

describe("wipe md", () => {
  it("destroys an array by path or name link, refusing a mounted one and unknown ones", async () => {
    const relative = await c.talosctl(["wipe", "md", "md127"]);
    expect(relative).toMatchObject({ code: 1, stderr: "md device must be a full /dev path\n" });
    const busy = await c.talosctl(["wipe", "md", "/dev/md127"]);
    expect(busy.stderr).toBe(failure("FailedPrecondition", "md: resource in use", "error from node"));
    const ok = await c.talosctl(["wipe", "md", "/dev/disk/by-id/md-name-scratch"]);
    expect(ok).toEqual({ code: 0, stdout: "", stderr: "" });
    const again = await c.talosctl(["wipe", "md", "/dev/md126"]);
    expect(again.stderr).toBe(failure("NotFound", "md: array not found", "error from node"));
    // With the array gone its members are plain disks again.
    expect(await c.talosctl(["wipe", "disk", "sdh", "sdi"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});

describe("who may wipe", () => {
  it("refuses a reader outside maintenance mode, for every wipe", async () => {
    const env = { TALOSCONFIG: readerConfig };
    for (const args of [
      ["wipe", "disk", "sdf"],
      ["wipe", "lv", "vg0/lv0"],
      ["wipe", "vg", "vg0"],
      ["wipe", "pv", "/dev/sdc"],
      ["wipe", "md", "/dev/md127"],
    ]) {
      const r = await c.talosctl(args, env);
      expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({
        args,
        code: 1,
        stderr: expect.stringMatching(/rpc error: code = PermissionDenied desc = not authorized\n$/),
      });
    }
    // The reader may read the filesystem statistics.
    const df = await c.talosctl(["df"], env);
    expect(df.code, df.stderr).toBe(0);
  });

  it("lets anyone wipe through the maintenance API", async () => {
    const home = tempDir("talos-storage-home-");
    try {
      const r = await runInProcess(["wipe", "disk", "sdb", "--insecure", "-n", maintenance.address], {
        cwd: home,
        home,
        env: { HOME: home, PATH: process.env.PATH },
      });
      expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
      const missing = await runInProcess(["wipe", "disk", "sdq", "-i", "-n", maintenance.address], {
        cwd: home,
        home,
        env: { HOME: home, PATH: process.env.PATH },
      });
      expect(missing.stderr).toBe(
        `error wiping device on node ${maintenance.address}: rpc error: code = NotFound desc = blockdevice "sdq" not found\n`,
      );
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("diskfree", () => {
  it("shows inodes with -i, raw counts with -b, and every figure with -o json", async () => {
    const i = await c.talosctl(["df", "-i"]);
    expect(i.code, i.stderr).toBe(0);
    const rows = i.stdout
      .trimEnd()
      .split("\n")
      .map((l) => l.split(/ {3,}/));
    expect(rows[0]).toEqual([
      "NODE",
      "VOLUME",
      "FILESYSTEM",
      "INODES",
      "IUSED",
      "IFREE",
      "%IUSED",
      "MOUNT POINT",
    ]);
    const ephemeral = rows.find((r) => r[1] === "EPHEMERAL")!;
    expect(ephemeral[3]).toMatch(/^\d+(\.\d)?[KMG]?$/);
    expect(ephemeral[6]).toMatch(/^\d+%$/);
    expect(ephemeral[7]).toBe("/var");
    const [doc] = (await c.talosctl(["diskfree", "EPHEMERAL", "-o", "json"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, number | string>);
    expect(doc).toMatchObject({ node: NODE, volume: "EPHEMERAL", mountPoint: "/var" });
    expect(Number(doc!.inodesUsed) + Number(doc!.inodesFree)).toBe(doc!.inodes);
    expect(Number(doc!.used) + Number(doc!.available)).toBeLessThanOrEqual(Number(doc!.size));
    const raw = (await c.talosctl(["df", "-i", "-b", "EPHEMERAL"])).stdout
      .trimEnd()
      .split("\n")[1]!
      .split(/ {3,}/);
    expect(raw.slice(3, 6)).toEqual([String(doc!.inodes), String(doc!.inodesUsed), String(doc!.inodesFree)]);
  });

  it("names a volume without a filesystem of its own", async () => {
    const r = await c.talosctl(["df", "META"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error from node ${NODE}: volume "META" not mounted\n`);
  });
});

describe("upgrade", () => {
  it("refuses an unknown containerd namespace for upgrade", async () => {
    const namespace = await c.talosctl(["upgrade", "--namespace", "bogus", "-n", NODE]);
    expect(namespace).toMatchObject({ code: 1, stderr: 'unsupported namespace "bogus"\n' });
  });
});
