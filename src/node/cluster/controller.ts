// Cluster formation on one node: publishes the node in its cluster's discovery registry,
// mirrors the registry into the Members/Affiliates resources, and runs the node's part of the
// emulated etcd cluster (wait to be bootstrapped or to join, membership changes, leadership).
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { errorMessage } from "../../errors.js";
import type { Clock, Timer } from "../clock.js";
import { StatusError } from "../errors.js";
import { isComplete, isControlPlane, type MachineConfig, machineType } from "../machine/config.js";
import type { ServiceManager } from "../machine/services.js";
import { NS, type ResourceStore } from "../resources/index.js";
import {
  DISCOVERY_TTL_MS,
  discoverySettings,
  localKubeSpan,
  reachableKubeSpanKeys,
  visibleAffiliates,
} from "./discovery.js";
import { KvState } from "./etcd-kv.js";
import {
  ETCD_DATA_DIR,
  loadBackend,
  quotaFromConfig,
  recoverFromSnapshot,
  saveBackend,
} from "./etcd-member.js";
import { SharedKv } from "./etcd-shared.js";
import { clusterId, controlPlanePort } from "./facts.js";
import {
  AFFILIATE,
  affiliateSpec,
  IDENTITY,
  identitySpec,
  MEMBER,
  type MemberResourceSpec,
  memberSpec,
} from "./kinds.js";
import {
  type AffiliateRecord,
  type AffiliateStatus,
  ClusterRegistry,
  type EtcdClusterState,
  type EtcdMemberRecord,
} from "./registry.js";

/** How often (real time) the node re-reads the registry, at most. */
const POLL_REAL_MS = 250;
/** How often (node time) the node re-reads the registry, at least as often as POLL_REAL_MS allows. */
const POLL_NODE_MS = 1_000;
/** Service changes reach the registry after this (real time), coalesced: a boot changes many at once. */
const SERVICE_NUDGE_REAL_MS = 20;
/** How often (real time) a member refreshes its backend file on disk when the data changed. */
const BACKEND_SAVE_MS = 2_000;
/** How often (node time) KubeSpan re-reads its peers' WireGuard state (DefaultPeerReconcileInterval). */
const PEER_RECONCILE_MS = 30_000;

/** What the controller needs of the machine it runs on. */
export interface ClusterHost {
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly store: ResourceStore;
  readonly services: ServiceManager;
  readonly rootDir: string;
  /** A stable per-machine id (the node UUID). */
  readonly machineUuid: string;
  readonly discoveryRoot: string;
  readonly talosVersion: string;
  active(): MachineConfig | undefined;
  hostname(): string;
  addresses(): readonly string[];
  status(): AffiliateStatus;
  /** The peers a KubeSpan handshake reaches changed, or KubeSpan's reconcile interval passed. */
  kubeSpanChanged?(): void;
}

/** A 64-bit etcd member id (16 hex digits), never zero. */
function newMemberId(): string {
  let id = randomBytes(8).toString("hex");
  if (/^0+$/.test(id)) id = "0000000000000001";
  return id;
}

/** Whether two records of one affiliate show the same Affiliate and Member resources. */
function sameShown(a: AffiliateRecord, b: AffiliateRecord): boolean {
  return (
    a.hostname === b.hostname &&
    a.machineType === b.machineType &&
    a.operatingSystem === b.operatingSystem &&
    a.apiServerPort === b.apiServerPort &&
    a.addresses.length === b.addresses.length &&
    a.addresses.every((x, i) => x === b.addresses[i]) &&
    JSON.stringify(a.kubespan) === JSON.stringify(b.kubespan)
  );
}

export class ClusterController {
  readonly nodeId: string;
  private registry: ClusterRegistry | undefined;
  private registryId = "";
  private timer: Timer | undefined;
  private closed = false;
  private lastPublished = "";
  /** The discovery generation and settings the cluster resources were last derived from. */
  private lastDiscovered = "";
  /** Per affiliate node id, the record its Affiliate and Member resources were last set from. */
  private shown = new Map<string, AffiliateRecord>();
  private waitingLogged = false;
  private readonly wakers = new Set<() => void>();
  private trustd: string | undefined;
  private nudgePending = false;
  private readonly stopWatchingServices: () => void;
  /** A bootstrap asked for a recovery from the uploaded snapshot: etcd's pre state does it. */
  private pendingRecovery: { skipHashCheck: boolean } | undefined;
  /** The replicated data's (epoch, applied count) last written to this member's backend file. */
  private savedMark = "";
  private savedAt = 0;
  private reachable = new Set<string>();
  private reconciledAt = 0;

  constructor(private readonly host: ClusterHost) {
    // Talos's node id is a random base62 string kept in STATE; ours derives from the node UUID.
    this.nodeId = createHash("sha256").update(host.machineUuid).digest("base64url").slice(0, 43);
    host.store.set(IDENTITY, NS.cluster, "local", identitySpec(this.nodeId), {
      owner: "cluster.NodeIdentityController",
    });
    // etcd starts once this node may run it: bootstrapped, or joined to a bootstrapped cluster.
    host.services.setPreState("etcd", (signal) => this.waitForEtcd(signal));
    this.stopWatchingServices = host.services.onTransition(() => {
      if (this.nudgePending) return;
      this.nudgePending = true;
      setTimeout(() => {
        this.nudgePending = false;
        this.nudge();
      }, SERVICE_NUDGE_REAL_MS);
    });
  }

  start(): void {
    this.tick();
  }

  /** Where this node's trustd listens (control planes), published to the other nodes. */
  setTrustdEndpoint(endpoint: string | undefined): void {
    if (this.trustd === endpoint) return;
    this.trustd = endpoint;
    this.nudge();
  }

  /** Trustd endpoints of the cluster's control planes (for a worker's API certificate). */
  trustdEndpoints(): string[] {
    const registry = this.currentRegistry();
    if (!registry) return [];
    return registry
      .affiliates()
      .filter((a) => a.nodeId !== this.nodeId && a.trustd !== undefined)
      .map((a) => a.trustd!);
  }

  close(): void {
    this.closed = true;
    this.stopWatchingServices();
    this.timer?.cancel();
    try {
      this.saveBackend(true);
    } catch (err) {
      this.host.log(`etcd: saving the backend failed: ${errorMessage(err)}`);
    }
    // The discovery service keeps the affiliate of a node that went down until its TTL runs
    // out; a reset deletes it first (siderolabs/talos: controllers/cluster/discovery_service.go).
    const resetting = this.host.status().stage === "resetting";
    if (this.registry)
      this.registry.withdraw(this.nodeId, resetting ? undefined : this.host.clock.real(DISCOVERY_TTL_MS));
    for (const wake of [...this.wakers]) wake();
  }

  /** The registry of the active config's cluster, when the node is configured. */
  private currentRegistry(): ClusterRegistry | undefined {
    const active = this.host.active();
    if (!isComplete(active)) return undefined;
    const id = clusterId(active);
    if (id === "") return undefined;
    if (!this.registry || this.registryId !== id) {
      if (this.registry) this.registry.withdraw(this.nodeId);
      this.registry = new ClusterRegistry(this.host.discoveryRoot, id);
      this.registryId = id;
      this.lastPublished = "";
    }
    return this.registry;
  }

  /** Publishes this node and refreshes the discovery resources; re-arms itself. */
  private tick(): void {
    if (this.closed) return;
    try {
      this.sync();
    } catch (err) {
      this.host.log(`discovery: ${errorMessage(err)}`);
    }
    for (const wake of [...this.wakers]) wake();
    const ms = Math.max(POLL_REAL_MS, this.host.clock.real(POLL_NODE_MS));
    const t = setTimeout(() => this.tick(), ms);
    t.unref?.();
    this.timer = { cancel: () => clearTimeout(t) };
  }

  /** Publishes right away (a state change worth telling the others about). */
  nudge(): void {
    if (this.closed) return;
    try {
      this.sync();
    } catch {
      // the next tick retries
    }
  }

  private sync(): void {
    const registry = this.currentRegistry();
    if (!registry) {
      this.lastDiscovered = "";
      this.setResources([]);
      return;
    }
    const self = this.record();
    const text = JSON.stringify(self);
    if (text !== this.lastPublished) {
      registry.publish(self);
      this.lastPublished = text;
    }
    const discovered = registry.discovered();
    const settings = discoverySettings(this.host.store);
    const seen = `${discovered.generation}\u0000${JSON.stringify(settings ?? null)}`;
    if (seen !== this.lastDiscovered) {
      this.lastDiscovered = seen;
      this.setResources(visibleAffiliates(settings, this.nodeId, discovered));
      this.checkKubeSpanPeers(discovered.live, true);
    } else {
      this.checkKubeSpanPeers(discovered.live, false);
    }
    this.checkEtcdMembership(registry);
    this.saveBackend(false);
  }

  /** Refreshes this member's backend file from the replicated data (at most every BACKEND_SAVE_MS). */
  private saveBackend(force: boolean): void {
    const local = this.localMemberId();
    const registry = this.registry;
    if (local === undefined || !registry) return;
    if (!force && Date.now() - this.savedAt < BACKEND_SAVE_MS) return;
    const kv = SharedKv.of(registry);
    if (!kv.exists()) return;
    const state = kv.read();
    const membership = registry.readEtcd();
    if (!membership?.members.some((m) => m.id === local)) return;
    const mark = `${state.applied}:${state.revision}:${state.dbSize(local, kv.membersInfo())}`;
    this.savedAt = Date.now();
    if (mark === this.savedMark) return;
    saveBackend(this.host.rootDir, state, kv.membersInfo(), local, membership.raftTerm);
    this.savedMark = mark;
  }

  /** Which KubeSpan peers answer: their changes, and every reconcile interval, re-run KubeSpan. */
  private checkKubeSpanPeers(live: readonly AffiliateRecord[], changed: boolean): void {
    const due = Date.now() - this.reconciledAt >= this.host.clock.real(PEER_RECONCILE_MS);
    if (!changed && !due) return;
    const keys = reachableKubeSpanKeys(this.nodeId, live);
    const same = keys.size === this.reachable.size && [...keys].every((k) => this.reachable.has(k));
    if (same && !due) return;
    this.reachable = keys;
    this.reconciledAt = Date.now();
    this.host.kubeSpanChanged?.();
  }

  /** Whether a WireGuard handshake with the KubeSpan peer of this public key goes through now. */
  kubeSpanPeerReachable(publicKey: string): boolean {
    return this.reachable.has(publicKey);
  }

  private record(): AffiliateRecord {
    const active = this.host.active();
    const discovery = discoverySettings(this.host.store);
    const kubespan = discovery?.enabled ? localKubeSpan(this.host.store, this.routedAddresses()) : undefined;
    const type = machineType(active);
    const port = isControlPlane(active) && active ? controlPlanePort(active) : undefined;
    return {
      nodeId: this.nodeId,
      hostname: this.host.hostname(),
      addresses: this.routedAddresses(),
      machineType: type === "init" || type === "controlplane" || type === "worker" ? type : "unknown",
      operatingSystem: `Talos (${this.host.talosVersion})`,
      ...(port !== undefined ? { apiServerPort: port } : {}),
      ...(this.trustd !== undefined ? { trustd: this.trustd } : {}),
      pid: process.pid,
      status: this.host.status(),
      ...(kubespan ? { kubespan } : {}),
      registries: { service: discovery?.service ?? false, kubernetes: discovery?.kubernetes ?? false },
    };
  }

  private routedAddresses(): string[] {
    const all = [...this.host.addresses()];
    const routed = all.filter((a) => !a.startsWith("127.") && a !== "::1");
    return routed.length > 0 ? routed : all.slice(0, 1);
  }

  /**
   * Sets the Affiliate and Member resources from the visible affiliates: only those whose record
   * changed are re-derived (a record unchanged keeps its object across registry reads), and the
   * ones gone are removed.
   */
  private setResources(affiliates: readonly AffiliateRecord[]): void {
    const { store } = this.host;
    const next = new Map<string, AffiliateRecord>();
    let changed = affiliates.length !== this.shown.size;
    for (const a of affiliates) {
      next.set(a.nodeId, a);
      const before = this.shown.get(a.nodeId);
      if (before === a) continue;
      changed = true;
      if (before && sameShown(before, a)) continue;
      const spec: MemberResourceSpec = {
        nodeId: a.nodeId,
        addresses: a.addresses,
        hostname: a.hostname,
        machineType: a.machineType,
        operatingSystem: a.operatingSystem,
        ...(a.apiServerPort !== undefined ? { apiServerPort: a.apiServerPort } : {}),
        ...(a.kubespan ? { kubespan: a.kubespan } : {}),
      };
      store.set(AFFILIATE, NS.cluster, a.nodeId, affiliateSpec(spec), {
        owner: "cluster.AffiliateMergeController",
      });
      store.set(MEMBER, NS.cluster, a.hostname, memberSpec(spec), { owner: "cluster.MemberController" });
    }
    this.shown = next;
    if (!changed) return;
    const hostnames = new Set(affiliates.map((a) => a.hostname));
    for (const r of store.list(NS.cluster, AFFILIATE.definition.type)) {
      if (!next.has(r.id)) store.remove(NS.cluster, AFFILIATE.definition.type, r.id);
    }
    for (const r of store.list(NS.cluster, MEMBER.definition.type)) {
      if (!hostnames.has(r.id)) store.remove(NS.cluster, MEMBER.definition.type, r.id);
    }
  }

  /** Affiliates of the cluster (this node included, once configured). */
  affiliates(): AffiliateRecord[] {
    const registry = this.currentRegistry();
    if (!registry) return [];
    try {
      this.sync();
    } catch {
      // answer from what the registry holds
    }
    return registry.affiliates();
  }

  // -------------------------------------------------------------------------------------------
  // etcd

  private dataDir(): string {
    return path.join(this.host.rootDir, ETCD_DATA_DIR);
  }

  private memberFile(): string {
    return path.join(this.dataDir(), "member", "id");
  }

  /** This node's etcd member id, if its data directory holds one. */
  localMemberId(): string | undefined {
    try {
      const id = fs.readFileSync(this.memberFile(), "utf8").trim();
      return /^[0-9a-f]{16}$/.test(id) ? id : undefined;
    } catch {
      return undefined;
    }
  }

  private writeLocalMember(id: string): void {
    fs.mkdirSync(path.dirname(this.memberFile()), { recursive: true, mode: 0o700 });
    fs.writeFileSync(this.memberFile(), `${id}\n`, { mode: 0o600 });
  }

  private wipeLocalMember(): void {
    fs.rmSync(path.join(this.dataDir(), "member"), { recursive: true, force: true });
  }

  private selfMember(id: string): EtcdMemberRecord {
    const quota = quotaFromConfig(this.host.active());
    return {
      id,
      nodeId: this.nodeId,
      hostname: this.host.hostname(),
      address: this.routedAddresses()[0] ?? "127.0.0.1",
      isLearner: false,
      ...(quota !== undefined ? { quotaBytes: quota } : {}),
    };
  }

  /** The cluster's replicated key/value data (every control plane sees the same). */
  kv(): SharedKv {
    const registry = this.currentRegistry();
    if (!registry) throw new StatusError(grpc.status.FAILED_PRECONDITION, "etcd is not running on this node");
    return SharedKv.of(registry);
  }

  /** The emulated etcd's view of the cluster, if this node is a member of a bootstrapped one. */
  etcdState(): EtcdClusterState | undefined {
    return this.currentRegistry()?.readEtcd();
  }

  /**
   * The etcd service's pre-state: returns once this node's etcd has data — it was bootstrapped
   * here, or the cluster exists and it joined — and waits (as Talos's etcd does) otherwise.
   */
  async waitForEtcd(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const registry = this.currentRegistry();
      if (registry && this.pendingRecovery) {
        const { skipHashCheck } = this.pendingRecovery;
        this.pendingRecovery = undefined;
        await this.startCluster(registry, skipHashCheck);
        return;
      }
      if (registry && (await this.tryJoin(registry))) return;
      if (!this.waitingLogged) {
        this.waitingLogged = true;
        this.host.log(
          "etcd is waiting to join the cluster, if this node is the first node in the cluster, please run `talosctl bootstrap` against one of the following IPs:",
        );
        this.host.log(`[${this.routedAddresses().join(" ")}]`);
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.wakers.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.wakers.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }

  private async tryJoin(registry: ClusterRegistry): Promise<boolean> {
    const local = this.localMemberId();
    const existing = registry.readEtcd();
    if (local === undefined && (existing === undefined || existing.members.length === 0)) return false;
    const kv = SharedKv.of(registry);
    if (local !== undefined && !kv.exists()) {
      // The whole cluster stopped: the data comes back from this member's backend file.
      await kv.reset(loadBackend(this.host.rootDir) ?? new KvState());
    }
    await registry.updateEtcd((state) => {
      if (local !== undefined) {
        // Restarting with data: the cluster continues (or, with the registry gone, starts over).
        const self = this.selfMember(local);
        const known = state?.members.find((m) => m.id === local);
        if (state && known) {
          // The quota may have changed with the machine config.
          if (known.quotaBytes === self.quotaBytes) return { state, result: undefined };
          return {
            state: {
              ...state,
              members: state.members.map((m) => (m.id === local ? { ...m, quotaBytes: self.quotaBytes } : m)),
            },
            result: undefined,
          };
        }
        if (state && state.members.length > 0) return { state: addMember(state, self), result: undefined };
        return { state: freshCluster(self), result: undefined };
      }
      if (!state || state.members.length === 0) return { state, result: undefined };
      const id = newMemberId();
      this.writeLocalMember(id);
      this.host.log(`etcd: joining the cluster as member ${id}`);
      return { state: addMember(state, this.selfMember(id)), result: undefined };
    });
    return this.localMemberId() !== undefined;
  }

  /**
   * Bootstrap: this node's etcd becomes the first member of a new cluster. With `recover`,
   * etcd's pre state first restores the data from the snapshot EtcdRecover uploaded (and, as on
   * Talos, a bad snapshot fails the etcd service, not this call).
   */
  async bootstrap(options: { recover?: boolean; skipHashCheck?: boolean } = {}): Promise<void> {
    if (this.localMemberId() !== undefined)
      throw new StatusError(grpc.status.ALREADY_EXISTS, "etcd data directory is not empty");
    const registry = this.currentRegistry();
    if (!registry) throw new StatusError(grpc.status.FAILED_PRECONDITION, "bootstrap is not available yet");
    this.host.log("bootstrap request received");
    if (options.recover) {
      this.pendingRecovery = { skipHashCheck: options.skipHashCheck === true };
    } else {
      await this.startCluster(registry, undefined);
    }
    for (const wake of [...this.wakers]) wake();
  }

  /** Creates the new cluster with this node as its first member; `skipHashCheck` set: from the snapshot. */
  private async startCluster(registry: ClusterRegistry, skipHashCheck: boolean | undefined): Promise<void> {
    let data = new KvState();
    if (skipHashCheck !== undefined) {
      const recovered = recoverFromSnapshot(this.host.rootDir, skipHashCheck);
      this.host.log(recovered.log);
      data = recovered.state;
    }
    const kv = SharedKv.of(registry);
    await registry.updateEtcd((state) => {
      const id = newMemberId();
      this.writeLocalMember(id);
      if (state && state.members.length > 0)
        return { state: addMember(state, this.selfMember(id)), result: undefined };
      return { state: freshCluster(this.selfMember(id)), result: undefined };
    });
    const existing = registry.readEtcd({ fresh: true });
    // A new cluster starts with new data; joining a running one (a second bootstrap) keeps it.
    if (!existing || existing.members.length <= 1 || skipHashCheck !== undefined) await kv.reset(data);
    this.savedMark = "";
  }

  /** While etcd runs: a node removed from the membership stops its etcd. */
  private checkEtcdMembership(registry: ClusterRegistry): void {
    const local = this.localMemberId();
    if (local === undefined || !this.host.services.isUp("etcd")) return;
    const state = registry.readEtcd();
    if (!state || state.members.some((m) => m.id === local)) return;
    this.host.log(`etcd: member ${local} was removed from the cluster, stopping etcd`);
    this.wipeLocalMember();
    void this.host.services.stop("etcd");
  }

  private requireMember(): { registry: ClusterRegistry; id: string } {
    const registry = this.currentRegistry();
    const id = this.localMemberId();
    if (!registry || id === undefined || !this.host.services.isUp("etcd")) {
      throw new StatusError(grpc.status.FAILED_PRECONDITION, "etcd is not running on this node");
    }
    return { registry, id };
  }

  etcdMembers(): { self: string; state: EtcdClusterState } {
    const { registry, id } = this.requireMember();
    // What the API answers is never older than the last change any node made.
    const state = registry.readEtcd({ fresh: true });
    if (!state) throw new StatusError(grpc.status.FAILED_PRECONDITION, "etcd is not running on this node");
    return { self: id, state };
  }

  async leave(): Promise<void> {
    const { registry, id } = this.requireMember();
    await registry.updateEtcd((state) => {
      if (!state?.members.some((m) => m.id === id)) {
        throw new StatusError(grpc.status.NOT_FOUND, `etcd member ${id} not found`);
      }
      if (state.members.length === 1) {
        throw new StatusError(
          grpc.status.FAILED_PRECONDITION,
          "this node is the only etcd member: leaving would destroy the cluster",
        );
      }
      return { state: removeMember(state, id), result: undefined };
    });
    this.wipeLocalMember();
    await this.host.services.stop("etcd");
  }

  /** A graceful reset's `leaveEtcd`: a member leaves, unless it is the cluster's last one. */
  async leaveOnReset(): Promise<void> {
    const id = this.localMemberId();
    const registry = this.currentRegistry();
    if (id === undefined || !registry) return;
    const state = registry.readEtcd();
    if (!state?.members.some((m) => m.id === id)) return;
    if (state.members.length === 1) {
      this.host.log("etcd: this node is the last member, not leaving");
      return;
    }
    await registry.updateEtcd((current) => ({
      state: current ? removeMember(current, id) : current,
      result: undefined,
    }));
    this.wipeLocalMember();
    this.host.log(`etcd: member ${id} left the cluster`);
  }

  async removeMember(memberId: string): Promise<void> {
    const { registry } = this.requireMember();
    await registry.updateEtcd((state) => {
      if (!state?.members.some((m) => m.id === memberId)) {
        throw new StatusError(grpc.status.NOT_FOUND, `etcd member ${memberId} not found`);
      }
      return { state: removeMember(state, memberId), result: undefined };
    });
    this.nudge();
  }

  /** Hands leadership to another voting member when this node leads; returns the new leader's name. */
  async forfeitLeadership(): Promise<string> {
    const { registry, id } = this.requireMember();
    return registry.updateEtcd((state) => {
      if (!state || state.leader !== id) return { state, result: "" };
      const next = state.members.find((m) => m.id !== id && !m.isLearner);
      if (!next) return { state, result: "" };
      return {
        state: { ...state, leader: next.id, raftTerm: state.raftTerm + 1, raftIndex: state.raftIndex + 1 },
        result: next.hostname,
      };
    });
  }

  /** Resolves once `check` holds, re-evaluated at every registry poll. */
  async until(check: () => boolean, signal: AbortSignal): Promise<void> {
    while (!check()) {
      if (signal.aborted) throw signal.reason;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.wakers.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.wakers.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }

  /** Some control plane of the cluster runs its static pods (the API server answers). */
  kubernetesApiUp(): boolean {
    return this.affiliates().some(
      (a) => (a.machineType === "controlplane" || a.machineType === "init") && a.status.staticPods,
    );
  }
}

function freshCluster(first: EtcdMemberRecord): EtcdClusterState {
  return { clusterId: newMemberId(), members: [first], leader: first.id, raftTerm: 2, raftIndex: 4 };
}

function addMember(state: EtcdClusterState, member: EtcdMemberRecord): EtcdClusterState {
  return {
    ...state,
    members: [...state.members.filter((m) => m.id !== member.id), member],
    leader: state.leader !== "" ? state.leader : member.id,
    raftIndex: state.raftIndex + 3,
  };
}

function removeMember(state: EtcdClusterState, id: string): EtcdClusterState {
  const members = state.members.filter((m) => m.id !== id);
  const leaderGone = state.leader === id;
  return {
    ...state,
    members,
    leader: leaderGone ? (members.find((m) => !m.isLearner)?.id ?? "") : state.leader,
    raftTerm: leaderGone ? state.raftTerm + 1 : state.raftTerm,
    raftIndex: state.raftIndex + 1,
  };
}
