import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type BoltBucket, layoutBolt, readBolt, writeBolt } from "./bbolt.js";
import { Crc32c } from "./crc32c.js";
import { decodeKeyValue, encodeKeyValue } from "./proto.js";
import {
  hasSnapshotChecksum,
  parseRevisionKey,
  revisionKey,
  snapshotStatus,
  verifySnapshot,
} from "./snapshot.js";

function bucket(name: string, entries: [string | Buffer, string | Buffer][]): BoltBucket {
  const buf = (x: string | Buffer) => (typeof x === "string" ? Buffer.from(x) : x);
  return {
    name: Buffer.from(name),
    entries: entries
      .map(([k, v]) => [buf(k), buf(v)] as [Buffer, Buffer])
      .sort((a, b) => Buffer.compare(a[0], b[0])),
  };
}

function keyBucket(count: number, valueBytes = 10): BoltBucket {
  const rows: [Buffer, Buffer][] = [];
  for (let i = 0; i < count; i++) {
    const key = Buffer.from(`/registry/things/${String(i).padStart(6, "0")}`);
    rows.push([
      revisionKey({ main: i + 2, sub: 0 }),
      encodeKeyValue({
        key,
        createRevision: i + 2,
        modRevision: i + 2,
        version: 1,
        value: Buffer.alloc(valueBytes, 7),
        lease: 0,
      }),
    ]);
  }
  return { name: Buffer.from("key"), entries: rows };
}

describe("CRC-32C", () => {
  it("matches the standard check value", () => {
    expect(new Crc32c().update(Buffer.from("123456789")).digest().toString(16)).toBe("e3069283");
  });
});

describe("mvccpb.KeyValue", () => {
  it("round-trips and leaves zero fields out", () => {
    const kv = {
      key: Buffer.from("a"),
      createRevision: 2,
      modRevision: 300,
      version: 1,
      value: Buffer.from("v"),
      lease: 0,
    };
    const bytes = encodeKeyValue(kv);
    expect(bytes.toString("hex")).toBe("0a0161100218ac0220012a0176");
    const back = decodeKeyValue(bytes);
    expect(Buffer.from(back.key).toString()).toBe("a");
    expect([back.createRevision, back.modRevision, back.version, back.lease]).toEqual([2, 300, 1, 0]);
  });
});

describe("revision keys", () => {
  it("encode main, sub and the tombstone mark", () => {
    expect(revisionKey({ main: 5, sub: 1 }).toString("hex")).toBe("00000000000000055f0000000000000001");
    expect(parseRevisionKey(revisionKey({ main: 7, sub: 0 }, true))).toEqual({
      rev: { main: 7, sub: 0 },
      tombstone: true,
    });
  });
});

describe("bbolt files", () => {
  it("lay out small and large buckets readably, free pages included", () => {
    const buckets = [
      bucket("alarm", []),
      keyBucket(5000, 300),
      bucket("meta", [
        ["storageVersion", "3.6.0"],
        ["term", Buffer.alloc(8)],
      ]),
    ];
    const file = writeBolt(buckets, { minPages: 1200 });
    expect(file.length).toBe(1200 * 4096);
    const read = readBolt(file);
    expect(read.problems).toEqual([]);
    expect(read.pages).toBe(1200);
    expect(read.buckets.map((b) => b.name.toString())).toEqual(["alarm", "key", "meta"]);
    expect(read.buckets[1]!.entries.length).toBe(5000);
    expect(read.buckets[1]!.entries[4999]![0].equals(buckets[1]!.entries[4999]![0])).toBe(true);
  });

  it("keeps an oversized value in overflow pages", () => {
    const big = bucket("key", [["k", Buffer.alloc(20_000, 1)]]);
    const read = readBolt(writeBolt([big]));
    expect(read.problems).toEqual([]);
    expect(read.buckets[0]!.entries[0]![1].length).toBe(20_000);
  });

  it("reports what bbolt's check reports", () => {
    const file = writeBolt([keyBucket(10)], { minPages: 10 });
    // Drop a free page from the freelist: the page is then neither reachable nor free.
    const broken = Buffer.from(file);
    broken.writeUInt16LE(broken.readUInt16LE(2 * 4096 + 10) - 1, 2 * 4096 + 10);
    expect(readBolt(broken).problems).toEqual(["page 9: unreachable unfreed"]);
  });

  it("refuses what is not a bbolt file", () => {
    expect(() => readBolt(Buffer.alloc(100))).toThrow("file size too small 100");
    expect(() => readBolt(Buffer.alloc(8192))).toThrow("invalid database");
  });

  it("grows the freelist past one page for large files", () => {
    const layout = layoutBolt([keyBucket(3)], { minPages: 3000 });
    expect(layout.size).toBe(3000 * 4096);
    expect(readBolt(Buffer.concat([layout.head, Buffer.alloc(layout.freePages * 4096)])).problems).toEqual(
      [],
    );
  });
});

describe("snapshots", () => {
  const db = writeBolt(
    [
      bucket("cluster", [["clusterVersion", "3.6.0"]]),
      keyBucket(3),
      bucket("meta", [["storageVersion", "3.6.0"]]),
    ],
    {
      minPages: 16,
    },
  );
  const withHash = Buffer.concat([db, createHash("sha256").update(db).digest()]);

  it("carry the sha256 trailer etcd checks", () => {
    expect(hasSnapshotChecksum(withHash.length)).toBe(true);
    expect(verifySnapshot(withHash, false).equals(db)).toBe(true);
    const tampered = Buffer.from(withHash);
    tampered[5000] ^= 1;
    expect(() => verifySnapshot(tampered, false)).toThrow(/^expected sha256 \[\d+( \d+){31}\], got \[/);
    expect(verifySnapshot(tampered, true).length).toBe(db.length);
    expect(() => verifySnapshot(db, false)).toThrow("snapshot missing hash but --skip-hash-check=false");
  });

  it("have etcd's status: hash, last revision, live keys, size", () => {
    const status = snapshotStatus(withHash);
    expect(status).toMatchObject({ revision: 4, totalKey: 3, totalSize: 16 * 4096, version: "3.6.0" });
    expect(status.hash).toBe(snapshotStatus(db).hash);
  });
});
