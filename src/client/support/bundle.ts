// Builds a support bundle as talosctl does (siderolabs/go-talos-support support.go and
// talosctl's support.go): a Kubernetes client from the first node (its failure is reported at
// the end), the collectors of every node, run by a pool of workers, each result written into
// the zip archive and reported as progress (source, state, total per source, error).
import { errorMessage } from "../../errors.js";
import { encodeYaml } from "../../yaml/index.js";
import type { TalosClient } from "../client.js";
import { toRpcError } from "../errors.js";
import { CLUSTER_SOURCE, type Collector, nodeCollectors } from "./collectors.js";
import { type KubernetesApi, kubernetesClient } from "./kubernetes.js";
import { ZipWriter } from "./zip.js";

export interface BundleProgress {
  readonly source: string;
  /** `collect <file name>`. */
  readonly state: string;
  /** Collectors of this source. */
  readonly total: number;
  readonly error?: string;
}

export interface SupportBundleOptions {
  readonly client: TalosClient;
  readonly nodes: readonly string[];
  /** Collectors run at once (talosctl's --num-workers; at least 1). */
  readonly numWorkers: number;
  /** Receives the archive's bytes as they are produced. */
  readonly sink: (chunk: Buffer) => void;
  readonly onProgress: (progress: BundleProgress) => void;
  /** Collector notes (talosctl's --verbose). */
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  readonly now: Date;
}

function message(err: unknown, signal: AbortSignal): string {
  if (err instanceof Error && err.name === "ConnectError") return toRpcError(err, signal.aborted).message;
  return errorMessage(err);
}

/** The Kubernetes collectors (go-talos-support collectors/kubernetes.go). */
function kubernetesCollectors(api: KubernetesApi): Collector[] {
  const list =
    (path: string, what: string): Collector["collect"] =>
    async (ctx) => {
      ctx.log(`getting ${what}`);
      return Buffer.from(encodeYaml(await api.get(path)));
    };
  return [
    {
      source: CLUSTER_SOURCE,
      path: "kubernetesResources/nodes.yaml",
      collect: list("/api/v1/nodes", "kubernetes nodes manifests"),
    },
    {
      source: CLUSTER_SOURCE,
      path: "kubernetesResources/systemPods.yaml",
      collect: list("/api/v1/namespaces/kube-system/pods", "pods manifests in kube-system namespace"),
    },
  ];
}

/** Collects everything; returns the errors talosctl returns at the end (Kubernetes client, collectors). */
export async function createSupportBundle(options: SupportBundleOptions): Promise<string[]> {
  const errors: string[] = [];
  const { client, signal } = options;
  const first = options.nodes[0];
  let collectors: Collector[] = [];
  if (first !== undefined) {
    try {
      const api = await kubernetesClient(client.forNode(first), signal);
      collectors.push(...kubernetesCollectors(api));
    } catch (err) {
      errors.push(`failed to create kubernetes client: ${message(err, signal)}`);
    }
  }
  try {
    for (const node of options.nodes)
      collectors.push(...(await nodeCollectors(client.forNode(node), signal)));
  } catch (err) {
    errors.push(`failed to create collectors: ${message(err, signal)}`);
    collectors = [];
  }
  const totals = new Map<string, number>();
  for (const c of collectors) totals.set(c.source, (totals.get(c.source) ?? 0) + 1);
  const zip = new ZipWriter(options.sink);
  const queue = [...collectors];
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c !== undefined && !signal.aborted; c = queue.shift()) {
      let error: string | undefined;
      try {
        const data = await c.collect({ signal, log: options.log, now: options.now });
        if (data !== undefined) zip.add(c.path, data);
      } catch (err) {
        error = message(err, signal);
      }
      const name = c.path.split("/").pop() ?? c.path;
      options.onProgress({
        source: c.source,
        state: `collect ${name}`,
        total: totals.get(c.source) ?? 0,
        ...(error !== undefined ? { error } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.numWorkers) }, () => worker()));
  zip.close();
  return errors;
}
