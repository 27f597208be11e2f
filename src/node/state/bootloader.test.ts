import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Bootloader } from "./bootloader.js";
import { Meta } from "./meta.js";

const dirs: string[] = [];
function dir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "bootloader-"));
  dirs.push(d);
  return d;
}

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("bootloader slots", () => {
  it("installs into the other slot each time, remembering the previous one as fallback", () => {
    const b = new Bootloader(dir());
    expect(b.read()).toBeUndefined();
    expect(b.install("v1.14.0", { ref: "r:1", version: "v1.14.1" })).toEqual({ previous: "A", next: "B" });
    expect(b.read()).toEqual({
      default: "B",
      fallback: "A",
      slots: {
        A: { ref: "ghcr.io/siderolabs/installer:v1.14.0", version: "v1.14.0" },
        B: { ref: "r:1", version: "v1.14.1" },
      },
    });
    expect(b.install("v1.14.1", { ref: "r:2", version: "v1.14.2" })).toEqual({ previous: "B", next: "A" });
    expect(b.read()?.slots.A?.version).toBe("v1.14.2");
    b.switchTo("B");
    expect(b.read()).toMatchObject({ default: "B", fallback: "A" });
    b.remove();
    expect(b.read()).toBeUndefined();
  });

  it("names the file when it is not a bootloader state", () => {
    const d = dir();
    fs.writeFileSync(path.join(d, "bootloader.json"), '{"default":"C","slots":{}}');
    expect(() => new Bootloader(d).read()).toThrow(
      `${path.join(d, "bootloader.json")}: not a valid bootloader state`,
    );
  });

  it("keeps META tags until deleted", () => {
    const m = new Meta(dir());
    expect(m.read()).toEqual({});
    m.update({ upgrade: "A" });
    m.update({ stagedUpgrade: { image: "i", preserve: false, powercycle: true } });
    expect(m.read()).toEqual({
      upgrade: "A",
      stagedUpgrade: { image: "i", preserve: false, powercycle: true },
    });
    m.update({ upgrade: undefined });
    expect(m.read()).toEqual({ stagedUpgrade: { image: "i", preserve: false, powercycle: true } });
  });
});
