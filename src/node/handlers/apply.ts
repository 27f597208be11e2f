// MachineService.ApplyConfiguration with Talos v1.14+ semantics (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): one apply at a time, readers
// only in maintenance, strict loading, runtime validation for the platform mode, AUTO → NO_REBOOT,
// STAGED, TRY with rollback, and dry runs with a config diff.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { unifiedDiff } from "../../config/diff/index.js";
import type { MachineConfigDocuments } from "../../config/document.js";
import { encodeMachineConfig } from "../../config/encode/index.js";
import { ConfigErrors } from "../../config/load/index.js";
import {
  systemVolumeBacking,
  type ValidationMode,
  validateMachineConfig,
} from "../../config/validate/index.js";
import { errorMessage } from "../../errors.js";
import {
  type ApplyConfigurationRequest,
  type ApplyConfigurationResponse,
  ApplyConfigurationResponseSchema,
  ApplyConfigurationSchema,
  MachineService,
  ApplyConfigurationRequest_Mode as Mode,
} from "../../gen/machine/machine_pb.js";
import { loadCertificateAuthority, parseCertificatePem } from "../../pki/index.js";
import { durationMs, formatGoDurationMs } from "../../wire/index.js";
import { Role } from "../api/index.js";
import { StatusError } from "../errors.js";
import {
  legacyDocument,
  type Machine,
  type MachineConfig,
  osCa,
  parseMachineConfig,
} from "../machine/index.js";
import { describeSelector, matchDisks } from "../platform/index.js";
import {
  failedPrecondition,
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  permissionDenied,
  unary,
  unimplemented,
} from "./define.js";

/** TRY rollback timeout when the request sets none (Talos's ConfigTryTimeout). */
export const DEFAULT_TRY_TIMEOUT_MS = 60_000;
/** A dry-run diff over this many lines (old + new) is not shown. */
export const MAX_DIFF_LINES = 75_000;
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

function encoded(documents: MachineConfigDocuments | undefined, fallback: string): string {
  if (!documents) return "";
  try {
    return encodeMachineConfig(documents);
  } catch {
    return fallback;
  }
}

/** The dry-run diff: current active config against the new one, both re-encoded without comments. */
export function configDiff(current: MachineConfig | undefined, next: MachineConfig): string {
  const from = encoded(current?.documents, current?.text ?? "");
  const to = encoded(next.documents, next.text);
  const lines = (t: string) => (t === "" ? 0 : t.replace(/\n$/, "").split("\n").length);
  const oldLines = lines(from);
  const newLines = lines(to);
  if (oldLines + newLines > MAX_DIFF_LINES)
    return `@@ -1,${oldLines} +1,${newLines} @@ diff too large to display`;
  const diff = unifiedDiff(from, to, { fromLabel: "a", toLabel: "b" });
  return diff === "" ? "No changes." : diff;
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

function validate(machine: Machine, config: MachineConfig): { errors: string[]; warnings: string[] } {
  const mode = runtimeValidationMode(machine);
  // The node validates as Talos does at runtime: with its own version (the Kubernetes versions it
  // supports) and its machine's state (the disks an install selector must match).
  const result = validateMachineConfig(config.documents, {
    mode,
    talosVersion: machine.talosVersion,
    runtime: {
      matchInstallDisks: (selector) => ({
        matched: matchDisks(selector, machine.disks).length,
        expression: describeSelector(selector),
      }),
      volumeBacking: (name) => establishedBacking(machine, name),
      iommu: machineHasIommu(machine),
    },
  });
  const errors = result.errors.map((e) => e.message);
  const caProblem = osCaProblem(config);
  if (caProblem !== undefined) errors.push(caProblem);
  return { errors, warnings: result.warnings.map((w) => w.message) };
}

/**
 * A promotable system volume (ETCD, CRI, KUBELET, LOG) is established once the machine mounted its
 * volumes with a config: laid out as that active config asked. Before that there is nothing to
 * conflict with.
 */
function establishedBacking(machine: Machine, name: string): "directory" | "partition" | undefined {
  const active = machine.config.active;
  if (active === undefined || !machine.volumes.mounted) return undefined;
  return systemVolumeBacking(active.documents, name);
}

/**
 * Whether the emulated machine has IOMMU groups (/sys/class/iommu): bare metal has them; a
 * container and a cloud VM without a virtual IOMMU have none.
 */
function machineHasIommu(machine: Machine): boolean {
  return machine.platform.mode === "metal";
}

/** The API certificate is issued from the OS CA: it must load, and the key must be the certificate's. */
function osCaProblem(config: MachineConfig): string | undefined {
  const ca = osCa(config);
  if (ca.crt === "") return undefined;
  try {
    if (ca.key === "") parseCertificatePem(ca.crt);
    else loadCertificateAuthority(ca);
  } catch (err) {
    return `invalid issuing CA (.machine.ca): ${errorMessage(err)}`;
  }
  return undefined;
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

    let config: MachineConfig;
    try {
      config = parseMachineConfig(req.data);
    } catch (err) {
      if (err instanceof ConfigErrors) throw invalidArgument(err.message);
      throw err;
    }
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

    const { errors, warnings } = validate(machine, config);
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
      const text = `Dry run summary:\n${details} (skipped in dry-run).\nConfig diff:\n\n${configDiff(inMaintenance ? undefined : machine.config.active, config)}`;
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
    return reply(resolved, details, warnings);
  } finally {
    rt.applyInProgress = false;
  }
}

function reply(mode: Mode, details: string, warnings: readonly string[]): ApplyConfigurationResponse {
  return create(ApplyConfigurationResponseSchema, {
    messages: [create(ApplyConfigurationSchema, { mode, modeDetails: details, warnings: [...warnings] })],
  });
}
