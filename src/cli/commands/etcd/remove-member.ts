// talosctl etcd remove-member <id>: removes a member (for example a dead node) from etcd.
import { fanOut, openClient, throwIfAnyFailed } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";
import { parseMemberId } from "./ids.js";

export const command = defineCommand({
  use: "<member-id>",
  args: args.exact(1),
  flags: { ...connectionFlags },
  examples: [
    ["$0 -n 10.5.0.2 3ac5f0ea9e4b1c2d", "remove the member with this id (as `etcd members` shows it)"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const memberId = parseMemberId(args[0]!);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const results = await fanOut(
        nodes,
        async (node) => {
          await client.forNode(node).machine.etcdRemoveMemberByID({ memberId });
        },
        { signal: ctx.signal },
      );
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
