// talosctl routes (route; hidden): removed in favour of the route resources; scripts that still
// call it get talosctl's deprecation error.
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags },
  async handler() {
    throw new UserError("`talosctl routes` is deprecated, please use `talosctl get routes` instead");
  },
});
