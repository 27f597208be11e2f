import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { VOLUME_PARTITIONS_FILE, type VolumePartition, VolumePartitions } from "./volume-partitions.js";

function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "volume-partitions-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const MIB = 1024 ** 2;
const part = (over: Partial<VolumePartition>): VolumePartition => ({
  disk: "/dev/sdb",
  index: 1,
  offset: MIB,
  size: 1024 * MIB,
  label: "u-data",
  type: "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
  filesystem: "xfs",
  ...over,
});

describe("volume partitions", () => {
  it("are kept in STATE across boots, in disk and partition order", () => {
    const dir = tmp();
    const a = new VolumePartitions(dir);
    expect(a.list()).toEqual([]);
    expect(a.record(part({ index: 2, offset: 1025 * MIB, label: "r-raw", filesystem: "none" }))).toBe(true);
    expect(a.record(part({}))).toBe(true);
    expect(a.record(part({ disk: "/dev/sda", label: "u-sys" }))).toBe(true);
    // The same again changes nothing (and writes nothing).
    const written = fs.statSync(path.join(dir, VOLUME_PARTITIONS_FILE)).mtimeMs;
    expect(a.record(part({}))).toBe(false);
    expect(fs.statSync(path.join(dir, VOLUME_PARTITIONS_FILE)).mtimeMs).toBe(written);
    expect(fs.statSync(path.join(dir, VOLUME_PARTITIONS_FILE)).mode & 0o777).toBe(0o600);

    const b = new VolumePartitions(dir);
    expect(b.list().map((p) => `${p.disk}:${p.index}:${p.label}`)).toEqual([
      "/dev/sda:1:u-sys",
      "/dev/sdb:1:u-data",
      "/dev/sdb:2:r-raw",
    ]);
  });

  it("follow a filesystem made on a partition and drop partitions whose space was reused", () => {
    const p = new VolumePartitions();
    p.record(part({ filesystem: "none" }));
    p.record(part({ index: 2, offset: 1025 * MIB, label: "u-two" }));
    p.record(part({ filesystem: "ext4" }));
    expect(p.list().map((x) => `${x.index}:${x.filesystem}`)).toEqual(["1:ext4", "2:xfs"]);
    // A new partition 3 over the space of partition 2.
    p.record(part({ index: 3, offset: 1500 * MIB, label: "u-three" }));
    expect(p.list().map((x) => x.label)).toEqual(["u-data", "u-three"]);
  });

  it("go with their disk's partition table", () => {
    const dir = tmp();
    const p = new VolumePartitions(dir);
    p.record(part({}));
    p.record(part({ disk: "/dev/sdc" }));
    expect(p.forgetDisk("/dev/sdd")).toBe(false);
    expect(p.forgetDisk("/dev/sdb")).toBe(true);
    expect(new VolumePartitions(dir).list().map((x) => x.disk)).toEqual(["/dev/sdc"]);
  });

  it("ignore a record that is not one", () => {
    const dir = tmp();
    const file = path.join(dir, VOLUME_PARTITIONS_FILE);
    fs.writeFileSync(file, "{not json");
    expect(new VolumePartitions(dir).list()).toEqual([]);
    fs.writeFileSync(file, JSON.stringify([part({}), { disk: "/dev/sdb", index: -1 }, "x"]));
    expect(new VolumePartitions(dir).list()).toEqual([part({})]);
  });
});
