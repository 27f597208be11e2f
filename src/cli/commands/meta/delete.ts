// talosctl meta delete <key>: removes one tag from the META partition on every node.
import { metaDelete, openClient } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";
import { metaFlags, parseMetaKey } from "./key.js";

export const command = defineCommand({
  use: "key",
  args: args.exact(1),
  flags: { ...connectionFlags, ...metaFlags },
  examples: [["$0 0x0a", "removes key 0x0a"]],
  async handler({ flags, args }, ctx: CliContext) {
    const key = parseMetaKey(args[0]!);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await metaDelete(client, nodes, key, ctx.signal);
    } finally {
      client.close();
    }
  },
});
