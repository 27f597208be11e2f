// talosctl config context <name>: makes a context the current one.
import {
  contextNames,
  hasContext,
  knownContextsHint,
  updateClientConfig,
} from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  use: "<context>",
  args: args.exact(1),
  flags: { ...connectionFlags },
  examples: [["$0 prod", "use the prod context from now on"]],
  completePositional(index, ctx, { flags }) {
    if (index !== 0) return [];
    const path = typeof flags.talosconfig === "string" ? flags.talosconfig : "";
    return contextNames({ path, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd });
  },
  async handler({ flags, args: [name = ""] }, ctx) {
    await updateClientConfig(
      { path: flags.talosconfig, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
      (config) => {
        if (!hasContext(config, name)) {
          throw new UserError(`context "${name}" is not defined ${knownContextsHint(config)}`);
        }
        config.context = name;
      },
    );
  },
});
