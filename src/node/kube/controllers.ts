// The control loops of the emulated kube-controller-manager and kube-scheduler, run by the
// control plane that holds their leases: node lifecycle (taints, pod CIDRs, nodes whose kubelet
// stopped posting), scheduling, DaemonSets, Deployments and ReplicaSets (rolling updates),
// Endpoints, PodDisruptionBudgets, namespace deletion, default service accounts and the root
// CA ConfigMap, and garbage collection of objects whose owner is gone. Each pass reads the
// cluster's state and writes what differs, guarded by resourceVersions; changes in the store
// trigger the next pass.

import {
  clone,
  condition,
  controllerOf,
  deepEqual,
  type Json,
  type KObject,
  type LabelSelector,
  type Node,
  nodeReady,
  ownerReference,
  type Pod,
  type PodTemplate,
  podReady,
  selectorMatches,
  setCondition,
  shortHash,
  type Taint,
  timestamp,
  tolerates,
} from "./objects.js";
import {
  CONFIG_MAP,
  CONTROLLER_REVISION,
  DAEMON_SET,
  DEPLOYMENT,
  ENDPOINT_SLICE,
  ENDPOINTS,
  LEASE,
  NAMESPACE,
  NODE,
  PDB,
  POD,
  REPLICA_SET,
  RESOURCES,
  type ResourceType,
  SERVICE,
  SERVICE_ACCOUNT,
} from "./resources.js";
import { bind } from "./rest.js";
import { KubeStatusError } from "./status.js";
import type { KubeStorage } from "./storage.js";

export interface ControllerHost {
  readonly storage: KubeStorage;
  readonly now: () => Date;
  /** Whether a node whose kubelet last renewed its lease (or posted) at this time is overdue. */
  readonly nodeOverdue: (iso: string) => boolean;
  /** The cluster's pod network (`10.244.0.0/16`): each node gets a /24 of it. */
  readonly podSubnet: string;
  /** The Kubernetes CA certificate (published in every namespace's kube-root-ca.crt). */
  readonly caCrt: string;
  readonly log: (line: string) => void;
}

const NOT_READY: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" };
const UNREACHABLE: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" };
const UNSCHEDULABLE: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
const SYSTEM_TAINTS = new Set([NOT_READY.key, UNREACHABLE.key, UNSCHEDULABLE.key]);

function ignoreMissing(err: unknown): void {
  if (err instanceof KubeStatusError && (err.httpCode === 404 || err.httpCode === 409)) return;
  throw err;
}

function isTerminating(o: KObject): boolean {
  return o.metadata.deletionTimestamp !== undefined;
}

function activePod(p: Pod): boolean {
  return !isTerminating(p) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
}

/** Whether a pod could run on a node: its node selector, required node affinity and the NoSchedule taints. */
export function fits(
  pod: { spec: Pod["spec"] },
  node: Node,
  options: { ignoreUnschedulable?: boolean } = {},
): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = ((
    ((pod.spec.affinity as Json | undefined)?.nodeAffinity as Json | undefined)
      ?.requiredDuringSchedulingIgnoredDuringExecution as Json | undefined
  )?.nodeSelectorTerms ?? []) as Json[];
  if (terms.length > 0) {
    const ok = terms.some((t) =>
      ((t.matchExpressions ?? []) as LabelSelector["matchExpressions"] & object).every((e) =>
        selectorMatches({ matchExpressions: [e] }, labels),
      ),
    );
    if (!ok) return false;
  }
  if (
    node.spec?.unschedulable &&
    !options.ignoreUnschedulable &&
    !tolerates(pod.spec.tolerations, UNSCHEDULABLE)
  )
    return false;
  for (const t of node.spec?.taints ?? []) {
    if (t.effect !== "NoSchedule" && t.effect !== "NoExecute") continue;
    if (options.ignoreUnschedulable && t.key === UNSCHEDULABLE.key) continue;
    if (!tolerates(pod.spec.tolerations, t)) return false;
  }
  return true;
}

function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.endsWith("%")) {
    const x = (Number(v.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return 0;
}

export class ControllerManager {
  private running = false;
  private dirty = false;
  private pass: Promise<void> | undefined;
  private readonly watches: { cancel(): void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly host: ControllerHost) {}

  start(tickMs: number): void {
    if (this.running) return;
    this.running = true;
    for (const r of [POD, NODE, DAEMON_SET, DEPLOYMENT, REPLICA_SET, PDB, NAMESPACE, SERVICE]) {
      void this.host.storage.kv.revision().then((rev) => {
        if (!this.running) return;
        try {
          this.watches.push(this.host.storage.watch(r, undefined, rev, () => this.kick()));
        } catch {
          // the next tick resyncs
        }
      });
    }
    this.timer = setInterval(() => this.kick(), tickMs);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.running = false;
    for (const w of this.watches.splice(0)) w.cancel();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs a pass soon (passes never overlap; changes during one cause another). */
  kick(): void {
    if (!this.running) return;
    this.dirty = true;
    if (this.pass) return;
    this.pass = (async () => {
      while (this.dirty && this.running) {
        this.dirty = false;
        await new Promise((r) => setTimeout(r, 2));
        try {
          await this.reconcile();
        } catch (err) {
          if (!(err instanceof KubeStatusError))
            this.host.log(`kube-controller-manager: ${err instanceof Error ? err.message : String(err)}`);
          this.dirty = true;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      this.pass = undefined;
    })();
  }

  /** One pass of every loop. */
  async reconcile(): Promise<void> {
    const s = this.host.storage;
    const nodes = (await s.list(NODE, undefined)).items as Node[];
    const leases = (await s.list(LEASE, "kube-node-lease")).items;
    await this.nodeLifecycle(nodes, leases);
    const fresh = (await s.list(NODE, undefined)).items as Node[];
    const pods = (await s.list(POD, undefined)).items as Pod[];
    await this.namespaces();
    await this.garbage(pods, fresh);
    await this.daemonSets(fresh, pods);
    await this.deployments();
    await this.replicaSets(pods);
    const after = (await s.list(POD, undefined)).items as Pod[];
    await this.schedule(fresh, after);
    await this.endpoints(after);
    await this.budgets(after);
  }

  // --- nodes -------------------------------------------------------------------------------------

  private async nodeLifecycle(nodes: Node[], leases: KObject[]): Promise<void> {
    const s = this.host.storage;
    const now = timestamp(this.host.now());
    const cidrs = new Set(nodes.map((n) => n.spec?.podCIDR).filter((c): c is string => c !== undefined));
    for (const node of nodes) {
      const name = node.metadata.name!;
      const lease = leases.find((l) => l.metadata.name === name);
      const renew = ((lease as Json | undefined)?.spec as Json | undefined)?.renewTime as string | undefined;
      const ready = condition(node, "Ready");
      const stale = renew === undefined || this.host.nodeOverdue(renew);
      if (
        stale &&
        ready &&
        ready.status !== "Unknown" &&
        this.host.nodeOverdue(ready.lastHeartbeatTime ?? renew ?? now)
      ) {
        await s
          .modify(
            NODE,
            undefined,
            name,
            (o) => {
              const n = o as Node;
              let conditions = n.status?.conditions ?? [];
              for (const c of conditions) {
                conditions = setCondition(
                  conditions,
                  {
                    ...c,
                    status: "Unknown",
                    reason: "NodeStatusUnknown",
                    message: "Kubelet stopped posting node status.",
                    lastHeartbeatTime: c.lastHeartbeatTime ?? null,
                  },
                  now,
                );
              }
              n.status = { ...(n.status ?? {}), conditions };
              return n;
            },
            { subresource: "status" },
          )
          .catch(ignoreMissing);
      }
      const current = (await s.get(NODE, undefined, name)) as Node | undefined;
      if (!current) continue;
      const status = condition(current, "Ready")?.status;
      const wanted: Taint[] = [];
      if (status === "False") wanted.push(NOT_READY);
      if (status === "Unknown") wanted.push(UNREACHABLE);
      if (current.spec?.unschedulable) wanted.push(UNSCHEDULABLE);
      const taints = current.spec?.taints ?? [];
      const kept = taints.filter(
        (t) => !SYSTEM_TAINTS.has(t.key) || wanted.some((w) => w.key === t.key && w.effect === t.effect),
      );
      const added = wanted.filter((w) => !taints.some((t) => t.key === w.key && t.effect === w.effect));
      let podCIDR: string | undefined;
      if (!current.spec?.podCIDR) {
        podCIDR = this.nextCidr(cidrs);
        cidrs.add(podCIDR);
      }
      if (added.length > 0 || kept.length !== taints.length || podCIDR) {
        await s
          .modify(NODE, undefined, name, (o) => {
            const n = o as Node;
            const spec = { ...(n.spec ?? {}) };
            const old = spec.taints ?? [];
            const next = [
              ...old.filter(
                (t) =>
                  !SYSTEM_TAINTS.has(t.key) || wanted.some((w) => w.key === t.key && w.effect === t.effect),
              ),
              ...wanted
                .filter((w) => !old.some((t) => t.key === w.key && t.effect === w.effect))
                .map((w) => ({ ...w, timeAdded: now })),
            ];
            if (next.length > 0) spec.taints = next;
            else delete spec.taints;
            if (!spec.podCIDR && podCIDR) {
              spec.podCIDR = podCIDR;
              spec.podCIDRs = [podCIDR];
            }
            n.spec = spec;
            return n;
          })
          .catch(ignoreMissing);
      }
      if (status !== "True") await this.markPodsNotReady(name, now);
    }
  }

  private nextCidr(taken: Set<string>): string {
    const [base = "10.244.0.0"] = this.host.podSubnet.split("/");
    const [a, b] = base.split(".");
    for (let i = 0; i < 256; i++) {
      const cidr = `${a}.${b}.${i}.0/24`;
      if (!taken.has(cidr)) return cidr;
    }
    return `${a}.${b}.255.0/24`;
  }

  private async markPodsNotReady(node: string, now: string): Promise<void> {
    const s = this.host.storage;
    const pods = (await s.list(POD, undefined)).items as Pod[];
    for (const p of pods) {
      if (p.spec.nodeName !== node || condition(p, "Ready")?.status !== "True") continue;
      await s
        .modify(
          POD,
          p.metadata.namespace,
          p.metadata.name!,
          (o) => {
            const pod = o as Pod;
            pod.status = {
              ...(pod.status ?? {}),
              conditions: setCondition(
                pod.status?.conditions ?? [],
                { type: "Ready", status: "False", lastProbeTime: null },
                now,
              ),
            };
            return pod;
          },
          { subresource: "status" },
        )
        .catch(ignoreMissing);
    }
  }

  // --- scheduler ---------------------------------------------------------------------------------

  private async schedule(nodes: Node[], pods: Pod[]): Promise<void> {
    const s = this.host.storage;
    const counts = new Map<string, number>();
    for (const p of pods)
      if (p.spec.nodeName) counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
    for (const p of pods) {
      if (p.spec.nodeName || !activePod(p)) continue;
      if ((p.spec.schedulerName ?? "default-scheduler") !== "default-scheduler") continue;
      const candidates = nodes.filter((n) => nodeReady(n) && fits(p, n));
      if (candidates.length === 0) {
        const message = `0/${nodes.length} nodes are available: ${nodes.length === 0 ? "no nodes available to schedule pods" : "no node matches the pod's requirements"}.`;
        const old = condition(p, "PodScheduled");
        if (old?.status === "False" && old.message === message) continue;
        await s
          .modify(
            POD,
            p.metadata.namespace,
            p.metadata.name!,
            (o) => {
              const pod = o as Pod;
              pod.status = {
                ...(pod.status ?? {}),
                conditions: setCondition(
                  pod.status?.conditions ?? [],
                  {
                    type: "PodScheduled",
                    status: "False",
                    reason: "Unschedulable",
                    message,
                    lastProbeTime: null,
                  },
                  timestamp(this.host.now()),
                ),
              };
              return pod;
            },
            { subresource: "status" },
          )
          .catch(ignoreMissing);
        continue;
      }
      // Spread: the node with the fewest pods of this pod's owner, then the fewest pods.
      const owner = controllerOf(p)?.uid;
      const mine = (n: Node) =>
        pods.filter(
          (x) => x.spec.nodeName === n.metadata.name && owner !== undefined && controllerOf(x)?.uid === owner,
        ).length;
      candidates.sort(
        (a, b) =>
          mine(a) - mine(b) ||
          (counts.get(a.metadata.name!) ?? 0) - (counts.get(b.metadata.name!) ?? 0) ||
          (a.metadata.name! < b.metadata.name! ? -1 : 1),
      );
      const target = candidates[0]!.metadata.name!;
      try {
        await bind(s, p.metadata.namespace ?? "", p.metadata.name!, target, this.host.now);
        p.spec.nodeName = target;
        counts.set(target, (counts.get(target) ?? 0) + 1);
      } catch (err) {
        ignoreMissing(err);
      }
    }
  }

  // --- workloads ---------------------------------------------------------------------------------

  private podFrom(
    template: PodTemplate,
    owner: KObject,
    labels: Record<string, string>,
    nodeName?: string,
  ): Pod {
    const t = clone(template);
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${owner.metadata.name}-`,
        namespace: owner.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}), ...labels },
        ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
        ownerReferences: [ownerReference(owner)],
      },
      spec: { ...t.spec, ...(nodeName ? { nodeName } : {}) },
    };
  }

  private async createPod(pod: Pod): Promise<void> {
    await this.host.storage.create(POD, pod.metadata.namespace, pod).catch(ignoreMissing);
  }

  private async deletePod(p: Pod): Promise<void> {
    await this.host.storage.delete(POD, p.metadata.namespace, p.metadata.name!).catch(ignoreMissing);
  }

  private async daemonSets(nodes: Node[], pods: Pod[]): Promise<void> {
    const s = this.host.storage;
    for (const ds of (await s.list(DAEMON_SET, undefined)).items) {
      if (isTerminating(ds)) continue;
      const spec = (ds as Json).spec as Json;
      const template = spec.template as PodTemplate;
      const hash = shortHash(JSON.stringify(template));
      await this.ensureRevision(ds, hash, template);
      const owned = pods.filter((p) => controllerOf(p)?.uid === ds.metadata.uid);
      const dsPod = {
        spec: {
          ...template.spec,
          tolerations: [
            ...(template.spec.tolerations ?? []),
            { key: UNSCHEDULABLE.key, operator: "Exists" as const, effect: "NoSchedule" },
          ],
        },
      };
      const eligible = nodes.filter((n) => fits(dsPod, n, { ignoreUnschedulable: true }));
      const maxUnavailable =
        intOrPercent(
          ((spec.updateStrategy as Json | undefined)?.rollingUpdate as Json | undefined)?.maxUnavailable ?? 1,
          eligible.length,
          true,
        ) || 1;
      let unavailable = eligible.filter((n) => {
        const p = owned.find((x) => x.spec.nodeName === n.metadata.name && !isTerminating(x));
        return !p || !podReady(p);
      }).length;
      const generation = String(ds.metadata.generation ?? 1);
      for (const n of eligible) {
        const name = n.metadata.name!;
        const here = owned.filter((p) => p.spec.nodeName === name);
        const live = here.filter((p) => !isTerminating(p));
        if (here.length === 0) {
          await this.createPod(
            this.podFrom(
              template,
              ds,
              { "controller-revision-hash": hash, "pod-template-generation": generation },
              name,
            ),
          );
          continue;
        }
        for (const extra of live.slice(1)) await this.deletePod(extra);
        const pod = live[0];
        if (!pod) continue;
        const updateType = (spec.updateStrategy as Json | undefined)?.type ?? "RollingUpdate";
        if (pod.metadata.labels?.["controller-revision-hash"] !== hash && updateType === "RollingUpdate") {
          if (!podReady(pod) || unavailable < maxUnavailable) {
            if (podReady(pod)) unavailable++;
            await this.deletePod(pod);
          }
        }
      }
      for (const p of owned) {
        if (!isTerminating(p) && !eligible.some((n) => n.metadata.name === p.spec.nodeName))
          await this.deletePod(p);
      }
      const current = owned.filter(
        (p) => !isTerminating(p) && eligible.some((n) => n.metadata.name === p.spec.nodeName),
      );
      const ready = current.filter(podReady).length;
      const updated = current.filter((p) => p.metadata.labels?.["controller-revision-hash"] === hash).length;
      const status = {
        currentNumberScheduled: current.length,
        numberMisscheduled: 0,
        desiredNumberScheduled: eligible.length,
        numberReady: ready,
        observedGeneration: ds.metadata.generation ?? 1,
        updatedNumberScheduled: updated,
        numberAvailable: ready,
        ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
      };
      await this.setStatus(DAEMON_SET, ds, status);
    }
  }

  private async ensureRevision(owner: KObject, hash: string, template: PodTemplate): Promise<void> {
    const s = this.host.storage;
    const name = `${owner.metadata.name}-${hash}`;
    if (await s.get(CONTROLLER_REVISION, owner.metadata.namespace, name)) return;
    const revisions = (await s.list(CONTROLLER_REVISION, owner.metadata.namespace)).items.filter(
      (r) => controllerOf(r)?.uid === owner.metadata.uid,
    );
    const revision = revisions.reduce((m, r) => Math.max(m, Number((r as Json).revision ?? 0)), 0) + 1;
    await s
      .create(CONTROLLER_REVISION, owner.metadata.namespace, {
        metadata: {
          name,
          namespace: owner.metadata.namespace,
          labels: {
            ...((((owner as Json).spec as Json).selector as LabelSelector).matchLabels ?? {}),
            "controller-revision-hash": hash,
          },
          ownerReferences: [ownerReference(owner)],
        },
        data: { spec: { template: { ...template, $patch: "replace" } } },
        revision,
      })
      .catch(ignoreMissing);
  }

  private async deployments(): Promise<void> {
    const s = this.host.storage;
    const sets = (await s.list(REPLICA_SET, undefined)).items;
    for (const d of (await s.list(DEPLOYMENT, undefined)).items) {
      if (isTerminating(d)) continue;
      const spec = (d as Json).spec as Json;
      const template = spec.template as PodTemplate;
      const desired = typeof spec.replicas === "number" ? spec.replicas : 1;
      const hash = shortHash(JSON.stringify(template));
      const owned = sets.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
      let current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
      const revision = owned.reduce(
        (m, rs) => Math.max(m, Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0)),
        0,
      );
      if (!current) {
        const labels = { ...(template.metadata?.labels ?? {}), "pod-template-hash": hash };
        const selector = clone(spec.selector as LabelSelector);
        selector.matchLabels = { ...(selector.matchLabels ?? {}), "pod-template-hash": hash };
        current = await s
          .create(REPLICA_SET, d.metadata.namespace, {
            metadata: {
              name: `${d.metadata.name}-${hash}`,
              namespace: d.metadata.namespace,
              labels,
              annotations: {
                "deployment.kubernetes.io/desired-replicas": String(desired),
                "deployment.kubernetes.io/max-replicas": String(desired + 1),
                "deployment.kubernetes.io/revision": String(revision + 1),
              },
              ownerReferences: [ownerReference(d)],
            },
            spec: {
              replicas: owned.length === 0 ? desired : 0,
              selector,
              template: { ...clone(template), metadata: { ...(template.metadata ?? {}), labels } },
            },
          })
          .catch((err: unknown) => {
            ignoreMissing(err);
            return undefined;
          });
        if (!current) continue;
      }
      const old = owned.filter((rs) => rs !== current && rs.metadata.uid !== current!.metadata.uid);
      const readyOf = (rs: KObject) =>
        Number((((rs as Json).status as Json | undefined)?.readyReplicas as number | undefined) ?? 0);
      const replicasOf = (rs: KObject) =>
        Number((((rs as Json).spec as Json).replicas as number | undefined) ?? 0);
      const strategy = (spec.strategy ?? {}) as Json;
      const maxUnavailable =
        strategy.type === "Recreate"
          ? desired
          : intOrPercent(
              (strategy.rollingUpdate as Json | undefined)?.maxUnavailable ?? "25%",
              desired,
              false,
            );
      const maxSurge =
        strategy.type === "Recreate"
          ? 0
          : intOrPercent((strategy.rollingUpdate as Json | undefined)?.maxSurge ?? "25%", desired, true);
      const oldTotal = old.reduce((n, rs) => n + replicasOf(rs), 0);
      // Scale up the new set within the surge, then the old ones down while enough pods are ready.
      const newTarget = Math.min(
        desired,
        Math.max(replicasOf(current), desired + Math.max(maxSurge, maxUnavailable > 0 ? 0 : 1) - oldTotal),
      );
      if (newTarget !== replicasOf(current)) await this.scale(current, Math.max(newTarget, 0));
      let readyTotal = readyOf(current) + old.reduce((n, rs) => n + readyOf(rs), 0);
      for (const rs of old) {
        const r = replicasOf(rs);
        if (r === 0) continue;
        const canRemove = Math.max(0, readyTotal - (desired - maxUnavailable));
        const down = Math.min(r, canRemove);
        if (down > 0) {
          await this.scale(rs, r - down);
          readyTotal -= Math.min(down, readyOf(rs));
        }
      }
      const all = [current, ...old];
      const ready = all.reduce((n, rs) => n + readyOf(rs), 0);
      const updated = Number(
        (((current as Json).status as Json | undefined)?.replicas as number | undefined) ?? 0,
      );
      const total = all.reduce(
        (n, rs) =>
          n + Number((((rs as Json).status as Json | undefined)?.replicas as number | undefined) ?? 0),
        0,
      );
      const now = timestamp(this.host.now());
      const prevConditions = (((d as Json).status as Json | undefined)?.conditions ??
        []) as Json[] as never[];
      let conditions = setCondition(
        prevConditions,
        ready >= desired - maxUnavailable
          ? {
              type: "Available",
              status: "True",
              reason: "MinimumReplicasAvailable",
              message: "Deployment has minimum availability.",
              lastUpdateTime: now,
            }
          : {
              type: "Available",
              status: "False",
              reason: "MinimumReplicasUnavailable",
              message: "Deployment does not have minimum availability.",
              lastUpdateTime: now,
            },
        now,
      );
      conditions = setCondition(
        conditions,
        {
          type: "Progressing",
          status: "True",
          reason: updated >= desired && ready >= desired ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
          message: `ReplicaSet "${current.metadata.name}" ${updated >= desired && ready >= desired ? "has successfully progressed." : "is progressing."}`,
          lastUpdateTime: now,
        },
        now,
      );
      const status: Json = {
        observedGeneration: d.metadata.generation ?? 1,
        replicas: total,
        updatedReplicas: updated,
        readyReplicas: ready,
        availableReplicas: ready,
        ...(total - ready > 0 ? { unavailableReplicas: total - ready } : {}),
        conditions,
      };
      const old2 = ((d as Json).status ?? {}) as Json;
      const comparable = (x: Json) => ({
        ...x,
        conditions: ((x.conditions ?? []) as Json[]).map((c) => ({
          type: c.type,
          status: c.status,
          reason: c.reason,
        })),
      });
      if (!deepEqual(comparable(old2), comparable(status))) await this.setStatus(DEPLOYMENT, d, status);
    }
  }

  private async scale(rs: KObject, replicas: number): Promise<void> {
    await this.host.storage
      .modify(REPLICA_SET, rs.metadata.namespace, rs.metadata.name!, (o) => {
        ((o as Json).spec as Json).replicas = replicas;
        return o;
      })
      .catch(ignoreMissing);
  }

  private async replicaSets(pods: Pod[]): Promise<void> {
    const s = this.host.storage;
    for (const rs of (await s.list(REPLICA_SET, undefined)).items) {
      if (isTerminating(rs)) continue;
      const spec = (rs as Json).spec as Json;
      const want = typeof spec.replicas === "number" ? spec.replicas : 1;
      const owned = pods.filter((p) => controllerOf(p)?.uid === rs.metadata.uid && activePod(p));
      if (owned.length < want) {
        for (let i = owned.length; i < want; i++)
          await this.createPod(this.podFrom(spec.template as PodTemplate, rs, {}));
      } else if (owned.length > want) {
        const order = [...owned].sort(
          (a, b) =>
            Number(podReady(a)) - Number(podReady(b)) ||
            Number(Boolean(a.spec.nodeName)) - Number(Boolean(b.spec.nodeName)),
        );
        for (const p of order.slice(0, owned.length - want)) await this.deletePod(p);
      }
      const ready = owned.filter(podReady).length;
      await this.setStatus(REPLICA_SET, rs, {
        replicas: Math.min(owned.length, want) === owned.length ? owned.length : want,
        fullyLabeledReplicas: owned.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: rs.metadata.generation ?? 1,
      });
    }
  }

  private async setStatus(r: ResourceType, o: KObject, status: Json): Promise<void> {
    const merged = { ...(((o as Json).status ?? {}) as Json), ...status };
    for (const k of ["numberUnavailable", "unavailableReplicas"]) if (!(k in status)) delete merged[k];
    if (deepEqual((o as Json).status, merged)) return;
    await this.host.storage
      .modify(
        r,
        o.metadata.namespace,
        o.metadata.name!,
        (x) => {
          (x as Json).status = { ...(((x as Json).status ?? {}) as Json), ...status };
          for (const k of ["numberUnavailable", "unavailableReplicas"])
            if (!(k in status)) delete ((x as Json).status as Json)[k];
          return x;
        },
        { subresource: "status" },
      )
      .catch(ignoreMissing);
  }

  // --- services, budgets, namespaces, garbage ------------------------------------------------------

  private async endpoints(pods: Pod[]): Promise<void> {
    const s = this.host.storage;
    for (const svc of (await s.list(SERVICE, undefined)).items) {
      const spec = ((svc as Json).spec ?? {}) as Json;
      const selector = spec.selector as Record<string, string> | undefined;
      if (!selector || Object.keys(selector).length === 0) continue;
      const ns = svc.metadata.namespace;
      const members = pods.filter(
        (p) =>
          p.metadata.namespace === ns &&
          p.status?.podIP &&
          activePod(p) &&
          selectorMatches({ matchLabels: selector }, p.metadata.labels),
      );
      const ready = members.filter(podReady);
      const notReady = members.filter((p) => !podReady(p));
      const address = (p: Pod) => ({
        ip: p.status!.podIP!,
        nodeName: p.spec.nodeName,
        targetRef: { kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
      });
      const ports = ((spec.ports ?? []) as Json[]).map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: typeof p.targetPort === "number" ? p.targetPort : p.port,
        protocol: p.protocol ?? "TCP",
      }));
      const subsets =
        members.length === 0
          ? undefined
          : [
              {
                ...(ready.length > 0 ? { addresses: ready.map(address) } : {}),
                ...(notReady.length > 0 ? { notReadyAddresses: notReady.map(address) } : {}),
                ports,
              },
            ];
      const existing = await s.get(ENDPOINTS, ns, svc.metadata.name!);
      const body: KObject = {
        metadata: { name: svc.metadata.name, namespace: ns, labels: svc.metadata.labels ?? {} },
        ...(subsets ? { subsets } : {}),
      };
      if (!existing) await s.create(ENDPOINTS, ns, body).catch(ignoreMissing);
      else if (!deepEqual((existing as Json).subsets, subsets)) {
        await s
          .modify(ENDPOINTS, ns, svc.metadata.name!, (o) => {
            if (subsets) (o as Json).subsets = subsets;
            else delete (o as Json).subsets;
            return o;
          })
          .catch(ignoreMissing);
      }
      const sliceName = `${svc.metadata.name}-${shortHash(svc.metadata.uid ?? "").slice(0, 5)}`;
      const endpoints = members.map((p) => ({
        addresses: [p.status!.podIP!],
        conditions: { ready: podReady(p), serving: podReady(p), terminating: false },
        nodeName: p.spec.nodeName,
        targetRef: { kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
      }));
      const slice = await s.get(ENDPOINT_SLICE, ns, sliceName);
      if (!slice) {
        await s
          .create(ENDPOINT_SLICE, ns, {
            metadata: {
              name: sliceName,
              namespace: ns,
              labels: {
                "kubernetes.io/service-name": svc.metadata.name!,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
              },
              ownerReferences: [ownerReference(svc)],
            },
            addressType: "IPv4",
            endpoints,
            ports,
          })
          .catch(ignoreMissing);
      } else if (!deepEqual((slice as Json).endpoints, endpoints)) {
        await s
          .modify(ENDPOINT_SLICE, ns, sliceName, (o) => {
            (o as Json).endpoints = endpoints;
            return o;
          })
          .catch(ignoreMissing);
      }
    }
  }

  private async budgets(pods: Pod[]): Promise<void> {
    const s = this.host.storage;
    for (const pdb of (await s.list(PDB, undefined)).items) {
      const spec = ((pdb as Json).spec ?? {}) as Json;
      const selector = spec.selector as LabelSelector | undefined;
      const matching = pods.filter(
        (p) =>
          p.metadata.namespace === pdb.metadata.namespace &&
          activePod(p) &&
          selector &&
          selectorMatches(selector, p.metadata.labels),
      );
      const expected = matching.length;
      const healthy = matching.filter(podReady).length;
      const desired =
        spec.minAvailable !== undefined
          ? intOrPercent(spec.minAvailable, expected, true)
          : spec.maxUnavailable !== undefined
            ? Math.max(0, expected - intOrPercent(spec.maxUnavailable, expected, true))
            : expected;
      const old = ((pdb as Json).status ?? {}) as Json;
      const disrupted = Object.fromEntries(
        Object.entries((old.disruptedPods ?? {}) as Record<string, string>).filter(([name]) =>
          matching.some((p) => p.metadata.name === name),
        ),
      );
      const allowed = Math.max(0, healthy - desired - Object.keys(disrupted).length);
      const now = timestamp(this.host.now());
      const conditions = setCondition(
        (old.conditions ?? []) as never[],
        allowed > 0
          ? {
              type: "DisruptionAllowed",
              status: "True",
              reason: "SufficientPods",
              message: "",
              observedGeneration: pdb.metadata.generation ?? 1,
            }
          : {
              type: "DisruptionAllowed",
              status: "False",
              reason: "InsufficientPods",
              message: "",
              observedGeneration: pdb.metadata.generation ?? 1,
            },
        now,
      );
      const status: Json = {
        observedGeneration: pdb.metadata.generation ?? 1,
        ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
        disruptionsAllowed: allowed,
        currentHealthy: healthy,
        desiredHealthy: desired,
        expectedPods: expected,
        conditions,
      };
      const same =
        old.observedGeneration === status.observedGeneration &&
        old.disruptionsAllowed === allowed &&
        old.currentHealthy === healthy &&
        old.desiredHealthy === desired &&
        old.expectedPods === expected &&
        deepEqual(old.disruptedPods ?? {}, disrupted);
      if (same) continue;
      await s
        .modify(
          PDB,
          pdb.metadata.namespace,
          pdb.metadata.name!,
          (o) => {
            (o as Json).status = status;
            return o;
          },
          { subresource: "status" },
        )
        .catch(ignoreMissing);
    }
  }

  private async namespaces(): Promise<void> {
    const s = this.host.storage;
    for (const ns of (await s.list(NAMESPACE, undefined)).items) {
      const name = ns.metadata.name!;
      if (!isTerminating(ns)) {
        if (!(await s.get(SERVICE_ACCOUNT, name, "default"))) {
          await s.create(SERVICE_ACCOUNT, name, { metadata: { name: "default" } }).catch(ignoreMissing);
        }
        if (this.host.caCrt !== "" && !(await s.get(CONFIG_MAP, name, "kube-root-ca.crt"))) {
          await s
            .create(CONFIG_MAP, name, {
              metadata: {
                name: "kube-root-ca.crt",
                annotations: {
                  "kubernetes.io/description":
                    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
                },
              },
              data: { "ca.crt": this.host.caCrt },
            })
            .catch(ignoreMissing);
        }
        continue;
      }
      let left = 0;
      for (const r of RESOURCES.filter((x) => x.namespaced)) {
        for (const o of (await s.list(r, name)).items) {
          left++;
          if (!isTerminating(o)) await s.delete(r, name, o.metadata.name!).catch(ignoreMissing);
        }
      }
      if (left === 0) {
        await s
          .modify(NAMESPACE, undefined, name, (o) => {
            o.metadata.finalizers = [];
            (o as Json).spec = { ...(((o as Json).spec ?? {}) as Json), finalizers: [] };
            return o;
          })
          .catch(ignoreMissing);
        await s.delete(NAMESPACE, undefined, name).catch(ignoreMissing);
        const still = await s.get(NAMESPACE, undefined, name);
        if (still && ((still as Json).spec as Json | undefined)?.finalizers !== undefined) {
          // The namespace finalizer is done: the object goes.
          await s.kv.txn(
            [{ key: `/registry/namespaces/${name}`, modRevision: Number(still.metadata.resourceVersion) }],
            [{ type: "delete", key: `/registry/namespaces/${name}` }],
          );
        }
      }
    }
  }

  private async garbage(pods: Pod[], nodes: Node[]): Promise<void> {
    const s = this.host.storage;
    const owners = new Set<string>();
    for (const r of [DAEMON_SET, DEPLOYMENT, REPLICA_SET, SERVICE, NODE]) {
      for (const o of (await s.list(r, undefined)).items) owners.add(o.metadata.uid!);
    }
    const gone = (o: KObject): boolean => {
      const ref = controllerOf(o) ?? o.metadata.ownerReferences?.[0];
      return (
        ref !== undefined &&
        ["DaemonSet", "Deployment", "ReplicaSet", "Service", "Node"].includes(ref.kind) &&
        !owners.has(ref.uid)
      );
    };
    for (const p of pods) {
      if (gone(p) && !isTerminating(p)) await this.deletePod(p);
      else if (p.spec.nodeName && !nodes.some((n) => n.metadata.name === p.spec.nodeName)) {
        await s
          .delete(POD, p.metadata.namespace, p.metadata.name!, { gracePeriodSeconds: 0 })
          .catch(ignoreMissing);
      }
    }
    for (const r of [REPLICA_SET, CONTROLLER_REVISION, ENDPOINT_SLICE]) {
      for (const o of (await s.list(r, undefined)).items) {
        if (gone(o) && !isTerminating(o))
          await s.delete(r, o.metadata.namespace, o.metadata.name!).catch(ignoreMissing);
      }
    }
  }
}

/** Holds a Lease in kube-system for a component (leader election, as client-go's leaderelection). */
export async function tryLease(
  storage: KubeStorage,
  name: string,
  identity: string,
  durationSeconds: number,
  now: Date,
  expired: (renewTime: string) => boolean,
): Promise<boolean> {
  const current = await storage.get(LEASE, "kube-system", name);
  const stamp = `${now.toISOString().slice(0, 23)}000Z`;
  if (!current) {
    try {
      await storage.create(LEASE, "kube-system", {
        metadata: { name, namespace: "kube-system" },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: stamp,
          renewTime: stamp,
          leaseTransitions: 0,
        },
      });
      return true;
    } catch {
      return false;
    }
  }
  const spec = ((current as Json).spec ?? {}) as Json;
  const mine = spec.holderIdentity === identity;
  if (!mine && typeof spec.renewTime === "string" && !expired(spec.renewTime)) return false;
  const next = clone(current);
  (next as Json).spec = {
    ...spec,
    holderIdentity: identity,
    leaseDurationSeconds: durationSeconds,
    renewTime: stamp,
    ...(mine ? {} : { acquireTime: stamp, leaseTransitions: Number(spec.leaseTransitions ?? 0) + 1 }),
  };
  try {
    await storage.update(LEASE, "kube-system", name, next);
    return true;
  } catch {
    return false;
  }
}
