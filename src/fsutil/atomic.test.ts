import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { setDurableWrites, writeFileAtomic, writeOutputFile } from "./atomic.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-atomic-"));
const readers: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  // A reader whose FIFO was never written would wait forever.
  for (const r of readers) if (r.exitCode === null) r.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A FIFO in the temporary folder and a reader that collects what comes through it. */
function fifoWithReader(name: string): { path: string; read: Promise<string> } {
  const fifo = path.join(dir, name);
  execFileSync("mkfifo", [fifo]);
  const reader = spawn("cat", [fifo], { stdio: ["ignore", "pipe", "inherit"] });
  readers.push(reader);
  let out = "";
  reader.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const read = new Promise<string>((resolve) => reader.on("close", () => resolve(out)));
  return { path: fifo, read };
}

describe("writeFileAtomic", () => {
  it("replaces a regular file atomically, with the given mode", () => {
    const file = path.join(dir, "plain.yaml");
    fs.writeFileSync(file, "old\n", { mode: 0o644 });
    writeFileAtomic(file, "new\n", { mode: 0o600 });
    expect(fs.readFileSync(file, "utf8")).toBe("new\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("syncs the file and its directory unless durable writes are turned off, and stays atomic either way", () => {
    const file = path.join(dir, "synced.yaml");
    const sync = vi.spyOn(fs, "fsyncSync");
    try {
      writeFileAtomic(file, "one\n");
      expect(sync).toHaveBeenCalledTimes(2);
      sync.mockClear();
      setDurableWrites(false);
      writeFileAtomic(file, "two\n");
      expect(sync).not.toHaveBeenCalled();
      expect(fs.readFileSync(file, "utf8")).toBe("two\n");
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      setDurableWrites(true);
      sync.mockRestore();
    }
  });

  it("writes through a FIFO instead of replacing it", async () => {
    const fifo = fifoWithReader("out.fifo");
    writeFileAtomic(fifo.path, "through the pipe\n", { mode: 0o600 });
    expect(await fifo.read).toBe("through the pipe\n");
    expect(fs.lstatSync(fifo.path).isFIFO()).toBe(true);
  });

  it("follows a symlink and writes its target, leaving the link in place", () => {
    const target = path.join(dir, "target.yaml");
    const link = path.join(dir, "link.yaml");
    const chain = path.join(dir, "chain.yaml");
    fs.writeFileSync(target, "old\n");
    fs.symlinkSync("target.yaml", link);
    fs.symlinkSync(link, chain);
    writeFileAtomic(chain, "new\n");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(chain).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, "utf8")).toBe("new\n");
  });

  it("creates the target of a dangling symlink, as writing through the link would", () => {
    const link = path.join(dir, "dangling.yaml");
    fs.symlinkSync("created-by-write.yaml", link);
    writeFileAtomic(link, "fresh\n");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "created-by-write.yaml"), "utf8")).toBe("fresh\n");
  });

  it("writes through a symlink to a FIFO", async () => {
    const fifo = fifoWithReader("linked.fifo");
    const link = path.join(dir, "to-fifo");
    fs.symlinkSync(fifo.path, link);
    writeFileAtomic(link, "via the link\n");
    expect(await fifo.read).toBe("via the link\n");
    expect(fs.lstatSync(fifo.path).isFIFO()).toBe(true);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("refuses a directory in one line", () => {
    expect(() => writeFileAtomic(dir, "x")).toThrow(`failed to write ${dir}: is a directory`);
  });
});

describe("writeOutputFile", () => {
  it("writes through an existing FIFO when forced, and refuses it otherwise", async () => {
    const fifo = fifoWithReader("forced.fifo");
    expect(() => writeOutputFile(fifo.path, "x")).toThrow("already exists, use --force to overwrite");
    writeOutputFile(fifo.path, "forced\n", { force: true });
    expect(await fifo.read).toBe("forced\n");
    expect(fs.lstatSync(fifo.path).isFIFO()).toBe(true);
  });
});
