// The CRI view of the pods a node's kubelet runs, on a local cluster (a control plane and a
// worker): the worker's `containers -k` lists its kube-proxy and flannel pods (sandbox and
// containers, with the containerd ids the pods' statuses report), `logs -k` of a container
// shows what the Kubernetes API's pod log returns, its processes and pulled images are there,
// a killed container is restarted as a new one, a pod created and then deleted or evicted
// through the API comes and goes, a reboot starts the pods anew, and `support` collects the
// kube-system pods' logs.
import fs from "node:fs";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers/cli.js";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";
import { eventually } from "./helpers/node.js";
import { readZip } from "./helpers/zip.js";

const NAME = "podcri";
const WORKER = `${NAME}-worker-1`;

let c: LocalCluster;
let core: k8s.CoreV1Api;
let worker: string;

interface Row {
  id: string;
  image: string;
  pid: number;
  status: string;
}

/** The rows of `talosctl containers -k` on the worker. */
async function criRows(): Promise<Row[]> {
  const r = await c.talosctl(["-n", worker, "containers", "-k"]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  const [header, ...lines] = r.stdout.trimEnd().split("\n");
  expect(header!.split(/\s+/)).toEqual(["NODE", "NAMESPACE", "ID", "IMAGE", "PID", "STATUS"]);
  return lines.map((l) => {
    const f = l.split(/\s+/).filter((x) => x !== "└─");
    expect(f.slice(0, 2)).toEqual([worker, "k8s.io"]);
    return { id: f[2]!, image: f[3]!, pid: Number(f[4]), status: f[5]! };
  });
}

async function podOn(label: string): Promise<k8s.V1Pod> {
  const list = await core.listNamespacedPod({
    namespace: "kube-system",
    labelSelector: `k8s-app=${label}`,
    fieldSelector: `spec.nodeName=${WORKER}`,
  });
  const pod = list.items.find((p) => p.status?.phase === "Running");
  if (!pod) throw new Error(`no running ${label} pod on ${WORKER}`);
  return pod;
}

/** The containerd id a pod's status reports for its container `name`. */
function containerId(pod: k8s.V1Pod, name: string): string {
  const id = pod.status?.containerStatuses?.find((s) => s.name === name)?.containerID ?? "";
  expect(id).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
  return id.slice("containerd://".length);
}

/** `talosctl logs -k` of a container, its node prefix taken off. */
async function criLog(id: string): Promise<string[]> {
  const r = await c.talosctl(["-n", worker, "logs", "-k", id]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  return r.stdout
    .trimEnd()
    .split("\n")
    .map((l) => l.replace(`${worker}: `, ""));
}

/** The pod log the Kubernetes API serves, in the CRI log's form (`<time> stderr F <line>`). */
async function apiLog(pod: k8s.V1Pod, container: string): Promise<string[]> {
  const text = await core.readNamespacedPodLog({
    name: pod.metadata!.name!,
    namespace: pod.metadata!.namespace!,
    container,
    timestamps: true,
  });
  return text
    .trimEnd()
    .split("\n")
    .map((l) => l.replace(" ", " stderr F "));
}

beforeAll(async () => {
  c = await createLocalCluster({ name: NAME, controlplanes: 1, workers: 1 });
  expect({ code: c.created.code, stderr: c.created.stderr.split("\n").slice(-3) }).toMatchObject({ code: 0 });
  worker = c.ips[1]!;
  console.log(`cluster ${NAME} on ${c.cidr}`);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(c.home, ".kube", "config"));
  core = kc.makeApiClient(k8s.CoreV1Api);
  // The worker's DaemonSet pods run once its kubelet started them.
  await eventually(async () => {
    await podOn("kube-proxy");
    await podOn("flannel");
  }, 30_000);
}, 120_000);

afterAll(async () => {
  await c?.destroy();
});

describe("the worker's CRI", () => {
  it("lists the kube-proxy and flannel pods its kubelet runs: sandbox, containers, init container exited", async () => {
    const proxy = await podOn("kube-proxy");
    const flannel = await podOn("flannel");
    const rows = await eventually(async () => {
      const rs = await criRows();
      if (!rs.some((r) => r.id.endsWith(`:${containerId(flannel, "kube-flannel").slice(0, 12)}`)))
        throw new Error("flannel not listed yet");
      return rs;
    }, 15_000);
    const p = `kube-system/${proxy.metadata!.name}`;
    const f = `kube-system/${flannel.metadata!.name}`;
    expect(rows.find((r) => r.id === p)).toMatchObject({
      image: "registry.k8s.io/pause:3.10",
      status: "SANDBOX_READY",
    });
    expect(
      rows.find((r) => r.id === `${p}:kube-proxy:${containerId(proxy, "kube-proxy").slice(0, 12)}`),
    ).toMatchObject({
      image: proxy.spec!.containers[0]!.image,
      status: "CONTAINER_RUNNING",
    });
    expect(rows.find((r) => r.id === f)?.status).toBe("SANDBOX_READY");
    expect(
      rows.find((r) => r.id === `${f}:kube-flannel:${containerId(flannel, "kube-flannel").slice(0, 12)}`),
    ).toMatchObject({
      image: flannel.spec!.containers[0]!.image,
      status: "CONTAINER_RUNNING",
    });
    const init = flannel.spec!.initContainers![0]!;
    expect(rows.find((r) => r.id.startsWith(`${f}:${init.name}:`))).toMatchObject({
      image: init.image,
      pid: 0,
      status: "CONTAINER_EXITED",
    });
    // No control plane static pods on a worker.
    expect(rows.filter((r) => r.id.includes("kube-apiserver"))).toEqual([]);
    const running = rows.filter((r) => r.status !== "CONTAINER_EXITED");
    expect(running.every((r) => r.pid > 0)).toBe(true);
    expect(new Set(running.map((r) => r.pid)).size).toBe(running.length);

    // Each running container has its cgroup under the pod's; the exited init container none.
    const cg = await c.talosctl([
      "-n",
      worker,
      "ls",
      `/sys/fs/cgroup/kubepods/burstable/pod${flannel.metadata!.uid}`,
    ]);
    expect(cg.code).toBe(0);
    const groups = cg.stdout
      .split("\n")
      .filter((l) => /^[0-9a-f]{64}$/.test(l.trim().split(/\s+/).at(-1) ?? ""));
    expect(groups.join("\n")).toContain(containerId(flannel, "kube-flannel"));
    const initId = flannel.status!.initContainerStatuses![0]!.containerID!.replace("containerd://", "");
    expect(cg.stdout).not.toContain(initId);
    expect(groups).toHaveLength(2);

    // Their processes run on the node.
    const ps = await c.talosctl(["-n", worker, "processes"]);
    const proxyPid = rows.find((r) => r.id.startsWith(`${p}:kube-proxy:`))!.pid;
    const line = ps.stdout.split("\n").find((l) => l.split(/\s+/)[1] === String(proxyPid));
    expect(line).toContain("kube-proxy");
  });

  it("shows through `logs -k` the lines the Kubernetes API's pod log returns", async () => {
    const proxy = await podOn("kube-proxy");
    const id = `kube-system/${proxy.metadata!.name}:kube-proxy`;
    const lines = await criLog(id);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines).toEqual(await apiLog(proxy, "kube-proxy"));
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z stderr F /.test(l))).toBe(true);
  });

  it("holds the images pulled for those pods", async () => {
    const proxy = await podOn("kube-proxy");
    const flannel = await podOn("flannel");
    const r = await c.talosctl(["-n", worker, "image", "list", "--namespace", "cri"]);
    expect(r.code).toBe(0);
    const names = r.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/)[1]);
    expect(names).toEqual(
      expect.arrayContaining([
        "registry.k8s.io/pause:3.10",
        proxy.spec!.containers[0]!.image,
        flannel.spec!.containers[0]!.image,
      ]),
    );
  });

  it("starts a killed container again as a new container, as the pod's status reports", async () => {
    const before = await podOn("kube-proxy");
    const oldId = containerId(before, "kube-proxy");
    const id = `kube-system/${before.metadata!.name}:kube-proxy`;
    const r = await c.talosctl(["-n", worker, "restart", "-k", id]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const after = await eventually(async () => {
      const p = await podOn("kube-proxy");
      if (containerId(p, "kube-proxy") === oldId) throw new Error("not restarted yet");
      return p;
    }, 15_000);
    const status = after.status!.containerStatuses!.find((s) => s.name === "kube-proxy")!;
    expect(status.restartCount).toBe(before.status!.containerStatuses![0]!.restartCount! + 1);
    expect(status.lastState?.terminated?.containerID).toBe(`containerd://${oldId}`);
    const rows = await criRows();
    const newId = containerId(after, "kube-proxy");
    expect(rows.find((row) => row.id === `${id}:${newId.slice(0, 12)}`)?.status).toBe("CONTAINER_RUNNING");
    expect(rows.find((row) => row.id === `${id}:${oldId.slice(0, 12)}`)).toMatchObject({
      pid: 0,
      status: "CONTAINER_EXITED",
    });
    // The new container's log is the one the API serves now.
    expect(await criLog(id)).toEqual(await apiLog(after, "kube-proxy"));
  });

  it("runs a pod created through the API once it is on the node, and drops it when it is deleted", async () => {
    const name = `web-${Math.random().toString(36).slice(2, 8)}`;
    console.log(`pod default/${name}`);
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name },
        spec: { nodeName: WORKER, containers: [{ name: "web", image: "nginx" }] },
      },
    });
    const rows = await eventually(async () => {
      const rs = await criRows();
      if (!rs.some((r) => r.id.startsWith(`default/${name}:web:`))) throw new Error("not listed yet");
      return rs;
    }, 15_000);
    const pod = await core.readNamespacedPod({ name, namespace: "default" });
    expect(rows.find((r) => r.id === `default/${name}`)?.status).toBe("SANDBOX_READY");
    expect(rows.find((r) => r.id.startsWith(`default/${name}:web:`))).toMatchObject({
      id: `default/${name}:web:${containerId(pod, "web").slice(0, 12)}`,
      image: "docker.io/library/nginx:latest",
      status: "CONTAINER_RUNNING",
    });
    await core.deleteNamespacedPod({ name, namespace: "default" });
    await eventually(async () => {
      const rs = await criRows();
      if (rs.some((r) => r.id.startsWith(`default/${name}`))) throw new Error("still listed");
    }, 15_000);
    const gone = await c.talosctl(["-n", worker, "logs", "-k", `default/${name}:web`]);
    expect(gone.code).not.toBe(0);

    // Removed at once (no grace period): its containers are killed all the same.
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name }, spec: { nodeName: WORKER, containers: [{ name: "web", image: "nginx" }] } },
    });
    await eventually(async () => {
      if (!(await criRows()).some((r) => r.id === `default/${name}`)) throw new Error("not listed yet");
    }, 15_000);
    await core.deleteNamespacedPod({ name, namespace: "default", gracePeriodSeconds: 0 });
    await eventually(async () => {
      if ((await criRows()).some((r) => r.id.startsWith(`default/${name}`))) throw new Error("still listed");
    }, 15_000);
  });

  it("drops a pod evicted through the API (as a drain does)", async () => {
    const name = `evicted-${Math.random().toString(36).slice(2, 8)}`;
    console.log(`pod default/${name}`);
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name },
        spec: { nodeName: WORKER, containers: [{ name: "app", image: "busybox" }] },
      },
    });
    await eventually(async () => {
      if (!(await criRows()).some((r) => r.id.startsWith(`default/${name}:app:`)))
        throw new Error("not listed yet");
    }, 15_000);
    await core.createNamespacedPodEviction({
      name,
      namespace: "default",
      body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "default" } },
    });
    await eventually(async () => {
      if ((await criRows()).some((r) => r.id.startsWith(`default/${name}`))) throw new Error("still listed");
    }, 15_000);
  });

  it("starts the pods anew after a reboot: the previous boot's containers are gone", async () => {
    const before = await podOn("kube-proxy");
    const oldId = containerId(before, "kube-proxy");
    const r = await c.talosctl(["-n", worker, "reboot", "--wait", "--timeout", "60s"]);
    expect({ code: r.code, stderr: r.stderr.split("\n").slice(-2) }).toMatchObject({ code: 0 });
    const after = await eventually(async () => {
      const p = await podOn("kube-proxy");
      if (containerId(p, "kube-proxy") === oldId) throw new Error("not started again yet");
      return p;
    }, 30_000);
    const rows = await eventually(async () => {
      const rs = await criRows();
      if (!rs.some((x) => x.id.endsWith(`:${containerId(after, "kube-proxy").slice(0, 12)}`)))
        throw new Error("not listed yet");
      return rs;
    }, 15_000);
    expect(rows.filter((x) => x.id.endsWith(`:${oldId.slice(0, 12)}`))).toEqual([]);
    expect(after.status!.containerStatuses![0]!.restartCount).toBeGreaterThan(
      before.status!.containerStatuses![0]!.restartCount!,
    );
    const id = `kube-system/${after.metadata!.name}:kube-proxy`;
    expect(await criLog(id)).toEqual(await apiLog(after, "kube-proxy"));
  }, 90_000);
});

describe("support", () => {
  it("collects the logs of the worker's kube-system pods under kubernetes-logs", async () => {
    const out = path.join(tempDir("talos-podcri-support-"), "bundle.zip");
    // With the control plane too: a worker serves no kubeconfig for the cluster-wide part.
    const r = await c.talosctl([
      "-n",
      `${c.ips[0]},${worker}`,
      "support",
      "--no-encryption",
      "-O",
      out,
      "-w",
      "4",
    ]);
    expect({ code: r.code, last: r.stderr.trim().split("\n").at(-1) }).toEqual({
      code: 0,
      last: `Support bundle is written to ${out}`,
    });
    const files = readZip(fs.readFileSync(out));
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    const proxy = await podOn("kube-proxy");
    const logs = [...files.keys()].filter((k) => k.startsWith(`${worker}/kubernetes-logs/`)).sort();
    expect(logs).toEqual(
      expect.arrayContaining([
        `${worker}/kubernetes-logs/kube-system/install-config-exited.log`,
        `${worker}/kubernetes-logs/kube-system/kube-flannel.log`,
        `${worker}/kubernetes-logs/kube-system/kube-proxy.log`,
      ]),
    );
    const text = files.get(`${worker}/kubernetes-logs/kube-system/kube-proxy.log`)!.toString("utf8");
    expect(text.trimEnd().split("\n")).toEqual(await apiLog(proxy, "kube-proxy"));
  }, 60_000);
});
