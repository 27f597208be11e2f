// The node's own root filesystem over the API: List, Read, Copy (a real .tar.gz, checked with
// the system's tar) and DiskUsage, with live files that agree with the other calls, and every
// way out of the tree refused: `..`, absolute tricks, symlinks leading out, symlink loops.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataSchema } from "../src/gen/common/common_pb.js";
import {
  CopyRequestSchema,
  DiskUsageInfoSchema,
  DiskUsageRequestSchema,
  FileInfoSchema,
  ListRequest_Type,
  ListRequestSchema,
  MemoryResponseSchema,
  ReadRequestSchema,
} from "../src/gen/machine/machine_pb.js";
import { tempDir } from "./helpers/cli.js";
import {
  makeCluster,
  mtlsClient,
  type StartedNode,
  seedState,
  startNode,
  streamCall,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";

let cluster: TestCluster;
let node: StartedNode;
let admin: grpc.Client;
let reader: grpc.Client;
let rootfs: string;

const MODE_DIR = 0x80000000;
const MODE_SYMLINK = 0x08000000;

function list(req: Parameters<typeof create<typeof ListRequestSchema>>[1], client = reader) {
  return streamCall(
    client,
    "/machine.MachineService/List",
    toBinary(ListRequestSchema, create(ListRequestSchema, req)),
  );
}

async function listed(req: Parameters<typeof create<typeof ListRequestSchema>>[1]) {
  return (await list(req).done).map((b) => fromBinary(FileInfoSchema, b));
}

function read(p: string, client = admin) {
  return streamCall(
    client,
    "/machine.MachineService/Read",
    toBinary(ReadRequestSchema, create(ReadRequestSchema, { path: p })),
  );
}

async function readText(p: string): Promise<string> {
  const messages = await read(p).done;
  expect(messages.every((m) => fromBinary(DataSchema, m).bytes.length <= 1024)).toBe(true);
  return Buffer.concat(messages.map((m) => fromBinary(DataSchema, m).bytes)).toString("utf8");
}

function copy(p: string) {
  return streamCall(
    admin,
    "/machine.MachineService/Copy",
    toBinary(CopyRequestSchema, create(CopyRequestSchema, { rootPath: p })),
  );
}

async function usage(req: Parameters<typeof create<typeof DiskUsageRequestSchema>>[1]) {
  const all = await streamCall(
    reader,
    "/machine.MachineService/DiskUsage",
    toBinary(DiskUsageRequestSchema, create(DiskUsageRequestSchema, req)),
  ).done;
  return all.map((b) => fromBinary(DiskUsageInfoSchema, b));
}

beforeAll(async () => {
  cluster = await makeCluster("files-cluster");
  const stateDir = tempDir("talos-node-files-");
  seedState(stateDir, cluster.controlplane);
  node = await startNode({
    stateDir,
    args: ["--hostname", "files-node", "--time-scale", "20", "--platform", "cloud"],
  });
  admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
  reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
  rootfs = path.join(stateDir, "rootfs");
  // Things a careless emulation would let out: links leading above the tree or to host paths, and a loop.
  const log = path.join(rootfs, "var", "log");
  fs.writeFileSync(path.join(log, "app.log"), "x".repeat(5_000));
  fs.mkdirSync(path.join(log, "nested", "deeper"), { recursive: true });
  fs.writeFileSync(path.join(log, "nested", "deeper", "n.log"), "nested\n");
  fs.symlinkSync("../../../config.yaml", path.join(log, "climb-out"));
  fs.symlinkSync(path.join(stateDir, "config.yaml"), path.join(log, "host-path"));
  fs.symlinkSync("loop-b", path.join(log, "loop-a"));
  fs.symlinkSync("loop-a", path.join(log, "loop-b"));
  fs.symlinkSync("/etc/hostname", path.join(log, "hostname-link"));
});

afterAll(async () => {
  admin?.close();
  reader?.close();
  await node?.stop();
});

describe("List", () => {
  it("lists a directory and its entries (not deeper) by default, with Go file modes", async () => {
    const entries = await listed({ root: "/var" });
    expect(entries[0]).toMatchObject({ name: "/var", relativeName: ".", isDir: true });
    expect((entries[0]!.mode & MODE_DIR) >>> 0).toBe(MODE_DIR);
    const names = entries.slice(1).map((e) => e.relativeName);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["lib", "log", "run"]));
    expect(names.some((n) => n.includes("/"))).toBe(false);
    const run = entries.find((e) => e.relativeName === "run")!;
    expect(run).toMatchObject({ name: "/var/run", link: "/run", isDir: false, uid: 0, gid: 0 });
    expect(run.mode & MODE_SYMLINK).toBe(MODE_SYMLINK);
  });

  it("recurses to a depth, filters by type, and takes a relative root as absolute", async () => {
    const deep = await listed({ root: "var/log", recurse: true, recursionDepth: 2 });
    const names = deep.map((e) => e.relativeName);
    expect(names).toContain("nested/deeper");
    expect(names).not.toContain("nested/deeper/n.log");
    const all = await listed({ root: "/var/log", recurse: true });
    expect(all.map((e) => e.relativeName)).toContain("nested/deeper/n.log");
    const links = await listed({ root: "/var/log", types: [ListRequest_Type.SYMLINK] });
    expect(links.map((e) => e.relativeName).sort()).toEqual([
      "climb-out",
      "host-path",
      "hostname-link",
      "loop-a",
      "loop-b",
    ]);
    // Talos's walker drops a filtered-out directory before its depth check, so the walk still
    // enters it: with a type filter, regular files below the depth limit come back too.
    const files = await listed({ root: "/var/log", types: [ListRequest_Type.REGULAR] });
    const sizes = new Map(files.map((e) => [e.relativeName, e.size]));
    expect(sizes.get("app.log")).toBe(5000n);
    expect(sizes.get("nested/deeper/n.log")).toBe(7n);
    expect(files.every((e) => !e.relativeName.endsWith("nested"))).toBe(true);
  });

  it("fails for a missing root with the walker's lstat error", async () => {
    await expect(list({ root: "/nope" }).done).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: "lstat /nope: no such file or directory",
    });
  });
});

describe("Read", () => {
  it("reads files, live ones agreeing with the rest of the API", async () => {
    expect(await readText("/etc/hostname")).toBe("files-node\n");
    expect(await readText("/var/log/hostname-link")).toBe("files-node\n");
    expect(await readText("/system/state/config.yaml")).toBe(cluster.controlplane);
    expect(await readText("/var/log/app.log")).toBe("x".repeat(5_000));
    const meminfo = await readText("/proc/meminfo");
    const total = Number(/^MemTotal:\s+(\d+) kB$/m.exec(meminfo)![1]);
    const memory = fromBinary(
      MemoryResponseSchema,
      await unaryCall(reader, "/machine.MachineService/Memory", new Uint8Array()),
    ).messages[0]!.meminfo!;
    expect(BigInt(total)).toBe(memory.memtotal);
  });

  it("refuses directories, missing files and readers", async () => {
    await expect(read("/etc").done).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: "path must be a regular file",
    });
    await expect(read("/etc/nope").done).rejects.toMatchObject({
      details: "stat /etc/nope: no such file or directory",
    });
    await expect(read("/etc/hostname/x").done).rejects.toMatchObject({
      details: "stat /etc/hostname/x: not a directory",
    });
    await expect(read("/etc/hostname", reader).done).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
  });
});

describe("Copy", () => {
  it("streams a .tar.gz of a directory that the system's tar extracts", async () => {
    const messages = await copy("/etc").done;
    const parts = messages.map((m) => fromBinary(DataSchema, m));
    expect(parts.every((p) => p.bytes.length <= 1024 && !p.metadata?.error)).toBe(true);
    const out = tempDir("talos-copy-");
    const archive = path.join(out, "etc.tar.gz");
    fs.writeFileSync(archive, Buffer.concat(parts.map((p) => p.bytes)));
    const names = execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).split("\n").filter(Boolean);
    expect(names[0]).toBe("./");
    expect(names).toEqual(expect.arrayContaining(["hostname", "cri/", "cri/containerd.toml", "os-release"]));
    execFileSync("tar", ["-xzf", archive, "-C", out]);
    expect(fs.readFileSync(path.join(out, "hostname"), "utf8")).toBe("files-node\n");
    expect(fs.readFileSync(path.join(out, "cri", "containerd.toml"), "utf8")).toBe(
      fs.readFileSync(path.join(rootfs, "etc", "cri", "containerd.toml"), "utf8"),
    );
  });

  it("archives symlinks as links, never their targets", async () => {
    const parts = (await copy("/var/log").done).map((m) => fromBinary(DataSchema, m));
    const archive = path.join(tempDir("talos-copy-"), "log.tar.gz");
    fs.writeFileSync(archive, Buffer.concat(parts.map((p) => p.bytes)));
    const listing = execFileSync("tar", ["-tvzf", archive], { encoding: "utf8" });
    expect(listing).toMatch(/climb-out -> \.\.\/\.\.\/\.\.\/config\.yaml/);
    expect(listing).toMatch(/loop-a -> loop-b/);
    expect(listing).not.toContain("machine:");
  });

  it("needs an absolute path, and reports a missing one in the last message's metadata", async () => {
    await expect(copy("etc").done).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: "path is not absolute etc",
    });
    const [last] = (await copy("/nope").done).map((m) => fromBinary(DataSchema, m));
    expect(last!.metadata!.error).toBe("stat /nope: no such file or directory");
  });
});

describe("DiskUsage", () => {
  it("sums directories after their contents, with files on request, depth and threshold", async () => {
    const dirs = await usage({ paths: ["/var/log"] });
    const root = dirs[dirs.length - 1]!;
    expect(root).toMatchObject({ name: "/var/log", relativeName: "." });
    const nested = dirs.find((d) => d.relativeName === "nested")!;
    const deeper = dirs.find((d) => d.relativeName === "nested/deeper")!;
    expect(dirs.indexOf(deeper)).toBeLessThan(dirs.indexOf(nested));
    expect(nested.size).toBe(4096n + deeper.size);
    expect(deeper.size).toBe(4096n + 7n);
    expect(dirs.some((d) => d.relativeName === "app.log")).toBe(false);
    const withFiles = await usage({ paths: ["/var/log"], all: true });
    expect(withFiles.find((d) => d.relativeName === "app.log")!.size).toBe(5000n);
    const shallow = await usage({ paths: ["/var/log"], recursionDepth: 1 });
    expect(shallow.map((d) => d.relativeName)).toEqual(["."]);
    const big = await usage({ paths: ["/var/log"], all: true, threshold: 4_097n });
    expect(big.every((d) => d.size >= 4_097n)).toBe(true);
    const small = await usage({ paths: ["/var/log"], all: true, threshold: -100n });
    expect(small.every((d) => d.size <= 100n)).toBe(true);
  });

  it("reports a missing path in its entry", async () => {
    expect(await usage({ paths: ["/nope"] })).toEqual([
      expect.objectContaining({
        name: "/nope",
        relativeName: "/nope",
        error: "lstat /nope: no such file or directory",
      }),
    ]);
  });
});

describe("paths that try to leave the node's root", () => {
  const escapes: [string, () => Promise<unknown>, string][] = [
    ["List ../", () => list({ root: "../../etc" }).done, "lstat ../../etc: path escapes from parent"],
    ["Read /../", () => read("/../etc/hostname").done, "stat /../etc/hostname: path escapes from parent"],
    [
      "Read deep ../",
      () => read("/var/../../../../config.yaml").done,
      "stat /var/../../../../config.yaml: path escapes from parent",
    ],
    ["Copy /..", () => copy("/..").done, "lstat /..: path escapes from parent"],
    ["Usage ../", () => usage({ paths: ["/etc", "../.."] }), "lstat ../..: path escapes from parent"],
    [
      "Read through a link climbing out",
      () => read("/var/log/climb-out").done,
      "stat /var/log/climb-out: path escapes from parent",
    ],
    [
      "List a link climbing out",
      () => list({ root: "/var/log/climb-out" }).done,
      // A symlink root is resolved first (Go's EvalSymlinks, whose errors are lstat's).
      "lstat /var/log/climb-out: path escapes from parent",
    ],
    [
      "Read a loop",
      () => read("/var/log/loop-a").done,
      "stat /var/log/loop-a: too many levels of symbolic links",
    ],
  ];
  for (const [what, attempt, message] of escapes) {
    it(`refuses: ${what}`, async () => {
      await expect(attempt()).rejects.toMatchObject({ code: grpc.status.UNKNOWN, details: message });
    });
  }

  it("resolves an absolute link target inside the tree, never on the host", async () => {
    // The link names the STATE directory's config on the host; inside the tree that path does not exist.
    await expect(read("/var/log/host-path").done).rejects.toMatchObject({
      details: "stat /var/log/host-path: no such file or directory",
    });
  });

  it("keeps serving afterwards", async () => {
    expect(await readText("/etc/hostname")).toBe("files-node\n");
  });
});
