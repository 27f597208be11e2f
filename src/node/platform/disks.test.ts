import { describe, expect, it } from "vitest";
import { describeSelector, matchDisks, parseDiskFlag, parseSize } from "./disks.js";

describe("disks", () => {
  it("parses sizes in decimal and binary units", () => {
    expect(parseSize("10GiB")).toBe(10 * 1024 ** 3);
    expect(parseSize("1.5 GB")).toBe(1.5e9);
    expect(parseSize("4096")).toBe(4096);
    expect(parseSize("0GB")).toBeUndefined();
    expect(parseSize("10 parsecs")).toBeUndefined();
  });

  it("matches Talos disk selectors", () => {
    const disks = [parseDiskFlag("/dev/sda:10GiB", 0), parseDiskFlag("/dev/nvme0n1:500GB", 1)];
    expect(matchDisks({ size: ">= 100GB" }, disks).map((d) => d.devPath)).toEqual(["/dev/nvme0n1"]);
    expect(matchDisks({ size: "< 20GB", type: "hdd" }, disks).map((d) => d.devPath)).toEqual(["/dev/sda"]);
    expect(matchDisks({ model: "QEMU*" }, disks)).toHaveLength(2);
    expect(matchDisks({ name: "nvme*" }, disks).map((d) => d.devPath)).toEqual(["/dev/nvme0n1"]);
    expect(matchDisks({ wwid: "x" }, disks)).toEqual([]);
    expect(describeSelector({ size: ">= 1TB", type: "ssd" })).toBe("size: >= 1TB, type: ssd");
  });
});
