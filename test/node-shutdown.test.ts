// Shutdown on a real talos-node: the reply carries an actor id, the shutdown sequence runs with it,
// the process prints that it powered off and exits 0, and the machine stays off until started again
// (then it boots from its STATE as before).
import { fromBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { ShutdownRequestSchema, ShutdownResponseSchema } from "../src/gen/machine/machine_pb.js";
import { startEmulated } from "./helpers/emulate.js";
import { body, configuredNode, FAST, waitForEvent } from "./helpers/lifecycle.js";
import { makeCluster, mtlsClient, startNode, type TestCluster, unaryCall } from "./helpers/node.js";

const SHUTDOWN = "/machine.MachineService/Shutdown";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await makeCluster("shutdown-cluster");
});

describe("shutdown", () => {
  it("runs the shutdown sequence with the caller's actor id, powers off, and exits 0", async () => {
    const n = await configuredNode(cluster);
    try {
      const from = n.events.length;
      const operator = mtlsClient(n.node.address, cluster.osCa.crt, cluster.operator);
      const raw = await unaryCall(operator, SHUTDOWN, body(ShutdownRequestSchema, { force: false }));
      operator.close();
      const actorId = fromBinary(ShutdownResponseSchema, raw).messages[0]!.actorId;
      expect(actorId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await n.node.exited).toBe(0);
      expect(n.node.output()).toContain("talos-node: powered off\n");
      expect(n.node.output()).toContain("powering off: shutdown requested");

      await waitForEvent(n.events, (e) => e.text === "restart 0x4321fedc", 10_000, from);
      const ours = n.events
        .slice(from)
        .filter((e) => e.actorId === actorId)
        .map((e) => e.text);
      expect(ours[0]).toBe("seq shutdown START");
      const phases = ours.filter((t) => t.startsWith("phase ") && t.endsWith(" START"));
      // A control plane with Kubernetes is cordoned and drained first.
      expect(phases.slice(0, 4)).toEqual([
        "phase storeShutdown START",
        "phase drain START",
        "phase cleanup START",
        "phase dbus START",
      ]);
      expect(phases).toContain("phase stopEverything START");
      expect(phases).not.toContain("phase kexec START");
      expect(phases.at(-1)).toBe("phase shutdown START");
      expect(ours).toContain("task stopAllServices STOP");
      expect(ours.at(-1)).toBe("restart 0x4321fedc");
      expect(n.events.slice(from).map((e) => e.text)).toContain("stage SHUTTING_DOWN ready=true");

      // Off until started again; then it boots configured from the same STATE.
      const again = await startNode({ stateDir: n.node.stateDir, args: FAST });
      try {
        expect(again.mode()).toBe("configured");
      } finally {
        await again.stop();
      }
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("skips the drain with force", async () => {
    const n = await configuredNode(cluster);
    try {
      const from = n.events.length;
      const raw = await unaryCall(n.admin, SHUTDOWN, body(ShutdownRequestSchema, { force: true }));
      const actorId = fromBinary(ShutdownResponseSchema, raw).messages[0]!.actorId;
      expect(await n.node.exited).toBe(0);
      await waitForEvent(n.events, (e) => e.text === "restart 0x4321fedc", 10_000, from);
      const ours = n.events
        .slice(from)
        .filter((e) => e.actorId === actorId)
        .map((e) => e.text);
      expect(ours).toContain("phase storeShutdown START");
      expect(ours).not.toContain("phase drain START");
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("is refused to readers and in container mode", async () => {
    const n = await configuredNode(cluster, ["--platform", "container"]);
    const reader = mtlsClient(n.node.address, cluster.osCa.crt, cluster.reader);
    try {
      await expect(unaryCall(reader, SHUTDOWN, body(ShutdownRequestSchema))).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
      });
      await expect(unaryCall(n.admin, SHUTDOWN, body(ShutdownRequestSchema))).rejects.toMatchObject({
        code: grpc.status.FAILED_PRECONDITION,
        details: "method is not supported in container mode",
      });
      expect(n.node.child.exitCode).toBeNull();
    } finally {
      reader.close();
      await n.stop();
    }
  }, 60_000);
});

describe("shutdown in an emulated node set", () => {
  it("powers off one node at a time; the process exits 0 once every node is off", async () => {
    const set = await startEmulated({ count: 2, seed: () => cluster.controlplane, args: FAST });
    const clients = set.addresses.map((a) => mtlsClient(`${a}:${set.port}`, cluster.osCa.crt, cluster.admin));
    try {
      await unaryCall(clients[0]!, SHUTDOWN, body(ShutdownRequestSchema, { force: true }));
      await expect
        .poll(() => set.output().split("talos-node: powered off").length - 1, { timeout: 20_000 })
        .toBe(1);
      // The other node still serves.
      await unaryCall(clients[1]!, "/machine.MachineService/Version", new Uint8Array());
      expect(set.child.exitCode).toBeNull();
      await unaryCall(clients[1]!, SHUTDOWN, body(ShutdownRequestSchema, { force: true }));
      expect(await set.exited).toBe(0);
      expect(set.output().split("talos-node: powered off").length - 1).toBe(2);
    } finally {
      for (const c of clients) c.close();
      await set.kill();
    }
  }, 60_000);
});
