// talosctl etcd leave: the node's etcd member leaves the cluster gracefully (cli.md §6.5).
import type { Argv } from "yargs";
import { connectionFlagsFrom, openClient, requireOneNode, toRpcError } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  examples: [["$0 -n 10.5.0.3", "10.5.0.3's etcd leaves the cluster"]],
  builder: (y: Argv) => withConnectionFlags(y),
  async handler(args, ctx: CliContext) {
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
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
