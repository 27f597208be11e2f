import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KV_COMPACT_BYTES, openFileKv } from "./file-kv.js";
import { type KubeKv, KvCompactedError, type KvEvent } from "./kv.js";

const dirs: string[] = [];
const opened: KubeKv[] = [];

function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-kv-"));
  dirs.push(dir);
  return dir;
}

/** A second view of the same store, as another process has (a symlinked path is another instance). */
function twoViews(): [KubeKv, KubeKv] {
  const dir = scratch();
  const store = path.join(dir, "store");
  fs.mkdirSync(store);
  fs.symlinkSync(store, path.join(dir, "link"));
  const a = openFileKv(store);
  const b = openFileKv(path.join(dir, "link"));
  opened.push(a, b);
  return [a, b];
}

afterEach(() => {
  for (const kv of opened.splice(0)) kv.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("file key/value store", () => {
  it("keeps revisions, versions and guarded transactions", async () => {
    const [kv] = twoViews();
    const first = await kv.txn([{ key: "/a", modRevision: 0 }], [{ type: "put", key: "/a", value: "1" }]);
    expect(first).toMatchObject({ succeeded: true, revision: 1 });
    const again = await kv.txn([{ key: "/a", modRevision: 0 }], [{ type: "put", key: "/a", value: "x" }]);
    expect(again.succeeded).toBe(false);
    expect(again.entries[0]).toMatchObject({ value: "1", modRevision: 1 });
    await kv.txn([{ key: "/a", modRevision: 1 }], [{ type: "put", key: "/a", value: "2" }]);
    expect((await kv.get("/a")).entry).toEqual({
      key: "/a",
      value: "2",
      createRevision: 1,
      modRevision: 2,
      version: 2,
    });
    await kv.txn([], [{ type: "delete", key: "/missing" }]);
    expect(await kv.revision()).toBe(2);
  });

  it("ranges by prefix in key order, in pages", async () => {
    const [kv] = twoViews();
    for (const k of ["/p/c", "/p/a", "/q/x", "/p/b"]) await kv.txn([], [{ type: "put", key: k, value: k }]);
    const all = await kv.range("/p/");
    expect(all.entries.map((e) => e.key)).toEqual(["/p/a", "/p/b", "/p/c"]);
    const page = await kv.range("/p/", { limit: 2 });
    expect(page.entries.map((e) => e.key)).toEqual(["/p/a", "/p/b"]);
    expect(page.more).toBe(true);
    const rest = await kv.range("/p/", { startAfter: "/p/b" });
    expect(rest).toMatchObject({ more: false, entries: [{ key: "/p/c" }] });
  });

  it("shares one revision sequence between instances and delivers their writes to watches in order", async () => {
    const [a, b] = twoViews();
    await a.txn([], [{ type: "put", key: "/x/1", value: "a" }]);
    const seen: KvEvent[] = [];
    const w = a.watch("/x/", 0, (events) => seen.push(...events));
    await b.txn([], [{ type: "put", key: "/x/2", value: "b" }]);
    await b.txn([], [{ type: "delete", key: "/x/1" }]);
    await a.txn([], [{ type: "put", key: "/y/ignored", value: "" }]);
    await until(() => seen.length >= 3);
    w.cancel();
    expect(seen.map((e) => [e.type, e.key, e.revision])).toEqual([
      ["put", "/x/1", 1],
      ["put", "/x/2", 2],
      ["delete", "/x/1", 3],
    ]);
    expect(seen[2]!.prev?.value).toBe("a");
    expect((await b.get("/y/ignored")).revision).toBe(4);
  });

  it("compacts a large journal; other instances follow it, new ones cannot watch from before it", async () => {
    const [a, b] = twoViews();
    const big = "v".repeat(256 * 1024);
    const writes = Math.ceil(KV_COMPACT_BYTES / big.length) + 2;
    for (let i = 0; i < writes; i++)
      await a.txn([], [{ type: "put", key: `/big/${i % 3}`, value: `${i}${big}` }]);
    const dir = fs.realpathSync(dirs.at(-1)!);
    expect(fs.statSync(path.join(dir, "store", "journal")).size).toBeLessThan(KV_COMPACT_BYTES);
    const fromB = await b.range("/big/");
    expect(fromB.revision).toBe(writes);
    const last = (k: number): number => {
      let i = writes - 1;
      while (i % 3 !== k) i--;
      return i;
    };
    expect(fromB.entries.map((e) => e.value)).toEqual([0, 1, 2].map((k) => `${last(k)}${big}`));
    fs.symlinkSync(path.join(dir, "store"), path.join(dir, "third"));
    const c = openFileKv(path.join(dir, "third"));
    opened.push(c);
    expect((await c.get("/big/0")).entry?.version).toBeGreaterThan(1);
    expect(() => c.watch("/big/", 1, () => undefined)).toThrow(KvCompactedError);
  });

  it("does not compact on every write once the data itself is larger than the compaction size", async () => {
    const [a] = twoViews();
    const big = "v".repeat(256 * 1024);
    const keys = Math.ceil(KV_COMPACT_BYTES / big.length) + 4;
    for (let i = 0; i < keys; i++) await a.txn([], [{ type: "put", key: `/big/${i}`, value: `${i}${big}` }]);
    const journal = path.join(fs.realpathSync(dirs.at(-1)!), "store", "journal");
    // The data passed the size once: it was compacted into a snapshot at least as large.
    const inode = fs.statSync(journal).ino;
    for (let i = 0; i < 5; i++) await a.txn([], [{ type: "put", key: `/small/${i}`, value: "x" }]);
    expect(fs.statSync(journal).ino).toBe(inode);
    expect((await a.range("/small/")).entries).toHaveLength(5);
  });
});
