// One member's side of the emulated etcd: its backend file on the node's disk (a real bbolt
// file, refreshed from the replicated data, so a member that comes back after the whole
// cluster stopped still has its data), the snapshots it streams, recovery from an uploaded
// snapshot, and the quota its machine config sets.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  BOLT_PAGE_SIZE,
  layoutBolt,
  readBolt,
  SnapshotError,
  snapshotStatus,
  verifySnapshot,
  writeBolt,
} from "../../etcd/index.js";
import { legacyDocument, type MachineConfig } from "../machine/config.js";
import { KvState, type MemberInfo } from "./etcd-kv.js";

/** Where etcd keeps its data inside the node's root. */
export const ETCD_DATA_DIR = "var/lib/etcd";
/** Where EtcdRecover puts the uploaded snapshot (Talos: constants.EtcdRecoverySnapshotPath). */
export const ETCD_RECOVERY_SNAPSHOT = "var/lib/etcd.snapshot";
/** The backend file inside the data directory. */
const BACKEND_FILE = "member/snap/db";
/** Bytes per chunk when a snapshot is streamed. */
const SNAPSHOT_CHUNK = 64 * 1024;

/**
 * The backend quota from `cluster.etcd.extraArgs["quota-backend-bytes"]`; undefined when
 * unset (etcd's default of 2 GiB applies). etcd reads it as an int64.
 */
export function quotaFromConfig(config: MachineConfig | undefined): number | undefined {
  const data = legacyDocument(config)?.data as {
    cluster?: { etcd?: { extraArgs?: Record<string, unknown> } };
  };
  let raw = data?.cluster?.etcd?.extraArgs?.["quota-backend-bytes"];
  if (Array.isArray(raw)) raw = raw[raw.length - 1];
  if (typeof raw === "number") return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw !== "string" || !/^-?\d+$/.test(raw.trim())) return undefined;
  const n = Number(raw.trim());
  return n === 0 ? undefined : n;
}

export function backendPath(rootDir: string): string {
  return path.join(rootDir, ETCD_DATA_DIR, BACKEND_FILE);
}

/** Writes the member's backend file (a bbolt file as large as the member's db size). */
export function saveBackend(
  rootDir: string,
  state: KvState,
  members: readonly MemberInfo[],
  memberId: string,
  term: number,
): void {
  const file = backendPath(rootDir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const pages = Math.ceil(state.dbSize(memberId, members) / BOLT_PAGE_SIZE);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, writeBolt(state.buckets(members, term), { minPages: pages }), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The data in the member's backend file, if it has a readable one. */
export function loadBackend(rootDir: string): KvState | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(backendPath(rootDir));
  } catch {
    return undefined;
  }
  try {
    const file = readBolt(bytes);
    return file.problems.length === 0 ? KvState.fromBuckets(file.buckets) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A snapshot of the member's backend as etcd streams it: the bbolt file (as large as the
 * member's db size, free pages included), then the SHA-256 of those bytes.
 */
export async function* snapshotChunks(
  state: KvState,
  members: readonly MemberInfo[],
  memberId: string,
  term: number,
): AsyncGenerator<Buffer> {
  const pages = Math.ceil(state.dbSize(memberId, members) / BOLT_PAGE_SIZE);
  const layout = layoutBolt(state.buckets(members, term), { minPages: pages });
  const hash = createHash("sha256");
  for (let i = 0; i < layout.head.length; i += SNAPSHOT_CHUNK) {
    const chunk = layout.head.subarray(i, i + SNAPSHOT_CHUNK);
    hash.update(chunk);
    yield chunk;
  }
  const zeros = Buffer.alloc(SNAPSHOT_CHUNK);
  let left = layout.freePages * layout.pageSize;
  while (left > 0) {
    const chunk = left >= zeros.length ? zeros : zeros.subarray(0, left);
    hash.update(chunk);
    left -= chunk.length;
    yield chunk;
  }
  yield hash.digest();
}

/**
 * etcd's recovery from the uploaded snapshot, in Talos's words: the status check first
 * ("error verifying snapshot: ..."), then etcd's restore with its hash check ("error
 * recovering from the snapshot: ..."). Returns the restored data and the status line Talos logs.
 */
export function recoverFromSnapshot(
  rootDir: string,
  skipHashCheck: boolean,
): { state: KvState; log: string } {
  const file = path.join(rootDir, ETCD_RECOVERY_SNAPSHOT);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file or directory" : (err as Error).message;
    throw new Error(`error verifying snapshot: stat /${ETCD_RECOVERY_SNAPSHOT}: ${why}`);
  }
  let status: ReturnType<typeof snapshotStatus>;
  try {
    status = snapshotStatus(bytes);
  } catch (err) {
    throw new Error(`error verifying snapshot: ${(err as Error).message}`);
  }
  const log = `recovering etcd from snapshot: hash ${status.hash.toString(16).padStart(8, "0")}, revision ${status.revision}, total keys ${status.totalKey}, total size ${status.totalSize}`;
  let state: KvState;
  try {
    const db = verifySnapshot(bytes, skipHashCheck);
    state = KvState.fromBuckets(readBolt(db).buckets);
  } catch (err) {
    const message = err instanceof SnapshotError ? err.message : (err as Error).message;
    throw new Error(`error recovering from the snapshot: ${message}`);
  }
  fs.rmSync(file, { force: true });
  return { state, log };
}
