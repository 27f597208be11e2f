// talosctl validate: loads a machine config strictly and checks it for a runtime mode, printing
// every problem with its document, path and line.
import path from "node:path";
import type { Argv } from "yargs";
import { ConfigErrors, loadMachineConfigFile } from "../../../config/load/index.js";
import {
  parseValidationMode,
  VALIDATION_MODES,
  validateMachineConfig,
} from "../../../config/validate/index.js";
import { UserError } from "../../../errors.js";
import { bool, defineCommand, str } from "../../command.js";

/** One problem: its line. Several: Talos's list format, `N errors occurred:` then `\t* <problem>` each. */
function errorList(lines: readonly string[]): string {
  if (lines.length === 1) return lines[0]!;
  return [`${lines.length} errors occurred:`, ...lines.map((l) => `\t* ${l}`)].join("\n");
}

export const command = defineCommand({
  builder: (y: Argv) =>
    y
      .option("config", {
        alias: "c",
        type: "string",
        demandOption: true,
        describe: "the path of the config file",
      })
      .option("mode", {
        alias: "m",
        type: "string",
        demandOption: true,
        describe: `the mode to validate the config for (valid values are ${VALIDATION_MODES.join(", ")})`,
      })
      .option("strict", {
        type: "boolean",
        default: false,
        describe: "treat validation warnings as errors",
      })
      .example("$0 --config controlplane.yaml --mode metal", "check a control plane config for bare metal")
      .example(
        "$0 -c worker.yaml -m cloud --strict",
        "check a worker config for a cloud, warnings as errors",
      ),
  completeOption: {
    mode: () => [...VALIDATION_MODES],
  },
  async handler(args, ctx) {
    const file = str(args, "config") ?? "";
    if (file === "") throw new UserError("--config must name a config file");
    const mode = parseValidationMode(str(args, "mode") ?? "");

    let config: Awaited<ReturnType<typeof loadMachineConfigFile>>;
    try {
      config = await loadMachineConfigFile(path.resolve(ctx.cwd, file), { file });
    } catch (err) {
      if (err instanceof ConfigErrors) {
        throw new UserError(errorList(err.problems.map((p) => p.message)), { cause: err });
      }
      throw err;
    }

    const result = validateMachineConfig(config, { mode, strict: bool(args, "strict") });
    for (const w of result.warnings) ctx.stderr.write(`WARNING: ${w.message}\n`);
    if (result.errors.length > 0) {
      throw new UserError(errorList(result.errors.map((e) => e.message)));
    }
    ctx.stdout.write(`${file} is valid for ${mode} mode\n`);
  },
});
