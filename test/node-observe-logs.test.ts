// Service logs and the kernel log of a real talos-node, read with a plain grpc-js client:
// Logs with Talos's tail_lines and follow semantics (a follower keeps going across a service
// restart), LogsContainers, Kubernetes container logs, Dmesg, and the loss-free claims: a
// burst of numbered lines reaches a slow follower complete and in order, and a stalled
// follower that the ring overtook is told so (DATA_LOSS) instead of silently skipping.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerDriver, DataSchema } from "../src/gen/common/common_pb.js";
import {
  DmesgRequestSchema,
  LogsContainersResponseSchema,
  LogsRequestSchema,
  ServiceListResponseSchema,
  ServiceRestartRequestSchema,
} from "../src/gen/machine/machine_pb.js";
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
let admin: grpc.Client;
let reader: grpc.Client;

const BURST_LINES = 6_000;

type LogsInit = Parameters<typeof create<typeof LogsRequestSchema>>[1];

function logs(req: LogsInit, client: grpc.Client = reader) {
  return streamCall(
    client,
    "/machine.MachineService/Logs",
    toBinary(LogsRequestSchema, create(LogsRequestSchema, { namespace: "system", ...req })),
  );
}

function text(messages: readonly Buffer[]): string {
  return Buffer.concat(messages.map((m) => fromBinary(DataSchema, m).bytes)).toString("utf8");
}

function lines(messages: readonly Buffer[]): string[] {
  return text(messages).split("\n").filter(Boolean);
}

async function snapshot(req: LogsInit): Promise<string[]> {
  return lines(await logs(req).done);
}

/** Restarts the kubelet and resolves once it runs healthy again. */
async function restartKubelet(): Promise<void> {
  await unaryCall(
    admin,
    "/machine.MachineService/ServiceRestart",
    toBinary(ServiceRestartRequestSchema, create(ServiceRestartRequestSchema, { id: "kubelet" })),
  );
  await waitFor(
    async () => {
      const reply = await unaryCall(reader, "/machine.MachineService/ServiceList", new Uint8Array());
      const kubelet = fromBinary(ServiceListResponseSchema, reply).messages[0]!.services.find(
        (s) => s.id === "kubelet",
      );
      return kubelet?.state === "Running" && kubelet.health?.healthy === true;
    },
    { what: "the kubelet running healthy after its restart" },
  );
}

/** Resolves once the last line of an apid burst written after `since` (epoch ms) is in the log. */
async function burstWritten(since: number): Promise<void> {
  const last = new RegExp(`^burst ${String(BURST_LINES).padStart(8, "0")}/\\d+ t=(\\S+)`);
  await waitFor(
    async () =>
      (await snapshot({ id: "apid", tailLines: 20 })).some((line) => Number(last.exec(line)?.[1]) >= since),
    { what: `the last line of an apid burst written after t=${since}` },
  );
}

/** A follower of `id`'s log from its last line on: resolves once that line came (it follows then). */
function followFromLastLine(id: string): {
  call: grpc.ClientReadableStream<Buffer>;
  attached: Promise<void>;
} {
  const call = reader.makeServerStreamRequest(
    "/machine.MachineService/Logs",
    (b: Buffer) => b,
    (b: Buffer) => b,
    Buffer.from(
      toBinary(
        LogsRequestSchema,
        create(LogsRequestSchema, { namespace: "system", id, follow: true, tailLines: 1 }),
      ),
    ),
  );
  const attached = new Promise<void>((resolve, reject) => {
    call.once("data", () => resolve());
    call.once("error", reject);
  });
  attached.catch(() => undefined);
  return { call, attached };
}

beforeAll(async () => {
  cluster = await makeCluster("logs-cluster");
  const stateDir = tempDir("talos-node-logs-");
  seedState(stateDir, cluster.controlplane);
  node = await startNode({
    stateDir,
    args: ["--hostname", "logs-node", "--time-scale", "20", "--test-burst", `log:apid:${BURST_LINES}`],
  });
  admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
  reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
  // Wait for the boot to bring the kubelet and the static pods up.
  await eventually(async () => {
    const kubelet = (await snapshot({ id: "kubelet", tailLines: -1 })).join("\n");
    if (!kubelet.includes("Starting kubelet main sync loop")) throw new Error("kubelet not healthy yet");
    const pods = await logs({
      namespace: "k8s.io",
      id: "kube-system/kube-apiserver-logs-node:kube-apiserver",
      driver: ContainerDriver.CRI,
    }).done;
    return pods;
  }, 30_000);
});

afterAll(async () => {
  admin?.close();
  reader?.close();
  await node?.stop();
});

describe("Logs", () => {
  it("serves each service's own lines, in chunks of at most 1 KiB", async () => {
    const stream = logs({ id: "machined", tailLines: -1 });
    const messages = await stream.done;
    expect(messages.every((m) => fromBinary(DataSchema, m).bytes.length <= 1024)).toBe(true);
    const machined = lines(messages);
    expect(machined[0]).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \[talos\] /);
    expect(machined.join("\n")).toContain("service[apid](Running): Health check successful");
    const etcd = await snapshot({ id: "etcd", tailLines: -1 });
    expect(JSON.parse(etcd[0]!)).toMatchObject({ level: "info", msg: "starting etcd" });
    const containerd = await snapshot({ id: "containerd", tailLines: -1 });
    expect(containerd[0]).toMatch(/^time="\S+Z" level=info msg="starting containerd"/);
  });

  it("applies tail_lines: 0 gives nothing, N the last N lines, negative everything, huge N everything", async () => {
    const all = await snapshot({ id: "machined", tailLines: -1 });
    expect(all.length).toBeGreaterThan(20);
    expect(await snapshot({ id: "machined", tailLines: 0 })).toEqual([]);
    const last3 = await snapshot({ id: "machined", tailLines: 3 });
    expect(last3).toHaveLength(3);
    // Later lines may have been written meanwhile; the three are consecutive lines of the log.
    const again = await snapshot({ id: "machined", tailLines: -1 });
    const at = again.indexOf(last3[0]!);
    expect(again.slice(at, at + 3)).toEqual(last3);
    const huge = await snapshot({ id: "machined", tailLines: 2_147_483_647 });
    expect(huge.slice(0, all.length)).toEqual(all);
    expect(await snapshot({ id: "machined", tailLines: -2_147_483_648 })).toEqual(
      expect.arrayContaining(all),
    );
  });

  it("refuses an unknown service, an empty namespace and a wrong driver with Talos's messages", async () => {
    await expect(logs({ id: "no-such-service" }).done).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: 'log "no-such-service" was not registered',
    });
    await expect(logs({ namespace: "", id: "x" }).done).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "namespace can't be empty",
    });
    await expect(logs({ namespace: "foo", id: "x", driver: ContainerDriver.CRI }).done).rejects.toMatchObject(
      {
        details: "CRI inspector is supported only for K8s namespace",
      },
    );
    await expect(
      logs({ namespace: "k8s.io", id: "kube-system/nope:nope", driver: ContainerDriver.CRI }).done,
    ).rejects.toMatchObject({
      details: 'container "kube-system/nope:nope" not found',
    });
  });

  it("reads the kubelet's service log through the Kubernetes namespace, and static pods' container logs", async () => {
    const viaK8s = await snapshot({
      namespace: "k8s.io",
      id: "kubelet",
      driver: ContainerDriver.CRI,
      tailLines: -1,
    });
    expect(viaK8s.join("\n")).toContain("Kubelet version");
    const pod = await snapshot({
      namespace: "k8s.io",
      id: "kube-system/kube-apiserver-logs-node:kube-apiserver",
      driver: ContainerDriver.CRI,
      tailLines: -1,
    });
    expect(pod[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z stderr F I\d{4} /);
  });

  it("lists the buffers that exist", async () => {
    const reply = fromBinary(
      LogsContainersResponseSchema,
      await unaryCall(reader, "/machine.MachineService/LogsContainers", new Uint8Array()),
    );
    const ids = reply.messages[0]!.ids;
    expect(ids).toEqual(
      expect.arrayContaining(["machined", "apid", "containerd", "cri", "etcd", "kubelet", "trustd"]),
    );
    expect(ids).not.toContain("no-such-service");
  });

  it("lets a follower wait for a service that has not logged yet: following registers its buffer", async () => {
    const s = logs({ id: "not-yet-logged", follow: true, tailLines: -1 });
    const ids = async (): Promise<string[]> =>
      fromBinary(
        LogsContainersResponseSchema,
        await unaryCall(reader, "/machine.MachineService/LogsContainers", new Uint8Array()),
      ).messages[0]!.ids;
    await expect.poll(ids, { timeout: 10_000 }).toContain("not-yet-logged");
    s.cancel();
    await expect(s.done).rejects.toMatchObject({ code: grpc.status.CANCELLED });
  });

  it("follows a service across its restart", async () => {
    // From the last line on: once it came, the follower is in place before the restart.
    const follow = logs({ id: "kubelet", tailLines: 1, follow: true });
    await follow.waitFor(1);
    await restartKubelet();
    await expect
      .poll(() => text(follow.messages), { timeout: 20_000 })
      .toMatch(/Shutting down kubelet[\s\S]*Kubelet version[\s\S]*Starting kubelet main sync loop/);
    follow.cancel();
    await expect(follow.done).rejects.toMatchObject({ code: grpc.status.CANCELLED });
  });
});

describe("Logs without loss", () => {
  it("delivers every line of a burst, in order, to a follower reading slowly", async () => {
    // A raw client so the reader can pause its stream (HTTP/2 flow control then holds the node back).
    const { call, attached } = followFromLastLine("apid");
    let buffered = "";
    const seen: number[] = [];
    let tail = true;
    call.on("data", (b: Buffer) => {
      // The first message is the log's last line from before: not part of the burst.
      if (tail) {
        tail = false;
        return;
      }
      buffered += Buffer.from(fromBinary(DataSchema, b).bytes).toString("utf8");
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        const m = /^burst (\d{8})\/(\d{8}) /.exec(buffered.slice(0, nl));
        if (m) seen.push(Number(m[1]));
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf("\n");
      }
      // Slow (the subject of the test): pause a little after every message.
      call.pause();
      setTimeout(() => call.resume(), 1);
    });
    const failed = new Promise((_, reject) => call.on("error", reject));
    failed.catch(() => undefined);
    await attached;
    process.kill(node.child.pid!, "SIGUSR2");
    await expect.poll(() => seen.length, { timeout: 60_000, interval: 200 }).toBe(BURST_LINES);
    expect(seen).toEqual(Array.from({ length: BURST_LINES }, (_, i) => i + 1));
    call.cancel();
  });

  it("tells a follower that stalled while the ring overtook it, after what it got in order", async () => {
    const { call, attached } = followFromLastLine("apid");
    let received = "";
    let error: grpc.ServiceError | undefined;
    let tail = true;
    let stalled = false;
    let onStall = (): void => undefined;
    const firstBurstData = new Promise<void>((resolve) => {
      onStall = resolve;
    });
    call.on("data", (b: Buffer) => {
      // The first message is the log's last line from before: not part of the bursts.
      if (tail) {
        tail = false;
        return;
      }
      received += Buffer.from(fromBinary(DataSchema, b).bytes).toString("utf8");
      // It stalls once the first burst began to reach it (so it got something, however busy
      // the machine), and reads nothing more until the ring went past it.
      if (!stalled) {
        stalled = true;
        call.pause();
        onStall();
      }
    });
    call.on("error", (e: grpc.ServiceError) => {
      error = e;
    });
    await attached;
    // Three bursts of 6000 × 100 bytes: 1.8 MB, more than the 1 MiB ring holds. One at a time:
    // signals sent before the node handled the previous one would merge into one.
    for (let i = 0; i < 3; i++) {
      const since = Date.now();
      process.kill(node.child.pid!, "SIGUSR2");
      if (i === 0) await firstBurstData;
      await burstWritten(since);
    }
    call.resume();
    await expect.poll(() => error, { timeout: 30_000 }).toBeDefined();
    expect(error!.code).toBe(grpc.status.DATA_LOSS);
    expect(error!.details).toMatch(
      /^log "apid": reader fell behind, \d+ bytes were overwritten before they could be sent$/,
    );
    // What did arrive is the first burst from its start, in order (the last line may be cut).
    const got = received
      .split("\n")
      .slice(0, -1)
      .filter((l) => l.startsWith("burst "));
    expect(got.length).toBeGreaterThan(0);
    got.forEach((l, i) => {
      expect(l.startsWith(`burst ${String(i + 1).padStart(8, "0")}/`)).toBe(true);
    });
  });

  it("survives clients that cancel mid-stream", async () => {
    for (let i = 0; i < 5; i++) {
      const s = logs({ id: "machined", tailLines: -1, follow: true });
      await s.waitFor(1);
      s.cancel();
      await expect(s.done).rejects.toMatchObject({ code: grpc.status.CANCELLED });
    }
    expect((await snapshot({ id: "machined", tailLines: 1 })).length).toBe(1);
  });
});

describe("Dmesg", () => {
  function dmesg(req: Parameters<typeof create<typeof DmesgRequestSchema>>[1]) {
    return streamCall(
      reader,
      "/machine.MachineService/Dmesg",
      toBinary(DmesgRequestSchema, create(DmesgRequestSchema, req)),
    );
  }

  it("sends one record per message, formatted as facility, padded priority, time and text", async () => {
    const records = (await dmesg({}).done).map((m) =>
      Buffer.from(fromBinary(DataSchema, m).bytes).toString("utf8"),
    );
    expect(records.length).toBeGreaterThan(20);
    for (const r of records) {
      expect(r).toMatch(
        /^(kern|user|daemon|syslog): {0,7}(emerg|alert|crit|err|warning|notice|info|debug): \[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z\]: .*\n$/,
      );
    }
    expect(records[0]).toMatch(/^kern: {2}notice: \[.*\]: Linux version /);
    expect(
      records.some((r) => r.startsWith("user: warning: ") && r.includes("[talos] service[etcd](Running)")),
    ).toBe(true);
    expect(records.some((r) => r.includes("eth0: link is up"))).toBe(true);
    const times = records.map((r) => /\[([^\]]+)\]/.exec(r)![1]!).map((t) => Date.parse(t));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("with tail and no follow returns nothing; with tail and follow only new records", async () => {
    expect(await dmesg({ tail: true }).done).toEqual([]);
    const record = (m: Buffer) => Buffer.from(fromBinary(DataSchema, m).bytes).toString("utf8");
    const old = new Set((await dmesg({}).done).map(record));
    const follow = dmesg({ tail: true, follow: true });
    // Nothing shows when the follower's cursor is in place (it sends nothing until a new record
    // comes): restart the kubelet, which writes to the kernel log, until a record reaches it.
    await waitFor(
      async () => {
        if (follow.messages.length > 0) return true;
        await restartKubelet();
        return follow.messages.length > 0;
      },
      { what: "a kernel record of a kubelet restart on the follower", timeoutMs: 30_000, intervalMs: 0 },
    );
    const got = follow.messages.map(record);
    expect(got[0]).toMatch(/^user: warning: .*\[talos\] service\[kubelet\]\(/);
    expect(got.filter((r) => old.has(r))).toEqual([]);
    follow.cancel();
  });
});
