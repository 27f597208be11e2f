// talosctl config info: a summary of the selected context: nodes, endpoints, and the roles and
// expiry of its client certificate.
import type { Argv } from "yargs";
import {
  describeContext,
  openClientConfig,
  renderContextInfo,
  resolveContext,
} from "../../../clientconfig/index.js";
import { defineCommand, str } from "../../command.js";
import { withConnectionFlags, withOutputFlag } from "../../flags.js";
import { parseOutputFormat, writeValue } from "../../output/index.js";

const FORMATS = ["text", "json", "yaml"] as const;

export const command = defineCommand({
  builder: (y: Argv) =>
    withOutputFlag(withConnectionFlags(y), FORMATS, "text").example(
      "$0 -o json",
      "print the summary as JSON",
    ),
  async handler(args, ctx) {
    const format = parseOutputFormat(str(args, "output") ?? "text", FORMATS);
    const file = openClientConfig({
      path: str(args, "talosconfig"),
      env: ctx.env,
      homedir: ctx.homedir,
      cwd: ctx.cwd,
    });
    // The context shown is the one the command works with: with --context that is the named
    // one, not the file's current context (talosctl printed the latter, its quirk 7). As for
    // `config endpoint`, --context alone decides (quirk 18).
    const selected = resolveContext(file.config, str(args, "context"), {
      path: file.path,
      wording: "config",
    });
    const now = ctx.now();
    const info = describeContext(selected, now);
    if (format.kind === "text") ctx.stdout.write(renderContextInfo(info, now));
    else writeValue(ctx.stdout, info, format);
  },
});
