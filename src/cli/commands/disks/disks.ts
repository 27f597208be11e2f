// talosctl disks (hidden): removed in favour of the block resources; scripts that still call it
// get talosctl's deprecation error.
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: args.any,
  flags: { ...connectionFlags },
  async handler() {
    throw new UserError(
      "`talosctl disks` is deprecated, please use `talosctl get disks`, `talosctl get systemdisk`, `talosctl get discoveredvolumes` instead",
    );
  },
});
