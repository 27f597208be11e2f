// talosctl etcd downgrade enable <version>: enable the etcd storage downgrade to MAJOR.MINOR.
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";
import { DOWNGRADE_FORMATS, runDowngrade } from "./downgrade.js";

export const command = defineCommand({
  use: "<version>",
  args: args.exact(1),
  flags: { ...connectionFlags, ...outputFlag(DOWNGRADE_FORMATS, "table") },
  examples: [["$0 3.5 -n 10.5.0.2", "start the downgrade of etcd's storage to 3.5"]],
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, DOWNGRADE_FORMATS);
    await runDowngrade(ctx, flags, format, "enable", (client, node) =>
      client.forNode(node).machine.etcdDowngradeEnable({ version: args[0]! }),
    );
  },
});
