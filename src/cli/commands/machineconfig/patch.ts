// talosctl machineconfig patch <file> -p <patch>... [-o <out>]: applies patches to a local
// config file and prints the result (or writes it to a file). `--validate --mode M` (an addition
// to talosctl) checks the result as `talosctl validate` does before anything is written.
import fs from "node:fs";
import path from "node:path";
import { ConfigErrors, loadMachineConfig } from "../../../config/load/index.js";
import { applyPatches, loadConfigText, loadPatches } from "../../../config/patch/index.js";
import {
  parseValidationMode,
  VALIDATION_MODES,
  validateMachineConfig,
} from "../../../config/validate/index.js";
import { UserError } from "../../../errors.js";
import { readError, writeFileAtomic } from "../../../fsutil/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { errorList } from "../validate/validate.js";

export const command = defineCommand({
  use: "<machineconfig-file>",
  args: args.exact(1),
  flags: {
    patch: flag.stringArray({
      short: "p",
      describe:
        "patch generated machineconfigs (applied to all node types), use @file to read a patch from file.",
    }),
    output: flag.string({
      short: "o",
      describe: "output destination. if not specified, output will be printed to stdout",
    }),
    validate: flag.bool({
      describe:
        "validate the patched config for --mode before writing it, as talosctl validate does (an addition: talosctl has no such flag)",
    }),
    mode: flag.string({
      short: "m",
      choices: VALIDATION_MODES,
      describe: `the mode to validate the patched config for, with --validate (valid values are ${VALIDATION_MODES.join(", ")})`,
    }),
    strict: flag.bool({ describe: "with --validate, treat validation warnings as errors" }),
  },
  examples: [
    ["$0 controlplane.yaml -p @patch.yaml", "print controlplane.yaml with a patch file applied"],
    [
      '$0 worker.yaml -p \'{"machine":{"install":{"disk":"/dev/nvme0n1"}}}\' -o out/worker.yaml',
      "write the result to a file",
    ],
    ["$0 worker.yaml -p @patch.yaml --validate --mode metal", "patch, then check the result for bare metal"],
  ],
  async handler({ flags, args: [file = ""] }, ctx: CliContext) {
    if (!flags.validate && (flags.mode !== "" || flags.strict))
      throw new UserError("--mode and --strict take effect only with --validate");
    if (flags.validate && flags.mode === "") throw new UserError("--validate needs --mode");
    const mode = flags.validate ? parseValidationMode(flags.mode) : undefined;
    const text = readConfig(ctx, file);
    // The input must be a config Talos would load; its errors name the file, document and line.
    const documents = loadConfigText(text, file);
    const patches = loadPatches(flags.patch, { cwd: ctx.cwd });
    // A strategic first patch can start from the documents already loaded (parsing a large
    // config is the slow part); a JSON patch works on the text as written.
    const result = applyPatches(
      patches[0]?.type === "strategic" ? { documents, file } : { text, file },
      patches,
    );
    const output = flags.output;
    if (mode !== undefined) validatePatched(ctx, result.text, output || file, mode, flags.strict);
    if (output === "") {
      ctx.stdout.write(`${result.text}\n`);
      return;
    }
    writeFileAtomic(path.resolve(ctx.cwd, output), result.text, { mode: 0o644, mkdirMode: 0o755 });
  },
});

/** The patched config as `talosctl validate` sees it: loaded strictly, then checked for `mode`. */
function validatePatched(
  ctx: CliContext,
  text: string,
  file: string,
  mode: ReturnType<typeof parseValidationMode>,
  strict: boolean,
): void {
  let config: ReturnType<typeof loadMachineConfig>;
  try {
    config = loadMachineConfig(text, { file });
  } catch (err) {
    if (err instanceof ConfigErrors)
      throw new UserError(errorList(err.problems.map((p) => p.message)), { cause: err });
    throw err;
  }
  const result = validateMachineConfig(config, { mode, strict });
  for (const w of result.warnings) ctx.stderr.write(`WARNING: ${w.message}\n`);
  if (result.errors.length > 0) throw new UserError(errorList(result.errors.map((e) => e.message)));
}

export function readConfig(ctx: CliContext, file: string): string {
  try {
    return fs.readFileSync(path.resolve(ctx.cwd, file), "utf8");
  } catch (err) {
    throw readError(file, err);
  }
}
