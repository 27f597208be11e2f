// talosctl config context <name>: makes a context the current one.
import type { Argv } from "yargs";
import {
  contextNames,
  hasContext,
  knownContextsHint,
  updateClientConfig,
} from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { defineCommand, str } from "../../command.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: "<name>",
  builder: (y: Argv) =>
    withConnectionFlags(y)
      .positional("name", { type: "string", describe: "name of the context to use" })
      .example("$0 prod", "use the prod context from now on"),
  completePositional: (index, ctx, args) =>
    index === 0
      ? contextNames({ path: str(args, "talosconfig"), env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd })
      : [],
  async handler(args, ctx) {
    const name = str(args, "name") ?? "";
    await updateClientConfig(
      { path: str(args, "talosconfig"), env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
      (config) => {
        if (!hasContext(config, name)) {
          throw new UserError(`context "${name}" is not defined ${knownContextsHint(config)}`);
        }
        config.context = name;
      },
    );
  },
});
