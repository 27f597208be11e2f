// talosctl wipe vg <name>: removes an LVM volume group, its logical volumes first, on every node.
import { removeVolumeGroup } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { onEveryNode, wipeFlags } from "./shared.js";

export const command = defineCommand({
  use: "<name>",
  args: args.exact(1),
  long: `Remove an LVM volume group.

WARNING: this is destructive. Every logical volume inside the group is
removed first, then the volume group itself. There is no separate
confirmation per LV. The underlying physical volumes keep their LVM
labels and remain claimable until you run "talosctl wipe pv".`,
  flags: { ...wipeFlags },
  examples: [["$0 vg0 -n 10.5.0.3", "remove vg0 and every logical volume in it"]],
  async handler({ flags, args }, ctx: CliContext) {
    const vg = args[0]!;
    await onEveryNode(flags, ctx, "error from node", (node) => removeVolumeGroup(node, vg));
  },
});
