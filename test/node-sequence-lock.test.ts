// Talos's sequence lock on a real talos-node (the priority lock of siderolabs/talos:
// internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_controller.go): a lifecycle request that may
// not preempt the running sequence is acknowledged but never started, and only a LOCKED
// SequenceEvent without actor id says so; the running sequence carries on. Concurrent installer
// runs are refused outright. These nodes run on a slow clock so that the windows in which the
// second request arrives are wide (hundreds of milliseconds).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ApplyConfigurationRequestSchema,
  ApplyConfigurationRequest_Mode as ApplyMode,
  RebootRequestSchema,
  RebootResponseSchema,
  UpgradeRequestSchema,
  UpgradeResponseSchema,
} from "../src/gen/machine/machine_pb.js";
import {
  body,
  configuredNode,
  follow,
  lifecycleUpgrade,
  pullImage,
  reportedVersion,
  upgradeCatalog,
  waitForEvent,
} from "./helpers/lifecycle.js";
import {
  insecureClient,
  makeCluster,
  mtlsClient,
  startNode,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";

/** An upgrade sequence then takes about 600 ms, the installer's last three steps 225 ms. */
const SLOW = ["--time-scale", "2", "--downtime", "1s"];
/** The install sequence takes over a second of real time. */
const REAL_TIME = ["--time-scale", "1", "--downtime", "500ms"];
const LOCKED = "NOOP LOCKED sequence not started: locked";

let cluster: TestCluster;
let catalog: string;

beforeAll(async () => {
  cluster = await makeCluster("lock-cluster");
  catalog = upgradeCatalog();
});

async function reboot(client: grpc.Client): Promise<string> {
  const raw = await unaryCall(client, "/machine.MachineService/Reboot", body(RebootRequestSchema));
  return fromBinary(RebootResponseSchema, raw).messages[0]!.actorId;
}

describe("sequence lock", () => {
  it("a second upgrade and a reboot during an upgrade are acknowledged but locked out", async () => {
    const n = await configuredNode(cluster, [...SLOW, "--image-catalog", catalog]);
    try {
      const from = n.events.length;
      const upgrade = (image: string) =>
        unaryCall(n.admin, "/machine.MachineService/Upgrade", body(UpgradeRequestSchema, { image })).then(
          (raw) => fromBinary(UpgradeResponseSchema, raw).messages[0]!,
        );
      const first = await upgrade("ghcr.io/siderolabs/installer:v1.14.1");
      await waitForEvent(
        n.events,
        (e) => e.text === "seq upgrade START" && e.actorId === first.actorId,
        10_000,
        from,
      );

      const second = await upgrade("ghcr.io/siderolabs/installer:v1.14.2");
      expect(second.ack).toBe("Upgrade request received");
      const lockedUpgrade = await waitForEvent(
        n.events,
        (e) => e.text === `seq upgrade ${LOCKED}`,
        10_000,
        from,
      );
      expect(lockedUpgrade.actorId).toBe("");
      const rebootActor = await reboot(n.admin);
      const lockedReboot = await waitForEvent(
        n.events,
        (e) => e.text === `seq reboot ${LOCKED}`,
        10_000,
        from,
      );
      expect(lockedReboot.actorId).toBe("");

      // The first upgrade finishes; the node comes back on its version, not the second's.
      await waitForEvent(
        n.events,
        (e) => e.type === "machine.RestartEvent" && e.actorId === first.actorId,
        20_000,
        from,
      );
      await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, from);
      expect(await reportedVersion(n.admin)).toBe("v1.14.1");
      expect(n.events.some((e) => e.actorId === second.actorId || e.actorId === rebootActor)).toBe(false);
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("a second installer run during one is refused with FailedPrecondition", async () => {
    const n = await configuredNode(cluster, [...SLOW, "--image-catalog", catalog]);
    try {
      await pullImage(n.admin, "ghcr.io/siderolabs/installer:v1.14.1");
      const first = lifecycleUpgrade(n.admin, "ghcr.io/siderolabs/installer:v1.14.1");
      await first.stream.waitFor(1);
      await expect(
        lifecycleUpgrade(n.admin, "ghcr.io/siderolabs/installer:v1.14.1").done,
      ).rejects.toMatchObject({
        code: grpc.status.FAILED_PRECONDITION,
        details: "another installation/upgrade is already in progress",
      });
      expect((await first.done).exitCode).toBe(0);
      // Once it finished, the next one may run.
      expect((await lifecycleUpgrade(n.admin, "ghcr.io/siderolabs/installer:v1.14.1").done).exitCode).toBe(0);
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("a reboot while an applied config is being installed is locked out; the install goes on", async () => {
    const node = await startNode({ args: REAL_TIME });
    try {
      const docs = cluster.controlplane
        .split(/^---\n/m)
        .filter((d) => !d.includes("kind: UnattendedInstallConfig"));
      docs[0] = docs[0]!.replace("\nmachine:\n", "\nmachine:\n    install:\n        disk: /dev/sda\n");
      const config = docs.join("---\n");
      const configured = node.waitForMode("configured", { fresh: true, timeoutMs: 20_000 });
      await unaryCall(
        insecureClient(node.address),
        "/machine.MachineService/ApplyConfiguration",
        toBinary(
          ApplyConfigurationRequestSchema,
          create(ApplyConfigurationRequestSchema, { data: Buffer.from(config), mode: ApplyMode.AUTO }),
        ),
      );
      await configured;
      const events = follow(node, cluster);
      const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
      try {
        await waitForEvent(events.events, (e) => e.text === "seq install START", 10_000);
        const actorId = await reboot(admin);
        const locked = await waitForEvent(events.events, (e) => e.text === `seq reboot ${LOCKED}`, 10_000);
        expect(locked.actorId).toBe("");
        await expect.poll(() => node.output(), { timeout: 20_000 }).toContain("rebooting: install finished");
        expect(events.events.some((e) => e.actorId === actorId)).toBe(false);
        expect(node.output()).toContain("reboot sequence not started: locked by install");
      } finally {
        events.stop();
        admin.close();
      }
    } finally {
      await node.stop();
    }
  }, 60_000);
});
