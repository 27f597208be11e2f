import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseDiskFlag } from "./disks.js";
import { BlockStorage, STORAGE_FILE, storageFromLayout } from "./storage.js";

const DISKS = ["/dev/sda:10GiB", "/dev/sdb:4GiB", "/dev/sdc:4GiB", "/dev/sdd:1GiB"].map(parseDiskFlag);
const W = "--storage s.yaml";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("the storage layout", () => {
  it("names the field at fault", () => {
    const bad: [unknown, string][] = [
      [
        { partitions: { "/dev/sda": [] } },
        "partitions./dev/sda: the system disk's partitions are Talos's own",
      ],
      [
        { partitions: { "/dev/sdx": [] } },
        "partitions./dev/sdx: not a disk of this node (add it with --disk /dev/sdx:SIZE)",
      ],
      [
        { partitions: { "/dev/sdb": [{ size: "5GiB" }] } },
        "partitions./dev/sdb[0]: the partitions do not fit on /dev/sdb",
      ],
      [
        { partitions: { "/dev/sdb": [{ size: "1GiB", mountedOn: "/x" }] } },
        "a partition without a filesystem cannot be mounted",
      ],
      [
        { lvm: [{ vg: "vg0", pvs: ["/dev/sdb"] }], md: [{ name: "m", members: ["/dev/sdb"] }] },
        "md[0].members: /dev/sdb is already used by volume group vg0",
      ],
      [
        { lvm: [{ vg: "vg0", pvs: ["/dev/sdq"] }] },
        "lvm[0].pvs: /dev/sdq is not an extra disk or a partition of one",
      ],
      [{ md: [{ name: "m", level: "raid7", members: ["/dev/sdc"] }] }, "md[0]: level must be raid0"],
      [{ disks: {} }, 'unknown field "disks"'],
    ];
    for (const [doc, message] of bad) {
      expect(() => storageFromLayout(doc, DISKS, W), message).toThrow(message);
    }
  });

  it("keeps what a wipe or a removal changed in STATE, and ignores the seed from then on", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-storage-"));
    dirs.push(dir);
    const seed = storageFromLayout(
      {
        partitions: { "/dev/sdb": [{ size: "1GiB", filesystem: "xfs" }, { size: "1GiB" }] },
        lvm: [{ vg: "vg0", pvs: ["/dev/sdc"], lvs: [{ name: "lv0", size: "1GiB" }] }],
      },
      DISKS,
      W,
    );
    const first = new BlockStorage(dir, DISKS, seed);
    expect(first.devices(false).map((d) => d.id)).toEqual([
      "sda",
      "sdb",
      "sdb1",
      "sdb2",
      "sdc",
      "sdd",
      "dm-0",
    ]);
    first.wipe("sdb2", true);
    first.removeVolumeGroup("vg0");
    expect(fs.existsSync(path.join(dir, STORAGE_FILE))).toBe(true);
    const again = new BlockStorage(dir, DISKS, seed);
    expect(again.devices(false).map((d) => d.id)).toEqual(["sda", "sdb", "sdb1", "sdc", "sdd"]);
    expect(() => again.removePhysicalVolume("/dev/sdc")).not.toThrow();
    expect(() => again.removePhysicalVolume("/dev/sdc")).toThrow(/No physical volume label/);
  });
});
