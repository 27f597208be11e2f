// talosctl rollback: boots every node back into its previous installation (silent on success).
import type { Argv } from "yargs";
import { connectionFlagsFrom, fanOut, openClient, throwIfAnyFailed } from "../../../client/index.js";
import { rollback } from "../../../client/lifecycle/index.js";
import { defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  examples: [["$0 -n 10.5.0.2", "boot the node into the installation before its last upgrade"]],
  builder: (y: Argv) => withConnectionFlags(y),
  async handler(args, ctx: CliContext) {
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
    try {
      const results = await fanOut(nodes, (node) => rollback(client.forNode(node)), { signal: ctx.signal });
      throwIfAnyFailed(results, (node, err) => `error executing rollback on node ${node}: ${err.message}`);
    } finally {
      client.close();
    }
  },
});
