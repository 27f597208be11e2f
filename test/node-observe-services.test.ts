// Service control on a real talos-node, read back through every view a client has of it: the
// replies and errors of ServiceStart/Stop/Restart, the ServiceStateEvents on the event stream, the
// service's log lines, ServiceList, and the Services COSI resources.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataSchema } from "../src/gen/common/common_pb.js";
import {
  GetRequestSchema,
  GetResponseSchema,
  ListRequestSchema,
  ListResponseSchema,
} from "../src/gen/cosi/resource/state_pb.js";
import {
  EventSchema,
  EventsRequestSchema,
  LogsRequestSchema,
  ServiceListResponseSchema,
  ServiceRestartRequestSchema,
  ServiceRestartResponseSchema,
  ServiceStartRequestSchema,
  ServiceStartResponseSchema,
  ServiceStateEvent_Action,
  ServiceStateEventSchema,
  ServiceStopRequestSchema,
  ServiceStopResponseSchema,
} from "../src/gen/machine/machine_pb.js";
import { ServiceSpecSchema } from "../src/gen/resource/definitions/v1alpha1/v1alpha1_pb.js";
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
import { absenceWindow } from "./helpers/wait.js";

let cluster: TestCluster;
let node: StartedNode;
let admin: grpc.Client;
let operator: grpc.Client;
let reader: grpc.Client;

const empty = new Uint8Array();

async function control(client: grpc.Client, op: "Start" | "Stop" | "Restart", id: string): Promise<string> {
  const path = `/machine.MachineService/Service${op}`;
  if (op === "Start") {
    const body = toBinary(ServiceStartRequestSchema, create(ServiceStartRequestSchema, { id }));
    return fromBinary(ServiceStartResponseSchema, await unaryCall(client, path, body)).messages[0]!.resp;
  }
  if (op === "Stop") {
    const body = toBinary(ServiceStopRequestSchema, create(ServiceStopRequestSchema, { id }));
    return fromBinary(ServiceStopResponseSchema, await unaryCall(client, path, body)).messages[0]!.resp;
  }
  const body = toBinary(ServiceRestartRequestSchema, create(ServiceRestartRequestSchema, { id }));
  return fromBinary(ServiceRestartResponseSchema, await unaryCall(client, path, body)).messages[0]!.resp;
}

async function serviceList() {
  return fromBinary(
    ServiceListResponseSchema,
    await unaryCall(reader, "/machine.MachineService/ServiceList", empty),
  ).messages[0]!.services;
}

async function serviceResource(id: string) {
  const body = toBinary(
    GetRequestSchema,
    create(GetRequestSchema, { namespace: "runtime", type: "Services.v1alpha1.talos.dev", id }),
  );
  const r = fromBinary(GetResponseSchema, await unaryCall(reader, "/cosi.resource.State/Get", body))
    .resource!;
  return fromBinary(ServiceSpecSchema, r.spec!.protoSpec);
}

async function serviceResourceIds(): Promise<string[]> {
  const body = toBinary(
    ListRequestSchema,
    create(ListRequestSchema, { namespace: "runtime", type: "Services.v1alpha1.talos.dev" }),
  );
  const all = await streamCall(reader, "/cosi.resource.State/List", body).done;
  return all.map((b) => fromBinary(ListResponseSchema, b).resource!.metadata!.id);
}

beforeAll(async () => {
  cluster = await makeCluster("svc-cluster");
  const stateDir = tempDir("talos-node-svc-");
  seedState(stateDir, cluster.controlplane);
  node = await startNode({ stateDir, args: ["--hostname", "svc-node", "--time-scale", "20"] });
  admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
  operator = mtlsClient(node.address, cluster.osCa.crt, cluster.operator);
  reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
  await eventually(async () => {
    const kubelet = (await serviceList()).find((s) => s.id === "kubelet");
    if (kubelet?.health?.healthy !== true) throw new Error("kubelet not healthy yet");
  }, 30_000);
});

afterAll(async () => {
  for (const c of [admin, operator, reader]) c?.close();
  await node?.stop();
});

describe("ServiceStart / ServiceStop / ServiceRestart", () => {
  it("refuses unknown services and operations a service does not allow, with plain errors", async () => {
    await expect(control(admin, "Start", "nope")).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: 'service "nope" not defined',
    });
    await expect(control(admin, "Stop", "nope")).rejects.toMatchObject({
      details: 'service "nope" not defined',
    });
    await expect(control(admin, "Restart", "nope")).rejects.toMatchObject({
      details: 'service "nope" not defined',
    });
    await expect(control(admin, "Start", "etcd")).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: `service "etcd" doesn't support start operation via API`,
    });
    await expect(control(admin, "Restart", "apid")).rejects.toMatchObject({
      details: `service "apid" doesn't support restart operation via API`,
    });
    await expect(control(admin, "Stop", "kubelet")).rejects.toMatchObject({
      details: `service "kubelet" doesn't support stop operation via API`,
    });
  });

  it("is not for readers", async () => {
    await expect(control(reader, "Restart", "kubelet")).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: "not authorized",
    });
  });

  it("starting a running service succeeds without touching it", async () => {
    const before = (await serviceList()).find((s) => s.id === "kubelet")!.events!.events.length;
    expect(await control(operator, "Start", "kubelet")).toBe('Service "kubelet" started');
    // Gives a start that wrongly touched the running service the time to show in its events.
    await absenceWindow(200);
    expect((await serviceList()).find((s) => s.id === "kubelet")!.events!.events.length).toBe(before);
  });

  it("restarts the kubelet: events, log lines, ServiceList and the Services resource all tell the same story", async () => {
    const events = streamCall(
      reader,
      "/machine.MachineService/Events",
      toBinary(EventsRequestSchema, create(EventsRequestSchema, {})),
    );
    await events.waitFor(1);
    const logStream = streamCall(
      reader,
      "/machine.MachineService/Logs",
      toBinary(
        LogsRequestSchema,
        create(LogsRequestSchema, { namespace: "system", id: "kubelet", follow: true, tailLines: 1 }),
      ),
    );
    // The log's last line: from here on the follower sees every new line.
    await logStream.waitFor(1);
    expect(await control(operator, "Restart", "kubelet")).toBe('Service "kubelet" restarted');

    const kubeletEvents = (): string[] =>
      events.messages
        .slice(1)
        .map((b) => fromBinary(EventSchema, b))
        .filter((e) => e.data!.typeUrl === "talos/runtime/machine.ServiceStateEvent")
        .map((e) => fromBinary(ServiceStateEventSchema, e.data!.value))
        .filter((s) => s.service === "kubelet")
        .map((s) => `${ServiceStateEvent_Action[s.action]}: ${s.message}`);
    await expect
      .poll(kubeletEvents, { timeout: 20_000 })
      .toEqual([
        expect.stringMatching(/^STOPPING: Sending SIGTERM to task kubelet \(PID \d+, container kubelet\)$/),
        "FINISHED: Service finished successfully",
        "STARTING: Starting service",
        "PREPARING: Running pre state",
        "PREPARING: Creating service runner",
        expect.stringMatching(/^RUNNING: Started task kubelet \(PID \d+\) for container kubelet$/),
        "RUNNING: Health check successful",
      ]);
    events.cancel();
    const logText = () =>
      Buffer.concat(logStream.messages.map((b) => fromBinary(DataSchema, b).bytes)).toString();
    await expect
      .poll(logText, { timeout: 20_000 })
      .toMatch(/Shutting down kubelet[\s\S]*"Kubelet version"[\s\S]*Starting kubelet main sync loop/);
    logStream.cancel();

    const kubelet = (await serviceList()).find((s) => s.id === "kubelet")!;
    expect(kubelet.state).toBe("Running");
    expect(kubelet.health).toMatchObject({ unknown: false, healthy: true });
    const tail = kubelet.events!.events.slice(-7).map((e) => `${e.state}: ${e.msg}`);
    expect(tail[0]).toMatch(/^Stopping: Sending SIGTERM/);
    expect(tail[6]).toBe("Running: Health check successful");
    expect(await serviceResource("kubelet")).toMatchObject({ running: true, healthy: true, unknown: false });
  });

  it("keeps ServiceList and the Services resources consistent for every service", async () => {
    const list = await serviceList();
    const ids = await serviceResourceIds();
    const running = list.filter((s) => s.state === "Running").map((s) => s.id);
    expect(ids.sort()).toEqual(running.sort());
    for (const s of list.filter((x) => x.state === "Running")) {
      const spec = await serviceResource(s.id);
      expect(spec.running).toBe(true);
      expect(spec.healthy).toBe(s.health!.healthy);
    }
  });
});
