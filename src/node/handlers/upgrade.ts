// Upgrades and rollback (siderolabs/talos: internal/app/lifecycle/lifecycle.go and
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): the streaming
// LifecycleService.Upgrade runs the installer from an image already pulled into containerd (no
// reboot), the legacy MachineService.Upgrade validates the image and starts the upgrade (or staged,
// or maintenance) sequence, and Rollback switches the bootloader back to the other slot and
// reboots.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { LifecycleService, LifecycleServiceUpgradeResponseSchema } from "../../gen/machine/lifecycle_pb.js";
import {
  MachineService,
  RollbackResponseSchema,
  RollbackSchema,
  UpgradeRequest_RebootMode,
  UpgradeResponseSchema,
  UpgradeSchema,
} from "../../gen/machine/machine_pb.js";
import { StatusError } from "../errors.js";
import {
  type CatalogImage,
  ImageNotFoundError,
  InvalidImageRefError,
  normalizeRef,
  resolveImage,
} from "../images/index.js";
import {
  InstallerError,
  type Machine,
  maintenanceUpgradeSequence,
  rebootSequence,
  runInstaller,
  stageUpgradeSequence,
  type UpgradePlan,
  upgradeSequence,
} from "../machine/index.js";
import {
  failedPrecondition,
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  serverStream,
  unary,
} from "./define.js";
import { containerdNamespace, instanceStore } from "./images.js";
import { requireNotContainer, startSequence } from "./lifecycle.js";

export const UPGRADE_ACK = "Upgrade request received";
export const INSTALL_BUSY = "another installation/upgrade is already in progress";

function internal(message: string): StatusError {
  return new StatusError(grpc.status.INTERNAL, message);
}

/** The system disk, when the machine is installed on one. */
function systemDisk(m: Machine): string | undefined {
  return m.installed ? m.disks[0]?.devPath : undefined;
}

/** Runs the installer for `image` with the node's bootloader and META, holding the install lock. */
async function install(
  rt: NodeRuntime,
  image: CatalogImage,
  signal: AbortSignal,
  output: (line: string) => void | Promise<void>,
): Promise<void> {
  const m = rt.machine;
  await runInstaller(
    { bootloader: rt.bootloader, meta: rt.meta, clock: m.clock, currentVersion: m.talosVersion, signal },
    image,
    output,
  );
}

export function upgradeHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    serverStream(LifecycleService.method.upgrade, async (req, caller, send) => {
      const m = rt.machine;
      requireNotContainer(m);
      if (rt.installInProgress) throw failedPrecondition(INSTALL_BUSY);
      if (!m.installed) throw failedPrecondition("machine is not installed");
      const ref = req.source?.imageName ?? "";
      if (ref === "") throw invalidArgument("installer image name is required");
      if (!systemDisk(m)) throw internal("system disk not found");
      // The store the pull put the installer in: the instance's driver and namespace together.
      const namespace =
        req.containerd === undefined ? containerdNamespace(undefined) : instanceStore(req.containerd);
      const normalized = normalizeRef(ref);
      if (!normalized) throw invalidArgument(new InvalidImageRefError(ref).message);
      if (!rt.images.has(namespace, normalized)) {
        throw internal(
          `upgrade failed: installer image ${JSON.stringify(ref)} not found in containerd store: image ${JSON.stringify(normalized)}: not found`,
        );
      }
      const image = rt.catalog.find(normalized);
      if (!image) throw internal(`upgrade failed: installer image ${JSON.stringify(ref)} cannot be run`);
      rt.installInProgress = true;
      try {
        const message = (line: string) =>
          send(
            create(LifecycleServiceUpgradeResponseSchema, {
              progress: { response: { case: "message", value: line } },
            }),
          );
        let exitCode = 0;
        try {
          await install(rt, image, caller.signal, (line) => {
            m.log(`installer: ${line}`);
            return message(line);
          });
        } catch (err) {
          // A failing installer is not an RPC error: the stream ends with its exit code.
          if (!(err instanceof InstallerError)) throw err;
          m.log(err.message);
          exitCode = err.exitCode;
        }
        await send(
          create(LifecycleServiceUpgradeResponseSchema, {
            progress: { response: { case: "exitCode", value: exitCode } },
          }),
        );
      } finally {
        rt.installInProgress = false;
      }
    }),

    unary(MachineService.method.upgrade, async (req) => {
      const m = rt.machine;
      requireNotContainer(m);
      if (!m.installed) throw failedPrecondition("Talos is not installed");
      let image: CatalogImage;
      try {
        image = resolveImage(rt.catalog, req.image);
      } catch (err) {
        const text = `error validating installer image ${JSON.stringify(req.image)}: ${(err as Error).message}`;
        if (err instanceof InvalidImageRefError) throw invalidArgument(text);
        if (err instanceof ImageNotFoundError) throw new Error(text);
        throw err;
      }
      if (UpgradeRequest_RebootMode[req.rebootMode] === undefined) {
        throw invalidArgument(`unknown reboot mode: ${req.rebootMode}`);
      }
      const powercycle = req.rebootMode === UpgradeRequest_RebootMode.POWERCYCLE;
      const actorId = randomUUID();
      const plan: UpgradePlan = {
        powercycle,
        skipDrain: req.force || req.preserve,
        install: async (signal) => {
          if (rt.installInProgress) throw new Error(INSTALL_BUSY);
          rt.installInProgress = true;
          try {
            await install(rt, image, signal, (line) => m.log(`installer: ${line}`));
          } finally {
            rt.installInProgress = false;
          }
        },
      };
      if (m.inMaintenance) {
        startSequence(m, maintenanceUpgradeSequence(m, plan), { actorId });
      } else if (req.stage) {
        rt.meta.update({ stagedUpgrade: { image: image.ref, preserve: req.preserve, powercycle } });
        startSequence(m, stageUpgradeSequence(m, powercycle), { actorId });
      } else {
        startSequence(m, upgradeSequence(m, plan), { actorId });
      }
      return create(UpgradeResponseSchema, {
        messages: [create(UpgradeSchema, { ack: UPGRADE_ACK, actorId })],
      });
    }),

    unary(MachineService.method.rollback, async () => {
      const m = rt.machine;
      requireNotContainer(m);
      if (!systemDisk(m)) throw failedPrecondition("system disk not found");
      const loader = rt.bootloader.read();
      const fallback = loader?.fallback;
      if (!loader || !fallback || !loader.slots[fallback]) {
        throw new Error(`cannot rollback to ${JSON.stringify(fallback ?? "")}, label does not exist`);
      }
      rt.bootloader.switchTo(fallback);
      m.log(`rolling back to boot slot ${JSON.stringify(fallback)} (${loader.slots[fallback]!.version})`);
      m.log("warning: API reboot missing reboot request");
      startSequence(m, rebootSequence(m, "default", "rollback requested"), { takeover: true });
      return create(RollbackResponseSchema, { messages: [create(RollbackSchema, {})] });
    }),
  ];
}
