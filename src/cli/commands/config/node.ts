// talosctl config node [<node>...]: replaces the default nodes of the current context (or of
// the one --context names); no arguments clears them.
import type { Argv } from "yargs";
import { resolveContext, updateClientConfig } from "../../../clientconfig/index.js";
import { defineCommand, str, strs } from "../../command.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: "[node..]",
  builder: (y: Argv) =>
    withConnectionFlags(y)
      .positional("node", { type: "string", array: true, describe: "nodes to target by default" })
      .example("$0 10.5.0.2 10.5.0.3", "target these two nodes by default")
      .example("$0", "clear the default nodes"),
  async handler(args, ctx) {
    const nodes = strs(args, "node")
      .map((n) => n.trim())
      .filter((n) => n !== "");
    await updateClientConfig(
      { path: str(args, "talosconfig"), env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
      (config, file) => {
        // As for `config endpoint`: --context alone decides which context is edited (quirk 18).
        const { name } = resolveContext(config, str(args, "context"), { path: file, wording: "config" });
        const target = config.contexts[name]!;
        if (nodes.length > 0) target.nodes = nodes;
        else delete target.nodes;
      },
    );
  },
});
