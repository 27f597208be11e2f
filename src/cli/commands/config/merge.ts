// talosctl config merge <from>: adds the contexts of another talosconfig to this one, renaming
// clashing names to <name>-1, <name>-2, ..., and makes the incoming current context current.
import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import {
  type ContextRename,
  formatRename,
  mergeClientConfig,
  readClientConfigFile,
  updateClientConfig,
} from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { defineCommand, str } from "../../command.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: "<from>",
  builder: (y: Argv) =>
    withConnectionFlags(y)
      .positional("from", { type: "string", describe: "the talosconfig file to merge in" })
      .example("$0 ./talosconfig", "merge the talosconfig written by gen config"),
  async handler(args, ctx) {
    const from = path.resolve(ctx.cwd, str(args, "from") ?? "");
    // Unlike talosctl, a missing file is an error rather than silently created empty.
    const incoming = readClientConfigFile(from);
    if (Object.keys(incoming.contexts).length === 0) {
      throw new UserError(`talosconfig ${from} has no contexts to merge`);
    }
    const { value: renames } = await updateClientConfig(
      { path: str(args, "talosconfig"), env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
      (config, file): ContextRename[] => {
        if (sameFile(file, from)) throw new UserError(`cannot merge ${from} into itself`);
        return mergeClientConfig(config, incoming);
      },
    );
    for (const r of renames) ctx.stderr.write(`renamed talosconfig context ${formatRename(r)}\n`);
  },
});

function sameFile(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
