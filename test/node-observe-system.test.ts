// System information of a real talos-node from its platform layer: containers and their
// statistics in both containerd namespaces, processes, mounts, disks (storage API and COSI),
// volumes and time; every figure consistent across calls and with the other views.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerDriver } from "../src/gen/common/common_pb.js";
import { ListRequestSchema, ListResponseSchema } from "../src/gen/cosi/resource/state_pb.js";
import {
  ContainersRequestSchema,
  ContainersResponseSchema,
  MountsResponseSchema,
  ProcessesResponseSchema,
  StatsRequestSchema,
  StatsResponseSchema,
} from "../src/gen/machine/machine_pb.js";
import { DiskSpecSchema, VolumeStatusSpecSchema } from "../src/gen/resource/definitions/block/block_pb.js";
import { BlockVolumePhase } from "../src/gen/resource/definitions/enums/enums_pb.js";
import { Disk_DiskType, DisksResponseSchema } from "../src/gen/storage/storage_pb.js";
import { TimeRequestSchema, TimeResponseSchema } from "../src/gen/time/time_pb.js";
import { tempDir } from "./helpers/cli.js";
import {
  eventually,
  makeCluster,
  mtlsClient,
  type StartedNode,
  seedState,
  startNode,
  streamCall,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";
import { waitFor } from "./helpers/wait.js";

let cluster: TestCluster;
let node: StartedNode;
let reader: grpc.Client;
const empty = new Uint8Array();

async function containers(namespace: string, driver = ContainerDriver.CONTAINERD) {
  const body = toBinary(ContainersRequestSchema, create(ContainersRequestSchema, { namespace, driver }));
  return fromBinary(
    ContainersResponseSchema,
    await unaryCall(reader, "/machine.MachineService/Containers", body),
  ).messages[0]!.containers;
}

async function stats(namespace: string, driver = ContainerDriver.CONTAINERD) {
  const body = toBinary(StatsRequestSchema, create(StatsRequestSchema, { namespace, driver }));
  return fromBinary(StatsResponseSchema, await unaryCall(reader, "/machine.MachineService/Stats", body))
    .messages[0]!.stats;
}

async function cosiList(type: string) {
  const body = toBinary(ListRequestSchema, create(ListRequestSchema, { namespace: "runtime", type }));
  return (await streamCall(reader, "/cosi.resource.State/List", body).done).map(
    (b) => fromBinary(ListResponseSchema, b).resource!,
  );
}

beforeAll(async () => {
  cluster = await makeCluster("sys-cluster");
  const stateDir = tempDir("talos-node-sys-");
  seedState(stateDir, cluster.controlplane);
  node = await startNode({
    stateDir,
    args: [
      "--hostname",
      "sys-node",
      "--time-scale",
      "20",
      "--disk",
      "/dev/sda:20GiB",
      "--disk",
      "/dev/nvme0n1:500GB",
    ],
  });
  reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
  await eventually(async () => {
    if ((await containers("k8s.io", ContainerDriver.CRI)).length === 0) throw new Error("no pods yet");
  }, 30_000);
});

afterAll(async () => {
  reader?.close();
  await node?.stop();
});

describe("containers and stats", () => {
  it("lists Talos's containerised services in the system namespace, matching the process list", async () => {
    const list = await containers("system");
    expect(list.map((c) => c.id).sort()).toEqual(["apid", "etcd", "kubelet", "trustd"]);
    for (const c of list) {
      expect(c).toMatchObject({ namespace: "system", podId: c.id, name: c.id, status: "RUNNING" });
      expect(c.pid).toBeGreaterThan(1);
    }
    expect(list.find((c) => c.id === "etcd")!.image).toMatch(/^gcr\.io\/etcd-development\/etcd:v3\./);
    const procs = fromBinary(
      ProcessesResponseSchema,
      await unaryCall(reader, "/machine.MachineService/Processes", empty),
    ).messages[0]!.processes;
    const pids = new Set(procs.map((p) => p.pid));
    for (const c of list) expect(pids.has(c.pid)).toBe(true);
  });

  it("lists the static pods through the CRI: a sandbox row per pod, then its containers", async () => {
    const list = await containers("k8s.io", ContainerDriver.CRI);
    const pod = "kube-system/kube-apiserver-sys-node";
    const sandbox = list.find((c) => c.id === pod)!;
    expect(sandbox).toMatchObject({
      podId: pod,
      status: "SANDBOX_READY",
      image: "registry.k8s.io/pause:3.10",
    });
    const apiserver = list.find((c) => c.podId === pod && c.id !== pod)!;
    expect(apiserver.id).toMatch(/^kube-system\/kube-apiserver-sys-node:kube-apiserver:[0-9a-f]{12}$/);
    expect(apiserver).toMatchObject({ name: "kube-apiserver", status: "CONTAINER_RUNNING" });
    expect(apiserver.internalId.startsWith(apiserver.id.split(":")[2]!)).toBe(true);
    // The same containers through the containerd driver carry their raw ids.
    const raw = await containers("k8s.io", ContainerDriver.CONTAINERD);
    expect(raw.map((c) => c.id)).toContain(apiserver.internalId);
  });

  it("refuses the CRI driver outside the Kubernetes namespace and unknown drivers", async () => {
    await expect(containers("system", ContainerDriver.CRI)).rejects.toMatchObject({
      details: "CRI inspector is supported only for K8s namespace",
    });
    await expect(stats("system", 7 as ContainerDriver)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'unsupported driver "7"',
    });
  });

  it("reports stats for the same containers, CPU time only growing", async () => {
    const first = await stats("system");
    expect(first.map((s) => s.id).sort()).toEqual((await containers("system")).map((c) => c.id).sort());
    // CPU time advances with the machine's uptime; wait until it shows.
    const second = await waitFor(
      async () => {
        const later = await stats("system");
        return later.some((x) => x.cpuUsage > first.find((s) => s.id === x.id)!.cpuUsage) ? later : undefined;
      },
      { what: "a system container's CPU time to grow", intervalMs: 200 },
    );
    for (const s of first) {
      const later = second.find((x) => x.id === s.id)!;
      expect(later.cpuUsage).toBeGreaterThanOrEqual(s.cpuUsage);
      expect(later.memoryUsage).toBeGreaterThan(0n);
    }
    // The kubelet keeps starting its pods (kube-proxy, the CNI, CoreDNS) while the test runs: the
    // two lists agree once they are read between two such starts.
    await waitFor(
      async () =>
        (await stats("k8s.io", ContainerDriver.CRI)).length ===
        (await containers("k8s.io", ContainerDriver.CRI)).length,
      { what: "the CRI stats and container lists to agree", intervalMs: 200 },
    );
  });
});

describe("disks, volumes and mounts", () => {
  it("reports the disks through the storage API and as Disk resources", async () => {
    const disks = fromBinary(
      DisksResponseSchema,
      await unaryCall(reader, "/storage.StorageService/Disks", empty),
    ).messages[0]!.disks;
    expect(disks.map((d) => [d.deviceName, d.name, d.type])).toEqual([
      ["/dev/sda", "sda", Disk_DiskType.HDD],
      ["/dev/nvme0n1", "nvme0n1", Disk_DiskType.NVME],
    ]);
    expect(disks[0]!.size).toBe(20n * 1024n ** 3n);
    const resources = await cosiList("Disks.block.talos.dev");
    expect(resources.map((r) => r.metadata!.id)).toEqual(["nvme0n1", "sda"]);
    const sda = fromBinary(DiskSpecSchema, resources.find((r) => r.metadata!.id === "sda")!.spec!.protoSpec);
    expect(sda).toMatchObject({
      devPath: "/dev/sda",
      size: 20n * 1024n ** 3n,
      prettySize: "22 GB",
      transport: "virtio",
    });
    expect(resources[0]!.spec!.yamlSpec).toContain("pretty_size: 500 GB");
  });

  it("reports ready volumes whose sizes match the mount table", async () => {
    const volumes = await cosiList("VolumeStatuses.block.talos.dev");
    expect(volumes.map((v) => v.metadata!.id)).toEqual(["/var/mnt", "EPHEMERAL", "META", "STATE"]);
    const mounts = fromBinary(
      MountsResponseSchema,
      await unaryCall(reader, "/machine.MachineService/Mounts", empty),
    ).messages[0]!.stats;
    for (const v of volumes) {
      const spec = fromBinary(VolumeStatusSpecSchema, v.spec!.protoSpec);
      expect(spec.phase).toBe(BlockVolumePhase.VOLUME_PHASE_READY);
      // Directory volumes (/var/mnt) live inside EPHEMERAL: no mount of their own in the table.
      if (spec.location === "") continue;
      const target = spec.mountSpec?.targetPath;
      if (!target) continue;
      const mount = mounts.find((m) => m.mountedOn === target)!;
      expect(mount.filesystem).toBe(spec.location);
      expect(mount.size).toBe(spec.size);
      expect(mount.available).toBeLessThanOrEqual(mount.size);
    }
  });
});

describe("time", () => {
  it("answers Time from the configured server and TimeCheck from the one asked", async () => {
    const t = fromBinary(TimeResponseSchema, await unaryCall(reader, "/time.TimeService/Time", empty))
      .messages[0]!;
    expect(t.server).toBe("time.cloudflare.com");
    const local = Number(t.localtime!.seconds) * 1000 + t.localtime!.nanos / 1e6;
    const remote = Number(t.remotetime!.seconds) * 1000 + t.remotetime!.nanos / 1e6;
    expect(Math.abs(local - Date.now())).toBeLessThan(5_000);
    expect(Math.abs(remote - local)).toBeLessThan(10);
    const check = (server: string) =>
      unaryCall(
        reader,
        "/time.TimeService/TimeCheck",
        toBinary(TimeRequestSchema, create(TimeRequestSchema, { server })),
      );
    expect(fromBinary(TimeResponseSchema, await check("pool.ntp.org")).messages[0]!.server).toBe(
      "pool.ntp.org",
    );
    await expect(check("not a host!")).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: 'error querying NTP server "not a host!": lookup not a host!: no such host',
    });
  });
});
