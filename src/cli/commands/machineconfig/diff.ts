// talosctl machineconfig diff <a> <b>: the per-document difference between two configs, with
// secrets hidden by default, or (-o patch) the strategic merge patch turning <a> into <b>.
import { configPatch, diffConfigs } from "../../../config/diff/index.js";
import { loadConfigText } from "../../../config/patch/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { readConfig } from "./patch.js";

const MODES = ["text", "patch"] as const;

export const command = defineCommand({
  use: "<from> <to>",
  args: args.exact(2),
  flags: {
    output: flag.string({
      short: "o",
      default: "text",
      choices: MODES,
      describe: "output mode (text: unified diff per document, patch: strategic merge patch)",
    }),
    "show-secrets": flag.bool({ describe: "show secret values (keys, tokens, secrets) instead of ******" }),
  },
  examples: [
    ["$0 controlplane.yaml controlplane-new.yaml", "show what changed, document by document"],
    [
      "$0 old.yaml new.yaml -o patch --show-secrets > patch.yaml",
      "a patch that turns old.yaml into new.yaml",
    ],
  ],
  async handler({ flags, args: [fromName = "", toName = ""] }, ctx: CliContext) {
    const mode = flags.output;
    if (!(MODES as readonly string[]).includes(mode)) {
      throw new UserError(`--output: unknown output format "${mode}" (use one of: ${MODES.join(", ")})`);
    }
    const a = loadConfigText(readConfig(ctx, fromName), fromName);
    const b = loadConfigText(readConfig(ctx, toName), toName);
    const showSecrets = flags["show-secrets"];

    if (mode === "patch") {
      const patch = configPatch(a, b, { showSecrets });
      ctx.stdout.write(patch.text);
      if (patch.redacted) {
        ctx.stderr.write(
          "warning: secret values in the patch are shown as ******; use --show-secrets for a patch that can be applied\n",
        );
      }
      return;
    }
    const diff = diffConfigs(a, b, { fromName, toName, showSecrets });
    ctx.stdout.write(diff.text);
    for (const doc of diff.hiddenChanges) {
      ctx.stdout.write(`# ${doc}: secret values differ (hidden; use --show-secrets to see them)\n`);
    }
  },
});
