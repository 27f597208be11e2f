// talosctl apply-config -f <file>: sends a machine config to each node (or, with --insecure,
// to nodes in maintenance mode). The file must load strictly, and the patches apply, before
// anything is sent.
import fs from "node:fs";
import path from "node:path";
import {
  type ApplyResult,
  applyConfiguration,
  applyResultJson,
  fanOut,
  formatApplyResult,
  openClient,
  parseApplyMode,
  throwIfAnyFailed,
} from "../../../client/index.js";
import { loadMachineConfig } from "../../../config/load/index.js";
import { applyPatches, loadPatches } from "../../../config/patch/index.js";
import { UserError } from "../../../errors.js";
import { readError } from "../../../fsutil/index.js";
import { applyModeFlags } from "../../apply-flags.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, insecureFlags, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";

/** `talosctl apply config|machineconfig -f ...` reads naturally; those words are accepted. */
const ACCEPTED_TARGETS = new Set(["config", "machineconfig"]);

export const command = defineCommand({
  args: args.max(1),
  flags: {
    ...connectionFlags,
    ...insecureFlags,
    ...outputFlag(["text", "json"], "text"),
    ...applyModeFlags,
    file: flag.string({ short: "f", describe: "the filename of the updated configuration" }),
    "config-patch": flag.stringArray({
      short: "p",
      describe: "the list of config patches to apply to the local config file before sending it to the node",
    }),
    "dry-run": flag.bool({ describe: "check how the config change will be applied in dry-run mode" }),
  },
  examples: [
    ["$0 --insecure -n 10.5.0.2 -f controlplane.yaml", "first apply to a node in maintenance mode"],
    ["$0 -n 10.5.0.2 -f controlplane.yaml --dry-run", "show what would change"],
    ["$0 -n 10.5.0.2 -f worker.yaml -p @patch.yaml -m staged", "patch locally, apply on the next reboot"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const target = args[0];
    if (target !== undefined && !ACCEPTED_TARGETS.has(target)) {
      throw new UserError(`unknown positional argument ${target}`, { showUsage: true });
    }
    const mode = parseApplyMode(flags.mode);
    const tryModeTimeout = flags.timeout;
    const format = parseOutputFormat(flags.output, ["text", "json"]);
    const data = prepareConfig(ctx, flags.file, flags["config-patch"]);

    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const label = nodes.length > 1;
      const results = await fanOut(
        nodes,
        (node) =>
          applyConfiguration(client.forNode(node), {
            data,
            mode,
            dryRun: flags["dry-run"],
            tryModeTimeout,
          }),
        {
          signal: ctx.signal,
          onResult: (r) => {
            if (format.kind === "json") {
              ctx.stdout.write(
                `${JSON.stringify(applyResultJson(r.node, r.ok ? r.value : r.error), null, 2)}\n`,
              );
            } else if (r.ok) {
              ctx.stderr.write(formatApplyResult(r.value as ApplyResult, label ? `${r.node}: ` : ""));
            }
          },
        },
      );
      throwIfAnyFailed(results, (node, err) => `${node}: error applying configuration: ${err.message}`);
    } finally {
      client.close();
    }
  },
});

/** Reads, strictly loads and patches the config; returns the text to send. */
function prepareConfig(ctx: CliContext, file: string, patchArgs: readonly string[]): string {
  if (file === "") throw new UserError("no filename supplied for configuration");
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(ctx.cwd, file), "utf8");
  } catch (err) {
    throw readError(file, err);
  }
  if (text.trim() === "") throw new UserError(`no configuration data read from ${file}`);
  // Errors name the file, the document, the path and the line.
  loadMachineConfig(text, { file });
  if (patchArgs.length === 0) return text;
  const patches = loadPatches(patchArgs, { cwd: ctx.cwd });
  return applyPatches({ text, file }, patches).text;
}
