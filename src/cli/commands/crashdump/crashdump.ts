// talosctl crashdump (hidden): replaced by `support`; its flags are still accepted so that old
// scripts reach talosctl's deprecation error rather than an unknown-flag one.
import { UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    "init-node": flag.string({ describe: "specify IPs of init node" }),
    "control-plane-nodes": flag.stringSlice({ describe: "specify IPs of control plane nodes" }),
    "worker-nodes": flag.stringSlice({ describe: "specify IPs of worker nodes" }),
  },
  async handler() {
    throw new UserError("`talosctl crashdump` is deprecated, please use `talosctl support` instead");
  },
});
