// Cordon, drain and uncordon of a Kubernetes node, as talosctl does around a reboot or an
// upgrade (k8s.io/kubectl's drain helper with Force, IgnoreAllDaemonSets and DeleteEmptyDirData):
// the node is marked unschedulable, its pods are evicted (DaemonSet and mirror pods stay), an
// eviction a PodDisruptionBudget refuses is retried every 5 seconds until the timeout, and the
// drain ends when the evicted pods are gone. After the reboot: wait for Ready, then uncordon.
import { TalosError } from "../../errors.js";
import { isNotFound, type Json, KubeApiError, type KubeClient } from "./client.js";

/** kubectl's drain helper retries a refused eviction after this long. */
export const EVICTION_RETRY_MS = 5_000;
/** How often the drain looks whether evicted pods are gone, and whether a node is Ready. */
const POLL_MS = 250;

export interface DrainStep {
  readonly message: string;
}

export interface KubeDrainOptions {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Progress lines, worded as talosctl prints them after `<node>: `. */
  readonly progress: (message: string) => void;
  /** Sleeps (tests may speed the retries up). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly evictionRetryMs?: number;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export async function setUnschedulable(
  kube: KubeClient,
  node: string,
  unschedulable: boolean,
): Promise<void> {
  await kube.request("PATCH", `/api/v1/nodes/${encodeURIComponent(node)}`, {
    body: { spec: { unschedulable: unschedulable ? true : null } },
    contentType: "application/strategic-merge-patch+json",
  });
}

interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** The pods a drain evicts: not mirror pods, not DaemonSet pods, not finished ones. */
export async function podsToEvict(kube: KubeClient, node: string): Promise<PodRef[]> {
  const list = await kube.get("/api/v1/pods", { fieldSelector: `spec.nodeName=${node}` });
  const out: PodRef[] = [];
  for (const p of (list.items ?? []) as Json[]) {
    const meta = p.metadata as Json;
    const annotations = (meta.annotations ?? {}) as Record<string, string>;
    if (annotations["kubernetes.io/config.mirror"] !== undefined) continue;
    const owners = (meta.ownerReferences ?? []) as Json[];
    if (owners.some((o) => o.controller === true && o.kind === "DaemonSet")) continue;
    const phase = (p.status as Json | undefined)?.phase;
    if (phase === "Succeeded" || phase === "Failed") continue;
    out.push({ namespace: String(meta.namespace), name: String(meta.name), uid: String(meta.uid) });
  }
  return out;
}

async function evictUntilAccepted(
  kube: KubeClient,
  pod: PodRef,
  options: KubeDrainOptions,
  deadline: number,
): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  for (;;) {
    try {
      await kube.request(
        "POST",
        `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/eviction`,
        {
          body: {
            apiVersion: "policy/v1",
            kind: "Eviction",
            metadata: { name: pod.name, namespace: pod.namespace },
            deleteOptions: {},
          },
        },
      );
      options.progress(`evicting pod ${pod.namespace}/${pod.name}`);
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!(err instanceof KubeApiError && err.status === 429)) throw err;
      const retry = options.evictionRetryMs ?? EVICTION_RETRY_MS;
      options.progress(
        `error when evicting pods/"${pod.name}" -n "${pod.namespace}" (will retry after ${retry / 1000}s): ${err.message}`,
      );
      if (Date.now() + retry > deadline)
        throw new TalosError(
          "deadline-exceeded",
          `drain did not complete within ${Math.round(options.timeoutMs / 1000)}s`,
        );
      await sleep(retry, options.signal);
    }
  }
}

async function waitGone(
  kube: KubeClient,
  pod: PodRef,
  options: KubeDrainOptions,
  deadline: number,
): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  for (;;) {
    try {
      const p = await kube.get(
        `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}`,
      );
      if ((p.metadata as Json).uid !== pod.uid) return;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (Date.now() > deadline)
      throw new TalosError(
        "deadline-exceeded",
        `drain did not complete within ${Math.round(options.timeoutMs / 1000)}s`,
      );
    await sleep(POLL_MS, options.signal);
  }
}

/** Cordons the node and evicts its pods; resolves once they are gone. */
export async function drainNode(kube: KubeClient, node: string, options: KubeDrainOptions): Promise<void> {
  options.progress("cordoning node");
  await setUnschedulable(kube, node, true);
  options.progress("node cordoned");
  options.progress("draining node");
  const deadline = Date.now() + options.timeoutMs;
  const pods = await podsToEvict(kube, node);
  await Promise.all(
    pods.map(async (pod) => {
      await evictUntilAccepted(kube, pod, options, deadline);
      await waitGone(kube, pod, options, deadline);
      options.progress(`pod ${pod.namespace}/${pod.name} evicted`);
    }),
  );
  options.progress("node drained");
}

/** Waits for the node to be Ready again, then makes it schedulable. */
export async function uncordonNode(kube: KubeClient, node: string, options: KubeDrainOptions): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  options.progress("waiting for node to become Ready");
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      const n = await kube.get(`/api/v1/nodes/${encodeURIComponent(node)}`);
      const ready = (((n.status as Json | undefined)?.conditions ?? []) as Json[]).find(
        (c) => c.type === "Ready",
      );
      if (ready?.status === "True") break;
    } catch (err) {
      if (!(err instanceof KubeApiError) && !(err instanceof TalosError)) throw err;
    }
    if (Date.now() > deadline)
      throw new TalosError(
        "deadline-exceeded",
        `node ${node} did not become Ready within ${Math.round(options.timeoutMs / 1000)}s`,
      );
    await sleep(POLL_MS, options.signal);
  }
  options.progress("uncordoning node");
  await setUnschedulable(kube, node, false);
  options.progress("node uncordoned");
}
