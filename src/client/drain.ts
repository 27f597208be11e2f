// Cordon and drain of the Kubernetes nodes behind Talos nodes, as `reboot --drain` and
// `upgrade` (drain on by default) do before the reboot, and the uncordon once each node is
// Ready again (siderolabs/talos: cmd/talosctl/cmd/talos/drain.go). Both go through the cluster's
// Kubernetes API (the admin kubeconfig fetched over the Talos API, the Kubernetes node name from
// the `Nodename` resource). This client has no Kubernetes client yet, so `kubernetesDrainAvailability`
// answers "unavailable" with the reason, and the commands decide: an explicit `--drain` is
// refused before anything happens, upgrade's default drain is skipped with a warning.
import { TalosError } from "../errors.js";
import type { TalosClient } from "./client.js";

/** talosctl's `--drain-timeout` default (siderolabs/talos: nodedrain.DefaultDrainTimeout). */
export const DEFAULT_DRAIN_TIMEOUT = "5m0s";

/** One step of a node's drain, worded as talosctl's drain display (`<k8s-node>: node cordoned`). */
export interface DrainUpdate {
  /** The Talos node (as given with --nodes) the step is about. */
  readonly node: string;
  readonly state: "running" | "succeeded" | "failed";
  readonly message: string;
}

export interface DrainOptions {
  readonly client: TalosClient;
  /** The Talos nodes whose Kubernetes nodes are cordoned and drained. */
  readonly nodes: readonly string[];
  /** How long evicting the pods of one node may take. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly onUpdate: (update: DrainUpdate) => void;
}

/** Talos node → the name of its Kubernetes node, for the uncordon after the reboot. */
export type DrainedNodes = ReadonlyMap<string, string>;

export type DrainAvailability =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string };

/** The drain cannot run: what is missing, in one sentence. */
export class DrainUnavailableError extends TalosError {
  override readonly name = "DrainUnavailableError";

  constructor(reason: string) {
    super("failed-precondition", reason);
  }
}

/** Why a drain cannot run here today (the Kubernetes client is not part of this toolkit yet). */
export const NO_KUBERNETES_CLIENT =
  "cordon and drain go through the cluster's Kubernetes API, and this talosctl has no Kubernetes client yet";

/**
 * Whether cordon and drain can run against the cluster behind `client`: the Kubernetes API must
 * be reachable through the admin kubeconfig the Talos API hands out.
 */
export async function kubernetesDrainAvailability(_client: TalosClient): Promise<DrainAvailability> {
  return { available: false, reason: NO_KUBERNETES_CLIENT };
}

/** Cordons every node's Kubernetes node and evicts its pods (all nodes in parallel). */
export async function drainNodes(options: DrainOptions): Promise<DrainedNodes> {
  const availability = await kubernetesDrainAvailability(options.client);
  if (!availability.available) throw new DrainUnavailableError(availability.reason);
  return new Map();
}

export interface UncordonOptions {
  readonly client: TalosClient;
  readonly drained: DrainedNodes;
  /** How long to wait for each Kubernetes node to be Ready again. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly onUpdate: (update: DrainUpdate) => void;
}

/** Waits for each drained node to be Ready, then uncordons it. */
export async function uncordonNodes(options: UncordonOptions): Promise<void> {
  if (options.drained.size === 0) return;
  const availability = await kubernetesDrainAvailability(options.client);
  if (!availability.available) throw new DrainUnavailableError(availability.reason);
}
