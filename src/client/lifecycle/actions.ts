// The lifecycle calls of one node (reboot, shutdown, reset, rollback, legacy upgrade) and the
// flag values that choose their modes. Each call that starts a sequence returns its actor id,
// which the --wait tracker follows.
import { TalosError, UserError } from "../../errors.js";
import {
  RebootRequest_Mode,
  ResetRequest_WipeMode,
  UpgradeRequest_RebootMode,
} from "../../gen/machine/machine_pb.js";
import type { NodeClient } from "../client.js";

export const REBOOT_MODE_NAMES = ["default", "powercycle", "force"] as const;
export type RebootModeName = (typeof REBOOT_MODE_NAMES)[number];

export const WIPE_MODE_NAMES = ["all", "system-disk", "user-disks"] as const;
export type WipeModeName = (typeof WIPE_MODE_NAMES)[number];

/**
 * The system volumes a reset wipes when no labels are named: the node's identity and data.
 * META (and the installed system) stay unless the user names them.
 */
export const DEFAULT_RESET_LABELS: readonly string[] = ["STATE", "EPHEMERAL"];

function choice<T extends string>(flag: string, text: string, names: readonly T[]): T {
  const value = names.find((n) => n === text.trim().toLowerCase());
  if (value === undefined) {
    throw new UserError(
      `invalid argument "${text}" for "${flag}" flag: possible options are: ${names.join(", ")}`,
      {
        showUsage: true,
      },
    );
  }
  return value;
}

export function parseRebootMode(text: string, flag = "-m, --mode"): RebootModeName {
  return choice(flag, text, REBOOT_MODE_NAMES);
}

export function parseWipeMode(text: string): WipeModeName {
  return choice("--wipe-mode", text, WIPE_MODE_NAMES);
}

const REBOOT_MODES: Readonly<Record<RebootModeName, RebootRequest_Mode>> = {
  default: RebootRequest_Mode.DEFAULT,
  powercycle: RebootRequest_Mode.POWERCYCLE,
  force: RebootRequest_Mode.FORCE,
};

const WIPE_MODES: Readonly<Record<WipeModeName, ResetRequest_WipeMode>> = {
  all: ResetRequest_WipeMode.ALL,
  "system-disk": ResetRequest_WipeMode.SYSTEM_DISK,
  "user-disks": ResetRequest_WipeMode.USER_DISKS,
};

/** The actor id of a lifecycle reply (`no messages returned from action run` when there is none). */
function actorOf(messages: readonly { actorId: string }[]): string {
  const first = messages[0];
  if (!first) throw new TalosError("internal", "no messages returned from action run");
  return first.actorId;
}

export async function reboot(node: NodeClient, mode: RebootModeName): Promise<string> {
  const reply = await node.machine.reboot({ mode: REBOOT_MODES[mode] });
  return actorOf(reply.messages);
}

export async function shutdown(node: NodeClient, force: boolean): Promise<string> {
  const reply = await node.machine.shutdown({ force });
  return actorOf(reply.messages);
}

export interface ResetOptions {
  readonly graceful: boolean;
  readonly reboot: boolean;
  readonly wipeMode: WipeModeName;
  /** System volume labels to wipe; empty means DEFAULT_RESET_LABELS (META is kept). */
  readonly systemLabels: readonly string[];
  readonly userDisks: readonly string[];
}

/** Checks the flag combinations a node would refuse, before anything is sent. */
export function checkResetOptions(options: ResetOptions): void {
  if (options.wipeMode === "system-disk" && options.userDisks.length > 0) {
    throw new UserError("--user-disks-to-wipe cannot be used with --wipe-mode system-disk");
  }
  if (options.wipeMode === "user-disks" && options.systemLabels.length > 0) {
    throw new UserError("--system-labels-to-wipe cannot be used with --wipe-mode user-disks");
  }
  if (options.wipeMode === "user-disks" && options.userDisks.length === 0) {
    throw new UserError("--wipe-mode user-disks needs --user-disks-to-wipe (the disks to wipe)");
  }
  for (const label of options.systemLabels) {
    if (!/^[A-Za-z0-9_-]+$/.test(label)) {
      throw new UserError(
        `--system-labels-to-wipe ${JSON.stringify(label)}: not a volume label (e.g. STATE)`,
      );
    }
  }
  for (const disk of options.userDisks) {
    if (!disk.startsWith("/dev/")) {
      throw new UserError(
        `--user-disks-to-wipe ${JSON.stringify(disk)}: expected a device path such as /dev/sdb`,
      );
    }
  }
}

/** The labels a reset request names (none for user-disks mode). */
export function resetLabels(options: ResetOptions): string[] {
  if (options.wipeMode === "user-disks") return [];
  return options.systemLabels.length > 0 ? [...options.systemLabels] : [...DEFAULT_RESET_LABELS];
}

export async function reset(node: NodeClient, options: ResetOptions): Promise<string> {
  const reply = await node.machine.reset({
    graceful: options.graceful,
    reboot: options.reboot,
    mode: WIPE_MODES[options.wipeMode],
    systemPartitionsToWipe: resetLabels(options).map((label) => ({ label, wipe: true })),
    userDisksToWipe: [...options.userDisks],
  });
  return actorOf(reply.messages);
}

export async function rollback(node: NodeClient): Promise<void> {
  await node.machine.rollback({});
}

export interface LegacyUpgradeOptions {
  readonly image: string;
  readonly stage: boolean;
  readonly preserve: boolean;
  readonly force: boolean;
  readonly rebootMode: RebootModeName;
}

export interface LegacyUpgradeAck {
  readonly ack: string;
  readonly actorId: string;
}

/** MachineService.Upgrade (deprecated): the node pulls, installs and reboots on its own. */
export async function legacyUpgrade(
  node: NodeClient,
  options: LegacyUpgradeOptions,
): Promise<LegacyUpgradeAck> {
  if (options.rebootMode === "force") {
    throw new UserError(
      '--reboot-mode force is not supported by the legacy upgrade API (use "default" or "powercycle")',
    );
  }
  const reply = await node.machine.upgrade({
    image: options.image,
    stage: options.stage,
    preserve: options.preserve,
    force: options.force,
    rebootMode:
      options.rebootMode === "powercycle"
        ? UpgradeRequest_RebootMode.POWERCYCLE
        : UpgradeRequest_RebootMode.DEFAULT,
  });
  const first = reply.messages[0];
  if (!first) throw new TalosError("internal", "no messages returned from action run");
  return { ack: first.ack, actorId: first.actorId };
}
