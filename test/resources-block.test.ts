// The block resources of an installed node with a second disk, as `talosctl get` shows them:
// Talos's partitions on the system disk as discovered volumes, block devices and /dev/disk
// links; the system volume configs with their CEL selectors; EPHEMERAL and /var/mnt mounted.
// Then a UserVolumeConfig applied live provisions a partition on the second disk and mounts it
// at /var/mnt/<name>, and applying the config without it takes its resources away (but not the
// partition, which the document applied again finds and mounts), each watch printing the
// changes in order. ExistingVolumeConfig documents find a partition by their
// selector: missing while none matches, failed over a raw volume's unformatted partition, and
// mounted (read-only when asked) over a user volume's filesystem. An ExternalVolumeConfig mounts
// the virtiofs share the host exports (`--virtiofs`) under /var/mnt. A FilesystemTrimConfig turns
// trimming on for the system volumes, each with its trim schedule. Wiping the disk takes the
// partitions removed documents left behind.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConfiguredNode,
  type InProcessRun,
  startConfiguredNode,
  startInProcess,
} from "./helpers/cluster.js";

let c: ConfiguredNode;

beforeAll(async () => {
  c = await startConfiguredNode({
    args: ["--disk", "/dev/sda:10GiB", "--disk", "/dev/sdb:20GiB", "--virtiofs", "share0"],
  });
  // The system volumes are ready once the boot has mounted them.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await c.talosctl(["get", "volumestatus", "EPHEMERAL", "-o", "yaml"]);
    if (r.code === 0 && r.stdout.includes("phase: ready")) break;
    if (Date.now() > deadline) throw new Error(`EPHEMERAL not ready: ${r.stdout}${r.stderr}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}, 60_000);

afterAll(async () => {
  await c?.stop();
});

/** Table rows of a `talosctl get` (header dropped), split on the column padding. */
async function table(...args: string[]): Promise<string[][]> {
  const r = await c.talosctl(["get", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split("\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => l.trimEnd().split(/ {2,}/));
}

async function yaml(...args: string[]): Promise<string> {
  const r = await c.talosctl(["get", ...args, "-o", "yaml"]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The `get -w` rows so far: marker (+, - or blank), id, version, then the print columns. */
function watchRows(run: InProcessRun): string[][] {
  return run
    .stdout()
    .split("\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => {
      const m = /^(\S+) {3}([+\- ]) {3}(.*)$/.exec(l);
      if (!m) throw new Error(`unexpected row: ${l}`);
      const [, type, id, version, ...rest] = m[3]!.trimEnd().split(/ {2,}/);
      return [m[2]!, id!, version!, type!, ...rest];
    });
}

const USER_VOLUME = `apiVersion: v1alpha1
kind: UserVolumeConfig
name: data
provisioning:
  diskSelector:
    match: "!system_disk"
  maxSize: 5GiB
`;

async function apply(text: string): Promise<void> {
  const file = path.join(c.dir, "applied.yaml");
  fs.writeFileSync(file, text);
  const r = await c.talosctl(["apply-config", "-f", file, "--mode", "no-reboot"]);
  expect(r.code, r.stderr).toBe(0);
}

describe("block resources of an installed node", () => {
  it("discovers the system disk's partitions and the second disk", async () => {
    const dvs = await table("discoveredvolumes");
    const byId = new Map(dvs.map((r) => [r[3], r.slice(5)]));
    expect([...byId.keys()]).toEqual(["sda", "sda1", "sda2", "sda3", "sda4", "sda5", "sda6", "sdb"]);
    expect(byId.get("sda")).toEqual(["disk", "11 GB", "gpt"]);
    expect(byId.get("sda1")).toEqual(["partition", "105 MB", "vfat", "EFI", "EFI"]);
    expect(byId.get("sda4")).toEqual(["partition", "1.0 MB", "talosmeta", "META"]);
    expect(byId.get("sda6")).toEqual(["partition", "9.2 GB", "xfs", "EPHEMERAL", "EPHEMERAL"]);
    expect(byId.get("sdb")).toEqual(["disk", "22 GB"]);

    // The EPHEMERAL partition is the volume the volume manager reports, with the same UUIDs.
    const dv = await yaml("discoveredvolume", "sda6");
    const vs = await yaml("volumestatus", "EPHEMERAL");
    const size = /\n {4}size: (\d+)\n/.exec(dv)?.[1];
    expect(size).toBeDefined();
    expect(vs).toContain(`\n    size: ${size}\n`);
    expect(dv).toContain("partition_type: 0fc63daf-8483-4772-8e79-3d69d8477de4");
    expect(dv).toMatch(/\n {4}uuid: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n/);

    const devices = await table("blockdevices");
    expect(devices.map((r) => `${r[3]} ${r[5]} ${r[6]}`)).toContain("sda6 partition EPHEMERAL");
    const links = await yaml("blocksymlinks", "sda6");
    expect(links).toContain("- /dev/disk/by-partlabel/EPHEMERAL");
    expect(links).toContain("- /dev/disk/by-label/EPHEMERAL");
  });

  it("configures, mounts and reports the system volumes", async () => {
    expect((await table("volumeconfigs")).map((r) => r[3])).toEqual([
      "/var/mnt",
      "EPHEMERAL",
      "META",
      "STATE",
    ]);
    const ephemeral = await yaml("volumeconfig", "EPHEMERAL");
    expect(ephemeral).toContain("match: system_disk");
    expect(ephemeral).toContain('match: volume.partition_label == "EPHEMERAL"');
    expect(ephemeral).toContain("owner: block.VolumeConfigController");
    expect(await yaml("volumeconfig", "META")).toContain(
      'match: volume.partition_label == "META" && volume.name in ["", "talosmeta"] && volume.size == 1048576u',
    );

    const mounts = await table("mountstatuses.block");
    expect(mounts.map((r) => r.slice(3))).toEqual([
      ["/var/mnt", "1", "/var/mnt", "none", "/var/mnt"],
      ["EPHEMERAL", "1", "/dev/sda6", "/var", "xfs", "EPHEMERAL"],
    ]);
    const vms = await table("volumemountstatuses");
    expect(vms.map((r) => r.slice(3))).toEqual([
      ["/var/mnt", "1", "/var/mnt", "block.VolumeConfigController", "/var/mnt"],
      ["EPHEMERAL", "1", "EPHEMERAL", "sequencer", "/var"],
    ]);
    expect((await table("userdiskconfigstatuses")).map((r) => r.slice(3))).toEqual([
      ["user-disks", "1", "true"],
    ]);
    expect((await table("volumelifecycles")).map((r) => r[3])).toEqual(["volumes"]);
    // Discovery acknowledged the refresh requested once the devices were ready.
    expect((await table("discoveryrefreshrequests")).map((r) => r.slice(3))).toEqual([["refresh", "1", "1"]]);
    // Discovery wrote it first before any request (0), then acknowledging request 1.
    expect((await table("discoveryrefreshstatuses")).map((r) => r.slice(3))).toEqual([["refresh", "2", "1"]]);
  });

  it("provisions and mounts a UserVolumeConfig applied live, unmounts it when removed, keeping its partition", async () => {
    const opts = { cwd: c.dir, home: c.home, env: c.env() };
    const watches = {
      configs: startInProcess(["get", "volumeconfigs", "-w"], opts),
      statuses: startInProcess(["get", "volumestatus", "-w"], opts),
      mounts: startInProcess(["get", "mountstatuses.block", "-w"], opts),
      discovered: startInProcess(["get", "discoveredvolumes", "-w"], opts),
    };
    try {
      await watches.configs.waitFor(/ STATE +\d+\n/);
      await watches.statuses.waitFor(/ STATE +\d+ +partition +ready/);
      await watches.mounts.waitFor(/ EPHEMERAL +\d+ +\/dev\/sda6/);
      await watches.discovered.waitFor(/ sdb +\d+ +disk/);

      await apply(`${c.cluster.controlplane}\n---\n${USER_VOLUME}`);
      await watches.configs.waitFor(/\+ +runtime +VolumeConfig +u-data +1\n/);
      await watches.statuses.waitFor(
        /\+ +runtime +VolumeStatus +u-data +1 +partition +ready +\/dev\/sdb1 +5\.4 GB\n/,
      );
      await watches.mounts.waitFor(
        /\+ +runtime +MountStatus +u-data +1 +\/dev\/sdb1 +\/var\/mnt\/data +xfs +u-data\n/,
      );
      await watches.discovered.waitFor(
        /\+ +runtime +DiscoveredVolume +sdb1 +1 +partition +5\.4 GB +xfs +u-data\n/,
      );

      const config = await yaml("volumeconfig", "u-data");
      expect(config).toContain('talos.dev/user-volume: ""');
      expect(config).toContain("match: '!system_disk'");
      expect(config).toContain("minSize: 104857600");
      expect(config).toContain("maxSize: 5368709120");
      expect(config).toContain("parentId: /var/mnt");
      expect((await table("volumemountstatuses", "u-data")).map((r) => r.slice(3))).toEqual([
        ["u-data", "1", "u-data", "block.VolumeConfigController", "/var/mnt/data"],
      ]);
      // The mount is in the node's mount table, its directory in the root filesystem.
      const mounted = await c.talosctl(["mounts"]);
      expect(mounted.stdout).toMatch(/\n\S+ +\/dev\/sdb1 +5\.37 +0\.03 +5\.34 +0\.63% +\/var\/mnt\/data\n/);
      const listed = await c.talosctl(["ls", "/var/mnt"]);
      expect(listed.stdout, listed.stderr).toMatch(/\ndata\n/);
      // The disk now has a partition table: its discovered volume changed.
      expect(
        watchRows(watches.discovered)
          .filter((r) => r[1] === "sdb")
          .map((r) => `${r[0]}${r[2]}`),
      ).toEqual(["+1", " 2"]);

      await apply(c.cluster.controlplane);
      await watches.configs.waitFor(/- +runtime +VolumeConfig +u-data +1\n/);
      await watches.statuses.waitFor(/- +runtime +VolumeStatus +u-data +1 /);
      await watches.mounts.waitFor(/- +runtime +MountStatus +u-data +1 /);
      const events = (w: InProcessRun) =>
        watchRows(w)
          .filter((r) => r[1] === "u-data")
          .map((r) => `${r[0]}${r[2]}`);
      expect(events(watches.configs)).toEqual(["+1", "-1"]);
      expect(events(watches.statuses)).toEqual(["+1", "-1"]);
      expect(events(watches.mounts)).toEqual(["+1", "-1"]);
      expect((await table("volumemountstatuses")).map((r) => r[3])).toEqual(["/var/mnt", "EPHEMERAL"]);
      expect((await c.talosctl(["mounts"])).stdout).not.toContain("/var/mnt/data");
      // The partition and the data on it stay on the disk.
      expect((await table("discoveredvolumes", "sdb1")).map((r) => r.slice(3))).toEqual([
        ["sdb1", "1", "partition", "5.4 GB", "xfs", "u-data"],
      ]);

      // Applied again, the volume finds its partition: no other one is made.
      await apply(`${c.cluster.controlplane}\n---\n${USER_VOLUME}`);
      const twice = (row: string) => new RegExp(`${row}[^\\n]*\\n[\\s\\S]*${row}`);
      await watches.statuses.waitFor(
        twice("\\+ +runtime +VolumeStatus +u-data +1 +partition +ready +/dev/sdb1 +5\\.4 GB"),
      );
      await watches.mounts.waitFor(
        twice("\\+ +runtime +MountStatus +u-data +1 +/dev/sdb1 +/var/mnt/data +xfs"),
      );
      expect(
        (await table("discoveredvolumes")).map((r) => r[3]).filter((id) => id?.startsWith("sdb")),
      ).toEqual(["sdb", "sdb1"]);
      // Discovery saw the partition once, when it was made.
      expect(
        watchRows(watches.discovered)
          .filter((r) => r[1] === "sdb1")
          .map((r) => `${r[0]}${r[2]}`),
      ).toEqual(["+1"]);
      await apply(c.cluster.controlplane);
      await watches.mounts.waitFor(twice("- +runtime +MountStatus +u-data +1 "));
    } finally {
      for (const w of Object.values(watches)) w.cancel();
      for (const w of Object.values(watches)) await w.result;
    }
  }, 60_000);

  it("reports a user volume no disk has room for as failed", async () => {
    await apply(
      `${c.cluster.controlplane}\n---\n${USER_VOLUME.replace("name: data", "name: sys").replace('"!system_disk"', "system_disk")}`,
    );
    const deadline = Date.now() + 20_000;
    let status = "";
    while (!status.includes("phase: failed")) {
      if (Date.now() > deadline) throw new Error(`u-sys did not fail: ${status}`);
      status = (await c.talosctl(["get", "volumestatus", "u-sys", "-o", "yaml"])).stdout;
      if (!status.includes("phase: failed")) await new Promise((done) => setTimeout(done, 100));
    }
    expect(status).toContain(
      "errorMessage: 'no disks matched for volume (1 matched selector): 1 have not enough space, 0 have wrong format, 0 have other issues'",
    );
    expect((await table("mountstatuses.block")).map((r) => r[3])).toEqual(["/var/mnt", "EPHEMERAL"]);
    await apply(c.cluster.controlplane);
  }, 40_000);

  it("mounts an ExistingVolumeConfig on the partition its selector finds, never formatting it", async () => {
    const existing = (name: string, match: string, readOnly: boolean) =>
      `apiVersion: v1alpha1\nkind: ExistingVolumeConfig\nname: ${name}\ndiscovery:\n  volumeSelector:\n    match: ${match}\n${readOnly ? "mount:\n  readOnly: true\n" : ""}`;
    const raw = USER_VOLUME.replace("UserVolumeConfig", "RawVolumeConfig").replace(
      "name: data",
      "name: scratch",
    );
    const status = async (id: string, phase: string): Promise<string> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const r = await c.talosctl(["get", "volumestatus", id, "-o", "yaml"]);
        if (r.stdout.includes(`phase: ${phase}`)) return r.stdout;
        if (Date.now() > deadline) throw new Error(`${id} not ${phase}: ${r.stdout}${r.stderr}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    };

    // The raw volume provides a partition without a filesystem: the existing volume fails on it.
    await apply(
      [
        c.cluster.controlplane,
        raw,
        existing("old", "volume.partition_label == 'r-scratch'", false),
        existing("gone", "volume.partition_label == 'nothing'", false),
      ].join("\n---\n"),
    );
    const failed = await status("e-old", "failed");
    // The user volume's partition, kept from before, is sdb1: the raw volume got the next one.
    expect(failed).toContain("errorMessage: filesystem not found on /dev/sdb2");
    expect(failed).toContain("location: /dev/sdb2");
    expect(await status("e-gone", "missing")).not.toContain("location:");
    const config = await yaml("volumeconfig", "e-old");
    expect(config).toContain('talos.dev/existing-volume: ""');
    expect(config).toContain('match: volume.partition_label == "r-scratch"');
    expect(config).toContain("provisioning: {}");
    expect((await table("mountstatuses.block")).map((r) => r[3])).toEqual(["/var/mnt", "EPHEMERAL"]);
    // Only the raw volume got a partition.
    expect((await table("discoveredvolumes")).map((r) => r[3]).filter((id) => id?.startsWith("sdb"))).toEqual(
      ["sdb", "sdb1", "sdb2"],
    );

    // Over a user volume's XFS partition it is mounted at /var/mnt/<name>, read-only as asked.
    await apply(
      [c.cluster.controlplane, USER_VOLUME, existing("old", "volume.partition_label == 'u-data'", true)].join(
        "\n---\n",
      ),
    );
    const ready = await status("e-old", "ready");
    expect(ready).toContain("filesystem: xfs");
    expect(ready).toContain("location: /dev/sdb1");
    expect(await yaml("volumemountrequest", "e-old")).toContain("readOnly: true");
    const deadline = Date.now() + 20_000;
    let mounts = await table("mountstatuses.block");
    while (!mounts.some((r) => r[3] === "e-old")) {
      if (Date.now() > deadline) throw new Error(`e-old not mounted: ${JSON.stringify(mounts)}`);
      await new Promise((done) => setTimeout(done, 100));
      mounts = await table("mountstatuses.block");
    }
    expect(mounts.find((r) => r[3] === "e-old")?.slice(5, 7)).toEqual(["/dev/sdb1", "/var/mnt/old"]);
    expect(await yaml("mountstatuses.block", "e-old")).toContain("readOnly: true");
    expect((await table("volumemountstatuses", "e-old")).map((r) => r.slice(3))).toEqual([
      ["e-old", "1", "e-old", "block.VolumeConfigController", "/var/mnt/old"],
    ]);
    expect((await c.talosctl(["mounts"])).stdout).toMatch(/ \/var\/mnt\/old\n/);
    const listed = await c.talosctl(["ls", "/var/mnt"]);
    expect(listed.stdout, listed.stderr).toMatch(/\nold\n/);

    // Removed, its resources go; the partition it mounted stays with its user volume.
    await apply(`${c.cluster.controlplane}\n---\n${USER_VOLUME}`);
    const gone = Date.now() + 20_000;
    for (;;) {
      const configs = (await table("volumeconfigs")).map((r) => r[3]);
      if (!configs.includes("e-old")) break;
      if (Date.now() > gone) throw new Error(`e-old still configured: ${configs.join(" ")}`);
      await new Promise((done) => setTimeout(done, 100));
    }
    expect((await table("volumestatuses")).map((r) => r[3])).not.toContain("e-old");
    expect((await table("mountstatuses.block")).map((r) => r[3])).toEqual([
      "/var/mnt",
      "EPHEMERAL",
      "u-data",
    ]);
    expect((await c.talosctl(["mounts"])).stdout).not.toContain("/var/mnt/old");
    await apply(c.cluster.controlplane);
  }, 60_000);

  it("mounts an ExternalVolumeConfig's virtiofs share at /var/mnt/<name>, read-only when asked", async () => {
    const external = (name: string, tag: string, readOnly: boolean) =>
      `apiVersion: v1alpha1\nkind: ExternalVolumeConfig\nname: ${name}\nfilesystemType: virtiofs\nmount:\n  virtiofs:\n    tag: ${tag}\n${readOnly ? "  readOnly: true\n" : ""}`;
    const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    };
    const mounted = async () => (await table("mountstatuses.block")).map((r) => r[3]);

    // share0 is exported by the host; share9 is not, so its mount never happens.
    await apply(
      [c.cluster.controlplane, external("shared", "share0", false), external("absent", "share9", false)].join(
        "\n---\n",
      ),
    );
    await until("x-shared mounted", async () => (await mounted()).includes("x-shared"));
    const config = await yaml("volumeconfig", "x-shared");
    expect(config).toContain('talos.dev/external-volume: ""');
    expect(config).toContain("type: external");
    expect(config).toContain("external: share0");
    expect(config).toContain("type: virtiofs");
    const status = await yaml("volumestatus", "x-shared");
    expect(status).toContain("phase: ready");
    expect(status).toContain("location: share0");
    expect(status).toContain("filesystem: virtiofs");
    const ms = await yaml("mountstatuses.block", "x-shared");
    expect(ms).toContain("source: share0");
    expect(ms).toContain("target: /var/mnt/shared");
    expect(ms).toContain("readOnly: false");
    const request = await yaml("volumemountrequest", "x-shared");
    expect(request).toContain("secure: true");
    expect(request).toContain("noExec: true");
    expect((await table("volumemountstatuses", "x-shared")).map((r) => r.slice(3))).toEqual([
      ["x-shared", "1", "x-shared", "block.VolumeConfigController", "/var/mnt/shared"],
    ]);
    const listed = await c.talosctl(["ls", "/var/mnt"]);
    expect(listed.stdout, listed.stderr).toMatch(/\nshared\n/);
    expect((await table("mountrequests")).map((r) => r[3])).toContain("x-absent");
    expect(await mounted()).not.toContain("x-absent");

    // Read-only now: the mount follows.
    await apply([c.cluster.controlplane, external("shared", "share0", true)].join("\n---\n"));
    await until("x-shared read-only", async () =>
      (await yaml("mountstatuses.block", "x-shared")).includes("readOnly: true"),
    );
    expect((await table("volumeconfigs")).map((r) => r[3])).not.toContain("x-absent");

    await apply(c.cluster.controlplane);
    await until(
      "x-shared gone",
      async () => !(await table("volumestatuses")).some((r) => r[3] === "x-shared"),
    );
    expect(await mounted()).not.toContain("x-shared");
  }, 60_000);

  it("trims the volumes a FilesystemTrimConfig turns trimming on for, on a schedule per volume", async () => {
    const schedules = async () => (await table("volumetrimschedules")).map((r) => r.slice(3, 6));
    const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!(await check())) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await schedules())}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    };
    // The generated config turns trimming on: the system volumes have their schedules.
    const docs = c.cluster.controlplane.split(/\n---\n/);
    const trimDoc = docs.findIndex((d) => /^kind: FilesystemTrimConfig$/m.test(d));
    expect(trimDoc).toBeGreaterThan(0);
    expect((await schedules()).map((r) => r[0])).toEqual(["EPHEMERAL", "STATE"]);

    const withInterval = docs.map((d, i) =>
      i === trimDoc ? d.replace(/^interval: .*$/m, "interval: 24h") : d,
    );
    await apply(withInterval.join("\n---\n"));
    await until("a 24h schedule", async () =>
      (await yaml("volumetrimschedule", "EPHEMERAL")).includes("interval: 24h0m0s"),
    );
    const schedule = await yaml("volumetrimschedule", "EPHEMERAL");
    expect(schedule).toContain("filesystem: xfs");
    const next = Date.parse(/nextTrim: "?([^"\s]+)/.exec(schedule)?.[1] ?? "");
    expect(next - Date.now(), schedule).toBeGreaterThan(0);
    expect(next - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    for (const type of ["volumeconfig", "volumestatus"]) {
      const text = await yaml(type, "EPHEMERAL");
      expect(text, type).toContain("trimEnabled: true");
      expect(text, type).toContain("trimInterval: 24h0m0s");
    }

    // Without the document nothing is trimmed.
    await apply(docs.filter((_, i) => i !== trimDoc).join("\n---\n"));
    await until("no schedules", async () => (await schedules()).length === 0);
    expect(await yaml("volumestatus", "EPHEMERAL")).not.toContain("trimEnabled");
    await apply(c.cluster.controlplane);
    await until("schedules back", async () => (await schedules()).length === 2);
  }, 60_000);

  it("loses the partitions volume documents left behind when their disk is wiped", async () => {
    const sdb = async () =>
      (await table("discoveredvolumes")).map((r) => r[3]).filter((id) => id?.startsWith("sdb"));
    // What the earlier documents made is still there: the user volume's and the raw volume's.
    expect(await sdb()).toEqual(["sdb", "sdb1", "sdb2"]);
    const recorded = () =>
      (
        JSON.parse(fs.readFileSync(path.join(c.node.stateDir, "volume-partitions.json"), "utf8")) as {
          label: string;
        }[]
      ).map((p) => p.label);
    expect(recorded()).toEqual(["u-data", "r-scratch"]);

    expect(await c.talosctl(["wipe", "disk", "sdb"])).toEqual({ code: 0, stdout: "", stderr: "" });
    const deadline = Date.now() + 20_000;
    while ((await sdb()).length > 1) {
      if (Date.now() > deadline) throw new Error(`partitions left: ${(await sdb()).join(" ")}`);
      await new Promise((done) => setTimeout(done, 100));
    }
    expect(recorded()).toEqual([]);
    expect(await table("discoveredvolumes", "sdb")).toEqual([expect.arrayContaining(["sdb", "disk"])]);
  }, 40_000);
});
