// Talos's cluster health checks (siderolabs/talos: pkg/cluster/check/default.go) over a snapshot of
// what each node reports. The node runs them against its discovery view (server-side `health`);
// talosctl runs them against what it fetched from every node over the API
// (`health --server=false`). Both poll each check in order until it passes, the run is cancelled,
// or the wait timeout expires.
import { errorMessage, TalosError } from "../errors.js";

/** What one node reports, as far as the checks need it. */
export interface NodeView {
  /** The node as named (an address). */
  readonly node: string;
  /** Why the node's API could not be reached, if it could not. */
  readonly error?: string;
  readonly hostname: string;
  readonly stage: string;
  readonly services: Readonly<Record<string, { readonly state: string; readonly healthy: boolean }>>;
  readonly memoryBytes: number;
  /** Size of the system disk; 0 when the machine has none (container mode). */
  readonly diskBytes: number;
  readonly kubernetesReady: boolean;
  readonly staticPods: boolean;
  /** etcd member hostnames as this node's etcd lists them (control planes). */
  readonly etcdMembers?: readonly string[];
}

export interface ClusterView {
  readonly controlPlanes: readonly NodeView[];
  readonly workers: readonly NodeView[];
}

/** A check's verdict: passed, skipped, or the reason it does not pass yet. */
export type CheckResult =
  | { readonly ok: true; readonly skip?: boolean }
  | { readonly ok: false; readonly error: string };

export interface HealthCheck {
  readonly name: string;
  readonly run: (view: ClusterView) => CheckResult;
}

/** Minimum memory Talos asks of a machine (control planes 2 GiB, workers 1 GiB, with slack). */
const MIN_MEMORY_BYTES = { controlPlane: 1_900 * 2 ** 20, worker: 900 * 2 ** 20 };
/** Minimum system disk size Talos asks for. */
const MIN_DISK_BYTES = 6 * 2 ** 30;

const OK: CheckResult = { ok: true };
const fail = (error: string): CheckResult => ({ ok: false, error });

function all(view: ClusterView): NodeView[] {
  return [...view.controlPlanes, ...view.workers];
}

function firstFailure(nodes: readonly NodeView[], check: (n: NodeView) => string | undefined): CheckResult {
  for (const n of nodes) {
    if (n.error !== undefined) return fail(`${n.node}: ${n.error}`);
    const why = check(n);
    if (why !== undefined) return fail(`${n.node}: ${why}`);
  }
  return OK;
}

function serviceUp(id: string): (n: NodeView) => string | undefined {
  return (n) => {
    const s = n.services[id];
    if (!s) return `service ${JSON.stringify(id)} not found`;
    if (s.state !== "Running")
      return `service ${JSON.stringify(id)} not in expected state "Running": current state [${s.state}]`;
    if (!s.healthy) return `service ${JSON.stringify(id)} is not healthy`;
    return undefined;
  };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

export const HEALTH_CHECKS: readonly HealthCheck[] = [
  { name: "etcd to be healthy", run: (v) => firstFailure(v.controlPlanes, serviceUp("etcd")) },
  {
    name: "etcd members to be consistent across nodes",
    run: (v) => {
      const lists = v.controlPlanes.map((n) => ({ node: n.node, members: n.etcdMembers ?? [] }));
      const first = lists[0];
      if (!first) return fail("no control plane nodes");
      for (const l of lists.slice(1)) {
        if (!sameSet(l.members, first.members)) {
          return fail(
            `etcd members mismatch: ${first.node} sees [${first.members.join(" ")}], ${l.node} sees [${l.members.join(" ")}]`,
          );
        }
      }
      return OK;
    },
  },
  {
    name: "etcd members to be control plane nodes",
    run: (v) => {
      const members = v.controlPlanes[0]?.etcdMembers ?? [];
      if (members.length !== v.controlPlanes.length) {
        return fail(`etcd member count mismatch: expected ${v.controlPlanes.length}, got ${members.length}`);
      }
      const hostnames = v.controlPlanes.map((n) => n.hostname);
      const stranger = members.find((m) => !hostnames.includes(m));
      return stranger === undefined
        ? OK
        : fail(`etcd member ${JSON.stringify(stranger)} is not a control plane node`);
    },
  },
  { name: "apid to be ready", run: (v) => firstFailure(all(v), serviceUp("apid")) },
  {
    name: "all nodes memory sizes",
    run: (v) =>
      firstFailure(all(v), (n) => {
        const min = v.controlPlanes.includes(n) ? MIN_MEMORY_BYTES.controlPlane : MIN_MEMORY_BYTES.worker;
        return n.memoryBytes < min ? `memory size is ${n.memoryBytes} bytes, minimum is ${min}` : undefined;
      }),
  },
  {
    name: "all nodes disk sizes",
    run: (v) => {
      if (all(v).every((n) => n.diskBytes === 0)) return { ok: true, skip: true };
      return firstFailure(all(v), (n) =>
        n.diskBytes > 0 && n.diskBytes < MIN_DISK_BYTES
          ? `disk size is ${n.diskBytes} bytes, minimum is ${MIN_DISK_BYTES}`
          : undefined,
      );
    },
  },
  { name: "no diagnostics", run: (v) => firstFailure(all(v), () => undefined) },
  { name: "kubelet to be healthy", run: (v) => firstFailure(all(v), serviceUp("kubelet")) },
  {
    name: "all nodes to finish boot sequence",
    run: (v) =>
      firstFailure(all(v), (n) => (n.stage === "running" ? undefined : `stage is ${n.stage}, not running`)),
  },
  {
    name: "all k8s nodes to report",
    run: (v) => {
      const reported = all(v).filter((n) => n.kubernetesReady).length;
      const want = all(v).length;
      return reported === want ? OK : fail(`expected number of nodes to be ${want}, got ${reported}`);
    },
  },
  {
    name: "all control plane static pods to be running",
    run: (v) =>
      firstFailure(v.controlPlanes, (n) =>
        n.staticPods
          ? undefined
          : "static pods kube-apiserver, kube-controller-manager, kube-scheduler are not running",
      ),
  },
  {
    name: "all control plane components to be ready",
    run: (v) =>
      firstFailure(v.controlPlanes, (n) =>
        n.staticPods ? undefined : "control plane components are not ready",
      ),
  },
  {
    name: "all k8s nodes to report ready",
    run: (v) =>
      firstFailure(all(v), (n) =>
        n.kubernetesReady ? undefined : `node ${JSON.stringify(n.hostname)} is not ready`,
      ),
  },
  {
    name: "kube-proxy to report ready",
    run: (v) => firstFailure(all(v), (n) => (n.kubernetesReady ? undefined : "kube-proxy is not ready")),
  },
  {
    name: "coredns to report ready",
    run: (v) =>
      v.controlPlanes.some((n) => n.staticPods)
        ? OK
        : fail("no ready pods found for namespace kube-system and label k8s-app=kube-dns"),
  },
  {
    name: "all k8s nodes to report schedulable",
    run: (v) =>
      firstFailure(all(v), (n) =>
        n.kubernetesReady ? undefined : `node ${JSON.stringify(n.hostname)} is not schedulable`,
      ),
  },
];

export interface RunChecksOptions {
  /** Fetches a fresh view of the cluster (errors count as the check's failure). */
  readonly view: () => Promise<ClusterView>;
  /** Called with each progress line: `waiting for <check>: ...`, `: OK`, `: SKIP`, `: <error>`. */
  readonly report: (update: CheckUpdate) => void | Promise<void>;
  /** Absolute deadline (ms since epoch, real time). */
  readonly deadline: number;
  /** Real milliseconds between polls of a failing check. */
  readonly intervalMs: number;
  readonly signal?: AbortSignal;
  readonly checks?: readonly HealthCheck[];
}

export interface CheckUpdate {
  readonly check: string;
  /** `running` (first poll), `ok`, `skip` or `failing` (with the error). */
  readonly status: "running" | "ok" | "skip" | "failing";
  readonly error?: string;
}

export function updateLine(u: CheckUpdate): string {
  const suffix =
    u.status === "running" ? "..." : u.status === "ok" ? "OK" : u.status === "skip" ? "SKIP" : u.error;
  return `waiting for ${u.check}: ${suffix}`;
}

/** The run failed: names the check that did not pass and its last error. */
export class HealthCheckFailure extends TalosError {
  override readonly name = "HealthCheckFailure";
  constructor(
    readonly check: string,
    readonly lastError: string,
    readonly timedOut: boolean,
  ) {
    super(
      timedOut ? "deadline-exceeded" : "failed-precondition",
      `waiting for ${check}: ${timedOut ? "timed out; last error: " : ""}${lastError}`,
    );
  }
}

/** Runs the checks in order; resolves when all pass, throws HealthCheckFailure otherwise. */
export async function runHealthChecks(options: RunChecksOptions): Promise<void> {
  const { signal } = options;
  for (const check of options.checks ?? HEALTH_CHECKS) {
    await options.report({ check: check.name, status: "running" });
    let lastError = "";
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      let result: CheckResult;
      try {
        result = check.run(await options.view());
      } catch (err) {
        result = fail(errorMessage(err));
      }
      if (result.ok) {
        await options.report({ check: check.name, status: result.skip ? "skip" : "ok" });
        break;
      }
      if (result.error !== lastError) {
        lastError = result.error;
        await options.report({ check: check.name, status: "failing", error: result.error });
      }
      const left = options.deadline - Date.now();
      if (left <= 0) throw new HealthCheckFailure(check.name, lastError, true);
      await sleep(Math.min(options.intervalMs, left), signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
