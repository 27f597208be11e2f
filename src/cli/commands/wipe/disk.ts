// talosctl wipe disk <device names>...: wipes block devices (disks or partitions) that no volume
// uses, on every node; the node refuses system disks and devices in use in Talos's words.
import { parseWipeMethod, WIPE_METHODS, wipeBlockDevices } from "../../../client/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { onEveryNode, wipeFlags } from "./shared.js";

export const command = defineCommand({
  use: "<device names>...",
  args: args.min(1),
  long: "Wipe a block device (disk or partition) which is not used as a volume.\n\nUse device names as arguments, for example: vda or sda5.",
  flags: {
    ...wipeFlags,
    method: flag.string({
      default: WIPE_METHODS[0]!,
      choices: WIPE_METHODS,
      describe: `wipe method to use [${WIPE_METHODS.join(" ")}]`,
    }),
    "skip-volume-check": flag.bool({ hidden: true, describe: "skip volume check" }),
    "skip-secondary-check": flag.bool({
      hidden: true,
      describe: "skip secondary disk check (e.g. underlying disk for RAID or LVM), use with caution",
    }),
    "drop-partition": flag.bool({ describe: "drop partition after wipe (if applicable)" }),
  },
  examples: [
    ["$0 sdb -n 10.5.0.3", "wipe a whole disk's signatures"],
    ["$0 sdb1 --method ZEROES --drop-partition -n 10.5.0.3", "zero a partition, then remove it"],
    ["$0 sdb -n 10.5.0.3 --insecure", "in maintenance mode, before the node is configured"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const method = parseWipeMethod(flags.method);
    const options = {
      method,
      dropPartition: flags["drop-partition"],
      skipVolumeCheck: flags["skip-volume-check"],
      skipSecondaryCheck: flags["skip-secondary-check"],
    };
    await onEveryNode(flags, ctx, "error wiping device on node", (node) =>
      wipeBlockDevices(node, args, options),
    );
  },
});
