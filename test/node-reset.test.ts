// Reset on a real talos-node: validation errors as Talos words them (nothing starts), a partial
// wipe of STATE that comes back in maintenance mode with META kept, and a whole-disk wipe without
// reboot that powers the machine off uninstalled.
import fs from "node:fs";
import path from "node:path";
import { create, fromBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ResetPartitionSpecSchema,
  ResetRequest_WipeMode,
  ResetRequestSchema,
  ResetResponseSchema,
} from "../src/gen/machine/machine_pb.js";
import { body, configuredNode, type LifecycleNode, waitForEvent } from "./helpers/lifecycle.js";
import { makeCluster, mtlsClient, stateConfig, type TestCluster, unaryCall } from "./helpers/node.js";

const RESET = "/machine.MachineService/Reset";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await makeCluster("reset-cluster");
});

type ResetInit = Parameters<typeof body<typeof ResetRequestSchema>>[1];

function reset(client: grpc.Client, init: ResetInit): Promise<string> {
  return unaryCall(client, RESET, body(ResetRequestSchema, init)).then(
    (raw) => fromBinary(ResetResponseSchema, raw).messages[0]?.actorId ?? "",
  );
}

const label = (l: string, wipe = true) => create(ResetPartitionSpecSchema, { label: l, wipe });

describe("reset input", () => {
  let n: LifecycleNode;

  beforeAll(async () => {
    n = await configuredNode(cluster, ["--disk", "/dev/sda:10GiB", "--disk", "/dev/sdb:20GiB"]);
  }, 60_000);

  afterAll(async () => {
    await n?.stop();
  });

  const cases: [string, ResetInit, string][] = [
    [
      "an unknown system partition label",
      { systemPartitionsToWipe: [label("STATE"), label("BOGUS")] },
      'failed to get volume status with label "BOGUS": resource VolumeStatuses.block.talos.dev(runtime/BOGUS@undefined) doesn\'t exist',
    ],
    [
      "user disks with wipe mode SYSTEM_DISK",
      { mode: ResetRequest_WipeMode.SYSTEM_DISK, userDisksToWipe: ["/dev/sdb"] },
      "reset failed: invalid input, wipe mode SYSTEM_DISK doesn't support UserDisksToWipe parameter",
    ],
    [
      "system partitions with wipe mode USER_DISKS",
      { mode: ResetRequest_WipeMode.USER_DISKS, systemPartitionsToWipe: [label("EPHEMERAL")] },
      "reset failed: invalid input, wipe mode USER_DISKS doesn't support SystemPartitionsToWipe parameter",
    ],
    [
      "a user disk the machine does not have",
      { mode: ResetRequest_WipeMode.USER_DISKS, userDisksToWipe: ["/dev/sdz"] },
      "reset user disk failed: device /dev/sdz wasn't found",
    ],
    [
      "the system disk as a user disk",
      { userDisksToWipe: ["/dev/sda"] },
      "reset user disk failed: device /dev/sda is the system disk",
    ],
  ];

  for (const [what, init, message] of cases) {
    it(`refuses ${what} and starts nothing`, async () => {
      const from = n.events.length;
      await expect(reset(n.admin, init)).rejects.toMatchObject({
        code: grpc.status.UNKNOWN,
        details: message,
      });
      expect(n.events.slice(from).some((e) => e.text.startsWith("seq reset"))).toBe(false);
      expect(stateConfig(n.node.stateDir)).toBeDefined();
    });
  }

  it("refuses an unknown wipe mode, and operators", async () => {
    await expect(reset(n.admin, { mode: 9 as ResetRequest_WipeMode })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "unknown wipe mode: 9",
    });
    const operator = mtlsClient(n.node.address, cluster.osCa.crt, cluster.operator);
    try {
      await expect(reset(operator, { reboot: true })).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
      });
    } finally {
      operator.close();
    }
  });
});

describe("reset", () => {
  it("wipes STATE and reboots into maintenance mode, keeping META", async () => {
    const n = await configuredNode(cluster);
    try {
      const meta = path.join(n.node.stateDir, "meta.json");
      fs.writeFileSync(meta, '{"operator-note":"kept"}\n');
      const from = n.events.length;
      const back = n.node.waitForMode("maintenance", { fresh: true, timeoutMs: 30_000 });
      const actorId = await reset(n.admin, {
        graceful: true,
        reboot: true,
        systemPartitionsToWipe: [label("STATE")],
      });
      await back;
      expect(stateConfig(n.node.stateDir)).toBeUndefined();
      expect(fs.readFileSync(meta, "utf8")).toBe('{"operator-note":"kept"}\n');
      // The follower's mTLS client cannot reach the maintenance API; the reset's events came before.
      await waitForEvent(
        n.events,
        (e) => e.type === "machine.RestartEvent" && e.actorId === actorId,
        10_000,
        from,
      );
      const ours = n.events
        .slice(from)
        .filter((e) => e.actorId === actorId)
        .map((e) => e.text);
      const phases = ours
        .filter((t) => t.startsWith("phase ") && t.endsWith(" START"))
        .map((t) => t.split(" ")[1]);
      expect(phases).toEqual([
        "drain",
        "cleanup",
        "dbus",
        "leave",
        "preReset",
        "denyNewServices",
        "stopServices",
        "umount",
        "unmountBind",
        "unmountPromotable",
        "unmountSystem",
        "volumeFinalize",
        "stopEverything",
        "kexec",
        "forceCleanup",
        "resetSpec",
        "reboot",
      ]);
      expect(ours).toContain("task removeAllPods START");
      expect(ours).toContain("task resetSystemDiskSpec STOP");
      expect(n.events.slice(from).map((e) => e.text)).toContain("stage RESETTING ready=true");
      expect(n.node.output()).toContain("wiped volume STATE");
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("without reboot wipes the whole system disk and powers off; the next start is a fresh, uninstalled machine", async () => {
    const n = await configuredNode(cluster);
    try {
      fs.writeFileSync(path.join(n.node.stateDir, "meta.json"), '{"operator-note":"wiped"}\n');
      const from = n.events.length;
      const actorId = await reset(n.admin, { graceful: false, reboot: false });
      expect(await n.node.exited).toBe(0);
      expect(n.node.output()).toContain("talos-node: powered off\n");
      await waitForEvent(n.events, (e) => e.text === "restart 0x4321fedc", 10_000, from);
      const ours = n.events
        .slice(from)
        .filter((e) => e.actorId === actorId)
        .map((e) => e.text);
      expect(ours).toContain("task stopAllPods START");
      expect(ours).not.toContain("phase drain START");
      expect(ours).not.toContain("phase leave START");
      expect(ours).toContain("task resetSystemDisk STOP");
      expect(stateConfig(n.node.stateDir)).toBeUndefined();
      expect(fs.existsSync(path.join(n.node.stateDir, "meta.json"))).toBe(false);
      const identity = JSON.parse(fs.readFileSync(path.join(n.node.stateDir, "node.json"), "utf8")) as {
        installed: boolean;
      };
      expect(identity.installed).toBe(false);
    } finally {
      await n.stop();
    }
  }, 60_000);
});
