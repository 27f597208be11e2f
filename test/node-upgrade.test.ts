// A/B upgrades on a real talos-node: the new flow (ImageService.Pull, streaming
// LifecycleService.Upgrade, then Reboot) and the legacy MachineService.Upgrade (immediate and
// staged) install into the inactive boot slot, switch, and the node comes back reporting the new
// version; bad input fails with Talos's codes and texts before anything changes.
import fs from "node:fs";
import path from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  RebootRequestSchema,
  UpgradeRequest_RebootMode,
  UpgradeRequestSchema,
  UpgradeResponseSchema,
} from "../src/gen/machine/machine_pb.js";
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
import { makeCluster, mtlsClient, type TestCluster, unaryCall } from "./helpers/node.js";

const UPGRADE = "/machine.MachineService/Upgrade";

let cluster: TestCluster;
let catalog: string;

beforeAll(async () => {
  cluster = await makeCluster("upgrade-cluster");
  catalog = upgradeCatalog();
});

type UpgradeInit = Parameters<typeof body<typeof UpgradeRequestSchema>>[1];

function legacyUpgrade(client: grpc.Client, init: UpgradeInit) {
  return unaryCall(client, UPGRADE, body(UpgradeRequestSchema, init)).then(
    (raw) => fromBinary(UpgradeResponseSchema, raw).messages[0]!,
  );
}

describe("upgrade through LifecycleService", () => {
  it("installs a pulled image into slot B without rebooting; the reboot brings up the new version", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      expect(await reportedVersion(n.admin)).toBe("v1.14.0");
      expect(await pullImage(n.admin, "ghcr.io/siderolabs/installer:v1.14.1")).toBe(
        "ghcr.io/siderolabs/installer:v1.14.1",
      );
      const { lines, exitCode } = await lifecycleUpgrade(n.admin, "ghcr.io/siderolabs/installer:v1.14.1")
        .done;
      expect(exitCode).toBe(0);
      expect(lines[0]).toBe("running installer ghcr.io/siderolabs/installer:v1.14.1 (Talos v1.14.1)");
      expect(lines).toContain('set default boot entry to "B", fallback "A"');
      // No reboot yet: the running version is still the old one.
      expect(await reportedVersion(n.admin)).toBe("v1.14.0");
      expect(bootloaderState(n.node.stateDir)).toMatchObject({
        default: "B",
        fallback: "A",
        slots: { A: { version: "v1.14.0" }, B: { version: "v1.14.1" } },
      });
      expect(JSON.parse(fs.readFileSync(path.join(n.node.stateDir, "meta.json"), "utf8"))).toEqual({
        upgrade: "A",
      });

      const from = n.events.length;
      const back = n.node.waitForMode("configured", { fresh: true, timeoutMs: 30_000 });
      await unaryCall(n.admin, "/machine.MachineService/Reboot", body(RebootRequestSchema));
      await back;
      await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, from);
      expect(await reportedVersion(n.admin)).toBe("v1.14.1");
      // Booted fine: META no longer asks for a fallback.
      await expect.poll(() => n.node.output(), { timeout: 10_000 }).toContain("removing fallback entry");
      expect(JSON.parse(fs.readFileSync(path.join(n.node.stateDir, "meta.json"), "utf8"))).toEqual({});
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("refuses bad requests with Talos's codes", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      await expect(
        lifecycleUpgrade(n.admin, "ghcr.io/siderolabs/installer:v1.14.2").done,
      ).rejects.toMatchObject({
        code: grpc.status.INTERNAL,
        details:
          'upgrade failed: installer image "ghcr.io/siderolabs/installer:v1.14.2" not found in containerd store: image "ghcr.io/siderolabs/installer:v1.14.2": not found',
      });
      await expect(lifecycleUpgrade(n.admin, "").done).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details: "installer image name is required",
      });
      await expect(
        lifecycleUpgrade(n.admin, "ghcr.io/siderolabs/installer:v1.14.1 ").done,
      ).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details:
          'failed to parse image reference "ghcr.io/siderolabs/installer:v1.14.1 ": invalid reference format',
      });
      const operator = mtlsClient(n.node.address, cluster.osCa.crt, cluster.operator);
      try {
        await expect(
          lifecycleUpgrade(operator, "ghcr.io/siderolabs/installer:v1.14.1").done,
        ).rejects.toMatchObject({
          code: grpc.status.PERMISSION_DENIED,
        });
      } finally {
        operator.close();
      }
      expect(fs.existsSync(path.join(n.node.stateDir, "meta.json"))).toBe(false);
      expect(await reportedVersion(n.admin)).toBe("v1.14.0");
    } finally {
      await n.stop();
    }
  }, 60_000);
});

describe("a failing installer", () => {
  it("ends the LifecycleService stream with exit code 7 and changes nothing", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      const ref = "registry.example/broken/installer:v1.14.9";
      await pullImage(n.admin, ref);
      const { lines, exitCode } = await lifecycleUpgrade(n.admin, ref).done;
      expect(exitCode).toBe(7);
      expect(lines.at(-1)).toBe(
        "error: writing kernel and initramfs to /boot/B: image registry.example/broken/installer:v1.14.9 is marked failInstall",
      );
      expect(bootloaderState(n.node.stateDir)).toEqual({
        default: "A",
        slots: { A: { ref: "ghcr.io/siderolabs/installer:v1.14.0", version: "v1.14.0" } },
      });
      expect(fs.existsSync(path.join(n.node.stateDir, "meta.json"))).toBe(false);
      // The lock is free again.
      expect((await lifecycleUpgrade(n.admin, ref).done).exitCode).toBe(7);
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("fails a legacy upgrade sequence, and the node reboots 10 s (machine time) later on its old version", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      const from = n.events.length;
      const reply = await legacyUpgrade(n.admin, { image: "registry.example/broken/installer:v1.14.9" });
      const fatal = await waitForEvent(
        n.events,
        (e) => e.text.startsWith("seq upgrade NOOP FATAL"),
        20_000,
        from,
      );
      expect(fatal.actorId).toBe(reply.actorId);
      expect(fatal.text).toMatch(
        /^seq upgrade NOOP FATAL sequence failed: error running phase \d+ in upgrade sequence: task 1\/1: failed, installer exited with code 7: /,
      );
      await expect
        .poll(() => n.node.output(), { timeout: 20_000 })
        .toContain("rebooting: upgrade sequence failed");
      await waitForEvent(
        n.events,
        (e) => e.text === "stage RUNNING ready=true",
        30_000,
        n.events.indexOf(fatal),
      );
      expect(await reportedVersion(n.admin)).toBe("v1.14.0");
      expect(bootloaderState(n.node.stateDir).default).toBe("A");
    } finally {
      await n.stop();
    }
  }, 60_000);
});

describe("legacy MachineService.Upgrade", () => {
  it("acknowledges with an actor id, runs the upgrade sequence with it, and comes back upgraded", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      const from = n.events.length;
      const back = n.node.waitForMode("configured", { fresh: true, timeoutMs: 30_000 });
      const reply = await legacyUpgrade(n.admin, { image: "ghcr.io/siderolabs/installer:v1.14.2" });
      expect(reply.ack).toBe("Upgrade request received");
      expect(reply.actorId).toMatch(/^[0-9a-f-]{36}$/);
      await back;
      await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, from);
      const ours = n.events
        .slice(from)
        .filter((e) => e.actorId === reply.actorId)
        .map((e) => e.text);
      const phases = ours
        .filter((t) => t.startsWith("phase ") && t.endsWith(" START"))
        .map((t) => t.split(" ")[1]);
      expect(phases).toEqual([
        "denyNewServices",
        "drain",
        "cleanup",
        "dbus",
        "stopServices",
        "unmount",
        "unmountBind",
        "unmountPromotable",
        "unmountSystem",
        "volumeFinalize",
        "upgrade",
        "meta",
        "kexec",
        "stopEverything",
        "reboot",
      ]);
      expect(ours[0]).toBe("seq upgrade START");
      expect(ours.at(-1)).toBe("restart 0x45584543");
      const stages = n.events
        .slice(from)
        .filter((e) => e.type === "machine.MachineStatusEvent")
        .map((e) => e.text);
      expect(stages.indexOf("stage UPGRADING ready=true")).toBeLessThan(
        stages.indexOf("stage REBOOTING ready=true"),
      );
      expect(await reportedVersion(n.admin)).toBe("v1.14.2");
      expect(n.node.output()).toContain("installer: upgrade successful");
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("stage=true reboots first and installs in the next boot's install sequence", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      const from = n.events.length;
      const reply = await legacyUpgrade(n.admin, {
        image: "ghcr.io/siderolabs/installer:v1.14.1",
        stage: true,
        rebootMode: UpgradeRequest_RebootMode.POWERCYCLE,
      });
      await waitForEvent(n.events, (e) => e.text === "seq install START", 30_000, from);
      await waitForEvent(n.events, (e) => e.text === "stage RUNNING ready=true", 30_000, from);
      const ours = n.events
        .slice(from)
        .filter((e) => e.actorId === reply.actorId)
        .map((e) => e.text);
      expect(ours[0]).toBe("seq stageUpgrade START");
      expect(ours).not.toContain("phase kexec START");
      expect(ours.at(-1)).toBe("restart 0x1234567");
      expect(n.events.slice(from).map((e) => e.text)).toContain("stage INSTALLING ready=true");
      expect(await reportedVersion(n.admin)).toBe("v1.14.1");
      expect(bootloaderState(n.node.stateDir).default).toBe("B");
    } finally {
      await n.stop();
    }
  }, 60_000);

  it("refuses invalid and unknown images before anything starts", async () => {
    const n = await configuredNode(cluster, ["--image-catalog", catalog]);
    try {
      const from = n.events.length;
      await expect(legacyUpgrade(n.admin, { image: "ghcr.io/siderolabs/Installer" })).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details:
          'error validating installer image "ghcr.io/siderolabs/Installer": failed to parse image reference "ghcr.io/siderolabs/Installer": invalid reference format',
      });
      await expect(
        legacyUpgrade(n.admin, { image: "ghcr.io/siderolabs/installer:v1.99.0" }),
      ).rejects.toMatchObject({
        code: grpc.status.UNKNOWN,
        details:
          'error validating installer image "ghcr.io/siderolabs/installer:v1.99.0": failed to resolve reference "ghcr.io/siderolabs/installer:v1.99.0": ghcr.io/siderolabs/installer:v1.99.0: not found',
      });
      expect(n.events.slice(from).some((e) => e.text.startsWith("seq upgrade"))).toBe(false);
    } finally {
      await n.stop();
    }
  }, 60_000);
});
