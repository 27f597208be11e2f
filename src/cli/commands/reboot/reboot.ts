// talosctl reboot: reboots the nodes and, by default, follows each until it is back (a new
// boot, running and ready).
import type { Argv } from "yargs";
import { connectionFlagsFrom, openClient } from "../../../client/index.js";
import { parseRebootMode, REBOOT_MODE_NAMES, reboot } from "../../../client/lifecycle/index.js";
import { defineCommand, str } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";
import { runLifecycle, waitFlagsFrom, withWaitFlags } from "../../lifecycle.js";

export const command = defineCommand({
  examples: [
    ["$0 -n 10.5.0.2", "reboot and wait until the node is back"],
    ["$0 -n 10.5.0.2 --mode powercycle", "reboot through the firmware (no kexec)"],
    ["$0 -n 10.5.0.2 --wait=false", "only ask for the reboot"],
  ],
  completeOption: { mode: () => [...REBOOT_MODE_NAMES] },
  builder: (y: Argv) =>
    withWaitFlags(withConnectionFlags(y), { progress: true }).option("mode", {
      alias: "m",
      type: "string",
      default: "default",
      describe: `select the reboot mode: ${REBOOT_MODE_NAMES.join(", ")}`,
    }),
  async handler(args, ctx: CliContext) {
    const mode = parseRebootMode(str(args, "mode") ?? "default");
    const flags = waitFlagsFrom(args);
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
    try {
      await runLifecycle(ctx, {
        verb: "reboot",
        client,
        nodes,
        flags,
        start: (node) => reboot(node, mode),
        predicate: "machine-ready",
        postCheck: "boot-id",
        sequences: ["reboot"],
      });
    } finally {
      client.close();
    }
  },
});
