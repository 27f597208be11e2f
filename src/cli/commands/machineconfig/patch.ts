// talosctl machineconfig patch <file> -p <patch>... [-o <out>]: applies patches to a local
// config file and prints the result (or writes it to a file).
import fs from "node:fs";
import path from "node:path";
import { applyPatches, loadConfigText, loadPatches } from "../../../config/patch/index.js";
import { readError, writeFileAtomic } from "../../../fsutil/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";

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
  },
  examples: [
    ["$0 controlplane.yaml -p @patch.yaml", "print controlplane.yaml with a patch file applied"],
    [
      '$0 worker.yaml -p \'{"machine":{"install":{"disk":"/dev/nvme0n1"}}}\' -o out/worker.yaml',
      "write the result to a file",
    ],
  ],
  async handler({ flags, args: [file = ""] }, ctx: CliContext) {
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
    if (output === "") {
      ctx.stdout.write(`${result.text}\n`);
      return;
    }
    writeFileAtomic(path.resolve(ctx.cwd, output), result.text, { mode: 0o644, mkdirMode: 0o755 });
  },
});

export function readConfig(ctx: CliContext, file: string): string {
  try {
    return fs.readFileSync(path.resolve(ctx.cwd, file), "utf8");
  } catch (err) {
    throw readError(file, err);
  }
}
