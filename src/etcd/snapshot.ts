// etcd snapshots: the backend's bbolt file followed by the SHA-256 of everything before it.
// `snapshotStatus` answers what etcdutl's `snapshot status` (and so talosctl) prints: the
// CRC-32C of every bucket name, key and value, the newest revision in the "key" bucket, the
// number of live keys, the file's size. Facts: etcd-io/etcd etcdutl/snapshot/v3_snapshot.go.
import { createHash } from "node:crypto";
import { type BoltBucket, type BoltFile, readBolt } from "./bbolt.js";
import { Crc32c } from "./crc32c.js";
import { decodeKeyValue } from "./proto.js";

/** Bytes of the SHA-256 trailer. */
export const SNAPSHOT_HASH_BYTES = 32;

/** etcd's test for a trailing hash: the size is a multiple of 512 plus 32. */
export function hasSnapshotChecksum(size: number): boolean {
  return size % 512 === SNAPSHOT_HASH_BYTES;
}

/** etcd's bucket names. */
export const BUCKET = {
  key: "key",
  meta: "meta",
  lease: "lease",
  alarm: "alarm",
  cluster: "cluster",
  members: "members",
  membersRemoved: "members_removed",
  auth: "auth",
  authUsers: "authUsers",
  authRoles: "authRoles",
} as const;

/** A revision: the main (transaction) revision and the sub (operation within it). */
export interface Revision {
  readonly main: number;
  readonly sub: number;
}

/** The "key" bucket's key: 8-byte main, '_', 8-byte sub, and 't' for a tombstone. */
export function revisionKey(rev: Revision, tombstone = false): Buffer {
  const b = Buffer.alloc(tombstone ? 18 : 17);
  b.writeBigInt64BE(BigInt(rev.main), 0);
  b[8] = 0x5f;
  b.writeBigInt64BE(BigInt(rev.sub), 9);
  if (tombstone) b[17] = 0x74;
  return b;
}

export function parseRevisionKey(key: Uint8Array): { rev: Revision; tombstone: boolean } {
  if (key.length !== 17 && key.length !== 18) throw new Error(`invalid revision key of ${key.length} bytes`);
  const b = Buffer.from(key);
  return {
    rev: { main: Number(b.readBigInt64BE(0)), sub: Number(b.readBigInt64BE(9)) },
    tombstone: key.length === 18 && b[17] === 0x74,
  };
}

export interface SnapshotStatus {
  /** CRC-32C over bucket names, keys and values. */
  readonly hash: number;
  readonly revision: number;
  readonly totalKey: number;
  /** The database's size in bytes (its high-water mark). */
  readonly totalSize: number;
  /** The storage version recorded in the meta bucket ("" when none). */
  readonly version: string;
}

export class SnapshotError extends Error {
  override readonly name = "SnapshotError";
}

/** Status of a bbolt file (already read), as etcdutl computes it. */
export function boltStatus(file: BoltFile): SnapshotStatus {
  if (file.problems.length > 0) {
    throw new SnapshotError(
      `snapshot file integrity check failed. ${file.problems.length} errors found.\n${file.problems.join("\n")}`,
    );
  }
  const crc = new Crc32c();
  const seen = new Set<string>();
  let revision = 0;
  let version = "";
  const sorted = [...file.buckets].sort((a, b) => Buffer.compare(a.name, b.name));
  for (const bucket of sorted) {
    crc.update(bucket.name);
    const isKey = bucket.name.toString("latin1") === BUCKET.key;
    for (const [k, v] of bucket.entries) {
      crc.update(k);
      crc.update(v);
      if (!isKey) continue;
      let parsed: ReturnType<typeof parseRevisionKey>;
      try {
        parsed = parseRevisionKey(k);
      } catch (err) {
        throw new SnapshotError(
          `error during bucket key iteration, name: "key" err: cannot parse revision key: ${JSON.stringify(k.toString("latin1"))} err: ${(err as Error).message}`,
        );
      }
      revision = parsed.rev.main;
      let kv: ReturnType<typeof decodeKeyValue>;
      try {
        kv = decodeKeyValue(v);
      } catch (err) {
        throw new SnapshotError(
          `error during bucket key iteration, name: "key" err: cannot unmarshal value: ${(err as Error).message}`,
        );
      }
      const key = Buffer.from(kv.key).toString("latin1");
      if (parsed.tombstone) seen.delete(key);
      else seen.add(key);
    }
    if (bucket.name.toString("latin1") === BUCKET.meta) {
      const sv = bucket.entries.find(([k]) => k.toString("latin1") === "storageVersion");
      if (sv) version = sv[1].toString("latin1");
    }
  }
  return {
    hash: crc.digest(),
    revision,
    totalKey: seen.size,
    totalSize: file.pages * file.pageSize,
    version,
  };
}

/** Status of snapshot bytes (with or without the hash trailer). */
export function snapshotStatus(bytes: Buffer): SnapshotStatus {
  let file: BoltFile;
  try {
    file = readBolt(bytes);
  } catch (err) {
    throw new SnapshotError((err as Error).message, { cause: err });
  }
  return boltStatus(file);
}

/**
 * What etcd's restore checks before it uses a snapshot: the trailing SHA-256 matches the rest
 * (unless `skipHashCheck`), or, without a trailer, that the check was skipped. Returns the
 * database bytes without the trailer.
 */
export function verifySnapshot(bytes: Buffer, skipHashCheck: boolean): Buffer {
  const hasHash = hasSnapshotChecksum(bytes.length);
  if (!hasHash) {
    if (!skipHashCheck) throw new SnapshotError("snapshot missing hash but --skip-hash-check=false");
    return bytes;
  }
  const db = bytes.subarray(0, bytes.length - SNAPSHOT_HASH_BYTES);
  if (!skipHashCheck) {
    const want = bytes.subarray(bytes.length - SNAPSHOT_HASH_BYTES);
    const got = createHash("sha256").update(db).digest();
    if (!got.equals(want)) throw new SnapshotError(`expected sha256 ${goBytes(want)}, got ${goBytes(got)}`);
  }
  return db;
}

/** A byte slice as Go's %v prints it: [1 2 3]. */
function goBytes(b: Uint8Array): string {
  return `[${[...b].join(" ")}]`;
}

export function bucketNamed(buckets: readonly BoltBucket[], name: string): BoltBucket | undefined {
  return buckets.find((b) => b.name.toString("latin1") === name);
}
