// Falling back to the other boot slot: an upgrade whose image fails to boot is reverted
// automatically on that first boot, and the Rollback RPC boots the previous slot on request;
// without a previous slot it fails with Talos's words.
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { RebootRequestSchema } from "../src/gen/machine/machine_pb.js";
import {
  body,
  bootloaderState,
  configuredNode,
  lifecycleUpgrade,
  pullImage,
  reportedVersion,
  upgradeCatalog,
  waitForEvent,
} from "./helpers/lifecycle.js";
import { makeCluster, type TestCluster, unaryCall } from "./helpers/node.js";

const ROLLBACK = "/machine.MachineService/Rollback";

let cluster: TestCluster;
let catalog: string;

beforeAll(async () => {
  cluster = await makeCluster("rollback-cluster");
  catalog = upgradeCatalog();
});

describe("automatic rollback", () => {
  it("an image that fails to boot is reverted: the node says so and comes back on the old version", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      const ref = "registry.example/broken/installer:v1.15.0";
      await pullImage(n.admin, ref);
      expect((await lifecycleUpgrade(n.admin, ref).done).exitCode).toBe(0);
      expect(bootloaderState(n.node.stateDir).default).toBe("B");
      const from = n.events.length;
      await unaryCall(n.admin, "/machine.MachineService/Reboot", body(RebootRequestSchema));

      // The failed boot: its boot sequence ends FATAL (no actor id), and the revert is logged.
      const fatal = await waitForEvent(
        n.events,
        (e) => e.text.startsWith("seq boot NOOP FATAL"),
        30_000,
        from,
      );
      expect(fatal.actorId).toBe("");
      expect(fatal.text).toContain(
        "task 1/1: failed, boot slot B (registry.example/broken/installer:v1.15.0) failed to boot",
      );
      await expect
        .poll(() => n.node.output(), { timeout: 20_000 })
        .toContain('reverting failed upgrade, switching to "A"');
      // Then it reboots into slot A and runs the old version.
      await waitForEvent(
        n.events,
        (e) => e.text === "stage RUNNING ready=true",
        30_000,
        n.events.indexOf(fatal),
      );
      expect(await reportedVersion(n.admin)).toBe("v1.14.0");
      expect(bootloaderState(n.node.stateDir)).toMatchObject({ default: "A", fallback: "B" });
      expect(JSON.parse(fs.readFileSync(path.join(n.node.stateDir, "meta.json"), "utf8"))).toEqual({});
      const stages = n.events
        .slice(from)
        .filter((e) => e.type === "machine.MachineStatusEvent")
        .map((e) => e.text);
      expect(stages).toContain("stage REBOOTING ready=true");
    } finally {
      await n.stop();
    }
  }, 60_000);
});

describe("Rollback RPC", () => {
  it("boots the previous slot after a successful upgrade", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      await pullImage(n.admin, "ghcr.io/siderolabs/installer:v1.14.2");
      await lifecycleUpgrade(n.admin, "ghcr.io/siderolabs/installer:v1.14.2").done;
      let from = n.events.length;
      let back = n.node.waitForMode("configured", { fresh: true, timeoutMs: 30_000 });
      await unaryCall(n.admin, "/machine.MachineService/Reboot", body(RebootRequestSchema));
      await back;
      await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, from);
      expect(await reportedVersion(n.admin)).toBe("v1.14.2");

      from = n.events.length;
      back = n.node.waitForMode("configured", { fresh: true, timeoutMs: 30_000 });
      await unaryCall(n.admin, ROLLBACK, new Uint8Array());
      await back;
      await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, from);
      expect(await reportedVersion(n.admin)).toBe("v1.14.0");
      expect(bootloaderState(n.node.stateDir)).toMatchObject({ default: "A", fallback: "B" });
      // A graceful reboot without actor id, and the warning Talos logs for it.
      const reboot = n.events
        .slice(from)
        .filter((e) => e.text.startsWith("seq reboot") || e.type === "machine.RestartEvent");
      expect(reboot.map((e) => e.text)).toEqual(["seq reboot START", "restart 0x45584543"]);
      expect(reboot.every((e) => e.actorId === "")).toBe(true);
      expect(n.node.output()).toContain("warning: API reboot missing reboot request");
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("fails without a previous slot, and in container mode", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      await expect(unaryCall(n.admin, ROLLBACK, new Uint8Array())).rejects.toMatchObject({
        code: grpc.status.UNKNOWN,
        details: 'cannot rollback to "", label does not exist',
      });
    } finally {
      await n.stop();
    }
    const c = await configuredNode(cluster, ["--platform", "container"]);
    try {
      await expect(unaryCall(c.admin, ROLLBACK, new Uint8Array())).rejects.toMatchObject({
        code: grpc.status.FAILED_PRECONDITION,
        details: "method is not supported in container mode",
      });
    } finally {
      await c.stop();
    }
  }, 60_000);
});
