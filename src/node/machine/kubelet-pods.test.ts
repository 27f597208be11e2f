import { describe, expect, it } from "vitest";
import { type KubeletPod, PAUSE_IMAGE } from "../platform/index.js";
import { KUBELET_POD_FIRST_PID, KubeletPodTable } from "./kubelet-pods.js";
import { LogManager } from "./logs.js";

const at = new Date("2026-03-01T10:00:00Z");

function pod(name: string, seed: string, hostNetwork = true): KubeletPod {
  return {
    namespace: "kube-system",
    name,
    uid: `uid-${name}`,
    sandboxId: seed.repeat(64),
    hostNetwork,
    startedAt: at,
    containers: [
      {
        name: "main",
        image: `registry.k8s.io/${name}:v1`,
        id: `${seed}1`.repeat(32),
        args: [`/${name}`],
        startedAt: at,
        exited: false,
        output: [`2026-03-01T10:00:00.000000000Z hello from ${name}`],
      },
    ],
  };
}

function text(logs: LogManager, key: string): string {
  const ring = logs.get(key);
  return ring ? Buffer.from(ring.read(ring.start, 1 << 20)).toString("utf8") : "";
}

describe("KubeletPodTable", () => {
  it("gives each new sandbox and container a free PID, kept while it runs", () => {
    const taken = new Set([KUBELET_POD_FIRST_PID + 1]);
    const table = new KubeletPodTable(new LogManager(), (pid) => taken.has(pid));
    const a = pod("a", "a");
    table.update([a]);
    const first = table.containers(at, "cri").map((r) => r.pid);
    expect(first).toEqual([KUBELET_POD_FIRST_PID, KUBELET_POD_FIRST_PID + 2]);
    const b = pod("b", "b");
    table.update([a, b]);
    const both = table.containers(at, "cri").map((r) => r.pid);
    expect(both).toEqual([...first, KUBELET_POD_FIRST_PID + 3, KUBELET_POD_FIRST_PID + 4]);
  });

  it("drops a pod the kubelet no longer runs", () => {
    const table = new KubeletPodTable(new LogManager(), () => false);
    table.update([pod("a", "a"), pod("b", "b")]);
    table.update([pod("b", "b")]);
    expect(table.containers(at, "cri").map((r) => r.podId)).toEqual(["kube-system/b", "kube-system/b"]);
    expect(table.has("uid-a")).toBe(false);
    expect(table.has("uid-b")).toBe(true);
  });

  it("writes a container's output to its CRI log once", () => {
    const logs = new LogManager();
    const table = new KubeletPodTable(logs, () => false);
    const a = pod("a", "a");
    table.update([a]);
    table.update([a]);
    const key = `kube-system/a:main:${a.containers[0]!.id}`;
    expect(text(logs, key)).toBe("2026-03-01T10:00:00.000000000Z stderr F hello from a\n");
  });

  it("remembers each image pulled for the pods once, the pause image with the first sandbox", () => {
    const table = new KubeletPodTable(new LogManager(), () => false);
    table.update([pod("a", "a")]);
    table.update([pod("a", "a"), pod("b", "b")]);
    expect(table.imagePulls().map((p) => p.ref)).toEqual([
      PAUSE_IMAGE,
      "registry.k8s.io/a:v1",
      "registry.k8s.io/b:v1",
    ]);
  });
});
