import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { locateClientConfig, talosHome } from "./paths.js";

let root: string;
let home: string;
let system: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "clientconfig-paths-"));
  home = path.join(root, "home");
  system = path.join(root, "pod", "config");
  fs.mkdirSync(home);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function touch(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "");
  return file;
}

describe("locateClientConfig", () => {
  it("uses --talosconfig as given, resolved against cwd, whether or not it exists", () => {
    const env = { TALOSCONFIG: touch(path.join(root, "env-config")) };
    expect(locateClientConfig({ path: "rel/tc", env, homedir: home, cwd: root, systemPath: system })).toEqual(
      {
        path: path.join(root, "rel/tc"),
        writable: true,
        exists: false,
      },
    );
  });

  it("prefers an existing $TALOSCONFIG over the home config", () => {
    const fromEnv = touch(path.join(root, "env-config"));
    touch(path.join(home, ".talos", "config"));
    expect(locateClientConfig({ env: { TALOSCONFIG: fromEnv }, homedir: home, systemPath: system })).toEqual({
      path: fromEnv,
      writable: true,
      exists: true,
    });
  });

  it("falls back to the home config when $TALOSCONFIG names a missing file", () => {
    const homeConfig = touch(path.join(home, ".talos", "config"));
    const located = locateClientConfig({
      env: { TALOSCONFIG: path.join(root, "missing") },
      homedir: home,
      systemPath: system,
    });
    expect(located).toEqual({ path: homeConfig, writable: true, exists: true });
  });

  it("uses an absolute $TALOS_HOME instead of ~/.talos", () => {
    const talosDir = path.join(root, "th");
    const found = touch(path.join(talosDir, "config"));
    touch(path.join(home, ".talos", "config"));
    expect(
      locateClientConfig({ env: { TALOS_HOME: talosDir }, homedir: home, systemPath: system }).path,
    ).toBe(found);
  });

  it("ignores a relative $TALOS_HOME", () => {
    expect(talosHome({ TALOS_HOME: "relative/dir" }, home)).toBe(path.join(home, ".talos"));
    expect(
      locateClientConfig({ env: { TALOS_HOME: "th" }, homedir: home, cwd: root, systemPath: system }).path,
    ).toBe(path.join(home, ".talos", "config"));
  });

  it("reads the in-pod config when nothing else exists, and marks it read-only", () => {
    touch(system);
    expect(locateClientConfig({ env: {}, homedir: home, systemPath: system })).toEqual({
      path: system,
      writable: false,
      exists: true,
    });
  });

  it("picks the first writable candidate when nothing exists", () => {
    const fromEnv = path.join(root, "env-config");
    expect(locateClientConfig({ env: { TALOSCONFIG: fromEnv }, homedir: home, systemPath: system })).toEqual({
      path: fromEnv,
      writable: true,
      exists: false,
    });
    expect(locateClientConfig({ env: {}, homedir: home, systemPath: system })).toEqual({
      path: path.join(home, ".talos", "config"),
      writable: true,
      exists: false,
    });
  });

  it("needs no home directory when $TALOSCONFIG is set, and says what to do without either", () => {
    const fromEnv = path.join(root, "env-config");
    expect(locateClientConfig({ env: { TALOSCONFIG: fromEnv }, homedir: "", systemPath: system }).path).toBe(
      fromEnv,
    );
    expect(() => locateClientConfig({ env: {}, homedir: "", systemPath: system })).toThrow(
      /no home directory is known; set \$TALOSCONFIG or use --talosconfig/,
    );
  });
});
