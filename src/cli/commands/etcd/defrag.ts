// talosctl etcd defrag: defragments one node's etcd backend (releases the space that
// compacted and deleted keys left free); silent on success, as talosctl is.
import { openClient, requireOneNode } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";
import { oneLine } from "./one-line.js";

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags },
  long: `Defragmentation is a maintenance operation that releases unused space from the etcd database file.
Defragmentation is a resource heavy operation and should be performed only when necessary on a single node at a time.`,
  examples: [["$0 -n 10.5.0.2", "defragment 10.5.0.2's etcd database"]],
  async handler({ flags }, ctx: CliContext) {
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("etcd defrag", nodes);
      await oneLine(ctx, () => client.forNode(node).machine.etcdDefragment({}));
    } finally {
      client.close();
    }
  },
});
