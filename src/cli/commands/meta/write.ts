// talosctl meta write <key> <value>: writes one tag of the META partition on every node.
import { metaWrite, openClient } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";
import { metaFlags, parseMetaKey } from "./key.js";

export const command = defineCommand({
  use: "key value",
  args: args.exact(2),
  flags: { ...connectionFlags, ...metaFlags },
  examples: [
    ["$0 0x0c my-value", "writes my-value under key 0x0c"],
    ["$0 --insecure -n 10.5.0.2 12 value", "writes key 12 on a node in maintenance mode"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const key = parseMetaKey(args[0]!);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await metaWrite(client, nodes, key, Buffer.from(args[1]!, "utf8"), ctx.signal);
    } finally {
      client.close();
    }
  },
});
