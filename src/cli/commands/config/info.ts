// talosctl config info: a summary of the selected context: nodes, endpoints, and the roles and
// expiry of its client certificate.
import {
  describeContext,
  openClientConfig,
  renderContextInfo,
  resolveContext,
} from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags, outputFlag } from "../../flags.js";
import { writeValue } from "../../output/index.js";

const FORMATS = ["text", "json", "yaml"] as const;
type Format = (typeof FORMATS)[number];

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags, ...outputFlag(FORMATS, "text") },
  examples: [["$0 -o json", "print the summary as JSON"]],
  async handler({ flags }, ctx) {
    // talosctl's words for any other value (siderolabs/talos: cmd/talosctl/cmd/talos/config.go).
    if (!(FORMATS as readonly string[]).includes(flags.output)) {
      throw new UserError(`unknown output format: ${JSON.stringify(flags.output)}`);
    }
    const format = flags.output as Format;
    const file = openClientConfig({
      path: flags.talosconfig,
      env: ctx.env,
      homedir: ctx.homedir,
      cwd: ctx.cwd,
    });
    // The context shown is the one the command works with: with --context that is the named
    // one, not the file's current context (talosctl prints the latter). As for
    // `config endpoint`, --context alone decides.
    const selected = resolveContext(file.config, flags.context, { path: file.path, wording: "config" });
    const now = ctx.now();
    const info = describeContext(selected, now);
    if (format === "text") ctx.stdout.write(renderContextInfo(info, now));
    else writeValue(ctx.stdout, info, { kind: format });
  },
});
