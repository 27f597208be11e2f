// talosctl shutdown: powers the nodes off. On a terminal it asks first (unless --yes); a script
// must name the nodes with --nodes, as it would for talosctl, or pass --yes.
import { openClient } from "../../../client/index.js";
import { shutdown } from "../../../client/lifecycle/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";
import { guardDestructive, runLifecycle, waitFlags, waitOptions, yesFlag } from "../../lifecycle.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...waitFlags,
    ...yesFlag,
    force: flag.bool({ describe: "if true, force a node to shutdown without a cordon/drain" }),
  },
  examples: [
    ["$0 -n 10.5.0.3", "shut a node down (asking first on a terminal)"],
    ["$0 -n 10.5.0.3 --force --yes", "skip cordon and drain, do not ask"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const wait = waitOptions(flags);
    const connection = connectionOptions(flags);
    const { client, nodes } = openClient(connection, ctx);
    try {
      await guardDestructive(
        ctx,
        { named: connection.nodes.length > 0, nodes, yes: flags.yes },
        "shutdown",
        "shut down",
      );
      await runLifecycle(ctx, {
        verb: "shutdown",
        client,
        nodes,
        flags: wait,
        start: (node) => shutdown(node, flags.force),
        predicate: "services-stopped",
        postCheck: "none",
        sequences: ["shutdown"],
      });
    } finally {
      client.close();
    }
  },
});
