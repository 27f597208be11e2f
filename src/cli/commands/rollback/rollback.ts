// talosctl rollback: boots every node back into its previous installation (silent on success).
import { fanOut, openClient, throwIfAnyFailed } from "../../../client/index.js";
import { rollback } from "../../../client/lifecycle/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  args: args.any,
  flags: { ...connectionFlags },
  examples: [["$0 -n 10.5.0.2", "boot the node into the installation before its last upgrade"]],
  async handler({ flags }, ctx: CliContext) {
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const results = await fanOut(nodes, (node) => rollback(client.forNode(node)), { signal: ctx.signal });
      throwIfAnyFailed(results, (node, err) => `error executing rollback on node ${node}: ${err.message}`);
    } finally {
      client.close();
    }
  },
});
