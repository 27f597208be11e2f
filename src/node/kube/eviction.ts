// The pod eviction subresource: a delete that respects PodDisruptionBudgets. An eviction the
// budget allows takes one disruption from it (recorded in status.disruptedPods, as the
// disruption controller expects) and deletes the pod gracefully; one it does not allow is
// refused with 429, in the words of k8s.io/kubernetes: pkg/registry/core/pod/storage/eviction.go.
import {
  type Json,
  type KObject,
  type LabelSelector,
  type Pod,
  podReady,
  selectorMatches,
  timestamp,
} from "./objects.js";
import { PDB, POD } from "./resources.js";
import { KubeStatusError, notFound, tooManyRequests } from "./status.js";
import type { KubeStorage } from "./storage.js";

export const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

/** The budgets whose selector picks the pod. */
export async function budgetsFor(storage: KubeStorage, pod: Pod): Promise<KObject[]> {
  const pdbs = await storage.list(PDB, pod.metadata.namespace);
  return pdbs.items.filter((p) => {
    const sel = ((p as Json).spec as Json | undefined)?.selector as LabelSelector | undefined;
    if (
      !sel ||
      (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
    )
      return false;
    return selectorMatches(sel, pod.metadata.labels);
  });
}

export async function evict(
  storage: KubeStorage,
  namespace: string,
  name: string,
  deleteOptions: Json,
  now: () => Date,
): Promise<void> {
  const pod = (await storage.get(POD, namespace, name)) as Pod | undefined;
  if (!pod) throw notFound(POD, name);
  const grace =
    typeof deleteOptions.gracePeriodSeconds === "number" ? deleteOptions.gracePeriodSeconds : undefined;
  const del = () =>
    storage.delete(POD, namespace, name, grace !== undefined ? { gracePeriodSeconds: grace } : {});
  const phase = pod.status?.phase;
  // Finished or already terminating pods, and pods that are not ready, leave no budget short.
  if (phase === "Succeeded" || phase === "Failed" || pod.metadata.deletionTimestamp !== undefined) {
    await del();
    return;
  }
  const budgets = await budgetsFor(storage, pod);
  if (budgets.length > 1) {
    throw new KubeStatusError(
      500,
      "InternalError",
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
  }
  const budget = budgets[0];
  if (!budget || !podReady(pod)) {
    await del();
    return;
  }
  let refusal: KubeStatusError | undefined;
  await storage.modify(
    PDB,
    namespace,
    budget.metadata.name!,
    (o) => {
      const status = ((o as Json).status ?? {}) as Json;
      const allowed = typeof status.disruptionsAllowed === "number" ? status.disruptionsAllowed : 0;
      const observed = typeof status.observedGeneration === "number" ? status.observedGeneration : 0;
      if (observed < (o.metadata.generation ?? 1)) {
        refusal = tooManyRequests(EVICTION_REFUSED, [
          {
            reason: "DisruptionBudget",
            message: "The disruption budget is still being processed by the server.",
          },
        ]);
        return undefined;
      }
      if (allowed <= 0) {
        refusal = tooManyRequests(EVICTION_REFUSED, [
          {
            reason: "DisruptionBudget",
            message: `The disruption budget ${o.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
          },
        ]);
        return undefined;
      }
      const disrupted = {
        ...((status.disruptedPods ?? {}) as Record<string, string>),
        [name]: timestamp(now()),
      };
      (o as Json).status = { ...status, disruptionsAllowed: allowed - 1, disruptedPods: disrupted };
      return o;
    },
    { subresource: "status" },
  );
  if (refusal) throw refusal;
  await del();
}
