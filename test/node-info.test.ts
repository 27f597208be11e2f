// Informational calls and the event stream of a talos-node: Version, Hostname, ServiceList,
// the /proc-style statistics, and Events with its tail options.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CPUInfoResponseSchema,
  EventSchema,
  EventsRequestSchema,
  HostnameResponseSchema,
  LoadAvgResponseSchema,
  MachineStatusEvent_MachineStage,
  MachineStatusEventSchema,
  MemoryResponseSchema,
  MountsResponseSchema,
  ProcessesResponseSchema,
  SequenceEvent_Action,
  SequenceEventSchema,
  ServiceListResponseSchema,
  SystemStatResponseSchema,
  VersionResponseSchema,
} from "../src/gen/machine/machine_pb.js";
import { tempDir } from "./helpers/cli.js";
import {
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
const call = (method: string) => unaryCall(reader, `/machine.MachineService/${method}`, empty);

function events(req: Parameters<typeof create<typeof EventsRequestSchema>>[1]) {
  return streamCall(
    reader,
    "/machine.MachineService/Events",
    toBinary(EventsRequestSchema, create(EventsRequestSchema, req)),
  );
}

const eventId = (m: Buffer): string => fromBinary(EventSchema, m).id;

/** The id of the newest event the node has published so far. */
async function newestId(): Promise<string> {
  const last = events({ tailEvents: 1 });
  const [, newest] = await last.waitFor(2);
  last.cancel();
  return eventId(newest!);
}

/** The whole history up to and including event `last`, replayed with tail_events -1. */
async function historyUpTo(last: string) {
  const stream = events({ tailEvents: -1 });
  // From 1: the hello has a fresh id, newer than any event.
  await stream.waitForMessage((m) => eventId(m) >= last, { what: `event ${last} in the replay`, from: 1 });
  stream.cancel();
  return stream.messages
    .slice(1)
    .map((m) => fromBinary(EventSchema, m))
    .filter((e) => e.id <= last);
}

beforeAll(async () => {
  // Configs for the node's own version: it loads them with v1.13's kinds and fields.
  cluster = await makeCluster("info-cluster", "v1.13.4");
  const stateDir = tempDir("talos-node-info-");
  seedState(stateDir, cluster.controlplane);
  // A slow clock: the boot takes about two seconds, long enough to watch part of it live.
  node = await startNode({
    stateDir,
    args: [
      "--hostname",
      "info-node",
      "--platform",
      "cloud",
      "--talos-version",
      "v1.13.4",
      "--time-scale",
      "3",
    ],
  });
  reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
});

afterAll(async () => {
  await node?.stop();
});

describe("talos-node events", () => {
  it("streams the boot live after an empty hello event, up to running and ready", async () => {
    const stream = events({ withActorId: "" });
    const [hello] = await stream.waitFor(1);
    const first = fromBinary(EventSchema, hello!);
    expect(first.data?.typeUrl).toBe("");
    expect(first.id).toMatch(/^[0-9a-v]{20}$/);
    await expect
      .poll(
        () =>
          stream.messages
            .map((m) => fromBinary(EventSchema, m))
            .some((e) => {
              // What `talosctl reboot --wait` waits for: running and ready.
              if (e.data?.typeUrl !== "talos/runtime/machine.MachineStatusEvent") return false;
              const s = fromBinary(MachineStatusEventSchema, e.data.value);
              return s.stage === MachineStatusEvent_MachineStage.RUNNING && s.status?.ready === true;
            }),
        { timeout: 30_000, interval: 200 },
      )
      .toBe(true);
    stream.cancel();
  });

  it("replays history with tail_events -1, sorted by id, starting with the initialize sequence", async () => {
    // Up to the newest event before the call: later ones may come while the replay is read.
    const all = await historyUpTo(await newestId());
    const ids = all.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.every((e) => e.data!.typeUrl.startsWith("talos/runtime/machine."))).toBe(true);
    const sequences = all
      .filter((e) => e.data!.typeUrl === "talos/runtime/machine.SequenceEvent")
      .map((e) => fromBinary(SequenceEventSchema, e.data!.value))
      .map((s) => `${s.sequence}:${SequenceEvent_Action[s.action]}`);
    expect(sequences).toEqual(["initialize:START", "initialize:STOP", "boot:START", "boot:STOP"]);

    // tail_events N gives the last N (of the history when called); tail_id continues after an id.
    const tail = events({ tailEvents: 3 });
    const last3 = (await tail.waitFor(4)).slice(1).map(eventId);
    tail.cancel();
    expect(last3).toEqual((await historyUpTo(last3[2]!)).slice(-3).map((e) => e.id));
    const after = events({ tailId: ids[ids.length - 5]! });
    const next4 = (await after.waitFor(5)).slice(1).map(eventId);
    after.cancel();
    expect(next4).toEqual(ids.slice(-4));
  });

  it("fails conflicting tail options after the hello, and a bad tail id", async () => {
    const both = events({ tailEvents: 2, tailId: "9m4e2mr0ui3e8a215n4g" });
    await expect(both.done).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: "WithTailID can't be specified at the same time with WithTailEvents or WithTailDuration",
    });
    expect(both.messages).toHaveLength(1);
    await expect(events({ tailId: "not-an-xid" }).done).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: "error parsing tail_id: xid: invalid ID",
    });
  });

  it("filters by actor id and echoes it in the hello", async () => {
    const newest = await newestId();
    const stream = events({ tailEvents: -1, withActorId: "0d5a7c1e-actor" });
    await stream.waitFor(1);
    // The filtered replay went through the history while this unfiltered one, opened after it,
    // sent the history up to the newest event: nothing of it passed the filter.
    await historyUpTo(newest);
    stream.cancel();
    expect(stream.messages).toHaveLength(1);
    expect(fromBinary(EventSchema, stream.messages[0]!).actorId).toBe("0d5a7c1e-actor");
  });
});

describe("talos-node informational calls", () => {
  it("reports the version, platform and hostname it was started with", async () => {
    const v = fromBinary(VersionResponseSchema, await call("Version")).messages[0]!;
    expect(v.version).toMatchObject({ tag: "v1.13.4", os: "linux", built: "" });
    expect(v.platform).toMatchObject({ name: "nocloud", mode: "cloud" });
    expect(v.features?.rbac).toBe(true);
    expect(fromBinary(HostnameResponseSchema, await call("Hostname")).messages[0]!.hostname).toBe(
      "info-node",
    );
  });

  it("lists services sorted by id with their events and health", async () => {
    const list = fromBinary(ServiceListResponseSchema, await call("ServiceList")).messages[0]!.services;
    const ids = list.map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(
      expect.arrayContaining(["apid", "containerd", "cri", "etcd", "kubelet", "machined", "trustd"]),
    );
    const apid = list.find((s) => s.id === "apid")!;
    expect(apid.state).toBe("Running");
    expect(apid.health).toMatchObject({ unknown: false, healthy: true });
    expect(apid.events!.events.map((e) => e.msg)).toEqual([
      "Starting service",
      'Waiting for service "containerd" to be "up"',
      "Running pre state",
      "Creating service runner",
      expect.stringMatching(/^Started task apid \(PID \d+\) for container apid$/),
      "Health check successful",
    ]);
  });

  it("keeps statistics plausible and consistent across calls", async () => {
    const m1 = fromBinary(MemoryResponseSchema, await call("Memory")).messages[0]!.meminfo!;
    const m2 = fromBinary(MemoryResponseSchema, await call("Memory")).messages[0]!.meminfo!;
    expect(m1.memtotal).toBe(m2.memtotal);
    for (const m of [m1, m2]) {
      expect(m.memfree).toBeLessThan(m.memtotal);
      expect(m.memavailable).toBeGreaterThanOrEqual(m.memfree);
      expect(m.memavailable).toBeLessThanOrEqual(m.memtotal);
    }
    const load = fromBinary(LoadAvgResponseSchema, await call("LoadAvg")).messages[0]!;
    for (const l of [load.load1, load.load5, load.load15]) expect(l).toBeGreaterThanOrEqual(0);

    const s1 = fromBinary(SystemStatResponseSchema, await call("SystemStat")).messages[0]!;
    // The counters grow with uptime, a second at a time.
    const s2 = await waitFor(
      async () => {
        const s = fromBinary(SystemStatResponseSchema, await call("SystemStat")).messages[0]!;
        return s.contextSwitches > s1.contextSwitches ? s : undefined;
      },
      { what: "SystemStat's context switches to grow", intervalMs: 200 },
    );
    expect(s1.bootTime).toBe(s2.bootTime);
    expect(Number(s1.bootTime)).toBeLessThanOrEqual(Date.now() / 1000);
    expect(s2.contextSwitches).toBeGreaterThan(s1.contextSwitches);
    expect(s2.cpuTotal!.idle).toBeGreaterThan(s1.cpuTotal!.idle);
    const cpus = fromBinary(CPUInfoResponseSchema, await call("CPUInfo")).messages[0]!.cpuInfo;
    expect(s1.cpu).toHaveLength(cpus.length);

    const procs = fromBinary(ProcessesResponseSchema, await call("Processes")).messages[0]!.processes;
    expect(procs[0]).toMatchObject({ pid: 1, command: "init" });
    const services = fromBinary(ServiceListResponseSchema, await call("ServiceList")).messages[0]!.services;
    const apidPid = Number(
      /PID (\d+)/.exec(
        services
          .find((s) => s.id === "apid")!
          .events!.events.map((e) => e.msg)
          .join(" "),
      )![1],
    );
    expect(procs.map((p) => p.pid)).toContain(apidPid);

    const mounts = fromBinary(MountsResponseSchema, await call("Mounts")).messages[0]!.stats;
    const varMount = mounts.find((m) => m.mountedOn === "/var")!;
    expect(varMount.filesystem).toBe("/dev/sda6");
    expect(varMount.available).toBeLessThanOrEqual(varMount.size);
  });
});
