// What talosctl writes lands where the path leads without replacing what is there: a FIFO (like
// a device or /dev/stdout) is written into, a symlink is followed to the file it names and stays
// a link. Everything happens in a temporary folder: no test here touches a real device.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isolatedEnv, runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";

const dir = tempDir("talos-write-targets-");
const readers: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  // A reader whose FIFO was never opened for writing would wait forever.
  for (const r of readers) if (r.exitCode === null) r.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A FIFO and a process reading it to the end. With `feed`, the process first opens it for
 * writing and closes it, so that a reader of the FIFO sees an empty file, then reads.
 */
function fifo(name: string, feed = false): { path: string; read: Promise<string> } {
  const file = path.join(dir, name);
  execFileSync("mkfifo", [file]);
  const script = feed ? ': > "$1"; exec cat "$1"' : 'exec cat "$1"';
  const reader = spawn("sh", ["-c", script, "sh", file], { stdio: ["ignore", "pipe", "inherit"] });
  readers.push(reader);
  let out = "";
  reader.stdout.setEncoding("utf8").on("data", (c: string) => {
    out += c;
  });
  return { path: file, read: new Promise((resolve) => reader.on("close", () => resolve(out))) };
}

describe("talosctl gen secrets -o", () => {
  it("writes the bundle into a FIFO with --force and leaves the FIFO in place", async () => {
    const f = fifo("secrets.fifo");
    const refused = await runInProcess(["gen", "secrets", "-o", f.path]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`file "${f.path}" already exists, use --force to overwrite`);
    const r = await runInProcess(["gen", "secrets", "-o", f.path, "--force"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const bundle = parse(await f.read) as { cluster?: { id?: string } };
    expect(bundle.cluster?.id).toMatch(/\S/);
    expect(fs.lstatSync(f.path).isFIFO()).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("follows a symlink to the file it names, which gets mode 0600; the link stays", async () => {
    const sub = path.join(dir, "vault");
    fs.mkdirSync(sub);
    const real = path.join(sub, "secrets.yaml");
    fs.writeFileSync(real, "old\n", { mode: 0o644 });
    const link = path.join(dir, "secrets-link.yaml");
    fs.symlinkSync(path.join("vault", "secrets.yaml"), link);
    const r = await runInProcess(["gen", "secrets", "-o", link, "--force"]);
    expect(r.code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, "utf8")).toMatch(/^cluster:/m);
    expect(fs.statSync(real).mode & 0o777).toBe(0o600);
  });
});

describe("talosctl gen config -o", () => {
  it("writes one output type into a FIFO with --force", async () => {
    const f = fifo("talosconfig.fifo");
    const r = await runInProcess([
      "gen",
      "config",
      "fifo-cluster",
      "https://10.5.0.2:6443",
      "--output-types",
      "talosconfig",
      "-o",
      f.path,
      "--force",
    ]);
    expect(r.code).toBe(0);
    const written = parse(await f.read) as { context?: string };
    expect(written.context).toBe("fifo-cluster");
    expect(fs.lstatSync(f.path).isFIFO()).toBe(true);
  });
});

describe("talosctl --talosconfig", () => {
  it("reads and writes a FIFO talosconfig through it, with no lock file beside it", async () => {
    const f = fifo("talosconfig-rw.fifo", true);
    const r = await runTalosctl(["--talosconfig", f.path, "config", "add", "through"], {
      env: isolatedEnv(dir),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const written = parse(await f.read) as { contexts?: Record<string, unknown> };
    expect(Object.keys(written.contexts ?? {})).toEqual(["through"]);
    expect(fs.lstatSync(f.path).isFIFO()).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith("talosconfig-rw.fifo"))).toEqual([
      "talosconfig-rw.fifo",
    ]);
  });

  it("edits the file a symlink names and keeps the link", async () => {
    const real = path.join(dir, "real-talosconfig");
    const link = path.join(dir, "talosconfig-link");
    fs.symlinkSync("real-talosconfig", link);
    const first = await runInProcess(["--talosconfig", link, "config", "add", "one"]);
    expect(first.code).toBe(0);
    const second = await runInProcess(["--talosconfig", link, "config", "add", "two"]);
    expect(second.code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    const written = parse(fs.readFileSync(real, "utf8")) as { contexts?: Record<string, unknown> };
    expect(Object.keys(written.contexts ?? {}).sort()).toEqual(["one", "two"]);
  });
});
