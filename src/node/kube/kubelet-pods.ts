// The CRI side of the pods a kubelet runs: for each pod it starts, a sandbox and one container
// per container of the pod (init containers have run to completion), with containerd ids that
// the pod's container statuses report as `containerd://<id>`, and the output each container
// wrote. A restarted container is a new container; the run it replaced stays, exited.
import { randomBytes } from "node:crypto";
import { normalizeRef } from "../images/index.js";
import type { KubeletContainer, KubeletPod } from "../platform/index.js";
import type { Container, Pod } from "./objects.js";
import { containerOutput } from "./pod-log.js";

function containerdId(): string {
  return randomBytes(32).toString("hex");
}

/** A mirror pod stands for a static pod, which the node runs on its own. */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined;
}

/** The process a container runs: its command (else the image's name as entrypoint) and args. */
function processArgs(c: Container): string[] {
  const repo = String(c.image ?? "").split("@")[0]!;
  const base = repo.slice(repo.lastIndexOf("/") + 1).split(":")[0] ?? "";
  return [...(c.command ?? [`/${base}`]), ...(c.args ?? [])];
}

function run(pod: Pod, node: string, c: Container, startedAt: Date, exited: boolean): KubeletContainer {
  const image = String(c.image ?? "");
  return {
    name: c.name,
    image: normalizeRef(image) ?? image,
    id: containerdId(),
    args: processArgs(c),
    startedAt,
    exited,
    output: containerOutput({
      namespace: pod.metadata.namespace ?? "",
      pod: pod.metadata.name ?? "",
      node,
      container: c.name,
      image,
      startedAt,
    }),
  };
}

/** The sandbox and containers the kubelet creates when it starts `pod` at `startedAt`. */
export function startPodRun(pod: Pod, node: string, startedAt: Date): KubeletPod {
  return {
    namespace: pod.metadata.namespace ?? "",
    name: pod.metadata.name ?? "",
    uid: pod.metadata.uid ?? "",
    sandboxId: containerdId(),
    hostNetwork: pod.spec.hostNetwork === true,
    startedAt,
    containers: [
      ...(pod.spec.initContainers ?? []).map((c) => run(pod, node, c, startedAt, true)),
      ...pod.spec.containers.map((c) => run(pod, node, c, startedAt, false)),
    ],
  };
}

/** The running container of `name` in a pod's run (not an init container, not a replaced run). */
export function runningContainer(p: KubeletPod, name: string): KubeletContainer | undefined {
  return p.containers.find((c) => c.name === name && !c.exited);
}

/**
 * The pod's run after its container `name` was started again at `at`: a new container takes
 * its place, the one it replaced stays listed as exited (the kubelet keeps the last dead
 * container of each), older dead runs of it go.
 */
export function restartContainerRun(
  pod: Pod,
  p: KubeletPod,
  node: string,
  name: string,
  at: Date,
): KubeletPod {
  const spec = pod.spec.containers.find((c) => c.name === name);
  const old = runningContainer(p, name);
  if (!spec || !old) return p;
  const containers: KubeletContainer[] = [];
  for (const c of p.containers) {
    // Container names are unique within a pod: an exited `name` is its previous run.
    if (c.name === name && c.exited) continue;
    if (c === old) containers.push(run(pod, node, spec, at, false), { ...old, exited: true });
    else containers.push(c);
  }
  return { ...p, containers };
}
