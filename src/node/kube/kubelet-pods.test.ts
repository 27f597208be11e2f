import { describe, expect, it } from "vitest";
import { isMirrorPod, restartContainerRun, runningContainer, startPodRun } from "./kubelet-pods.js";
import type { Pod } from "./objects.js";
import { containerLog } from "./pod-log.js";

const started = new Date("2026-03-01T10:00:00Z");

function pod(): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "shop", uid: "5f0e2a8c-0000-4000-8000-000000000001" },
    spec: {
      nodeName: "worker-1",
      initContainers: [{ name: "setup", image: "busybox", command: ["sh", "-c", "true"] }],
      containers: [
        { name: "web", image: "nginx:1.27", args: ["-g", "daemon off;"] },
        {
          name: "sidecar",
          image: "registry.k8s.io/kube-proxy:v1.34.1",
          command: ["/usr/local/bin/kube-proxy"],
        },
      ],
    },
  };
}

describe("startPodRun", () => {
  const run = startPodRun(pod(), "worker-1", started);

  it("makes a sandbox and a container per container of the pod, init containers run to their end", () => {
    expect(run).toMatchObject({
      namespace: "shop",
      name: "web-1",
      uid: pod().metadata.uid,
      hostNetwork: false,
    });
    expect(run.sandboxId).toMatch(/^[0-9a-f]{64}$/);
    expect(run.containers.map((c) => [c.name, c.image, c.exited, c.args])).toEqual([
      ["setup", "docker.io/library/busybox:latest", true, ["sh", "-c", "true"]],
      ["web", "docker.io/library/nginx:1.27", false, ["/nginx", "-g", "daemon off;"]],
      ["sidecar", "registry.k8s.io/kube-proxy:v1.34.1", false, ["/usr/local/bin/kube-proxy"]],
    ]);
    const ids = new Set([run.sandboxId, ...run.containers.map((c) => c.id)]);
    expect(ids.size).toBe(4);
  });

  it("writes what the API server serves as the container's log", () => {
    const p = pod();
    p.status = {
      containerStatuses: [{ name: "web", state: { running: { startedAt: "2026-03-01T10:00:00Z" } } }],
    };
    const web = runningContainer(run, "web")!;
    expect(`${web.output.join("\n")}\n`).toBe(containerLog(p, "web", { timestamps: true }));
    const plain = containerLog(p, "web", { timestamps: false }).trimEnd().split("\n");
    expect(web.output.map((l) => l.slice(l.indexOf(" ") + 1))).toEqual(plain);
  });
});

describe("restartContainerRun", () => {
  it("starts a new container in place of the killed one and keeps only the last dead run", () => {
    const first = startPodRun(pod(), "worker-1", started);
    const old = runningContainer(first, "web")!;
    const at1 = new Date(started.getTime() + 60_000);
    const second = restartContainerRun(pod(), first, "worker-1", "web", at1);
    const fresh = runningContainer(second, "web")!;
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.startedAt).toEqual(at1);
    expect(fresh.output[0]).toMatch(/^2026-03-01T10:01:00\.000000000Z /);
    expect(second.containers.filter((c) => c.name === "web").map((c) => [c.id, c.exited])).toEqual([
      [fresh.id, false],
      [old.id, true],
    ]);
    const third = restartContainerRun(pod(), second, "worker-1", "web", new Date(at1.getTime() + 1_000));
    const webs = third.containers.filter((c) => c.name === "web");
    expect(webs.map((c) => c.exited)).toEqual([false, true]);
    expect(webs[1]!.id).toBe(fresh.id);
    // The others are untouched.
    expect(third.sandboxId).toBe(first.sandboxId);
    expect(runningContainer(third, "sidecar")).toBe(runningContainer(first, "sidecar"));
  });

  it("leaves the run as it is for a container the pod does not run", () => {
    const first = startPodRun(pod(), "worker-1", started);
    expect(restartContainerRun(pod(), first, "worker-1", "setup", started)).toBe(first);
    expect(restartContainerRun(pod(), first, "worker-1", "nope", started)).toBe(first);
  });
});

describe("isMirrorPod", () => {
  it("tells a static pod's mirror from a pod of the API", () => {
    const mirror = pod();
    mirror.metadata.annotations = { "kubernetes.io/config.mirror": "abc" };
    expect(isMirrorPod(mirror)).toBe(true);
    expect(isMirrorPod(pod())).toBe(false);
  });
});
