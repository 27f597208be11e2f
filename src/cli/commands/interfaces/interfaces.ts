// talosctl interfaces (hidden): removed in favour of the network resources; scripts that still
// call it get talosctl's deprecation error.
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags },
  async handler() {
    throw new UserError(
      "`talosctl interfaces` is deprecated, please use `talosctl get addresses` and `talosctl get links` instead",
    );
  },
});
