// talosctl config endpoint <endpoint>...: replaces the endpoints of the current context (or of
// the one --context names).
import { resolveContext, updateClientConfig } from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  use: "<endpoint>...",
  args: args.min(1),
  flags: { ...connectionFlags },
  examples: [["$0 10.5.0.2 10.5.0.3", "talk to the cluster through these two endpoints"]],
  async handler({ flags, args: given }, ctx) {
    const endpoints = given.map((e) => e.trim()).filter((e) => e !== "");
    if (endpoints.length === 0) throw new UserError("at least one non-empty endpoint is required");
    await updateClientConfig(
      { path: flags.talosconfig, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
      (config, file) => {
        // talosctl insists on a valid current context even when --context names another one;
        // here --context alone decides, so a file without a current context can still be
        // edited.
        const { name } = resolveContext(config, flags.context, { path: file, wording: "config" });
        config.contexts[name]!.endpoints = endpoints;
      },
    );
  },
});
