// talosctl config endpoint <endpoint>...: replaces the endpoints of the current context (or of
// the one --context names).
import type { Argv } from "yargs";
import { resolveContext, updateClientConfig } from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { defineCommand, str, strs } from "../../command.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: "<endpoint..>",
  builder: (y: Argv) =>
    withConnectionFlags(y)
      .positional("endpoint", { type: "string", array: true, describe: "endpoints (host, host:port or URL)" })
      .example("$0 10.5.0.2 10.5.0.3", "talk to the cluster through these two endpoints"),
  async handler(args, ctx) {
    const endpoints = strs(args, "endpoint")
      .map((e) => e.trim())
      .filter((e) => e !== "");
    if (endpoints.length === 0) throw new UserError("at least one non-empty endpoint is required");
    await updateClientConfig(
      { path: str(args, "talosconfig"), env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
      (config, file) => {
        // talosctl insists on a valid current context even when --context names another one
        // (its quirk 18); here --context alone decides, so a file without a current context
        // can still be edited.
        const { name } = resolveContext(config, str(args, "context"), { path: file, wording: "config" });
        config.contexts[name]!.endpoints = endpoints;
      },
    );
  },
});
