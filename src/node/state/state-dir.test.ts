import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { StateDir } from "./state-dir.js";

/** A scratch directory removed when the test ends. */
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "state-dir-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("STATE directory", () => {
  it("creates itself, an identity, and keeps the config atomically with mode 0600", () => {
    const dir = path.join(tmp(), "nested", "state");
    const state = StateDir.open(dir);
    const id = state.identity();
    expect(id.defaultHostname).toMatch(/^talos-[a-z0-9]{3}-[a-z0-9]{3}$/);
    expect(state.identity()).toEqual(id);
    expect(state.readConfig()).toBeUndefined();
    state.writeConfig(Buffer.from("version: v1alpha1\n"));
    expect(state.readConfig()?.toString()).toBe("version: v1alpha1\n");
    expect(fs.statSync(path.join(dir, "config.yaml")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(state.updateIdentity({ installed: true }).installed).toBe(true);
    state.close();
    expect(fs.readdirSync(dir).sort()).toEqual(["config.yaml", "node.json"]);
  });

  it("is locked while open and cleans what a crash left", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, ".config.yaml.abcdef012345.tmp"), "torn");
    const state = StateDir.open(dir);
    expect(fs.existsSync(path.join(dir, ".config.yaml.abcdef012345.tmp"))).toBe(false);
    // Same process: the lock names this pid, which counts as stale for a second open here.
    fs.writeFileSync(path.join(dir, "talos-node.pid"), `${process.ppid}\n`);
    expect(() => StateDir.open(dir)).toThrow(/is in use by another talos-node \(pid \d+\)/);
    state.close();
  });

  it("names the file of a broken identity", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "node.json"), "{not json");
    const state = StateDir.open(dir);
    expect(() => state.identity()).toThrow(
      `${path.join(dir, "node.json")}: not a valid node identity (JSON expected)`,
    );
    state.close();
  });

  it("refuses a state path that is a file", () => {
    const file = path.join(tmp(), "file");
    fs.writeFileSync(file, "");
    expect(() => StateDir.open(file)).toThrow(/^--state-dir .*file: /);
  });
});
