// talosctl etcd leave: the node's etcd member leaves the cluster gracefully.
import { openClient, requireOneNode, toRpcError } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags },
  examples: [["$0 -n 10.5.0.3", "10.5.0.3's etcd leaves the cluster"]],
  async handler({ flags }, ctx: CliContext) {
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("etcd leave", nodes);
      try {
        await client.forNode(node).machine.etcdLeaveCluster({});
      } catch (err) {
        throw new UserError(`failed to leave etcd cluster: ${toRpcError(err, ctx.signal.aborted).message}`, {
          cause: err,
        });
      }
    } finally {
      client.close();
    }
  },
});
