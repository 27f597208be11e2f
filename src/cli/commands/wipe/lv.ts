// talosctl wipe lv <vg/lv>: removes one LVM logical volume on every node.
import { parseLogicalVolume, removeLogicalVolume } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { onEveryNode, wipeFlags } from "./shared.js";

export const command = defineCommand({
  use: "<vg/lv>",
  args: args.exact(1),
  long: "Remove an LVM logical volume.\n\nThe argument is the qualified logical-volume name, e.g. vg0/lv0.",
  flags: { ...wipeFlags },
  examples: [["$0 vg0/lv0 -n 10.5.0.3", "remove the logical volume lv0 of vg0"]],
  async handler({ flags, args }, ctx: CliContext) {
    const { vg, lv } = parseLogicalVolume(args[0]!);
    await onEveryNode(flags, ctx, "error from node", (node) => removeLogicalVolume(node, vg, lv));
  },
});
