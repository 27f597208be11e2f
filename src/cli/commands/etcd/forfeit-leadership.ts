// talosctl etcd forfeit-leadership: a leading member hands leadership to another member.
import { fanOut, openClient, throwIfAnyFailed } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags },
  examples: [["$0 -n 10.5.0.2", "10.5.0.2 stops leading, if it leads"]],
  async handler({ flags }, ctx: CliContext) {
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const results = await fanOut(
        nodes,
        async (node) => {
          await client.forNode(node).machine.etcdForfeitLeadership({});
        },
        { signal: ctx.signal },
      );
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
