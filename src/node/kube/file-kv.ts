// The emulated etcd's key/value store, shared by processes through a directory: an append-only
// journal of changes (one JSON line per written key, the lines of one transaction sharing their
// revision) that every process tails into memory. Writers take the lock beside the journal,
// catch up, check their guards and append; readers catch up before they answer, so every
// process answers from the newest revision. A journal past KV_COMPACT_BYTES is rewritten as one
// snapshot line (etcd's compaction); readers holding the old file finish it, then reopen.
import fs from "node:fs";
import path from "node:path";
import { withFileLock } from "../../fsutil/index.js";
import {
  type KubeKv,
  KvCompactedError,
  type KvCompare,
  type KvEntry,
  type KvEvent,
  type KvOp,
  type KvRange,
  type KvTxnResult,
  type KvWatch,
} from "./kv.js";

/** Events kept in memory for watches that resume from a revision. */
export const KV_HISTORY_EVENTS = 20_000;
/**
 * A journal larger than this is compacted into a snapshot by the next writer; once the data
 * itself is larger, a journal twice the size of its snapshot is.
 */
export const KV_COMPACT_BYTES = 8 * 2 ** 20;
/** How often (real time) a process with watchers looks for other processes' writes. */
export const KV_POLL_MS = 20;
const JOURNAL = "journal";
/** How long a writer waits for the journal's lock. */
const LOCK_TIMEOUT_MS = 20_000;

interface Watcher {
  readonly prefix: string;
  after: number;
  readonly listener: (events: readonly KvEvent[]) => void;
}

type JournalLine =
  | { r: number; k: string; v: string | null }
  | { s: number; e: [string, number, number, number, string][] };

class FileKv implements KubeKv {
  private fd: number;
  private offset = 0;
  private pending = "";
  /** The journal size that triggers the next compaction: twice the last snapshot, at least KV_COMPACT_BYTES. */
  private compactAt = KV_COMPACT_BYTES;
  private readonly entries = new Map<string, KvEntry>();
  private sorted: string[] | undefined;
  private rev = 0;
  private history: KvEvent[] = [];
  /** Events after this revision are all in `history`. */
  private floor = 0;
  private readonly watchers = new Set<Watcher>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  refs = 1;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.fd = this.open();
    this.sync();
  }

  private get file(): string {
    return path.join(this.dir, JOURNAL);
  }

  private open(): number {
    return fs.openSync(this.file, "a+", 0o600);
  }

  async revision(): Promise<number> {
    this.catchUp();
    return this.rev;
  }

  async get(key: string): Promise<{ entry: KvEntry | undefined; revision: number }> {
    this.catchUp();
    return { entry: this.entries.get(key), revision: this.rev };
  }

  async range(prefix: string, options: { startAfter?: string; limit?: number } = {}): Promise<KvRange> {
    this.catchUp();
    const keys = this.sortedKeys();
    const from =
      options.startAfter !== undefined && options.startAfter >= prefix ? options.startAfter : prefix;
    let i = lowerBound(keys, from);
    if (options.startAfter !== undefined && keys[i] === options.startAfter) i++;
    const limit = options.limit && options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
    const out: KvEntry[] = [];
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      if (!key.startsWith(prefix)) break;
      if (out.length >= limit) return { entries: out, revision: this.rev, more: true };
      out.push(this.entries.get(key)!);
    }
    return { entries: out, revision: this.rev, more: false };
  }

  txn(compares: readonly KvCompare[], ops: readonly KvOp[]): Promise<KvTxnResult> {
    const run = this.chain.then(() =>
      withFileLock(this.file, () => this.txnLocked(compares, ops), { timeoutMs: LOCK_TIMEOUT_MS }),
    );
    this.chain = run.catch(() => undefined);
    return run;
  }

  private txnLocked(compares: readonly KvCompare[], ops: readonly KvOp[]): KvTxnResult {
    this.catchUp();
    const current = compares.map((c) => this.entries.get(c.key));
    const ok = compares.every((c, i) => (current[i]?.modRevision ?? 0) === c.modRevision);
    if (!ok) return { succeeded: false, revision: this.rev, entries: current };
    const effective = ops.filter((op) => op.type === "put" || this.entries.has(op.key));
    if (effective.length > 0) {
      const r = this.rev + 1;
      const text = effective
        .map((op) => JSON.stringify({ r, k: op.key, v: op.type === "put" ? op.value : null }))
        .join("\n");
      fs.writeSync(this.fd, `${text}\n`);
      this.catchUp();
      this.compactIfLarge();
    }
    return { succeeded: true, revision: this.rev, entries: compares.map((c) => this.entries.get(c.key)) };
  }

  watch(prefix: string, afterRevision: number, listener: (events: readonly KvEvent[]) => void): KvWatch {
    this.catchUp();
    if (afterRevision < this.floor && afterRevision < this.rev) throw new KvCompactedError(this.floor + 1);
    const watcher: Watcher = { prefix, after: afterRevision, listener };
    const backlog = this.history.filter((e) => e.revision > afterRevision && e.key.startsWith(prefix));
    watcher.after = Math.max(afterRevision, this.rev);
    this.watchers.add(watcher);
    if (backlog.length > 0) listener(backlog);
    if (!this.timer) {
      this.timer = setInterval(() => this.catchUp(), KV_POLL_MS);
      this.timer.unref();
    }
    return {
      cancel: () => {
        this.watchers.delete(watcher);
        if (this.watchers.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      },
    };
  }

  close(): void {
    if (--this.refs > 0) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watchers.clear();
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    shared.delete(this.dir);
  }

  /** Reads what other writers appended (and follows a compaction) and tells the watchers. */
  private catchUp(): void {
    const events = this.sync();
    if (events.length > 0) this.dispatch(events);
  }

  private sync(): KvEvent[] {
    const events = this.readFrom(this.fd);
    // A compaction replaced the journal: what this process still missed was read from the old
    // file above; the new one starts with a snapshot of the same revision.
    if (fs.fstatSync(this.fd).nlink === 0) {
      fs.closeSync(this.fd);
      this.fd = this.open();
      this.offset = 0;
      this.pending = "";
      events.push(...this.readFrom(this.fd));
    }
    return events;
  }

  private readFrom(fd: number): KvEvent[] {
    const size = fs.fstatSync(fd).size;
    if (size <= this.offset) return [];
    const buf = Buffer.allocUnsafe(size - this.offset);
    let read = 0;
    while (read < buf.length) {
      const n = fs.readSync(fd, buf, read, buf.length - read, this.offset + read);
      if (n === 0) break;
      read += n;
    }
    this.offset += read;
    const text = this.pending + buf.subarray(0, read).toString("utf8");
    const end = text.lastIndexOf("\n");
    this.pending = text.slice(end + 1);
    if (end < 0) return [];
    const events: KvEvent[] = [];
    for (const line of text.slice(0, end).split("\n")) {
      if (line === "") continue;
      let parsed: JournalLine;
      try {
        parsed = JSON.parse(line) as JournalLine;
      } catch {
        continue;
      }
      if ("s" in parsed) {
        this.compactAt = Math.max(KV_COMPACT_BYTES, 2 * line.length);
        this.applySnapshot(parsed.s, parsed.e);
      } else {
        const event = this.apply(parsed.r, parsed.k, parsed.v);
        if (event) events.push(event);
      }
    }
    return events;
  }

  private applySnapshot(revision: number, rows: [string, number, number, number, string][]): void {
    if (revision <= this.rev) return;
    // A snapshot past what this process knows: its history has a gap, so watches must start over.
    this.entries.clear();
    for (const [key, createRevision, modRevision, version, value] of rows) {
      this.entries.set(key, { key, value, createRevision, modRevision, version });
    }
    this.sorted = undefined;
    this.rev = revision;
    this.history = [];
    this.floor = revision;
  }

  private apply(revision: number, key: string, value: string | null): KvEvent | undefined {
    if (revision < this.rev) return undefined;
    const prev = this.entries.get(key);
    this.rev = revision;
    let event: KvEvent;
    if (value === null) {
      if (!prev) return undefined;
      this.entries.delete(key);
      this.sorted = undefined;
      event = { type: "delete", key, revision, prev };
    } else {
      const entry: KvEntry = {
        key,
        value,
        createRevision: prev ? prev.createRevision : revision,
        modRevision: revision,
        version: prev ? prev.version + 1 : 1,
      };
      if (!prev) this.sorted = undefined;
      this.entries.set(key, entry);
      event = prev ? { type: "put", key, revision, entry, prev } : { type: "put", key, revision, entry };
    }
    this.history.push(event);
    if (this.history.length > KV_HISTORY_EVENTS) {
      const drop = this.history.length - KV_HISTORY_EVENTS / 2;
      this.floor = this.history[drop - 1]!.revision;
      // Events of one revision stay together.
      let cut = drop;
      while (cut < this.history.length && this.history[cut]!.revision === this.floor) cut++;
      this.history = this.history.slice(cut);
    }
    return event;
  }

  private dispatch(events: readonly KvEvent[]): void {
    for (const w of [...this.watchers]) {
      const mine = events.filter((e) => e.revision > w.after && e.key.startsWith(w.prefix));
      w.after = Math.max(w.after, events[events.length - 1]!.revision);
      if (mine.length === 0) continue;
      try {
        w.listener(mine);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private compactIfLarge(): void {
    if (this.offset < this.compactAt) return;
    const rows = [...this.entries.values()].map((e) => [
      e.key,
      e.createRevision,
      e.modRevision,
      e.version,
      e.value,
    ]);
    const tmp = `${this.file}.compact`;
    const snapshot = JSON.stringify({ s: this.rev, e: rows });
    this.compactAt = Math.max(KV_COMPACT_BYTES, 2 * snapshot.length);
    fs.writeFileSync(tmp, `${snapshot}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.sync();
  }

  private sortedKeys(): string[] {
    if (!this.sorted) this.sorted = [...this.entries.keys()].sort();
    return this.sorted;
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const shared = new Map<string, FileKv>();

/** The store kept in `dir`; the processes and nodes that open the same directory share it. */
export function openFileKv(dir: string): KubeKv {
  const key = path.resolve(dir);
  const existing = shared.get(key);
  if (existing) {
    existing.refs++;
    return existing;
  }
  const kv = new FileKv(key);
  shared.set(key, kv);
  return kv;
}
