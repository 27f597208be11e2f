import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lockPathFor, withFileLock } from "./lock.js";

let root: string;
let file: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "fsutil-lock-"));
  file = path.join(root, "config");
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

describe("withFileLock", () => {
  it("holds the lock file while the function runs and removes it afterwards, even on error", async () => {
    await withFileLock(file, () => {
      expect(fs.existsSync(lockPathFor(file))).toBe(true);
      expect(fs.statSync(lockPathFor(file)).mode & 0o777).toBe(0o600);
    });
    expect(fs.existsSync(lockPathFor(file))).toBe(false);
    await expect(
      withFileLock(file, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(fs.existsSync(lockPathFor(file))).toBe(false);
  });

  it("makes a second holder wait for the first", async () => {
    const order: string[] = [];
    let release!: () => void;
    const first = withFileLock(file, async () => {
      order.push("first in");
      await new Promise<void>((r) => {
        release = r;
      });
      order.push("first out");
    });
    await vi.waitFor(() => expect(order).toEqual(["first in"]));
    const second = withFileLock(file, () => {
      order.push("second in");
    });
    // Gives a second holder that wrongly got in the time to show: it must not.
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual(["first in"]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first in", "first out", "second in"]);
  });

  it("breaks a lock whose owner process is gone", async () => {
    fs.writeFileSync(
      lockPathFor(file),
      JSON.stringify({ pid: deadPid(), host: os.hostname(), token: "old" }),
    );
    let ran = false;
    await withFileLock(file, () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it("breaks a lock older than the stale limit even if its owner looks alive", async () => {
    fs.writeFileSync(lockPathFor(file), JSON.stringify({ pid: 1, host: "elsewhere", token: "old" }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPathFor(file), old, old);
    await withFileLock(file, () => {}, { staleMs: 30_000 });
    expect(fs.existsSync(lockPathFor(file))).toBe(false);
  });

  it("gives up on a live lock after the timeout with an error naming the lock file", async () => {
    fs.writeFileSync(
      lockPathFor(file),
      JSON.stringify({ pid: process.ppid, host: os.hostname(), token: "t" }),
    );
    await expect(withFileLock(file, () => {}, { timeoutMs: 100 })).rejects.toThrow(
      `timed out waiting for the lock on ${file}: ${lockPathFor(file)} is held by process ${process.ppid}; remove it if no talosctl is running`,
    );
    expect(fs.existsSync(lockPathFor(file))).toBe(true);
  });

  it("names the file when the lock cannot be created", async () => {
    const blocker = path.join(root, "a-file");
    fs.writeFileSync(blocker, "");
    const under = path.join(blocker, "config");
    await expect(withFileLock(under, () => {})).rejects.toThrow(
      `failed to write ${under}: a parent is not a directory`,
    );
  });
});
