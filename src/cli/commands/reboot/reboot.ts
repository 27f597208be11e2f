// talosctl reboot: reboots the nodes and, by default, follows each until it is back (a new
// boot, running and ready). With --drain the Kubernetes nodes are cordoned and drained first
// and uncordoned once back (which needs the cluster's Kubernetes API; see ./drain.ts).
import { type DrainedNodes, openClient } from "../../../client/index.js";
import { parseRebootMode, REBOOT_MODE_NAMES, reboot } from "../../../client/lifecycle/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, oneOf } from "../../flags.js";
import { progressFlag, runLifecycle, waitFlags, waitOptions } from "../../lifecycle.js";
import { decideDrain, drain, drainFlags, uncordon } from "./drain.js";

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
    ...drainFlags(false),
  },
  examples: [
    ["$0 -n 10.5.0.2", "reboot and wait until the node is back"],
    ["$0 -n 10.5.0.2 --mode powercycle", "reboot through the firmware (no kexec)"],
    ["$0 -n 10.5.0.2 --wait=false", "only ask for the reboot"],
    ["$0 -n 10.5.0.2 --drain", "cordon and drain the Kubernetes node first, uncordon it once back"],
  ],
  async handler({ flags, changed }, ctx: CliContext) {
    const mode = parseRebootMode(flags.mode);
    const wait = waitOptions(flags);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const drains = await decideDrain(ctx, client, {
        drain: flags.drain,
        explicit: changed("drain"),
        verb: "reboot",
      });
      // As talosctl: a drain needs the node back to uncordon it, so it implies --wait.
      const flagsForRun = drains ? { ...wait, wait: true } : wait;
      let drained: DrainedNodes = new Map();
      if (drains) drained = await drain(ctx, client, nodes, flags["drain-timeout"], flagsForRun);
      try {
        await runLifecycle(ctx, {
          verb: "reboot",
          client,
          nodes,
          flags: flagsForRun,
          start: (node) => reboot(node, mode),
          predicate: "machine-ready",
          postCheck: "boot-id",
          sequences: ["reboot"],
        });
      } finally {
        await uncordon(ctx, client, drained, flagsForRun);
      }
    } finally {
      client.close();
    }
  },
});
