// talosctl shutdown: powers the nodes off. Only nodes named with --nodes, and only once
// confirmed (a terminal prompt or --yes).
import type { Argv } from "yargs";
import { connectionFlagsFrom, openClient } from "../../../client/index.js";
import { shutdown } from "../../../client/lifecycle/index.js";
import { bool, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";
import {
  guardDestructive,
  runLifecycle,
  waitFlagsFrom,
  withWaitFlags,
  withYesFlag,
} from "../../lifecycle.js";

export const command = defineCommand({
  examples: [
    ["$0 -n 10.5.0.3", "shut a node down after confirming"],
    ["$0 -n 10.5.0.3 --force --yes", "skip cordon and drain, do not ask"],
  ],
  builder: (y: Argv) =>
    withYesFlag(withWaitFlags(withConnectionFlags(y), { progress: false })).option("force", {
      type: "boolean",
      default: false,
      describe: "if true, force a node to shutdown without a cordon/drain",
    }),
  async handler(args, ctx: CliContext) {
    const flags = waitFlagsFrom(args);
    const force = bool(args, "force");
    await guardDestructive(ctx, args, "shutdown", "shut down");
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
    try {
      await runLifecycle(ctx, {
        verb: "shutdown",
        client,
        nodes,
        flags,
        start: (node) => shutdown(node, force),
        predicate: "services-stopped",
        postCheck: "none",
        sequences: ["shutdown"],
      });
    } finally {
      client.close();
    }
  },
});
