// talosctl reboot: reboots the nodes and, by default, follows each until it is back (a new
// boot, running and ready).
import { openClient } from "../../../client/index.js";
import { parseRebootMode, REBOOT_MODE_NAMES, reboot } from "../../../client/lifecycle/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, oneOf } from "../../flags.js";
import { progressFlag, runLifecycle, waitFlags, waitOptions } from "../../lifecycle.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...waitFlags,
    ...progressFlag,
    mode: flag.string({
      short: "m",
      default: "default",
      choices: REBOOT_MODE_NAMES,
      validate: oneOf(REBOOT_MODE_NAMES),
      describe: `select the reboot mode: ${REBOOT_MODE_NAMES.join(", ")}`,
    }),
  },
  examples: [
    ["$0 -n 10.5.0.2", "reboot and wait until the node is back"],
    ["$0 -n 10.5.0.2 --mode powercycle", "reboot through the firmware (no kexec)"],
    ["$0 -n 10.5.0.2 --wait=false", "only ask for the reboot"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const mode = parseRebootMode(flags.mode);
    const wait = waitOptions(flags);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await runLifecycle(ctx, {
        verb: "reboot",
        client,
        nodes,
        flags: wait,
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
