// The emulated root filesystem a STATE directory starts with, and opening it again keeping what
// the machine changed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOTFS_DIR } from "./rootfs.js";
import { LIVE_PATHS, openRootFs } from "./rootfs-seed.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "talos-rootfs-"));
  dirs.push(d);
  return d;
}

describe("openRootFs", () => {
  it("seeds directories, files with their sizes and modes, links and the live paths", () => {
    const state = stateDir();
    openRootFs(state);
    const root = path.join(state, ROOTFS_DIR);
    expect(fs.statSync(path.join(root, "var", "lib", "kubelet", "seccomp", "profiles")).isDirectory()).toBe(
      true,
    );
    expect(fs.readlinkSync(path.join(root, "lib"))).toBe("usr/lib");
    expect(
      fs.statSync(path.join(root, "var", "lib", "containerd", "io.containerd.metadata.v1.bolt", "meta.db"))
        .size,
    ).toBe(65_536);
    expect(fs.statSync(path.join(root, "usr", "bin", "runc")).mode & 0o777).toBe(0o755);
    for (const live of LIVE_PATHS)
      expect(fs.existsSync(path.join(root, ...live.split("/").filter(Boolean)))).toBe(true);
    expect(fs.statSync(path.join(root, "system", "state", "config.yaml")).mode & 0o777).toBe(0o600);
  });

  it("keeps what is there when opened again, and puts back what went missing", () => {
    const state = stateDir();
    openRootFs(state);
    const root = path.join(state, ROOTFS_DIR);
    const kubelet = path.join(root, "var", "lib", "kubelet", "config.yaml");
    fs.writeFileSync(kubelet, "changed\n");
    fs.rmSync(path.join(root, "var", "log", "pods"), { recursive: true });
    fs.rmSync(path.join(root, "lib"));
    openRootFs(state);
    expect(fs.readFileSync(kubelet, "utf8")).toBe("changed\n");
    expect(fs.statSync(path.join(root, "var", "log", "pods")).isDirectory()).toBe(true);
    expect(fs.readlinkSync(path.join(root, "lib"))).toBe("usr/lib");
  });
});
