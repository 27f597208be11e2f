import { describe, expect, it } from "vitest";
import {
  criLog,
  findPodContainer,
  type KubeletPod,
  kubeletPodContainers,
  PAUSE_IMAGE,
  podLogKey,
} from "./containers.js";

const id = (c: string) => c.repeat(64);
const at = new Date("2026-03-01T10:00:00Z");

const proxy: KubeletPod = {
  namespace: "kube-system",
  name: "kube-proxy-abcde",
  uid: "0b7c6d2e-1111-4222-a333-444455556666",
  sandboxId: id("a"),
  hostNetwork: true,
  startedAt: at,
  containers: [
    {
      name: "kube-proxy",
      image: "registry.k8s.io/kube-proxy:v1.34.1",
      id: id("b"),
      args: ["/usr/local/bin/kube-proxy"],
      startedAt: new Date(at.getTime() + 5_000),
      exited: false,
      output: ["2026-03-01T10:00:05.000000000Z line one", "2026-03-01T10:00:05.000000000Z line two"],
    },
    {
      name: "kube-proxy",
      image: "registry.k8s.io/kube-proxy:v1.34.1",
      id: id("c"),
      args: ["/usr/local/bin/kube-proxy"],
      startedAt: at,
      exited: true,
      output: [],
    },
  ],
};

const web: KubeletPod = {
  namespace: "default",
  name: "web",
  uid: "1b7c6d2e-1111-4222-a333-444455556666",
  sandboxId: id("d"),
  hostNetwork: false,
  startedAt: at,
  containers: [
    {
      name: "init",
      image: "docker.io/library/busybox:latest",
      id: id("e"),
      args: ["/busybox"],
      startedAt: at,
      exited: true,
      output: [],
    },
    {
      name: "web",
      image: "docker.io/library/nginx:latest",
      id: id("f"),
      args: ["/nginx"],
      startedAt: at,
      exited: false,
      output: [],
    },
  ],
};

const pids = new Map([id("a"), id("b"), id("d"), id("f")].map((k, i) => [k, 3000 + i]));
const pidOf = (k: string) => pids.get(k) ?? 0;
const now = new Date(at.getTime() + 60_000);

describe("kubelet pods through the CRI", () => {
  const rows = kubeletPodContainers([proxy, web], pidOf, now, "cri");

  it("lists a sandbox row per pod and a row per container, named as Talos's CRI inspector names them", () => {
    expect(rows.map((r) => [r.id, r.image, r.pid, r.status])).toEqual([
      ["kube-system/kube-proxy-abcde", PAUSE_IMAGE, 3000, "SANDBOX_READY"],
      [
        "kube-system/kube-proxy-abcde:kube-proxy:bbbbbbbbbbbb",
        "registry.k8s.io/kube-proxy:v1.34.1",
        3001,
        "CONTAINER_RUNNING",
      ],
      [
        "kube-system/kube-proxy-abcde:kube-proxy:cccccccccccc",
        "registry.k8s.io/kube-proxy:v1.34.1",
        0,
        "CONTAINER_EXITED",
      ],
      ["default/web", PAUSE_IMAGE, 3002, "SANDBOX_READY"],
      ["default/web:init:eeeeeeeeeeee", "docker.io/library/busybox:latest", 0, "CONTAINER_EXITED"],
      ["default/web:web:ffffffffffff", "docker.io/library/nginx:latest", 3003, "CONTAINER_RUNNING"],
    ]);
    expect(new Set(rows.filter((r) => r.podId === "default/web").map((r) => r.uid))).toEqual(
      new Set([web.uid]),
    );
    expect(rows.find((r) => r.name === "kube-proxy")?.internalId).toBe(id("b"));
  });

  it("gives a pod on the pod network its own namespace, a host-network pod none", () => {
    expect(rows.find((r) => r.podId === "kube-system/kube-proxy-abcde")?.networkNamespace).toBe("");
    const netns = rows.filter((r) => r.podId === "default/web").map((r) => r.networkNamespace);
    expect(netns[0]).toMatch(/^\/var\/run\/netns\/cni-[0-9a-f-]{36}$/);
    expect(new Set(netns).size).toBe(1);
  });

  it("reports no usage for an exited container and growing usage for a running one", () => {
    const exited = rows.find((r) => r.status === "CONTAINER_EXITED")!;
    expect([exited.memoryBytes, exited.cpuNanos]).toEqual([0, 0]);
    const later = kubeletPodContainers([proxy], pidOf, new Date(now.getTime() + 60_000), "cri");
    const running = (rs: typeof rows) => rs.find((r) => r.status === "CONTAINER_RUNNING")!;
    expect(running(later).cpuNanos).toBeGreaterThan(running(rows).cpuNanos);
  });

  it("finds the running run of a container by `<ns>/<pod>:<name>`, a given run by its id prefix", () => {
    expect(findPodContainer(rows, "kube-system/kube-proxy-abcde:kube-proxy")?.internalId).toBe(id("b"));
    expect(findPodContainer(rows, "kube-system/kube-proxy-abcde:kube-proxy:cccc")?.internalId).toBe(id("c"));
    expect(findPodContainer(rows, "default/web")?.image).toBe(PAUSE_IMAGE);
  });

  it("keeps each run's log apart", () => {
    const keys = rows.filter((r) => r.name === "kube-proxy").map(podLogKey);
    expect(keys).toEqual([
      `kube-system/kube-proxy-abcde:kube-proxy:${id("b")}`,
      `kube-system/kube-proxy-abcde:kube-proxy:${id("c")}`,
    ]);
  });

  it("lists only running tasks, by their raw ids, through the containerd driver", () => {
    const raw = kubeletPodContainers([proxy, web], pidOf, now, "containerd");
    expect(raw.map((r) => [r.id, r.status])).toEqual([
      [id("a"), "RUNNING"],
      [id("b"), "RUNNING"],
      [id("d"), "RUNNING"],
      [id("f"), "RUNNING"],
    ]);
  });
});

describe("criLog", () => {
  it("writes each timestamped line as CRI's `<time> stderr F <line>`", () => {
    expect(criLog(proxy.containers[0]!.output)).toBe(
      "2026-03-01T10:00:05.000000000Z stderr F line one\n2026-03-01T10:00:05.000000000Z stderr F line two\n",
    );
    expect(criLog([])).toBe("");
  });
});
