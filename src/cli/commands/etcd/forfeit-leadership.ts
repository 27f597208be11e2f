// talosctl etcd forfeit-leadership: a leading member hands leadership to another member.
import type { Argv } from "yargs";
import { connectionFlagsFrom, fanOut, openClient, throwIfAnyFailed } from "../../../client/index.js";
import { defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  examples: [["$0 -n 10.5.0.2", "10.5.0.2 stops leading, if it leads"]],
  builder: (y: Argv) => withConnectionFlags(y),
  async handler(args, ctx: CliContext) {
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
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
