// talosctl wipe md <device>: stops an md (software RAID) array and clears its members'
// superblocks on every node.
import { destroyArray } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { onEveryNode, wipeFlags } from "./shared.js";

export const command = defineCommand({
  use: "<device>",
  args: args.exact(1),
  long: `Stop an MD (software RAID) array and clear the superblock on every member device.

WARNING: this is destructive. The array must not be in use (mounted or claimed
by another device). The argument is the full array device path, e.g.
/dev/disk/by-id/md-name-data.`,
  flags: { ...wipeFlags },
  examples: [["$0 /dev/disk/by-id/md-name-data -n 10.5.0.3", "destroy the array named data"]],
  async handler({ flags, args }, ctx: CliContext) {
    const device = args[0]!;
    if (!device.startsWith("/dev/")) throw new UserError("md device must be a full /dev path");
    await onEveryNode(flags, ctx, "error from node", (node) => destroyArray(node, device));
  },
});
