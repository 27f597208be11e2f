// Reboot on a real talos-node: the reply carries an actor id that the sequence's events carry too,
// the API refuses connections while the node is down, and the next boot has a new boot id while the
// event ring (and its ids) continues.
import net from "node:net";
import { fromBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RebootRequestSchema, RebootResponseSchema } from "../src/gen/machine/machine_pb.js";
import { body, bootId, configuredNode, FAST, type LifecycleNode, waitForEvent } from "./helpers/lifecycle.js";
import {
  insecureClient,
  makeCluster,
  mtlsClient,
  startNode,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";
import { waitFor } from "./helpers/wait.js";

const REBOOT = "/machine.MachineService/Reboot";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await makeCluster("reboot-cluster");
});

function reboot(client: grpc.Client, mode = 0): Promise<string> {
  return unaryCall(client, REBOOT, body(RebootRequestSchema, { mode })).then(
    (raw) => fromBinary(RebootResponseSchema, raw).messages[0]?.actorId ?? "",
  );
}

/** Whether a TCP connection to the address is refused right now. */
function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("reboot", () => {
  let n: LifecycleNode;

  beforeAll(async () => {
    n = await configuredNode(cluster);
  }, 60_000);

  afterAll(async () => {
    await n?.stop();
  });

  it("runs the reboot sequence with the caller's actor id, goes down, and boots again with a new boot id", async () => {
    const before = await bootId(n.admin);
    const from = n.events.length;
    const lastIdBefore = n.events.at(-1)!.id;
    const back = n.node.waitForMode("configured", { fresh: true, timeoutMs: 30_000 });
    const actorId = await reboot(n.admin);
    expect(actorId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    await waitForEvent(n.events, (e) => e.text === "restart 0x45584543", 20_000, from);
    // Down: the listener is closed, connections are refused.
    await expect.poll(() => refused(n.node.host, n.node.port), { timeout: 10_000, interval: 20 }).toBe(true);
    await back;
    await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, from);

    const ours = n.events
      .slice(from)
      .filter((e) => e.actorId === actorId)
      .map((e) => e.text);
    expect(ours.slice(0, 5)).toEqual([
      "seq reboot START",
      "phase cleanup START",
      "task stopAllPods START",
      "task stopAllPods STOP",
      "phase cleanup STOP",
    ]);
    for (const name of [
      "denyNewServices",
      "stopServices",
      "umount",
      "unmountSystem",
      "stopEverything",
      "kexec",
    ]) {
      expect(ours).toContain(`phase ${name} START`);
    }
    expect(ours).toContain("task stopAllServices STOP");
    expect(ours.at(-1)).toBe("restart 0x45584543");
    // Stage changes come from the controller, without actor id.
    const stages = n.events.slice(from).filter((e) => e.type === "machine.MachineStatusEvent");
    expect(stages.every((e) => e.actorId === "")).toBe(true);
    expect(stages.map((e) => e.text)).toContain("stage REBOOTING ready=true");
    const afterReboot = n.events.slice(n.events.findIndex((e) => e.text === "restart 0x45584543"));
    expect(afterReboot.map((e) => e.text)).toContain("seq initialize START");
    expect(afterReboot.map((e) => e.text)).toContain("stage BOOTING ready=false");

    // The ring continued: ids keep increasing across the reboot, nothing repeated.
    const ids = n.events.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(n.events.slice(from)[0]!.id > lastIdBefore).toBe(true);

    const after = await bootId(n.admin);
    expect(after).toMatch(/^[0-9a-f-]{36}$/);
    expect(after).not.toBe(before);
    expect(n.node.output()).toMatch(/rebooting: reboot requested/);
  });

  it("powercycle skips kexec and restarts through the firmware; force runs only the reboot phase", async () => {
    let from = n.events.length;
    let back = n.node.waitForMode("configured", { fresh: true, timeoutMs: 30_000 });
    const powercycle = await reboot(n.admin, 1);
    await waitForEvent(
      n.events,
      (e) => e.type === "machine.RestartEvent" && e.actorId === powercycle,
      20_000,
      from,
    );
    expect(n.events.find((e) => e.type === "machine.RestartEvent" && e.actorId === powercycle)!.text).toBe(
      "restart 0x1234567",
    );
    await back;
    await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, from);
    expect(n.node.output()).toContain("kexec skipped as reboot with power cycle was requested");

    from = n.events.length;
    back = n.node.waitForMode("configured", { fresh: true, timeoutMs: 30_000 });
    const force = await eventuallyReboot(n, 2);
    await waitForEvent(
      n.events,
      (e) => e.type === "machine.RestartEvent" && e.actorId === force,
      20_000,
      from,
    );
    const phases = n.events
      .slice(from)
      .filter((e) => e.actorId === force && e.type === "machine.PhaseEvent")
      .map((e) => e.text);
    expect(phases).toEqual(["phase reboot START"]);
    await back;
  });

  it("refuses an unknown reboot mode with InvalidArgument and starts nothing", async () => {
    await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, n.events.length - 50);
    const client = mtlsClient(n.node.address, cluster.osCa.crt, cluster.operator);
    try {
      const from = n.events.length;
      await expect(reboot(client, 7)).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details: "unknown reboot mode: 7",
      });
      // A later valid call by an operator works, and nothing started in between.
      expect(n.events.slice(from).some((e) => e.text.startsWith("seq reboot"))).toBe(false);
    } finally {
      client.close();
    }
  });

  it("is refused to readers", async () => {
    const client = mtlsClient(n.node.address, cluster.osCa.crt, cluster.reader);
    try {
      await expect(reboot(client)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    } finally {
      client.close();
    }
  });
});

/** Reboot, retrying while the node is still coming up. */
async function eventuallyReboot(n: LifecycleNode, mode: number): Promise<string> {
  return waitFor(() => reboot(n.admin, mode), {
    what: `a reboot (mode ${mode}) the node accepts`,
    intervalMs: 100,
  });
}

describe("lifecycle calls in maintenance mode", () => {
  it("are refused to the maintenance API's readers", async () => {
    const node = await startNode({ args: FAST });
    const client = insecureClient(node.address);
    try {
      for (const path of [
        REBOOT,
        "/machine.MachineService/Shutdown",
        "/machine.MachineService/Reset",
        "/machine.MachineService/Upgrade",
        "/machine.MachineService/Rollback",
      ]) {
        await expect(unaryCall(client, path, new Uint8Array()), path).rejects.toMatchObject({
          code: grpc.status.PERMISSION_DENIED,
          details: "not authorized",
        });
      }
      expect(node.child.exitCode).toBeNull();
    } finally {
      client.close();
      await node.stop();
    }
  }, 60_000);
});

describe("reboot in container mode", () => {
  it("is not supported", async () => {
    const n = await configuredNode(cluster, ["--platform", "container"]);
    try {
      await expect(reboot(n.admin)).rejects.toMatchObject({
        code: grpc.status.FAILED_PRECONDITION,
        details: "method is not supported in container mode",
      });
    } finally {
      await n.stop();
    }
  }, 60_000);
});
