// talosctl patch machineconfig -p <patch>: reads each node's running config, patches it
// locally, and applies the result; a patch that changes nothing is not sent at all.
import {
  ACTIVE_CONFIG_ID,
  type ApplyResult,
  applyConfiguration,
  applyResultJson,
  checkServerVersions,
  fetchMachineConfig,
  formatApplyResult,
  NodeError,
  openClient,
  parseApplyMode,
  requireMachineConfigType,
  sameConfigData,
  toRpcError,
} from "../../../client/index.js";
import { applyPatches, loadPatches } from "../../../config/patch/index.js";
import { errorMessage, JoinedError, UserError } from "../../../errors.js";
import { TALOS_VERSION } from "../../../version.js";
import { applyModeFlags } from "../../apply-flags.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";

export const command = defineCommand({
  use: "machineconfig",
  args: args.range(1, 2),
  flags: {
    ...connectionFlags,
    ...outputFlag(["text", "json"], "text"),
    ...applyModeFlags,
    patch: flag.stringArray({
      short: "p",
      describe: "the patch to be applied to the resource file, use @file to read a patch from file.",
    }),
    "patch-file": flag.string({ describe: "a file containing a patch to be applied to the resource." }),
    "dry-run": flag.bool({
      describe: "print the change summary and patch preview without applying the changes",
    }),
    namespace: flag.string({ hidden: true, describe: "unused" }),
  },
  examples: [
    [
      `$0 mc -p '[{"op":"add","path":"/machine/sysctls","value":{"vm.max_map_count":"262144"}}]'`,
      "a JSON patch",
    ],
    ["$0 machineconfig --patch-file patch.yaml --mode no-reboot", "a strategic merge patch from a file"],
  ],
  completePositional: (index) => (index === 0 ? ["machineconfig"] : []),
  async handler({ flags, args }, ctx: CliContext) {
    const patchArgs = flags.patch;
    const patchFile = flags["patch-file"];
    if (patchArgs.length === 0 && patchFile === "") {
      throw new UserError("either --patch or --patch-file should be defined", { showUsage: true });
    }
    const mode = parseApplyMode(flags.mode);
    const tryModeTimeout = flags.timeout;
    const format = parseOutputFormat(flags.output, ["text", "json"]);
    const patches = loadPatches([...patchArgs, ...(patchFile ? [`@${patchFile}`] : [])], { cwd: ctx.cwd });
    const dryRun = flags["dry-run"];

    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const check = await checkServerVersions(client, nodes, TALOS_VERSION);
      if (check.warning) ctx.stderr.write(`${check.warning}\n`);
      const errors: Error[] = [...check.failed.values()];
      const reachable = nodes.filter((n) => !check.failed.has(n));
      if (reachable.length === 0) throw new JoinedError(errors);
      const definition = await requireMachineConfigType(client.forNode(reachable[0]!), args[0]!);
      const label = nodes.length > 1;
      const say = (node: string, text: string): void => {
        if (format.kind === "text") ctx.stderr.write(label ? prefixLines(text, `${node}: `) : text);
      };
      const json = (value: Record<string, unknown>): void => {
        if (format.kind === "json") ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      };

      for (const node of reachable) {
        const target = client.forNode(node);
        let current: string;
        try {
          current = await fetchMachineConfig(target);
        } catch (err) {
          const e = new NodeError(
            node,
            `error getting machine config from node ${node}: ${toRpcError(err).message}`,
          );
          errors.push(e);
          json({ node, error: e.message });
          continue;
        }
        let patched: string;
        try {
          patched = applyPatches({ text: current, file: `machine config of node ${node}` }, patches).text;
        } catch (err) {
          const e = new NodeError(node, `${node}: error patching machine config: ${errorMessage(err)}`);
          errors.push(e);
          json({ node, error: e.message });
          continue;
        }
        if (sameConfigData(current, patched)) {
          say(node, "Apply was skipped: no changes detected.\n");
          json({ node, changed: false });
          continue;
        }
        let result: ApplyResult;
        try {
          result = await applyConfiguration(target, { data: patched, mode, dryRun, tryModeTimeout });
        } catch (err) {
          const e = new NodeError(node, `${node}: error applying configuration: ${toRpcError(err).message}`);
          errors.push(e);
          json({ node, changed: true, error: e.message });
          continue;
        }
        // A dry run patched nothing; its summary says what would happen.
        if (!dryRun) say(node, `patched ${definition.type}/${ACTIVE_CONFIG_ID} at the node ${node}\n`);
        say(node, formatApplyResult(result));
        json({ ...applyResultJson(node, result), changed: true });
      }
      if (errors.length > 0) throw new JoinedError(errors);
    } finally {
      client.close();
    }
  },
});

function prefixLines(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((l, i, all) => (i === all.length - 1 && l === "" ? l : `${prefix}${l}`))
    .join("\n");
}
