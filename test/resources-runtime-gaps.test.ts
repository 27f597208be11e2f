// The perf, Kubernetes status, runtime and hardware resources a real node publishes, read with
// `talosctl get` from the nodes of a local cluster (a control plane and a worker) and checked
// against what they derive from: CPUStats against the CPUs and /proc/meminfo, static pod
// statuses against the static pods, NodeStatuses against the Node objects of the Kubernetes API
// (through a cordon), the SBOM against the node's version.
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { startInProcess } from "./helpers/cluster.js";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";
import { eventually } from "./helpers/node.js";

interface Res {
  metadata: { id: string; version: number; namespace: string };
  spec: Record<string, unknown>;
}

let c: LocalCluster;
let cp: string;
let worker: string;
let core: k8s.CoreV1Api;

async function get(node: string, type: string): Promise<Res[]> {
  const r = await c.talosctl(["-n", node, "get", type, "-o", "yaml"]);
  if (r.code !== 0) throw new Error(`get ${type} on ${node}: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Res | null)
    .filter((d): d is Res => d !== null);
}

async function one(node: string, type: string): Promise<Res> {
  const list = await get(node, type);
  if (list.length !== 1) throw new Error(`${type} on ${node}: ${list.length} resources`);
  return list[0]!;
}

beforeAll(async () => {
  c = await createLocalCluster({ name: "rtgaps", controlplanes: 1, workers: 1 });
  expect({ code: c.created.code, stderr: c.created.stderr.split("\n").slice(-3) }).toMatchObject({ code: 0 });
  [cp, worker] = c.ips as [string, string];
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(c.home, ".kube", "config"));
  core = kc.makeApiClient(k8s.CoreV1Api);
}, 120_000);

afterAll(async () => {
  await c?.destroy();
});

describe("perf", () => {
  it("CPUStats has one entry per CPU and MemoryStats the kernel's MemTotal; watched, they move on", async () => {
    for (const node of [cp, worker]) {
      const processor = await one(node, "processors");
      const cpu = await one(node, "cpustats");
      expect(cpu.metadata.id).toBe("latest");
      expect((cpu.spec.cpu as unknown[]).length).toBe(processor.spec.threadCount);
      const mem = await one(node, "memorystats");
      const meminfo = await c.talosctl(["-n", node, "read", "/proc/meminfo"]);
      const total = Number(/^MemTotal:\s+(\d+) kB$/m.exec(meminfo.stdout)?.[1]);
      expect(mem.spec.total).toBe(total);
      expect(Number(mem.spec.used)).toBeGreaterThan(0);
      // Watched, the statistics are read again at Talos's interval (30 s of machine time).
      const watch = startInProcess(["-n", node, "get", "cpustats", "-w"], {
        cwd: c.home,
        home: c.home,
        env: { HOME: c.home, PATH: process.env.PATH },
      });
      try {
        const current = (await one(node, "cpustats")).metadata.version;
        await watch.waitFor(new RegExp(`CPUStat +latest +${current + 1} `), 20_000);
        const next = await one(node, "cpustats");
        expect(next.metadata.version).toBeGreaterThan(cpu.metadata.version);
        expect(Number(next.spec.contextSwitches)).toBeGreaterThan(Number(cpu.spec.contextSwitches));
      } finally {
        watch.cancel();
        await watch.result;
      }
    }
  }, 60_000);
});

describe("kubernetes", () => {
  it("has a static pod status per static pod on the control plane, none on the worker", async () => {
    const nodename = String((await one(cp, "nodename")).spec.nodename);
    const pods = (await get(cp, "staticpods")).map((p) => p.metadata.id);
    expect(pods.length).toBeGreaterThan(0);
    await eventually(async () => {
      const statuses = await get(cp, "staticpodstatuses");
      expect(statuses.map((s) => s.metadata.id).sort()).toEqual(
        pods.map((p) => `kube-system/${p}-${nodename}`).sort(),
      );
    }, 20_000);
    expect(await get(worker, "staticpodstatuses")).toEqual([]);
  }, 40_000);

  it("NodeStatus mirrors the Node object and follows a cordon", async () => {
    for (const node of [cp, worker]) {
      const nodename = String((await one(node, "nodename")).spec.nodename);
      await eventually(async () => {
        const status = await one(node, "nodestatuses");
        expect(status.metadata.id).toBe(nodename);
        expect(status.spec).toMatchObject({ nodename, nodeReady: true, unschedulable: false });
      }, 30_000);
    }
    const name = String((await one(worker, "nodename")).spec.nodename);
    const patch = (unschedulable: boolean | null) =>
      core.patchNode(
        { name, body: { spec: { unschedulable } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
    await patch(true);
    try {
      await eventually(async () => {
        expect((await one(worker, "nodestatuses")).spec.unschedulable).toBe(true);
      }, 20_000);
    } finally {
      await patch(null);
    }
    await eventually(async () => {
      expect((await one(worker, "nodestatuses")).spec.unschedulable).toBe(false);
    }, 20_000);
  }, 90_000);

  it("publishes the kubelet kubeconfig digest on both nodes, the etcd encryption config on the control plane", async () => {
    for (const node of [cp, worker]) {
      const kk = await one(node, "kubeletkubeconfigs");
      expect(kk.metadata.id).toBe("kubelet");
      expect(kk.spec.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const eec = await one(cp, "etcdencryptionconfigs");
    expect(eec.metadata.id).toBe("k8s");
    expect(String(eec.spec.configuration)).toMatch(
      /^apiVersion: v1\nkind: EncryptionConfig\nresources:\n- providers:\n/,
    );
    expect(await get(worker, "etcdencryptionconfigs")).toEqual([]);
  }, 30_000);
});

describe("runtime and hardware", () => {
  it("lists Talos at the node's version in the SBOM, machined's environment, the unique token and the registries config", async () => {
    for (const node of [cp, worker]) {
      const version = String((await one(node, "version")).spec.version);
      const items = await get(node, "sbomitems");
      const talos = items.find((i) => i.metadata.id === "Talos");
      expect(talos?.spec).toMatchObject({ name: "Talos", version });
      const env = await one(node, "environments");
      expect(env.metadata.id).toBe("machined");
      expect(env.spec.variables).toContain("PATH=/usr/bin:/usr/local/sbin:/usr/local/bin:/opt/cni/bin");
      const token = await one(node, "uniquemachinetokens");
      expect(token.metadata.id).toBe("unique-machine-token");
      expect((await one(node, "registryconfigs")).metadata.id).toBe("registries");
    }
  }, 30_000);

  it("has one CPU core per core the processor reports, covering every logical CPU", async () => {
    const processor = await one(cp, "processors");
    const cores = await get(cp, "cpucores");
    expect(cores).toHaveLength(Number(processor.spec.coreCount));
    const logical = cores.flatMap((x) => x.spec.logicalCPUs as number[]).sort((a, b) => a - b);
    expect(logical).toEqual(Array.from({ length: Number(processor.spec.threadCount) }, (_, i) => i));
  }, 30_000);
});
