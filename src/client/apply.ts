// ApplyConfiguration as talosctl drives it: the --mode values, the request, and the reply's
// warnings and mode details.
import { UserError } from "../errors.js";
import { ApplyConfigurationRequest_Mode as Mode } from "../gen/machine/machine_pb.js";
import { toProtoDuration } from "../wire/index.js";
import type { NodeClient } from "./client.js";

export { Mode as ApplyMode };

/** The --mode values, in the order the error lists them. */
export const APPLY_MODE_NAMES = ["auto", "no-reboot", "staged", "try"] as const;

const MODE_BY_NAME: Readonly<Record<string, Mode>> = {
  auto: Mode.AUTO,
  "no-reboot": Mode.NO_REBOOT,
  staged: Mode.STAGED,
  try: Mode.TRY,
};

/** Reads `-m/--mode`; a bad value is a flag error naming the allowed ones. */
export function parseApplyMode(text: string): Mode {
  const mode = MODE_BY_NAME[text.trim().toLowerCase()];
  if (mode === undefined) {
    throw new UserError(
      `invalid argument "${text}" for "-m, --mode" flag: possible options are: ${APPLY_MODE_NAMES.join(", ")}`,
      { showUsage: true },
    );
  }
  return mode;
}

/** The CLI's name of a mode (`no-reboot`), for JSON output. */
export function applyModeName(mode: Mode): string {
  switch (mode) {
    case Mode.AUTO:
      return "auto";
    case Mode.NO_REBOOT:
      return "no-reboot";
    case Mode.STAGED:
      return "staged";
    case Mode.TRY:
      return "try";
    case Mode.REBOOT:
      return "reboot";
    default:
      return `mode(${mode})`;
  }
}

export interface ApplyRequest {
  readonly data: Uint8Array | string;
  readonly mode: Mode;
  readonly dryRun: boolean;
  /** Rollback timer of TRY mode, in nanoseconds (talosctl always sends it). */
  readonly tryModeTimeout: bigint;
}

export interface ApplyResult {
  /** The mode the node actually used. */
  readonly mode: Mode;
  readonly modeDetails: string;
  readonly warnings: readonly string[];
}

export async function applyConfiguration(node: NodeClient, request: ApplyRequest): Promise<ApplyResult> {
  const reply = await node.machine.applyConfiguration({
    data: typeof request.data === "string" ? new TextEncoder().encode(request.data) : request.data,
    mode: request.mode,
    dryRun: request.dryRun,
    tryModeTimeout: toProtoDuration(request.tryModeTimeout),
  });
  const message = reply.messages[0];
  return {
    mode: message?.mode ?? request.mode,
    modeDetails: message?.modeDetails ?? "",
    warnings: [...(message?.warnings ?? [])],
  };
}

/**
 * The stderr text of one reply: each warning as `WARNING: ...`, then the mode details. With
 * `prefix` (several nodes answering), every line starts with it so the output says which node
 * it is about.
 */
export function formatApplyResult(result: ApplyResult, prefix = ""): string {
  const lines = [...result.warnings.map((w) => `WARNING: ${w}`), ...result.modeDetails.split("\n")];
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => `${prefix}${l}`).join("\n") + (lines.length > 0 ? "\n" : "");
}

/** The `-o json` object of one node's apply. */
export function applyResultJson(node: string, outcome: ApplyResult | Error): Record<string, unknown> {
  if (outcome instanceof Error) return { node, error: outcome.message };
  return {
    node,
    mode: applyModeName(outcome.mode),
    modeDetails: outcome.modeDetails,
    warnings: [...outcome.warnings],
  };
}
