// talosctl's etcd file work: saving a streamed snapshot (to `<path>.part`, fsynced, checked for
// etcd's sha256 trailer, then renamed; the partial file never stays behind), reading a
// snapshot's status as etcdutl does, and uploading a snapshot for recovery. Behaviour and
// messages: siderolabs/talos cmd/talosctl/cmd/talos/etcd.go and bootstrap.go.
import fs from "node:fs";
import { TalosError } from "../errors.js";
import { hasSnapshotChecksum, type SnapshotStatus, snapshotStatus } from "../etcd/index.js";
import type { NodeClient } from "./client.js";
import { toRpcError } from "./errors.js";

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  EEXIST: "file exists",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  ENOTEMPTY: "directory not empty",
};

/** A file system failure in Go's words: `open /a/b: permission denied`. */
export function goPathError(op: string, file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const text = ERRNO_TEXT[code] ?? (err instanceof Error ? err.message : String(err));
  return `${op} ${file}: ${text}`;
}

export interface SavedSnapshot {
  readonly path: string;
  readonly size: number;
  readonly status: SnapshotStatus;
}

/** Upload/download chunk size for snapshot files. */
const FILE_CHUNK = 64 * 1024;

/**
 * Streams the node's etcd snapshot into `dbPath` as talosctl does; returns its size and
 * status. Failures carry talosctl's wording; `<dbPath>.part` is removed whatever happens.
 */
export async function saveEtcdSnapshot(
  client: NodeClient,
  dbPath: string,
  signal: AbortSignal,
): Promise<SavedSnapshot> {
  const partPath = `${dbPath}.part`;
  let fd: number | undefined;
  try {
    try {
      fd = fs.openSync(partPath, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o600);
    } catch (err) {
      throw new TalosError("io", `error creating temporary file: ${goPathError("open", partPath, err)}`, {
        cause: err,
      });
    }
    let size = 0;
    let writeFailure: unknown;
    try {
      for await (const msg of client.machine.etcdSnapshot({}, { signal })) {
        try {
          let off = 0;
          while (off < msg.bytes.length) off += fs.writeSync(fd, msg.bytes, off);
        } catch (err) {
          writeFailure = err;
          throw err;
        }
        size += msg.bytes.length;
      }
    } catch (err) {
      const why =
        err === writeFailure ? goPathError("write", partPath, err) : toRpcError(err, signal.aborted).message;
      throw new TalosError(err === writeFailure ? "io" : "unknown", `error reading: ${why}`, { cause: err });
    }
    try {
      fs.fsyncSync(fd);
    } catch (err) {
      throw new TalosError("io", `failed to fsync: ${goPathError("sync", partPath, err)}`, { cause: err });
    }
    // etcd's check (client/v3/snapshot): a snapshot ends with its sha256.
    if (!hasSnapshotChecksum(size))
      throw new TalosError("data-loss", `sha256 checksum not found (size ${size})`);
    fs.closeSync(fd);
    fd = undefined;
    try {
      renameLikeGo(partPath, dbPath);
    } catch (err) {
      throw new TalosError(
        "io",
        `error renaming to final location: ${goRenameError(partPath, dbPath, err)}`,
        {
          cause: err,
        },
      );
    }
    const status = readSnapshotStatus(dbPath);
    return { path: dbPath, size, status };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    try {
      fs.rmSync(partPath, { recursive: true, force: true });
    } catch {
      // nothing was created there (its directory is missing or not a directory)
    }
  }
}

/** Go's os.Rename refuses to replace a directory (EEXIST) where rename(2) might not. */
function renameLikeGo(from: string, to: string): void {
  let isDir = false;
  try {
    isDir = fs.lstatSync(to).isDirectory();
  } catch {
    // absent: fine
  }
  if (isDir) throw Object.assign(new Error("file exists"), { code: "EEXIST" });
  fs.renameSync(from, to);
}

function goRenameError(from: string, to: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? "";
  return `rename ${from} ${to}: ${ERRNO_TEXT[code] ?? (err as Error).message}`;
}

/** A snapshot file's status (etcdutl's snapshot status: hash, revision, keys, size). */
export function readSnapshotStatus(file: string): SnapshotStatus {
  let bytes: Buffer;
  try {
    if (fs.statSync(file).isDirectory()) {
      throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    }
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TalosError("io", goPathError(code === "EISDIR" ? "read" : "stat", file, err), { cause: err });
  }
  try {
    return snapshotStatus(bytes);
  } catch (err) {
    throw new TalosError("invalid", (err as Error).message, { cause: err });
  }
}

/** The line talosctl prints after saving a snapshot. */
export function snapshotInfoLine(status: SnapshotStatus): string {
  return `snapshot info: hash ${hex8(status.hash)}, revision ${status.revision}, total keys ${status.totalKey}, total size ${status.totalSize}`;
}

/** The line `bootstrap --recover-from` prints before it uploads. */
export function recoveringLine(file: string, status: SnapshotStatus): string {
  return `recovering from snapshot ${JSON.stringify(file)}: hash ${hex8(status.hash)}, revision ${status.revision}, total keys ${status.totalKey}, total size ${status.totalSize}`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** Uploads a snapshot file to the node (EtcdRecover, a client stream). */
export async function uploadEtcdSnapshot(
  client: NodeClient,
  file: string,
  signal: AbortSignal,
): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    throw new TalosError("io", `error opening snapshot file: ${goPathError("open", file, err)}`, {
      cause: err,
    });
  }
  async function* chunks() {
    const buf = Buffer.alloc(FILE_CHUNK);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield { bytes: Buffer.from(buf.subarray(0, n)) };
    }
  }
  try {
    await client.machine.etcdRecover(chunks(), { signal });
  } catch (err) {
    throw new TalosError("unknown", `error uploading snapshot: ${toRpcError(err, signal.aborted).message}`, {
      cause: err,
    });
  } finally {
    fs.closeSync(fd);
  }
}
