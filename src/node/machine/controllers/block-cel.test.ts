import { describe, expect, it } from "vitest";
import { celMatches } from "./block-cel.js";

const disk = {
  dev_path: "/dev/sdb",
  size: 20n * 1024n ** 3n,
  transport: "virtio",
  rotational: true,
  model: "QEMU HARDDISK",
};

describe("disk selectors", () => {
  it("evaluate against a disk and the system disk flag", () => {
    expect(celMatches("!system_disk", { disk, system_disk: false })).toBe(true);
    expect(celMatches("!system_disk", { disk, system_disk: true })).toBe(false);
    expect(celMatches("disk.dev_path == '/dev/sdb'", { disk, system_disk: false })).toBe(true);
    expect(celMatches("disk.size >= 10u * GiB", { disk, system_disk: false })).toBe(true);
    expect(celMatches("disk.size > 30u * GB", { disk, system_disk: false })).toBe(false);
    expect(
      celMatches("disk.transport in ['nvme', 'virtio'] && disk.rotational", { disk, system_disk: false }),
    ).toBe(true);
    expect(celMatches("disk.model.startsWith('QEMU') ? true : false", { disk, system_disk: false })).toBe(
      true,
    );
  });

  it("match nothing when they cannot be evaluated", () => {
    expect(celMatches("false", {})).toBe(false);
    expect(celMatches("unknown_var", { disk })).toBe(false);
    expect(celMatches("disk.size ==", { disk })).toBe(false);
  });
});
