// talosctl read (cat) <path>: a file of one node, byte for byte, to stdout.
import {
  CoalescingWriter,
  completeNodePath,
  completionQuery,
  openClient,
  requireOneNode,
  streamNodes,
  throwIfAnyFailed,
} from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { completionConnection, connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  use: "<path>",
  args: args.exact(1),
  flags: { ...connectionFlags },
  examples: [
    ["$0 /proc/cpuinfo", "print a file of the node"],
    ["$0 /var/log/audit/audit.log > audit.log", "save it locally"],
  ],
  completePositional: (index, ctx, input, toComplete) =>
    index === 0
      ? completionQuery(completionConnection(input), ctx, (client, nodes) =>
          completeNodePath(client, nodes[0]!, toComplete),
        )
      : [],
  async handler({ flags, args }, ctx: CliContext) {
    const path = args[0]!;
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("read", nodes);
      // A node may also report a failure in a message's metadata rather than as the status.
      const problems: string[] = [];
      const out = new CoalescingWriter(ctx.stdout, ctx.signal);
      const results = await streamNodes(
        [node],
        (n) => client.forNode(n).machine.read({ path }),
        async (_n, data) => {
          const problem = data.metadata?.error ?? "";
          if (problem !== "") problems.push(problem.trim());
          if (data.bytes.length > 0) await out.write(data.bytes);
        },
        { signal: ctx.signal },
      );
      await out.flush();
      throwIfAnyFailed(results, (n, err) => `error reading file ${path} from node ${n}: ${err.message}`);
      if (problems.length > 0) {
        throw new UserError(`error reading file ${path} from node ${node}: ${problems.join("; ")}`);
      }
    } finally {
      client.close();
    }
  },
});
