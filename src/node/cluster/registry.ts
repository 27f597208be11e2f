// The emulated discovery service: nodes of one cluster (keyed by the config's cluster id) find
// each other through a shared directory. Each node publishes an affiliate record (identity,
// addresses, machine type and a summary of its state, which server-side health reads); the
// emulated etcd cluster's membership lives beside them. Works across separate processes.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { withFileLock } from "../../fsutil/index.js";

/**
 * How long (real time) a read of the registry is reused. Every node of a process reads
 * through one cache per registry, so N emulated nodes cost one scan per period, not N.
 */
export const REGISTRY_CACHE_MS = 200;

interface CachedScan {
  at: number;
  affiliates: AffiliateRecord[];
  /** Records of nodes that left (rebooting, powered off) and have not expired yet. */
  departed: AffiliateRecord[];
  etcd?: { at: number; state: EtcdClusterState | undefined };
  /** Bumped whenever the affiliates or departed records change (by identity). */
  generation: number;
  /** The last read of each record file: an unchanged text keeps its record object. */
  files: Map<string, { text: string; record: AffiliateRecord }>;
  /** The affiliates directory's modification time at the last full read (ns). */
  dirMtime: bigint;
  /** When (real ms) every file was last read. */
  readAt: number;
}

/** Records are replaced by rename, which the directory's time shows; a full read this often regardless. */
const FULL_READ_MS = 2_000;

/**
 * A directory modified this recently may change again within the same timestamp tick (file
 * times are coarse), so its modification time does not prove a read current.
 */
const MTIME_SETTLE_NS = 50_000_000n;

function freshCache(): CachedScan {
  return { at: 0, affiliates: [], departed: [], generation: 0, files: new Map(), dirMtime: -1n, readAt: 0 };
}

function sameList(a: readonly AffiliateRecord[], b: readonly AffiliateRecord[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

const scans = new Map<string, CachedScan>();

/**
 * Replaces a file by renaming a complete temporary one over it. No fsync: the registry is as
 * ephemeral as the processes that write it, but a reader must never see a torn record.
 */
function replaceFile(file: string, data: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function sortByHostname(list: AffiliateRecord[]): AffiliateRecord[] {
  return list.sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
}

/** Where registries live when talos-node is not told (`--discovery-dir`). */
export function defaultDiscoveryRoot(): string {
  return path.join(os.tmpdir(), "talos-node-discovery");
}

export interface AffiliateStatus {
  /** MachineStatus stage name, e.g. `running`. */
  readonly stage: string;
  readonly ready: boolean;
  /** Service id → whether it is up (running and healthy). */
  readonly services: Readonly<Record<string, { readonly state: string; readonly healthy: boolean }>>;
  readonly memoryBytes: number;
  readonly diskBytes: number;
  /** The node joined Kubernetes (kubelet registered). */
  readonly kubernetesReady: boolean;
  /** Static pods run (control planes). */
  readonly staticPods: boolean;
}

/** What a node announces of its KubeSpan (Talos's KubeSpanAffiliateSpec), as text. */
export interface KubeSpanRecord {
  readonly publicKey: string;
  /** The node's KubeSpan address (bare IPv6). */
  readonly address: string;
  /** CIDRs routed through the node (with advertiseKubernetesNetworks). */
  readonly additionalAddresses: readonly string[];
  /** `ip:port` / `[ip]:port` WireGuard endpoints. */
  readonly endpoints: readonly string[];
  readonly excludeAdvertisedNetworks: readonly string[];
}

export interface AffiliateRecord {
  readonly nodeId: string;
  readonly hostname: string;
  /** Bare IPs, the preferred (routed) one first. */
  readonly addresses: readonly string[];
  readonly machineType: "controlplane" | "worker" | "init" | "unknown";
  readonly operatingSystem: string;
  readonly apiServerPort?: number;
  /** `host:port` of the node's trustd (control planes). */
  readonly trustd?: string;
  readonly pid: number;
  readonly status: AffiliateStatus;
  readonly kubespan?: KubeSpanRecord;
  /** The discovery registries the node publishes to (absent: the service registry only). */
  readonly registries?: { readonly service: boolean; readonly kubernetes: boolean };
  /**
   * Set when the node left (its machine stopped): the record stays until then (Unix ms), as
   * the discovery service keeps an affiliate until its TTL runs out.
   */
  readonly expiresAt?: number;
}

export interface EtcdMemberRecord {
  /** 64-bit member id as 16 hex digits. */
  readonly id: string;
  readonly nodeId: string;
  readonly hostname: string;
  readonly address: string;
  readonly isLearner: boolean;
  /** The member's backend quota (`quota-backend-bytes`; absent: etcd's default, negative: none). */
  readonly quotaBytes?: number;
}

export interface EtcdClusterState {
  readonly clusterId: string;
  readonly members: readonly EtcdMemberRecord[];
  /** The leader's member id (hex), empty when there is none. */
  readonly leader: string;
  readonly raftTerm: number;
  readonly raftIndex: number;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readRecord(file: string): AffiliateRecord | undefined {
  const text = readText(file);
  return text === undefined ? undefined : parseRecord(text);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    // removed meanwhile
    return undefined;
  }
}

function parseRecord(text: string): AffiliateRecord | undefined {
  try {
    return JSON.parse(text) as AffiliateRecord;
  } catch {
    // not written whole
    return undefined;
  }
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, "_");
}

export class ClusterRegistry {
  readonly dir: string;
  private readonly affiliatesDir: string;
  private readonly etcdFile: string;

  constructor(root: string, clusterId: string) {
    // The cluster id is base64; a hash keeps the directory name short and portable.
    const key = createHash("sha256").update(clusterId).digest("hex").slice(0, 24);
    this.dir = path.join(root, key);
    this.affiliatesDir = path.join(this.dir, "affiliates");
    this.etcdFile = path.join(this.dir, "etcd.json");
  }

  publish(record: AffiliateRecord): void {
    fs.mkdirSync(this.affiliatesDir, { recursive: true, mode: 0o700 });
    const name = `${safeName(record.nodeId)}.json`;
    const text = JSON.stringify(record);
    replaceFile(path.join(this.affiliatesDir, name), text);
    const cached = scans.get(this.dir);
    if (cached) {
      cached.files.set(name, { text, record });
      cached.affiliates = sortByHostname([
        ...cached.affiliates.filter((a) => a.nodeId !== record.nodeId),
        record,
      ]);
      cached.departed = cached.departed.filter((a) => a.nodeId !== record.nodeId);
      cached.generation++;
    }
  }

  /**
   * The node left. With `keepMs` its last record stays that long (real time) as a departed
   * one; without, it goes at once.
   */
  withdraw(nodeId: string, keepMs?: number): void {
    const file = path.join(this.affiliatesDir, `${safeName(nodeId)}.json`);
    const cached = scans.get(this.dir);
    const last = cached?.affiliates.find((a) => a.nodeId === nodeId) ?? readRecord(file);
    if (keepMs !== undefined && keepMs > 0 && last) {
      const departed: AffiliateRecord = { ...last, expiresAt: Date.now() + keepMs };
      const text = JSON.stringify(departed);
      replaceFile(file, text);
      if (cached) {
        cached.files.set(path.basename(file), { text, record: departed });
        cached.departed = [...cached.departed.filter((a) => a.nodeId !== nodeId), departed];
      }
    } else {
      fs.rmSync(file, { force: true });
      if (cached) {
        cached.files.delete(path.basename(file));
        cached.departed = cached.departed.filter((a) => a.nodeId !== nodeId);
      }
    }
    if (cached) {
      cached.affiliates = cached.affiliates.filter((a) => a.nodeId !== nodeId);
      cached.generation++;
    }
    // The last node to leave takes the registry with it (nodes that come back with etcd data
    // start the membership again from themselves), so stopped clusters leave nothing behind.
    if (this.scan(cached ?? freshCache()).live.length === 0) {
      fs.rmSync(this.dir, { recursive: true, force: true });
      scans.delete(this.dir);
    }
  }

  /** Affiliates whose process still runs, sorted by hostname (a scan at most REGISTRY_CACHE_MS old). */
  affiliates(): AffiliateRecord[] {
    return this.cachedScan().affiliates;
  }

  /**
   * What the discovery service holds: the live affiliates and those that left and have not
   * expired, with a generation that changes whenever either list does (so a reader can skip
   * work when nothing changed).
   */
  discovered(): { live: AffiliateRecord[]; departed: AffiliateRecord[]; generation: number } {
    const scan = this.cachedScan();
    const now = Date.now();
    const departed = scan.departed.filter((a) => (a.expiresAt ?? 0) > now);
    if (departed.length !== scan.departed.length) {
      scan.departed = departed;
      scan.generation++;
    }
    return { live: scan.affiliates, departed, generation: scan.generation };
  }

  private cachedScan(): CachedScan {
    const now = Date.now();
    let cached = scans.get(this.dir);
    if (cached && now - cached.at < REGISTRY_CACHE_MS) return cached;
    if (!cached) {
      cached = freshCache();
      scans.set(this.dir, cached);
    }
    const { live, departed } = this.scan(cached);
    cached.at = now;
    if (!sameList(live, cached.affiliates) || !sameList(departed, cached.departed)) {
      cached.affiliates = live;
      cached.departed = departed;
      cached.generation++;
    }
    return cached;
  }

  /**
   * Reads the records: every file when the directory changed since the last read (an unchanged
   * text keeps its record object), else the records already read; either way a record whose
   * process has gone is not live and an expired departed one is removed.
   */
  private scan(cache: CachedScan): { live: AffiliateRecord[]; departed: AffiliateRecord[] } {
    let mtime: bigint;
    try {
      mtime = fs.statSync(this.affiliatesDir, { bigint: true }).mtimeNs;
    } catch {
      cache.files.clear();
      cache.dirMtime = -1n;
      return { live: [], departed: [] };
    }
    const settled = BigInt(Date.now()) * 1_000_000n - mtime > MTIME_SETTLE_NS;
    if (mtime !== cache.dirMtime || !settled || Date.now() - cache.readAt >= FULL_READ_MS) {
      let names: string[];
      try {
        names = fs.readdirSync(this.affiliatesDir);
      } catch {
        return { live: [], departed: [] };
      }
      const files = new Map<string, { text: string; record: AffiliateRecord }>();
      for (const name of names) {
        if (!name.endsWith(".json") || name.startsWith(".")) continue;
        const text = readText(path.join(this.affiliatesDir, name));
        if (text === undefined) continue;
        const before = cache.files.get(name);
        if (before?.text === text) {
          files.set(name, before);
          continue;
        }
        const record = parseRecord(text);
        if (record) files.set(name, { text, record });
      }
      cache.files = files;
      cache.dirMtime = settled ? mtime : -1n;
      cache.readAt = Date.now();
    }
    const live: AffiliateRecord[] = [];
    const departed: AffiliateRecord[] = [];
    const now = Date.now();
    const running = new Map<number, boolean>();
    for (const [name, { record }] of cache.files) {
      if (record.expiresAt === undefined) {
        let up = running.get(record.pid);
        if (up === undefined) {
          up = alive(record.pid);
          running.set(record.pid, up);
        }
        if (up) live.push(record);
      } else if (record.expiresAt > now) {
        departed.push(record);
      } else {
        fs.rmSync(path.join(this.affiliatesDir, name), { force: true });
        cache.files.delete(name);
      }
    }
    return { live: sortByHostname(live), departed: sortByHostname(departed) };
  }

  /** The etcd membership: a read at most REGISTRY_CACHE_MS old, or the file itself with `fresh`. */
  readEtcd(options: { fresh?: boolean } = {}): EtcdClusterState | undefined {
    const now = Date.now();
    const cached = scans.get(this.dir);
    if (!options.fresh && cached?.etcd && now - cached.etcd.at < REGISTRY_CACHE_MS) return cached.etcd.state;
    const state = this.readEtcdFile();
    if (cached) cached.etcd = { at: now, state };
    else scans.set(this.dir, { ...freshCache(), etcd: { at: now, state } });
    return state;
  }

  private readEtcdFile(): EtcdClusterState | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.etcdFile, "utf8")) as EtcdClusterState;
    } catch {
      return undefined;
    }
  }

  /** Changes the etcd membership under a lock shared by every node of the cluster. */
  async updateEtcd<T>(
    fn: (state: EtcdClusterState | undefined) => { state: EtcdClusterState | undefined; result: T },
  ): Promise<T> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return withFileLock(this.etcdFile, () => {
      // Under the lock, the file itself: the cache may be behind another process's change.
      const { state, result } = fn(this.readEtcdFile());
      if (state === undefined) fs.rmSync(this.etcdFile, { force: true });
      else replaceFile(this.etcdFile, JSON.stringify(state));
      const cached = scans.get(this.dir);
      if (cached) cached.etcd = { at: Date.now(), state };
      return result;
    });
  }
}
