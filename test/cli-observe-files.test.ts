// list, read, copy and usage of the real CLI against a real configured talos-node: the node's
// emulated root filesystem, every output form, paths that try to leave the node's root, and
// the local extraction of `copy`.

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTar, type TarHeader } from "../src/client/tar.js";
import { killAtEnd, removeAtEnd } from "./helpers/cleanup.js";
import { isolatedEnv, TALOSCTL } from "./helpers/cli.js";
import { type ConfiguredNode, startConfiguredNode } from "./helpers/cluster.js";
import { waitFor } from "./helpers/wait.js";

let c: ConfiguredNode;
const NODE = "127.0.0.1";
/** A directory outside the node's root, with a file a path escape would reveal. */
let outside: string;

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

function ndjson(text: string): Record<string, unknown>[] {
  return lines(text).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function table(text: string): string[][] {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => l.split(/ {3,}/));
}

async function tarEntries(archive: Buffer): Promise<{ header: TarHeader; data: string }[]> {
  const out: { header: TarHeader; data: string }[] = [];
  async function* once(): AsyncIterable<Uint8Array> {
    yield gunzipSync(archive);
  }
  await readTar(once(), async (header, data) => {
    const chunks: Buffer[] = [];
    await data(async (chunk) => {
      chunks.push(Buffer.from(chunk));
    });
    out.push({ header, data: Buffer.concat(chunks).toString("utf8") });
  });
  return out;
}

beforeAll(async () => {
  c = await startConfiguredNode({ args: ["--time-scale", "50"] });
  // A secret next to the node's STATE directory, and a link inside the node's tree aiming at
  // it the way a hostile file would: up and out with `..`.
  outside = path.join(path.dirname(c.node.stateDir), `outside-${path.basename(c.node.stateDir)}`);
  fs.mkdirSync(removeAtEnd(outside));
  fs.writeFileSync(path.join(outside, "secret.txt"), "host secret\n");
  const rootfs = path.join(c.node.stateDir, "rootfs");
  await waitFor(() => fs.existsSync(path.join(rootfs, "var")), { what: "the node's rootfs /var" });
  const rel = path.relative(path.join(rootfs, "var"), outside);
  fs.symlinkSync(rel, path.join(rootfs, "var", "sneaky"));
});

afterAll(async () => {
  await c?.stop();
});

describe("list", () => {
  it("prints plain names for one node, a NODE column for several", async () => {
    const r = await c.talosctl(["ls", "/"]);
    expect(r.code, r.stderr).toBe(0);
    const names = lines(r.stdout);
    expect(names).toEqual(expect.arrayContaining(["etc", "var", "system", "proc"]));
    const two = await c.talosctl(["list", "/etc", "-n", `${NODE},localhost`]);
    expect(two.code, two.stderr).toBe(0);
    const rows = table(two.stdout);
    expect(rows[0]).toEqual(["NODE", "NAME"]);
    expect(rows.filter((row) => row[0] === "localhost").length).toBe(
      rows.filter((row) => row[0] === NODE).length,
    );
  });

  it("shows details with -l, humanized with -H, links with their target", async () => {
    const r = await c.talosctl(["ls", "-l", "/var"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual(["NODE", "MODE", "UID", "GID", "SIZE(B)", "LASTMOD", "LABEL", "NAME"]);
    const sneaky = r.stdout.split("\n").find((l) => l.includes("sneaky"))!;
    expect(sneaky).toMatch(
      /^127\.0\.0\.1 +Lrwxrwxrwx +0 +0 +\d+ +\w{3} [ \d]\d \d\d:\d\d:\d\d +sneaky -> \.\.\//,
    );
    expect(rows.some((row) => row[1]!.startsWith("d"))).toBe(true);
    const h = await c.talosctl(["ls", "-lH", "/etc"]);
    expect(h.stdout).toMatch(/ (\d+(\.\d)? [kMG]?B) +(now|\d+ \w+ ago|\w+ \w+ ago) /);
  });

  it("recurses, limits the depth and filters by type", async () => {
    const files = lines((await c.talosctl(["ls", "-r", "-t", "f", "/etc"])).stdout);
    expect(files).toEqual(expect.arrayContaining(["cri/containerd.toml", "containerd/config.toml"]));
    const dirs = lines((await c.talosctl(["ls", "-d", "2", "-t", "d", "/etc"])).stdout);
    expect(dirs).toContain("cri/conf.d");
    expect(dirs).not.toContain("cri/containerd.toml");
    const both = lines((await c.talosctl(["ls", "-r", "-t", "fd", "/etc"])).stdout);
    expect(both).toEqual(expect.arrayContaining(["cri", "cri/containerd.toml"]));
    const json = ndjson((await c.talosctl(["ls", "/etc", "-o", "json"])).stdout);
    expect(json.find((e) => e.relativeName === "cri")).toMatchObject({
      node: NODE,
      isDir: true,
      mode: "drwxr-xr-x",
    });
  });

  it("refuses bad flags and paths that climb out of the node's root", async () => {
    const both = await c.talosctl(["ls", "-r", "-d", "3"]);
    expect(both.stderr).toBe("only one of flags --recurse and --depth can be specified at the same time\n");
    const type = await c.talosctl(["ls", "-t", "x"]);
    expect(type.stderr).toBe("invalid file type: x\n");
    const up = await c.talosctl(["ls", "../../.."]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(
      /^error from node 127\.0\.0\.1: rpc error: code = \w+ desc = .*path escapes from parent/,
    );
    const link = await c.talosctl(["ls", "/var/sneaky"]);
    expect(link.code).toBe(1);
    expect(link.stdout).not.toContain("secret.txt");
    expect(link.stderr).toMatch(/escapes from parent|no such file/);
  });

  it("completes node paths", async () => {
    const r = await c.talosctl(["__completeNoDesc", "ls", "/et"]);
    expect(r.stdout.split("\n")).toContain("/etc/");
  });
});

describe("read", () => {
  it("prints a file byte for byte from exactly one node", async () => {
    const r = await c.talosctl(["cat", "/etc/resolv.conf"]);
    expect(r).toEqual({ code: 0, stdout: "nameserver 127.0.0.53\noptions edns0 trust-ad\n", stderr: "" });
    const two = await c.talosctl(["read", "/etc/resolv.conf", "-n", `${NODE},localhost`]);
    expect(two.code).toBe(1);
    expect(two.stderr).toBe('command "read" requires exactly one node (got 2)\n');
  });

  it("names a missing file and refuses escapes, directly or through a link", async () => {
    const missing = await c.talosctl(["read", "/etc/nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^error reading file \/etc\/nope from node 127\.0\.0\.1: rpc error: .*no such file or directory\n$/,
    );
    for (const p of ["/../../../../etc/passwd", "../outside/secret.txt", "/var/sneaky/secret.txt"]) {
      const r = await c.talosctl(["read", p]);
      expect(r.code, p).toBe(1);
      expect(r.stdout, p).toBe("");
    }
  });
});

describe("copy", () => {
  it("writes the raw .tar.gz to stdout with -", async () => {
    // A real talosctl with its stdout in a file: the archive's bytes as they were written.
    const file = path.join(c.dir, "cri.tar.gz");
    const raw = await runToFile(["copy", "/etc/cri", "-"], file);
    const entries = await tarEntries(raw);
    const toml = entries.find((e) => e.header.name.endsWith("containerd.toml"));
    expect(toml?.data).toContain('default_runtime_name = "runc"');
  });

  it("extracts into a new or existing directory, matching what read returns", async () => {
    const dest = path.join(c.dir, "etc-copy");
    const r = await c.talosctl(["cp", "/etc", dest]);
    expect(r.code, r.stderr).toBe(0);
    const found = fs.readdirSync(dest, { recursive: true }).map(String);
    const toml = found.find((f) => f.endsWith(path.join("cri", "containerd.toml")))!;
    expect(toml).toBeDefined();
    const read = await c.talosctl(["read", "/etc/cri/containerd.toml"]);
    expect(fs.readFileSync(path.join(dest, toml), "utf8")).toBe(read.stdout);
    const again = await c.talosctl(["cp", "/etc/cri", dest]);
    expect(again.code, again.stderr).toBe(0);
  });

  it("keeps a link of the node as a link and never follows it out", async () => {
    const dest = path.join(c.dir, "var-copy");
    const r = await c.talosctl(["cp", "/var", dest]);
    expect(r.code, r.stderr).toBe(0);
    const found = fs.readdirSync(dest, { recursive: true }).map(String);
    const link = found.find((f) => path.basename(f) === "sneaky");
    if (link) expect(fs.lstatSync(path.join(dest, link)).isSymbolicLink()).toBe(true);
    expect(found.some((f) => f.endsWith("secret.txt"))).toBe(false);
  });

  it("refuses a file as destination, a missing source, escapes and several nodes", async () => {
    const file = path.join(c.dir, "plain-file");
    fs.writeFileSync(file, "x");
    const notDir = await c.talosctl(["cp", "/etc/cri", file]);
    expect(notDir.code).toBe(1);
    expect(notDir.stderr).toBe(`local path ${JSON.stringify(file)} should be a directory\n`);
    const missing = await c.talosctl(["cp", "/nope", path.join(c.dir, "nope")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^error copying \/nope from node 127\.0\.0\.1: .*no such file or directory/,
    );
    expect(fs.existsSync(path.join(c.dir, "nope"))).toBe(false);
    const up = await c.talosctl(["cp", "/../../..", path.join(c.dir, "up")]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/escapes from parent/);
    const two = await c.talosctl(["cp", "/etc", path.join(c.dir, "x"), "-n", `${NODE},localhost`]);
    expect(two.stderr).toBe('command "copy" requires exactly one node (got 2)\n');
  });
});

describe("usage", () => {
  it("sizes directories, with NODE only when several nodes answer", async () => {
    const r = await c.talosctl(["du", "/etc"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = table(r.stdout);
    expect(rows[0]).toEqual(["SIZE", "NAME"]);
    const total = rows.find((row) => row[1] === "/etc" || row[1] === ".")!;
    expect(Number(total[0])).toBeGreaterThan(0);
    const h = table((await c.talosctl(["usage", "-H", "-d", "1", "/etc"])).stdout);
    expect(h.slice(1).every((row) => /^\d+(\.\d)? [kMG]?B$/.test(row[0]!))).toBe(true);
    const two = table((await c.talosctl(["du", "/etc", "-n", `${NODE},localhost`])).stdout);
    expect(two[0]).toEqual(["NODE", "SIZE", "NAME"]);
    const all = ndjson((await c.talosctl(["du", "-a", "-d", "2", "/etc", "-o", "json"])).stdout);
    expect(all.some((e) => String(e.name).endsWith("containerd.toml"))).toBe(true);
    expect(all.every((e) => e.node === NODE && typeof e.size === "number")).toBe(true);
  });

  it("refuses escapes and reports missing paths", async () => {
    const up = await c.talosctl(["du", "../.."]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/escapes from parent/);
    const missing = await c.talosctl(["du", "/nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error from node 127.0.0.1: lstat /nope: no such file or directory\n");
  });
});

/** Runs bin/talosctl with stdout going to a file, and returns the file's bytes. */
async function runToFile(args: string[], file: string): Promise<Buffer> {
  const out = fs.openSync(file, "w");
  const code = await new Promise<number | null>((resolve) => {
    const child = killAtEnd(
      spawn(process.execPath, [TALOSCTL, ...args], {
        cwd: c.dir,
        env: isolatedEnv(c.home, { TALOSCONFIG: c.talosconfig }),
        stdio: ["ignore", out, "inherit"],
      }),
    );
    child.on("close", resolve);
  });
  fs.closeSync(out);
  expect(code).toBe(0);
  return fs.readFileSync(file);
}
