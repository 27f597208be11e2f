// MachineService.ApplyConfiguration with Talos v1.14+ semantics (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): one apply at a time, readers
// only in maintenance, strict loading, runtime validation for the platform mode, AUTO → NO_REBOOT,
// STAGED, TRY with rollback, and dry runs with a config diff.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { PROMOTABLE_VOLUMES, systemVolumeBacking, type ValidationMode } from "../../config/validate/index.js";
import {
  type ApplyConfigurationRequest,
  type ApplyConfigurationResponse,
  ApplyConfigurationResponseSchema,
  ApplyConfigurationSchema,
  MachineService,
  ApplyConfigurationRequest_Mode as Mode,
} from "../../gen/machine/machine_pb.js";
import { durationMs, formatGoDurationMs } from "../../wire/index.js";
import { Role } from "../api/index.js";
import { StatusError } from "../errors.js";
import {
  ConfigTooComplexError,
  configChecker,
  configText,
  legacyDocument,
  type Machine,
  type MachineConfig,
  plainDocuments,
} from "../machine/index.js";
import {
  failedPrecondition,
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  permissionDenied,
  unary,
  unimplemented,
} from "./define.js";

export { configDiff, MAX_DIFF_LINES } from "../machine/index.js";

/** TRY rollback timeout when the request sets none (Talos's ConfigTryTimeout). */
export const DEFAULT_TRY_TIMEOUT_MS = 60_000;
/**
 * Emulated time the machine takes to take a new config in (validation against the running
 * system, controllers picking it up); the apply lock is held meanwhile.
 */
export const APPLY_SETTLE_MS = 300;

const APPLIED = "Applied configuration without a reboot";
const STAGED = "Staged configuration to be applied after the next reboot";

const MODE_NAMES: Readonly<Record<number, string>> = {
  [Mode.REBOOT]: "REBOOT",
  [Mode.AUTO]: "AUTO",
  [Mode.NO_REBOOT]: "NO_REBOOT",
  [Mode.STAGED]: "STAGED",
  [Mode.TRY]: "TRY",
};

/** go-multierror's layout, which Talos's validation errors carry. */
export function multiError(messages: readonly string[]): string {
  const head = messages.length === 1 ? "1 error occurred:" : `${messages.length} errors occurred:`;
  return `${head}\n\t${messages.map((m) => `* ${m}`).join("\n\t")}\n\n`;
}

/**
 * The validation mode of the running machine: metal requires an install, container runs in a
 * container, cloud neither (siderolabs/talos: internal/app/machined/pkg/runtime/mode.go).
 */
export function runtimeValidationMode(machine: Machine): ValidationMode {
  const mode = machine.platform.mode;
  // An installed metal machine validates as one that needs no install.
  if (mode === "metal" && machine.installed) return "cloud";
  return mode;
}

/**
 * How the promotable system volumes are laid out: established once the machine mounted its
 * volumes with a config, as that active config asked. Before that there is nothing to conflict
 * with.
 */
function establishedBacking(machine: Machine): {
  volumeBacking?: Record<string, "directory" | "partition">;
} {
  const active = machine.config.active;
  if (active === undefined || !machine.volumes.mounted) return {};
  const volumeBacking: Record<string, "directory" | "partition"> = {};
  for (const name of PROMOTABLE_VOLUMES) {
    const backing = systemVolumeBacking(active.documents, name);
    if (backing !== undefined) volumeBacking[name] = backing;
  }
  return { volumeBacking };
}

export function applyHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [unary(MachineService.method.applyConfiguration, (req, caller) => apply(rt, req, caller.roles))];
}

async function apply(
  rt: NodeRuntime,
  req: ApplyConfigurationRequest,
  roles: readonly string[],
): Promise<ApplyConfigurationResponse> {
  const machine = rt.machine;
  if (machine.platform.mode === "metal-agent") throw unimplemented("API is not implemented in agent mode");
  if (rt.applyInProgress) throw failedPrecondition("another apply configuration is already in progress");
  rt.applyInProgress = true;
  try {
    const inMaintenance = machine.inMaintenance;
    if (!inMaintenance && !roles.includes(Role.Admin)) throw permissionDenied("not authorized");

    // Unlike Talos, a dry run leaves a pending TRY rollback alone: it changes nothing.
    if (req.mode !== Mode.TRY && !req.dryRun) machine.config.cancelTry();

    // Loading, validation and the dry-run diff run off the event loop for large configs, with
    // the kinds, fields and rules of the version the node reports (as the node validates as
    // Talos does at runtime: with its own version and its machine's disks).
    const current = inMaintenance ? undefined : machine.config.active;
    let checked: Awaited<ReturnType<ReturnType<typeof configChecker>["check"]>>;
    try {
      checked = await configChecker().check({
        data: req.data,
        talosVersion: machine.talosVersion,
        mode: runtimeValidationMode(machine),
        disks: machine.disks,
        ...establishedBacking(machine),
        // Bare metal has IOMMU groups; a container and a cloud VM without a virtual IOMMU have none.
        iommu: machine.platform.mode === "metal",
        ...(req.dryRun
          ? {
              diff: {
                ...(current !== undefined
                  ? { from: { text: current.text, documents: plainDocuments(current.documents.documents) } }
                  : {}),
              },
            }
          : {}),
      });
    } catch (err) {
      if (err instanceof ConfigTooComplexError) throw invalidArgument(err.message);
      throw err;
    }
    if (!checked.ok) throw invalidArgument(checked.message);
    if (rt.machine !== machine)
      throw new StatusError(grpc.status.UNAVAILABLE, "the machine rebooted during the apply");
    const config: MachineConfig = { text: configText(req.data), documents: checked.documents };
    if (!inMaintenance && legacyDocument(config) === undefined) {
      throw invalidArgument(
        "the applied machine configuration doesn't contain v1alpha1 config, did you mean to patch the machine config instead?",
      );
    }

    let mode = req.mode;
    if (mode === Mode.REBOOT) {
      if (!inMaintenance) {
        throw unimplemented("the REBOOT mode is not supported, please use AUTO or NO_REBOOT modes instead");
      }
      mode = Mode.NO_REBOOT;
    }

    const { errors, warnings } = checked;
    if (errors.length > 0) throw invalidArgument(multiError(errors));

    const tryTimeoutMs = req.tryModeTimeout ? durationMs(req.tryModeTimeout) : DEFAULT_TRY_TIMEOUT_MS;
    let resolved: Mode;
    let details: string;
    switch (mode) {
      case Mode.AUTO:
      case Mode.NO_REBOOT:
        resolved = Mode.NO_REBOOT;
        details = APPLIED;
        break;
      case Mode.TRY:
        resolved = Mode.TRY;
        details = APPLIED;
        break;
      case Mode.STAGED:
        resolved = Mode.STAGED;
        details = STAGED;
        break;
      default:
        throw invalidArgument(
          `incorrect mode '${MODE_NAMES[mode] ?? String(mode)}' specified for the apply config call`,
        );
    }

    if (req.dryRun) {
      const text = `Dry run summary:\n${details} (skipped in dry-run).\nConfig diff:\n\n${checked.diff ?? ""}`;
      return reply(resolved, text, []);
    }

    await rt.clock.sleep(APPLY_SETTLE_MS, machine.signal);
    if (rt.machine !== machine)
      throw new StatusError(grpc.status.UNAVAILABLE, "the machine rebooted during the apply");

    switch (resolved) {
      case Mode.NO_REBOOT:
        machine.config.persist(config);
        machine.config.activate(config);
        break;
      case Mode.STAGED:
        machine.config.persist(config);
        break;
      case Mode.TRY:
        machine.config.tryActivate(config, tryTimeoutMs);
        details += `\nThe config is applied in 'try' mode and will be automatically reverted back in ${formatGoDurationMs(tryTimeoutMs)}`;
        break;
    }
    return reply(resolved, details, [...warnings]);
  } finally {
    rt.applyInProgress = false;
  }
}

function reply(mode: Mode, details: string, warnings: readonly string[]): ApplyConfigurationResponse {
  return create(ApplyConfigurationResponseSchema, {
    messages: [create(ApplyConfigurationSchema, { mode, modeDetails: details, warnings: [...warnings] })],
  });
}
