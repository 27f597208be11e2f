// Runs the cluster health checks from talosctl: on the node (server-side, its progress
// streamed back) or here against every node's API (client-side).

import { errorMessage, TalosError } from "../../errors.js";
import { ClusterService } from "../../gen/cluster/cluster_pb.js";
import { HEALTH_CHECKS, type HealthCheck, HealthCheckFailure, runHealthChecks } from "../../health/index.js";
import { toProtoDuration } from "../../wire/index.js";
import type { TalosClient } from "../client.js";
import { toRpcError } from "../errors.js";
import { type KubeClient, openKube } from "../kube/index.js";
import { discoverNodes, fetchClusterView } from "./health.js";
import { fetchKubeSnapshot, KUBERNETES_CHECKS, type KubeClusterView } from "./kube-checks.js";
import { createCheckReporter, type ReporterStream } from "./reporter.js";

/** Real milliseconds between polls of a failing check (client-side). */
const CLIENT_POLL_MS = 250;

export interface HealthOptions {
  readonly client: TalosClient;
  /** The node that runs (server-side) or anchors discovery of (client-side) the checks. */
  readonly node: string;
  readonly server: boolean;
  readonly timeoutMs: number;
  readonly controlPlanes: readonly string[];
  readonly workers: readonly string[];
  /** `--k8s-endpoint`: sent to the node as the cluster's forced Kubernetes endpoint. */
  readonly forceEndpoint?: string;
  /** Progress goes here (stderr). */
  readonly out: ReporterStream;
  readonly signal: AbortSignal;
  /**
   * Server-side only: draw the node's progress lines through the live reporter (as
   * `cluster create` does) instead of printing them as they come (as `health` does).
   */
  readonly live?: boolean;
}

/** A failed health run, worded for the user: names the check that did not pass. */
export class HealthError extends TalosError {
  override readonly name = "HealthError";
}

export async function runClusterHealth(options: HealthOptions): Promise<void> {
  if (options.server) await serverSide(options);
  else await clientSide(options);
}

async function serverSide(options: HealthOptions): Promise<void> {
  const svc = options.client.forNode(options.node).service(ClusterService);
  const reporter = createCheckReporter(options.live ? options.out : { write: (c) => options.out.write(c) });
  try {
    for await (const progress of svc.healthCheck({
      waitTimeout: toProtoDuration(BigInt(options.timeoutMs) * 1_000_000n),
      clusterInfo: {
        controlPlaneNodes: [...options.controlPlanes],
        workerNodes: [...options.workers],
        forceEndpoint: options.forceEndpoint ?? "",
      },
    })) {
      const m = options.live ? /^waiting for (.+?): (.*)$/.exec(progress.message) : null;
      if (!m) {
        reporter.line(progress.message);
        continue;
      }
      const [, check, text] = m as unknown as [string, string, string];
      if (text === "...") reporter.update({ check, status: "running" });
      else if (text === "OK") reporter.update({ check, status: "ok" });
      else if (text === "SKIP") reporter.update({ check, status: "skip" });
      else reporter.update({ check, status: "failing", error: text });
    }
  } catch (err) {
    const rpc = toRpcError(err, options.signal.aborted);
    throw new HealthError(rpc.code, `healthcheck error: ${rpc.message}`, { cause: err });
  } finally {
    reporter.stop();
  }
}

async function clientSide(options: HealthOptions): Promise<void> {
  const reporter = createCheckReporter(options.out);
  try {
    let nodes = { controlPlanes: [...options.controlPlanes], workers: [...options.workers] };
    if (nodes.controlPlanes.length === 0 && nodes.workers.length === 0) {
      try {
        nodes = await discoverNodes(options.client.forNode(options.node));
      } catch (err) {
        const rpc = toRpcError(err, options.signal.aborted);
        throw new HealthError(rpc.code, `error discovering nodes: ${rpc.message}`, { cause: err });
      }
      reporter.line(
        `discovered nodes: [${[...nodes.controlPlanes, ...nodes.workers].map((n) => JSON.stringify(n)).join(" ")}]`,
      );
    }
    // The Kubernetes API is read once its checks begin, with the admin kubeconfig from the
    // node (fetched once it answers, as talosctl caches it), its server replaced by --k8s-endpoint.
    const kubeNames = new Set(KUBERNETES_CHECKS.map((c) => c.name));
    let kubeWanted = false;
    let kube: KubeClient | undefined;
    let kubeAbsent = false;
    const kubeView = async (): Promise<Partial<KubeClusterView>> => {
      if (!kubeWanted || kubeAbsent) return kubeAbsent ? { kubeAbsent } : {};
      if (!kube) {
        try {
          kube = await openKube(options.client.forNode(options.node), options.forceEndpoint ?? "");
        } catch (err) {
          const rpc = toRpcError(err, options.signal.aborted);
          // No Kubernetes config on the node: talosctl skips the Kubernetes checks.
          if (rpc.code === "failed-precondition") {
            kubeAbsent = true;
            return { kubeAbsent };
          }
          return { kubeError: rpc.message };
        }
      }
      try {
        return { kube: await fetchKubeSnapshot(kube) };
      } catch (err) {
        return { kubeError: errorMessage(err) };
      }
    };
    const checks: HealthCheck[] = [
      ...HEALTH_CHECKS.slice(
        0,
        HEALTH_CHECKS.findIndex((c) => kubeNames.has(c.name)),
      ),
      ...KUBERNETES_CHECKS,
    ];
    try {
      await runHealthChecks({
        checks,
        view: async (): Promise<KubeClusterView> => {
          const [view, k] = await Promise.all([fetchClusterView(options.client, nodes), kubeView()]);
          return { ...view, ...k };
        },
        report: (u) => {
          if (kubeNames.has(u.check)) kubeWanted = true;
          reporter.update(u);
        },
        deadline: Date.now() + options.timeoutMs,
        intervalMs: CLIENT_POLL_MS,
        signal: options.signal,
      });
    } finally {
      kube?.close();
    }
  } catch (err) {
    if (err instanceof HealthCheckFailure)
      throw new HealthError(err.code, `healthcheck error: ${err.message}`, { cause: err });
    throw err;
  } finally {
    reporter.stop();
  }
}
