// talosctl bootstrap: starts the cluster's etcd on one control-plane node.
import { openClient, requireOneNode, toRpcError } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags },
  examples: [["$0 -n 10.5.0.2", "bootstrap etcd on the first control-plane node"]],
  async handler({ flags }, ctx: CliContext) {
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
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
