// The emulated etcd's replicated data, shared by every control plane of a cluster through its
// discovery registry (any process, any number of nodes): a base state and an append-only log
// of records (etcd-kv.ts) under `<registry>/kv/`. A writer takes the registry's lock, catches up,
// checks the request (quota, alarms, preconditions), appends its record and applies it; a reader
// catches up by reading the log past what it has applied. Bootstrapping or restoring a cluster
// starts a new epoch (a new base, an empty log), which readers notice and reload.
//
// What the Kubernetes side of the emulation uses: `get`, `range`, `put` (with an optional
// expected mod revision, for create-if-absent and compare-and-swap), `delete`, `deletePrefix`,
// `compact`, and `watch` (a key or prefix, from a revision, history replayed first).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { withFileLock } from "../../fsutil/index.js";
import {
  DEFAULT_QUOTA_BYTES,
  KV_ERRORS,
  type KvEntry,
  KvError,
  type KvOp,
  type KvRecord,
  KvState,
  type KvStateJson,
  type MemberInfo,
  type WatchEvent,
} from "./etcd-kv.js";
import type { ClusterRegistry, EtcdClusterState, EtcdMemberRecord } from "./registry.js";

/** A log longer than this is folded into a new base by the next writer. */
const LOG_REBASE_BYTES = 8 * 1024 * 1024;
/** How often (real time) a process with watchers looks for other processes' writes. */
const WATCH_POLL_MS = 100;

export interface PutOptions {
  /** The write only happens if the key's mod revision is this (0: the key must not exist). */
  readonly expectModRevision?: number;
  readonly lease?: number;
  /** The member the client talks to (its quota applies); default the leader. */
  readonly member?: string;
}

export interface PutResult {
  /** False when `expectModRevision` did not match (nothing was written). */
  readonly succeeded: boolean;
  readonly revision: number;
  /** The key as it was before (or as it is, when the write did not happen). */
  readonly prev: KvEntry | undefined;
}

export interface DeleteResult {
  readonly succeeded: boolean;
  readonly revision: number;
  readonly deleted: number;
}

interface WatchRegistration {
  readonly start: string;
  readonly end: string;
  readonly listener: (events: readonly WatchEvent[]) => void;
}

/** The end of the key range that a prefix covers (etcd's `clientv3.GetPrefixRangeEnd`). */
export function prefixEnd(prefix: string): string {
  if (prefix === "") return "\0";
  const chars = [...prefix];
  for (let i = chars.length - 1; i >= 0; i--) {
    const code = chars[i]!.codePointAt(0)!;
    if (code < 0x10ffff) {
      chars[i] = String.fromCodePoint(code + 1);
      return chars.slice(0, i + 1).join("");
    }
  }
  return "\0";
}

const instances = new Map<string, SharedKv>();

export class SharedKv {
  private readonly dir: string;
  private readonly headFile: string;
  private epoch = "";
  private offset = 0;
  private partial = "";
  private state = new KvState();
  private readonly watchers = new Set<WatchRegistration>();
  private poll: NodeJS.Timeout | undefined;

  /** One instance per registry per process: every node of the process shares it. */
  static of(registry: ClusterRegistry): SharedKv {
    let kv = instances.get(registry.dir);
    if (!kv) {
      kv = new SharedKv(registry);
      instances.set(registry.dir, kv);
    }
    return kv;
  }

  private constructor(private readonly registry: ClusterRegistry) {
    this.dir = path.join(registry.dir, "kv");
    this.headFile = path.join(this.dir, "head");
  }

  private baseFile(epoch: string): string {
    return path.join(this.dir, `${epoch}.base.json`);
  }

  private logFile(epoch: string): string {
    return path.join(this.dir, `${epoch}.log`);
  }

  private readHead(): string {
    try {
      return fs.readFileSync(this.headFile, "utf8").trim();
    } catch {
      return "";
    }
  }

  /** Brings the state up to what the registry holds; returns the events it applied. */
  private sync(): WatchEvent[] {
    const head = this.readHead();
    if (head !== this.epoch) {
      this.epoch = head;
      this.offset = 0;
      this.partial = "";
      this.state = new KvState();
      if (head !== "") {
        try {
          this.state = KvState.fromJson(
            JSON.parse(fs.readFileSync(this.baseFile(head), "utf8")) as KvStateJson,
          );
        } catch {
          // a base being replaced: the next sync reads the new epoch
        }
      }
    }
    if (head === "") return [];
    let size: number;
    try {
      size = fs.statSync(this.logFile(head)).size;
    } catch {
      return [];
    }
    if (size <= this.offset) return [];
    const fd = fs.openSync(this.logFile(head), "r");
    let text: string;
    try {
      const buf = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      text = this.partial + buf.toString("utf8");
      this.offset = size;
    } finally {
      fs.closeSync(fd);
    }
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    const events: WatchEvent[] = [];
    for (const line of lines) {
      if (line === "") continue;
      events.push(...this.state.apply(JSON.parse(line) as KvRecord));
    }
    if (events.length > 0) this.notify(events);
    return events;
  }

  private notify(events: readonly WatchEvent[]): void {
    for (const w of [...this.watchers]) {
      const mine = events.filter((e) => inRange(e.kv.key, w.start, w.end));
      if (mine.length > 0) w.listener(mine);
    }
  }

  /** The current state (caught up). */
  read(): KvState {
    this.sync();
    return this.state;
  }

  /** Runs `fn` under the registry's lock with the caught-up state; it returns the records to append. */
  private async write<T>(fn: (state: KvState) => { records: KvRecord[]; result: T }): Promise<T> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return withFileLock(this.headFile, () => {
      this.sync();
      if (this.epoch === "") this.rebase(this.state);
      const { records, result } = fn(this.state);
      if (records.length > 0) {
        const text = records.map((r) => `${JSON.stringify(r)}\n`).join("");
        fs.appendFileSync(this.logFile(this.epoch), text, { mode: 0o600 });
        this.sync();
        if (this.offset > LOG_REBASE_BYTES) this.rebase(this.state);
      }
      return result;
    });
  }

  /** Starts a new epoch from `state` (call under the lock). */
  private rebase(state: KvState): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const old = this.epoch;
    const epoch = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
    fs.writeFileSync(this.baseFile(epoch), JSON.stringify(state.toJson()), { mode: 0o600 });
    fs.writeFileSync(this.logFile(epoch), "", { mode: 0o600 });
    const tmp = `${this.headFile}.${randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, `${epoch}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.headFile);
    this.epoch = epoch;
    this.offset = 0;
    this.partial = "";
    this.state = state;
    if (old !== "") {
      fs.rmSync(this.baseFile(old), { force: true });
      fs.rmSync(this.logFile(old), { force: true });
    }
  }

  /** Replaces the whole data set (a new cluster: empty, or restored from a snapshot). */
  async reset(state: KvState = new KvState()): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await withFileLock(this.headFile, () => this.rebase(state));
  }

  /** Whether the registry holds data at all (a cluster whose every node stopped holds none). */
  exists(): boolean {
    return this.readHead() !== "";
  }

  // -------------------------------------------------------------------------------------------
  // Membership facts the writes need

  private membership(): EtcdClusterState | undefined {
    return this.registry.readEtcd({ fresh: true });
  }

  private target(member: string | undefined): EtcdMemberRecord | undefined {
    const state = this.membership();
    const id = member ?? state?.leader;
    return state?.members.find((m) => m.id === id);
  }

  /** Members as a snapshot's members bucket records them. */
  membersInfo(): MemberInfo[] {
    return (this.membership()?.members ?? []).map(memberInfo);
  }

  // -------------------------------------------------------------------------------------------
  // Key/value API

  get(key: string): KvEntry | undefined {
    return this.read().get(key);
  }

  /** Keys under `prefix` (all keys for ""), sorted; `revision` reads the past (until compacted). */
  range(prefix: string, options: { revision?: number; limit?: number } = {}) {
    return this.read().range(prefix, prefixEnd(prefix), options);
  }

  /** The store's current revision. */
  revision(): number {
    return this.read().revision;
  }

  async put(key: string, value: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    const bytes = typeof value === "string" ? Buffer.from(value) : Buffer.from(value);
    return this.write<PutResult>((state) => {
      const prev = state.get(key);
      if (options.expectModRevision !== undefined && (prev?.modRevision ?? 0) !== options.expectModRevision) {
        return { records: [], result: { succeeded: false, revision: state.revision, prev } };
      }
      const records = this.quotaCheck(state, key.length + bytes.length, options.member);
      const op: KvOp = {
        put: key,
        value: bytes.toString("base64"),
        ...(options.lease ? { lease: options.lease } : {}),
      };
      return {
        records: [...records, { t: "txn", ops: [op] }],
        result: { succeeded: true, revision: state.revision + 1, prev },
      };
    });
  }

  /**
   * etcd's quota: a write is refused while a NOSPACE alarm is raised, and raises one when the
   * member's backend would grow past its quota.
   */
  private quotaCheck(state: KvState, bytes: number, member: string | undefined): KvRecord[] {
    if (state.alarms.some((a) => a.alarm === "NOSPACE")) {
      throw new KvError(KV_ERRORS.noSpace, grpc.status.RESOURCE_EXHAUSTED);
    }
    const target = this.target(member);
    if (!target) return [];
    const quota = target.quotaBytes ?? DEFAULT_QUOTA_BYTES;
    if (quota < 0) return [];
    // etcd's estimate of a put's cost: the key, the value and a fixed overhead per row.
    const cost = bytes + 64 + 128;
    if (state.writeSize(target.id) + cost <= quota) return [];
    // The alarm is raised (a record of its own), then the write refused.
    const alarm: KvRecord = { t: "alarm", member: target.id, alarm: "NOSPACE" };
    const text = `${JSON.stringify(alarm)}\n`;
    fs.appendFileSync(this.logFile(this.epoch), text, { mode: 0o600 });
    this.sync();
    throw new KvError(KV_ERRORS.noSpace, grpc.status.RESOURCE_EXHAUSTED);
  }

  async delete(key: string, options: { expectModRevision?: number } = {}): Promise<DeleteResult> {
    return this.deleteWhere(key, "", options);
  }

  async deletePrefix(prefix: string): Promise<DeleteResult> {
    return this.deleteWhere(prefix, prefixEnd(prefix), {});
  }

  private async deleteWhere(
    start: string,
    end: string,
    options: { expectModRevision?: number },
  ): Promise<DeleteResult> {
    return this.write<DeleteResult>((state) => {
      if (
        options.expectModRevision !== undefined &&
        (state.get(start)?.modRevision ?? 0) !== options.expectModRevision
      ) {
        return { records: [], result: { succeeded: false, revision: state.revision, deleted: 0 } };
      }
      const keys = state.range(start, end).kvs.map((kv) => kv.key);
      if (keys.length === 0)
        return { records: [], result: { succeeded: true, revision: state.revision, deleted: 0 } };
      return {
        records: [{ t: "txn", ops: keys.map((k) => ({ del: k })) }],
        result: { succeeded: true, revision: state.revision + 1, deleted: keys.length },
      };
    });
  }

  /** Drops the history at and below `revision` (what kube-apiserver asks for every few minutes). */
  async compact(revision: number): Promise<void> {
    await this.write((state) => {
      state.checkCompact(revision);
      return { records: [{ t: "compact", rev: revision }], result: undefined };
    });
  }

  /**
   * Calls `listener` with the events for `key` (or every key under it with `prefix`) from
   * `fromRevision` on (history first; 0: only what happens from now), as they are applied.
   * Returns the cancel function.
   */
  watch(
    key: string,
    options: { prefix?: boolean; fromRevision?: number },
    listener: (events: readonly WatchEvent[]) => void,
  ): () => void {
    const start = key;
    const end = options.prefix ? prefixEnd(key) : "";
    const state = this.read();
    if (options.fromRevision && options.fromRevision > 0) {
      const past = state.eventsSince(options.fromRevision, start, end);
      if (past.length > 0) listener(past);
    }
    const reg: WatchRegistration = { start, end, listener };
    this.watchers.add(reg);
    if (!this.poll) {
      this.poll = setInterval(() => {
        try {
          this.sync();
        } catch {
          // the next poll retries
        }
      }, WATCH_POLL_MS);
      this.poll.unref?.();
    }
    return () => {
      this.watchers.delete(reg);
      if (this.watchers.size === 0 && this.poll) {
        clearInterval(this.poll);
        this.poll = undefined;
      }
    };
  }

  // -------------------------------------------------------------------------------------------
  // Maintenance (what the machine API's etcd calls do)

  async raiseAlarm(member: string, alarm: "NOSPACE" | "CORRUPT"): Promise<void> {
    await this.write(() => ({ records: [{ t: "alarm", member, alarm }], result: undefined }));
  }

  /** Disarms every alarm; returns those that were raised. */
  async disarmAll(): Promise<{ member: string; alarm: "NOSPACE" | "CORRUPT" }[]> {
    return this.write((state) => {
      const raised = [...state.alarms];
      return { records: raised.length > 0 ? [{ t: "disarm" }] : [], result: raised };
    });
  }

  /** Defragments a member's backend: its file shrinks to what the data takes. */
  async defragment(member: string): Promise<void> {
    await this.write((state) => {
      const size = state.inUse(this.membersInfo());
      return { records: [{ t: "defrag", member, size }], result: undefined };
    });
  }

  async setDowngrade(enabled: boolean, target: string): Promise<void> {
    await this.write(() => ({ records: [{ t: "downgrade", enabled, target }], result: undefined }));
  }

  /** Stops polling (the process is going away). */
  close(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    this.watchers.clear();
    instances.delete(this.registry.dir);
  }
}

function inRange(key: string, start: string, end: string): boolean {
  return end === "" ? key === start : key >= start && (end === "\0" || key < end);
}

export function memberInfo(m: EtcdMemberRecord): MemberInfo {
  return {
    id: m.id,
    name: m.hostname,
    peerUrls: [`https://${m.address}:2380`],
    clientUrls: [`https://${m.address}:2379`],
    isLearner: m.isLearner,
  };
}
