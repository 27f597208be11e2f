// talosctl etcd remove-member <id>: removes a member (for example a dead node) from etcd.
import type { Argv } from "yargs";
import { connectionFlagsFrom, fanOut, openClient, throwIfAnyFailed } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { defineCommand, str } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";
import { parseMemberId } from "./ids.js";

export const command = defineCommand({
  args: "<member-id>",
  examples: [
    ["$0 -n 10.5.0.2 3ac5f0ea9e4b1c2d", "remove the member with this id (as `etcd members` shows it)"],
  ],
  builder: (y: Argv) =>
    withConnectionFlags(y).positional("member-id", { type: "string", describe: "the member's id in hex" }),
  async handler(args, ctx: CliContext) {
    const text = str(args, "member-id");
    if (text === undefined || text === "")
      throw new UserError("accepts 1 arg(s), received 0", { showUsage: true });
    const memberId = parseMemberId(text);
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
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
