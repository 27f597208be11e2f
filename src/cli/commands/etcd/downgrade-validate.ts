// talosctl etcd downgrade validate <version>: validate the etcd storage downgrade to MAJOR.MINOR.
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";
import { DOWNGRADE_FORMATS, runDowngrade } from "./downgrade.js";

export const command = defineCommand({
  use: "<version>",
  args: args.exact(1),
  flags: { ...connectionFlags, ...outputFlag(DOWNGRADE_FORMATS, "table") },
  examples: [["$0 3.5 -n 10.5.0.2", "check that etcd can be downgraded to 3.5"]],
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, DOWNGRADE_FORMATS);
    await runDowngrade(ctx, flags, format, "validate", (client, node) =>
      client.forNode(node).machine.etcdDowngradeValidate({ version: args[0]! }),
    );
  },
});
