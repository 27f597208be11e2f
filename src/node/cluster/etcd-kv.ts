// The emulated etcd's data, as one member's backend would hold it: a multi-version key/value
// store (every write gets the next revision; history is kept until a compaction), the alarms,
// the downgrade state, and what the backend file measures (its size never shrinks until a
// defragmentation). Changes arrive as records, so every process that applies the same records
// in the same order holds the same state (see etcd-shared.ts, which keeps the records in the
// cluster's discovery registry). Facts: etcd-io/etcd server/storage/mvcc (revisions,
// compaction), server/etcdserver/api/v3alarm and server/storage/backend (sizes).
import {
  BOLT_PAGE_SIZE,
  type BoltBucket,
  BUCKET,
  compactPages,
  decodeKeyValue,
  encodeAlarmMember,
  encodeKeyValue,
  parseRevisionKey,
  revisionKey,
} from "../../etcd/index.js";

/** The cluster version etcd 3.6 reports. */
export const ETCD_CLUSTER_VERSION = "3.6.0";
/** etcd's default backend quota (`--quota-backend-bytes` 0 or unset): 2 GiB. */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;

/** Errors in etcd's words (their gRPC codes follow rpctypes). */
export const KV_ERRORS = {
  noSpace: "etcdserver: mvcc: database space exceeded",
  compacted: "mvcc: required revision has been compacted",
  futureRev: "mvcc: required revision is a future revision",
  invalidTarget: "etcdserver: invalid downgrade target version",
  inProcess: "etcdserver: cluster has a downgrade job in progress",
  wrongFormat: "etcdserver: wrong downgrade target version format",
} as const;

export class KvError extends Error {
  override readonly name = "KvError";
  constructor(
    message: string,
    /** gRPC status code etcd answers with. */
    readonly code: number,
  ) {
    super(message);
  }
}

export type AlarmType = "NOSPACE" | "CORRUPT";

export interface KvEntry {
  readonly key: string;
  readonly value: Buffer;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  readonly lease: number;
}

export interface WatchEvent {
  readonly type: "put" | "delete";
  /** For a delete: the key with modRevision set to the deletion's revision, no value. */
  readonly kv: KvEntry;
}

/** One operation of a transaction record. */
export type KvOp =
  | { readonly put: string; readonly value: string; readonly lease?: number }
  | { readonly del: string };

/** The records of the replicated log. `value` is base64. */
export type KvRecord =
  | { readonly t: "txn"; readonly ops: readonly KvOp[] }
  | { readonly t: "compact"; readonly rev: number }
  | { readonly t: "alarm"; readonly member: string; readonly alarm: AlarmType }
  | { readonly t: "disarm"; readonly member?: string; readonly alarm?: AlarmType }
  | { readonly t: "defrag"; readonly member: string; readonly size: number }
  | { readonly t: "downgrade"; readonly enabled: boolean; readonly target: string };

/** One row of the "key" bucket. */
interface HistoryEntry {
  readonly main: number;
  readonly sub: number;
  readonly key: string;
  /** undefined: a tombstone. */
  readonly value: Buffer | undefined;
  readonly createRevision: number;
  readonly version: number;
  readonly lease: number;
}

export interface AlarmRecord {
  readonly member: string;
  readonly alarm: AlarmType;
}

export interface DowngradeState {
  readonly enabled: boolean;
  /** MAJOR.MINOR.0, empty when never set. */
  readonly target: string;
}

/** The serialised form of a state (the registry's base file). */
export interface KvStateJson {
  readonly revision: number;
  readonly compactRevision: number;
  readonly applied: number;
  readonly history: readonly [number, number, string, string | null, number, number, number][];
  readonly alarms: readonly AlarmRecord[];
  readonly downgrade: DowngradeState;
  readonly sizes: Readonly<Record<string, number>>;
  readonly highWater: number;
}

/** Bytes a row of the "key" bucket takes in a leaf page (element header, key, value). */
function rowBytes(e: HistoryEntry): number {
  return 16 + (e.value === undefined ? 18 : 17) + 12 + Buffer.byteLength(e.key) + (e.value?.length ?? 0);
}

/** Pages besides the "key" bucket's leaves: metas, freelist, root, meta/cluster/members buckets. */
const FIXED_PAGES = 7;
const USABLE = BOLT_PAGE_SIZE - 16;

export class KvState {
  /** The store's revision (a fresh etcd is at 1; the first write makes it 2). */
  revision = 1;
  compactRevision = 0;
  /** Raft entries applied since the cluster started (writes, compactions, alarms). */
  applied = 0;
  private history: HistoryEntry[] = [];
  private readonly live = new Map<string, HistoryEntry>();
  alarms: AlarmRecord[] = [];
  downgrade: DowngradeState = { enabled: false, target: "" };
  /** Backend file size by member id (hex), for members that were defragmented. */
  private sizes = new Map<string, number>();
  /** The largest the data has been since the cluster started (the size of members never defragmented). */
  private highWater = 0;
  private rowTotal = 0;
  /** Bumped at every change (cache key for the exact layout). */
  private version = 0;
  private exact: { version: number; bytes: number } | undefined;

  static fromJson(json: KvStateJson): KvState {
    const s = new KvState();
    s.revision = json.revision;
    s.compactRevision = json.compactRevision;
    s.applied = json.applied;
    for (const [main, sub, key, value, createRevision, version, lease] of json.history) {
      s.pushRow({
        main,
        sub,
        key,
        value: value === null ? undefined : Buffer.from(value, "base64"),
        createRevision,
        version,
        lease,
      });
    }
    s.alarms = [...json.alarms];
    s.downgrade = json.downgrade;
    s.sizes = new Map(Object.entries(json.sizes));
    s.highWater = json.highWater;
    return s;
  }

  toJson(): KvStateJson {
    return {
      revision: this.revision,
      compactRevision: this.compactRevision,
      applied: this.applied,
      history: this.history.map((e) => [
        e.main,
        e.sub,
        e.key,
        e.value === undefined ? null : e.value.toString("base64"),
        e.createRevision,
        e.version,
        e.lease,
      ]),
      alarms: this.alarms,
      downgrade: this.downgrade,
      sizes: Object.fromEntries(this.sizes),
      highWater: this.highWater,
    };
  }

  private pushRow(e: HistoryEntry): void {
    this.history.push(e);
    this.rowTotal += rowBytes(e);
    if (e.value === undefined) this.live.delete(e.key);
    else this.live.set(e.key, e);
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  private entry(e: HistoryEntry, modRevision = e.main): KvEntry {
    return {
      key: e.key,
      value: e.value ?? Buffer.alloc(0),
      createRevision: e.createRevision,
      modRevision,
      version: e.version,
      lease: e.lease,
    };
  }

  get(key: string): KvEntry | undefined {
    const e = this.live.get(key);
    return e ? this.entry(e) : undefined;
  }

  /** Live keys in [start, end) (end "" = just `start`; "\0" = every key from `start`), sorted. */
  range(
    start: string,
    end: string,
    options: { revision?: number; limit?: number } = {},
  ): { kvs: KvEntry[]; count: number; revision: number } {
    const rev = options.revision && options.revision > 0 ? options.revision : this.revision;
    if (rev > this.revision) throw new KvError(KV_ERRORS.futureRev, 11);
    if (rev < this.compactRevision) throw new KvError(KV_ERRORS.compacted, 11);
    const inRange = (k: string): boolean =>
      end === "" ? k === start : k >= start && (end === "\0" || k < end);
    let found: KvEntry[];
    if (rev === this.revision) {
      found = [...this.live.values()].filter((e) => inRange(e.key)).map((e) => this.entry(e));
    } else {
      const at = new Map<string, HistoryEntry>();
      for (const e of this.history) {
        if (e.main > rev) break;
        if (inRange(e.key)) at.set(e.key, e);
      }
      found = [...at.values()].filter((e) => e.value !== undefined).map((e) => this.entry(e));
    }
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const count = found.length;
    if (options.limit && options.limit > 0) found = found.slice(0, options.limit);
    return { kvs: found, count, revision: this.revision };
  }

  /** Events with revision >= `from` for keys in [start, end) (as `range`), oldest first. */
  eventsSince(from: number, start: string, end: string): WatchEvent[] {
    if (from > 0 && from <= this.compactRevision) throw new KvError(KV_ERRORS.compacted, 11);
    const inRange = (k: string): boolean =>
      end === "" ? k === start : k >= start && (end === "\0" || k < end);
    const out: WatchEvent[] = [];
    for (const e of this.history) {
      if (e.main < from || !inRange(e.key)) continue;
      out.push({ type: e.value === undefined ? "delete" : "put", kv: this.entry(e) });
    }
    return out;
  }

  /** Keys alive now. */
  get keyCount(): number {
    return this.live.size;
  }

  // -------------------------------------------------------------------------------------------
  // Sizes

  /** The backend's size in use, estimated from its rows as writes happen (bytes, whole pages). */
  estimatedInUse(): number {
    return (FIXED_PAGES + Math.ceil(this.rowTotal / USABLE)) * BOLT_PAGE_SIZE;
  }

  /** The size a defragmented backend takes: the compact bbolt layout of the data. */
  inUse(members: readonly MemberInfo[]): number {
    if (this.exact?.version !== this.version) {
      this.exact = {
        version: this.version,
        bytes: compactPages(this.buckets(members, 0)) * BOLT_PAGE_SIZE,
      };
    }
    return this.exact.bytes;
  }

  /** The size of a member's backend file: what its data ever took since its last defragmentation. */
  dbSize(member: string, members: readonly MemberInfo[]): number {
    return Math.max(this.sizes.get(member) ?? this.highWater, this.inUse(members));
  }

  /** The size a write check compares against the quota (no exact layout: writes stay cheap). */
  writeSize(member: string): number {
    return Math.max(this.sizes.get(member) ?? this.highWater, this.estimatedInUse());
  }

  // -------------------------------------------------------------------------------------------
  // Applying records

  /** Applies one record; returns the watch events it produced. */
  apply(record: KvRecord): WatchEvent[] {
    this.version++;
    switch (record.t) {
      case "txn":
        return this.applyTxn(record.ops);
      case "compact":
        this.applied++;
        this.compact(record.rev);
        return [];
      case "alarm":
        this.applied++;
        if (!this.alarms.some((a) => a.member === record.member && a.alarm === record.alarm)) {
          this.alarms = [...this.alarms, { member: record.member, alarm: record.alarm }];
        }
        return [];
      case "disarm":
        this.applied++;
        this.alarms = this.alarms.filter(
          (a) =>
            !(
              (record.member === undefined || a.member === record.member) &&
              (record.alarm === undefined || a.alarm === record.alarm)
            ),
        );
        return [];
      case "defrag":
        this.sizes.set(record.member, record.size);
        return [];
      case "downgrade":
        this.applied++;
        this.downgrade = { enabled: record.enabled, target: record.target };
        return [];
    }
  }

  private applyTxn(ops: readonly KvOp[]): WatchEvent[] {
    this.applied++;
    const events: WatchEvent[] = [];
    const main = this.revision + 1;
    let sub = 0;
    for (const op of ops) {
      if ("put" in op) {
        const prev = this.live.get(op.put);
        const e: HistoryEntry = {
          main,
          sub: sub++,
          key: op.put,
          value: Buffer.from(op.value, "base64"),
          createRevision: prev ? prev.createRevision : main,
          version: prev ? prev.version + 1 : 1,
          lease: op.lease ?? 0,
        };
        this.pushRow(e);
        events.push({ type: "put", kv: this.entry(e) });
      } else {
        if (!this.live.has(op.del)) continue;
        const e: HistoryEntry = {
          main,
          sub: sub++,
          key: op.del,
          value: undefined,
          createRevision: 0,
          version: 0,
          lease: 0,
        };
        this.pushRow(e);
        events.push({ type: "delete", kv: this.entry(e) });
      }
    }
    // A transaction that changed nothing does not move the revision (as etcd's).
    if (sub > 0) this.revision = main;
    this.grow();
    return events;
  }

  /** Members' files grow with the data: every size follows the largest the data has been. */
  private grow(): void {
    const now = this.estimatedInUse();
    if (now > this.highWater) this.highWater = now;
    for (const [m, size] of this.sizes) if (now > size) this.sizes.set(m, now);
  }

  /**
   * etcd's compaction at `rev`: for each key, only its newest row at or below `rev` stays,
   * and not even that when it is a tombstone; rows above `rev` all stay.
   */
  private compact(rev: number): void {
    const newest = new Map<string, HistoryEntry>();
    for (const e of this.history) {
      if (e.main > rev) break;
      newest.set(e.key, e);
    }
    const kept: HistoryEntry[] = [];
    for (const e of this.history) {
      if (e.main > rev || (newest.get(e.key) === e && e.value !== undefined)) kept.push(e);
    }
    this.history = [];
    this.live.clear();
    this.rowTotal = 0;
    for (const e of kept) this.pushRow(e);
    this.compactRevision = rev;
  }

  /** Checks a compaction request against the store, in etcd's words. */
  checkCompact(rev: number): void {
    if (rev <= this.compactRevision) throw new KvError(KV_ERRORS.compacted, 11);
    if (rev > this.revision) throw new KvError(KV_ERRORS.futureRev, 11);
  }

  // -------------------------------------------------------------------------------------------
  // Backend layout (snapshots)

  /** etcd's buckets for this state, sorted by name, as a member's backend holds them. */
  buckets(members: readonly MemberInfo[], raftTerm: number): BoltBucket[] {
    const b = (name: string, entries: [Buffer, Buffer][]): BoltBucket => ({
      name: Buffer.from(name),
      entries: entries.sort((x, y) => Buffer.compare(x[0], y[0])),
    });
    const u64 = (n: number): Buffer => {
      const out = Buffer.alloc(8);
      out.writeBigUInt64BE(BigInt(n));
      return out;
    };
    const keyRows: [Buffer, Buffer][] = this.history.map((e) => [
      revisionKey({ main: e.main, sub: e.sub }, e.value === undefined),
      encodeKeyValue({
        key: Buffer.from(e.key),
        createRevision: e.createRevision,
        modRevision: e.value === undefined ? 0 : e.main,
        version: e.version,
        value: e.value ?? Buffer.alloc(0),
        lease: e.lease,
      }),
    ]);
    // Rows of the key bucket sort by revision already; the sort above keeps the contract.
    const meta: [Buffer, Buffer][] = [
      [
        Buffer.from("confState"),
        Buffer.from(`{"voters":[${members.map((m) => decimalId(m.id)).join(",")}]}`),
      ],
      [Buffer.from("consistent_index"), u64(this.applied)],
      [Buffer.from("storageVersion"), Buffer.from(this.clusterVersion())],
      [Buffer.from("term"), u64(raftTerm)],
    ];
    if (this.compactRevision > 0) {
      const rev = revisionKey({ main: this.compactRevision, sub: 0 });
      meta.push([Buffer.from("finishedCompactRev"), rev], [Buffer.from("scheduledCompactRev"), rev]);
    }
    const cluster: [Buffer, Buffer][] = [[Buffer.from("clusterVersion"), Buffer.from(this.clusterVersion())]];
    if (this.downgrade.target !== "") {
      cluster.push([
        Buffer.from("downgrade"),
        Buffer.from(
          JSON.stringify({ "target-version": this.downgrade.target, enabled: this.downgrade.enabled }),
        ),
      ]);
    }
    return [
      b(
        BUCKET.alarm,
        this.alarms.map((a) => [
          encodeAlarmMember(BigInt(`0x${a.member}`), alarmNumber(a.alarm)),
          Buffer.alloc(0),
        ]),
      ),
      b(BUCKET.auth, [
        [Buffer.from("authEnabled"), Buffer.from([0])],
        [Buffer.from("authRevision"), u64(1)],
      ]),
      b(BUCKET.authRoles, []),
      b(BUCKET.authUsers, []),
      b(BUCKET.cluster, cluster),
      { name: Buffer.from(BUCKET.key), entries: keyRows },
      b(BUCKET.lease, []),
      b(
        BUCKET.members,
        members.map((m) => [
          Buffer.from(BigInt(`0x${m.id}`).toString(16)),
          // Go's encoding/json writes the uint64 id as a number; JSON.stringify cannot.
          Buffer.from(
            `{"id":${decimalId(m.id)},"peerURLs":${JSON.stringify(m.peerUrls)},"name":${JSON.stringify(m.name)},"clientURLs":${JSON.stringify(m.clientUrls)}${m.isLearner ? ',"isLearner":true' : ""}}`,
          ),
        ]),
      ),
      b(BUCKET.membersRemoved, []),
      b(BUCKET.meta, meta),
    ].sort((x, y) => Buffer.compare(x.name, y.name));
  }

  /** The cluster version: the downgrade target while a downgrade is enabled. */
  clusterVersion(): string {
    return this.downgrade.enabled && this.downgrade.target !== ""
      ? this.downgrade.target
      : ETCD_CLUSTER_VERSION;
  }

  /** A state restored from a snapshot's buckets (etcd's restore keeps the data, not the membership). */
  static fromBuckets(buckets: readonly BoltBucket[]): KvState {
    const s = new KvState();
    const find = (name: string) => buckets.find((x) => x.name.toString("latin1") === name);
    for (const [k, v] of find(BUCKET.key)?.entries ?? []) {
      const { rev, tombstone } = parseRevisionKey(k);
      const kv = decodeKeyValue(v);
      s.pushRow({
        main: rev.main,
        sub: rev.sub,
        key: Buffer.from(kv.key).toString(),
        value: tombstone ? undefined : Buffer.from(kv.value),
        createRevision: kv.createRevision,
        version: kv.version,
        lease: kv.lease,
      });
      if (rev.main > s.revision) s.revision = rev.main;
    }
    const meta = find(BUCKET.meta);
    const compacted = meta?.entries.find(([k]) => k.toString() === "finishedCompactRev");
    if (compacted) {
      s.compactRevision = parseRevisionKey(compacted[1]).rev.main;
      if (s.compactRevision > s.revision) s.revision = s.compactRevision;
    }
    const downgrade = find(BUCKET.cluster)?.entries.find(([k]) => k.toString() === "downgrade");
    if (downgrade) {
      try {
        const d = JSON.parse(downgrade[1].toString()) as { "target-version"?: string; enabled?: boolean };
        s.downgrade = { enabled: d.enabled === true, target: d["target-version"] ?? "" };
      } catch {
        // a malformed record is dropped, as the rest of the snapshot is still good
      }
    }
    s.grow();
    return s;
  }
}

/** What a snapshot's members bucket records of a member. */
export interface MemberInfo {
  readonly id: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

function alarmNumber(a: AlarmType): number {
  return a === "NOSPACE" ? 1 : 2;
}

/** A member id (hex) as the decimal uint64 Go writes. */
function decimalId(hex: string): string {
  return BigInt(`0x${hex}`).toString(10);
}
