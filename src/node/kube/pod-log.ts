// What a pod's container writes while it runs, generated from the facts its kubelet knows (the
// pod, the node, the image and when the container started): the one source for both the pod
// log the API server serves (`kubectl logs`) and the CRI log file the node keeps for the
// container (`talosctl logs -k`), so the two show the same lines.
import { imageVersion } from "./cluster-config.js";
import type { Json, Pod } from "./objects.js";

/** klog's header time: `MMDD hh:mm:ss.uuuuuu`. */
function klogStamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}`;
}

/** What identifies one run of a container. */
export interface ContainerRun {
  readonly namespace: string;
  readonly pod: string;
  readonly node: string;
  readonly container: string;
  readonly image: string;
  /** When this run started (the container status' `startedAt`). */
  readonly startedAt: Date;
}

/** The lines a container run wrote, each prefixed with its RFC 3339 time (`--timestamps`). */
export function containerOutput(run: ContainerRun): string[] {
  const at = run.startedAt;
  const stamp = `${at.toISOString().slice(0, 23)}000000Z`;
  return [
    `I${klogStamp(at)}       1 server.go:150] "Starting ${run.container}" version="${imageVersion(run.image, run.image.split(":").at(-1) ?? "")}"`,
    `I${klogStamp(at)}       1 server.go:152] "Golang settings" GOGC="" GOMAXPROCS="" GOTRACEBACK=""`,
    `I${klogStamp(at)}       1 node.go:${run.node.length}] "Running on node" node="${run.node}" pod="${run.namespace}/${run.pod}"`,
  ].map((l) => `${stamp} ${l}`);
}

/** The log a pod's container wrote since it started (what `kubectl logs` shows). */
export function containerLog(
  pod: Pod,
  container: string,
  options: { tailLines?: number; timestamps: boolean },
): string {
  const status = ((pod.status?.containerStatuses ?? []) as Json[]).find((c) => c.name === container);
  const started = String(
    (((status?.state as Json | undefined)?.running as Json | undefined)?.startedAt as string | undefined) ??
      pod.status?.startTime ??
      new Date(0).toISOString(),
  );
  const stamped = containerOutput({
    namespace: pod.metadata.namespace ?? "",
    pod: pod.metadata.name ?? "",
    node: pod.spec.nodeName ?? "",
    container,
    image: String(pod.spec.containers.find((c) => c.name === container)?.image ?? ""),
    startedAt: new Date(started),
  });
  const lines = options.timestamps ? stamped : stamped.map((l) => l.slice(l.indexOf(" ") + 1));
  const tail =
    options.tailLines !== undefined && options.tailLines >= 0
      ? lines.slice(-options.tailLines || lines.length)
      : lines;
  return options.tailLines === 0 ? "" : `${tail.join("\n")}\n`;
}
