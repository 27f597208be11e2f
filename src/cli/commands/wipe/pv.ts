// talosctl wipe pv <device>: removes the LVM label of a physical volume in no volume group.
import { removePhysicalVolume } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { onEveryNode, wipeFlags } from "./shared.js";

export const command = defineCommand({
  use: "<device>",
  args: args.exact(1),
  long: `Wipe LVM metadata from a block device.

The PV must not be part of an active volume group; remove the VG first with "talosctl wipe vg".

The argument is a full device path, e.g. /dev/sda1.`,
  flags: { ...wipeFlags },
  examples: [["$0 /dev/sdc -n 10.5.0.3", "forget that /dev/sdc was an LVM physical volume"]],
  async handler({ flags, args }, ctx: CliContext) {
    const device = args[0]!;
    await onEveryNode(flags, ctx, "error from node", (node) => removePhysicalVolume(node, device));
  },
});
