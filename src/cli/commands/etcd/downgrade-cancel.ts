// talosctl etcd downgrade cancel: cancels the etcd storage downgrade in progress.
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";
import { DOWNGRADE_FORMATS, runDowngrade } from "./downgrade.js";

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags, ...outputFlag(DOWNGRADE_FORMATS, "table") },
  examples: [["$0 -n 10.5.0.2", "cancel the downgrade of etcd's storage"]],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, DOWNGRADE_FORMATS);
    await runDowngrade(ctx, flags, format, "cancel", (client, node) =>
      client.forNode(node).machine.etcdDowngradeCancel({}),
    );
  },
});
