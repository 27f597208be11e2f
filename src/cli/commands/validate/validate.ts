// talosctl validate: loads a machine config strictly and checks it for a runtime mode, printing
// every problem with its document, path and line.
import path from "node:path";
import { ConfigErrors, loadMachineConfigFile } from "../../../config/load/index.js";
import {
  parseValidationMode,
  VALIDATION_MODES,
  validateMachineConfig,
} from "../../../config/validate/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";

/** One problem: its line. Several: Talos's list format, `N errors occurred:` then `\t* <problem>` each. */
export function errorList(lines: readonly string[]): string {
  if (lines.length === 1) return lines[0]!;
  return [`${lines.length} errors occurred:`, ...lines.map((l) => `\t* ${l}`)].join("\n");
}

export const command = defineCommand({
  args: args.none,
  flags: {
    config: flag.string({ short: "c", required: true, describe: "the path of the config file" }),
    mode: flag.string({
      short: "m",
      required: true,
      choices: VALIDATION_MODES,
      describe: `the mode to validate the config for (valid values are ${VALIDATION_MODES.join(", ")})`,
    }),
    strict: flag.bool({ describe: "treat validation warnings as errors" }),
  },
  examples: [
    ["$0 --config controlplane.yaml --mode metal", "check a control plane config for bare metal"],
    ["$0 -c worker.yaml -m cloud --strict", "check a worker config for a cloud, warnings as errors"],
  ],
  async handler({ flags }, ctx) {
    const file = flags.config;
    if (file === "") throw new UserError("--config must name a config file");
    const mode = parseValidationMode(flags.mode);

    let config: Awaited<ReturnType<typeof loadMachineConfigFile>>;
    try {
      config = await loadMachineConfigFile(path.resolve(ctx.cwd, file), { file });
    } catch (err) {
      if (err instanceof ConfigErrors) {
        throw new UserError(errorList(err.problems.map((p) => p.message)), { cause: err });
      }
      throw err;
    }

    const result = validateMachineConfig(config, { mode, strict: flags.strict });
    for (const w of result.warnings) ctx.stderr.write(`WARNING: ${w.message}\n`);
    if (result.errors.length > 0) {
      throw new UserError(errorList(result.errors.map((e) => e.message)));
    }
    ctx.stdout.write(`${file} is valid for ${mode} mode\n`);
  },
});
