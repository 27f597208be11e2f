// talosctl config node [<node>...]: replaces the default nodes of the current context (or of
// the one --context names); no arguments clears them.
import { resolveContext, updateClientConfig } from "../../../clientconfig/index.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  use: "[<node>...]",
  args: args.any,
  flags: { ...connectionFlags },
  examples: [
    ["$0 10.5.0.2 10.5.0.3", "target these two nodes by default"],
    ["$0", "clear the default nodes"],
  ],
  async handler({ flags, args: given }, ctx) {
    const nodes = given.map((n) => n.trim()).filter((n) => n !== "");
    await updateClientConfig(
      { path: flags.talosconfig, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
      (config, file) => {
        // As for `config endpoint`: --context alone decides which context is edited.
        const { name } = resolveContext(config, flags.context, { path: file, wording: "config" });
        const target = config.contexts[name]!;
        if (nodes.length > 0) target.nodes = nodes;
        else delete target.nodes;
      },
    );
  },
});
