// talosctl bootstrap: starts the cluster's etcd on one control-plane node (cli.md §6.4).
import type { Argv } from "yargs";
import { connectionFlagsFrom, openClient, requireOneNode, toRpcError } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  examples: [["$0 -n 10.5.0.2", "bootstrap etcd on the first control-plane node"]],
  builder: (y: Argv) => withConnectionFlags(y),
  async handler(args, ctx: CliContext) {
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
    try {
      const node = requireOneNode("bootstrap", nodes);
      try {
        await client.forNode(node).machine.bootstrap({});
      } catch (err) {
        throw new UserError(`error executing bootstrap: ${toRpcError(err, ctx.signal.aborted).message}`, {
          cause: err,
        });
      }
    } finally {
      client.close();
    }
  },
});
