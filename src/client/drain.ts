// Cordon and drain of the Kubernetes nodes behind Talos nodes, as `reboot --drain` and
// `upgrade` (drain on by default) do before the reboot, and the uncordon once each node is
// Ready again (siderolabs/talos: cmd/talosctl/cmd/talos/drain.go). Both go through the cluster's
// Kubernetes API with the admin kubeconfig fetched over the Talos API from the endpoint (no
// `node` metadata, as talosctl's random-endpoint client), and the Kubernetes node name read from
// each Talos node's `Nodename` resource. `kubernetesDrainAvailability` says beforehand whether
// that API answers; when it does not, the commands decide: an explicit `--drain` is refused
// before anything happens, upgrade's default drain is skipped with a warning.
import { errorMessage, TalosError } from "../errors.js";
import type { TalosClient } from "./client.js";
import { toRpcError } from "./errors.js";
import { credentialsFromKubeconfig, fetchAdminKubeconfig, KubeClient } from "./kube/client.js";
import { drainNode, uncordonNode } from "./kube/drain.js";
import { specData } from "./resources.js";

/** talosctl's `--drain-timeout` default (siderolabs/talos: nodedrain.DefaultDrainTimeout). */
export const DEFAULT_DRAIN_TIMEOUT = "5m0s";

/** How long the availability check waits for the Kubernetes API to answer. */
const AVAILABILITY_TIMEOUT_MS = 10_000;

const NODENAME = { namespace: "k8s", type: "Nodenames.kubernetes.talos.dev", id: "nodename" };

/**
 * One step of a node's drain, worded as talosctl's drain display: the message starts with the
 * Kubernetes node's name (`worker-1: node cordoned`).
 */
export interface DrainUpdate {
  /** The Talos node (as given with --nodes) the step is about. */
  readonly node: string;
  /** Its Kubernetes node. */
  readonly kubernetesNode: string;
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

const rpcMessage = (client: TalosClient, err: unknown): string =>
  toRpcError(err, client.signal.aborted).message;

/** A Kubernetes client with the admin kubeconfig from the endpoint (talosctl: kubeclient.FromTalosClient). */
async function kubeFromTalos(client: TalosClient): Promise<KubeClient> {
  let text: string;
  try {
    text = await fetchAdminKubeconfig(client.forEndpoint());
  } catch (err) {
    throw new TalosError(
      "unavailable",
      `error fetching kubeconfig from Talos API: ${rpcMessage(client, err)}`,
      {
        cause: err,
      },
    );
  }
  try {
    return new KubeClient(credentialsFromKubeconfig(text, "the admin kubeconfig"));
  } catch (err) {
    throw new TalosError("invalid", `error parsing kubeconfig: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Whether cordon and drain can run against the cluster behind `client`: the admin kubeconfig
 * must come from the Talos API and the Kubernetes API it names must answer.
 */
export async function kubernetesDrainAvailability(client: TalosClient): Promise<DrainAvailability> {
  let kube: KubeClient;
  try {
    kube = await kubeFromTalos(client);
  } catch (err) {
    return { available: false, reason: `the Kubernetes API cannot be reached: ${errorMessage(err)}` };
  }
  try {
    await kube.request("GET", "/api/v1/nodes", {
      query: { limit: 1 },
      signal: AbortSignal.any([client.signal, AbortSignal.timeout(AVAILABILITY_TIMEOUT_MS)]),
    });
    return { available: true };
  } catch (err) {
    return {
      available: false,
      reason: `the Kubernetes API at ${kube.server} cannot be reached: ${errorMessage(err)}`,
    };
  } finally {
    kube.close();
  }
}

/** The Kubernetes node name of a Talos node (talosctl: nodedrain.GetKubernetesNodeName). */
export async function kubernetesNodeName(client: TalosClient, node: string): Promise<string> {
  let name: unknown;
  try {
    const res = await client.forNode(node).cosi.get(NODENAME);
    name = res.resource ? (specData(res.resource) as { nodename?: unknown } | null)?.nodename : undefined;
  } catch (err) {
    throw new TalosError(
      "unavailable",
      `error getting Kubernetes node name from Talos API: ${rpcMessage(client, err)}`,
      { cause: err },
    );
  }
  if (typeof name !== "string" || name === "")
    throw new TalosError("not-found", "error getting Kubernetes node name from Talos API: empty nodename");
  return name;
}

/**
 * Cordons every node's Kubernetes node and evicts its pods, all nodes in parallel; resolves with
 * the Kubernetes names of the nodes drained.
 */
export async function drainNodes(options: DrainOptions): Promise<DrainedNodes> {
  const { client } = options;
  let kube: KubeClient;
  try {
    kube = await kubeFromTalos(client);
  } catch (err) {
    throw new TalosError("unavailable", `error creating Kubernetes client for drain: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  const names = new Map<string, string>();
  try {
    const results = await Promise.allSettled(
      options.nodes.map(async (node) => {
        let name: string;
        try {
          name = await kubernetesNodeName(client, node);
        } catch (err) {
          throw new TalosError(
            "unavailable",
            `error resolving Kubernetes node name for ${node}: ${errorMessage(err)}`,
            { cause: err },
          );
        }
        names.set(node, name);
        const report = (state: DrainUpdate["state"], message: string): void =>
          options.onUpdate({ node, kubernetesNode: name, state, message: `${name}: ${message}` });
        let cordoned = false;
        try {
          await drainNode(kube, name, {
            timeoutMs: options.timeoutMs,
            signal: options.signal,
            progress: (message) => {
              if (message === "node cordoned") cordoned = true;
              report(message === "node drained" ? "succeeded" : "running", message);
            },
          });
        } catch (err) {
          // talosctl words a failed eviction as a cordon error too (nodedrain.CordonAndDrain).
          report("failed", `error cordoning node: ${errorMessage(err)}`);
          throw new TalosError(
            "unknown",
            `error ${cordoned ? "draining" : "cordoning"} node ${JSON.stringify(name)}: ${errorMessage(err)}`,
            { cause: err },
          );
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    return names;
  } finally {
    kube.close();
  }
}

export interface UncordonOptions {
  readonly client: TalosClient;
  readonly drained: DrainedNodes;
  /** How long to wait for each Kubernetes node to be Ready again. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly onUpdate: (update: DrainUpdate) => void;
}

/**
 * Waits for each drained node to be Ready, then uncordons it (all in parallel), with a fresh
 * kubeconfig: the connections of the drain may not have survived the reboot.
 */
export async function uncordonNodes(options: UncordonOptions): Promise<void> {
  if (options.drained.size === 0) return;
  const { client } = options;
  let kube: KubeClient;
  try {
    kube = await kubeFromTalos(client);
  } catch (err) {
    throw new TalosError(
      "unavailable",
      `error creating Kubernetes client for uncordon: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  try {
    const results = await Promise.allSettled(
      [...options.drained].map(async ([node, name]) => {
        const report = (state: DrainUpdate["state"], message: string): void =>
          options.onUpdate({ node, kubernetesNode: name, state, message: `${name}: ${message}` });
        let ready = false;
        try {
          await uncordonNode(kube, name, {
            timeoutMs: options.timeoutMs,
            signal: options.signal,
            progress: (message) => {
              if (message === "uncordoning node") ready = true;
              report(message === "node uncordoned" ? "succeeded" : "running", message);
            },
          });
        } catch (err) {
          if (!ready)
            throw new TalosError(
              "deadline-exceeded",
              `error waiting for node ${JSON.stringify(name)} to become Ready: ${errorMessage(err)}`,
              { cause: err },
            );
          report("failed", `error uncordoning node: ${errorMessage(err)}`);
          throw new TalosError(
            "unknown",
            `error uncordoning node ${JSON.stringify(name)}: ${errorMessage(err)}`,
            { cause: err },
          );
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  } finally {
    kube.close();
  }
}
