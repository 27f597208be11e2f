// talosctl config merge <from>: adds the contexts of another talosconfig to this one, renaming
// clashing names to <name>-1, <name>-2, ..., and makes the incoming current context current.
import fs from "node:fs";
import path from "node:path";
import {
  type ContextRename,
  formatRename,
  mergeClientConfig,
  readClientConfigFile,
  updateClientConfig,
} from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  use: "<from>",
  // As talosctl: at least one; only the first is read.
  args: args.min(1),
  flags: { ...connectionFlags },
  examples: [["$0 ./talosconfig", "merge the talosconfig written by gen config"]],
  async handler({ flags, args: [given = ""] }, ctx) {
    const from = path.resolve(ctx.cwd, given);
    // Unlike talosctl, a missing file is an error rather than silently created empty.
    const incoming = readClientConfigFile(from);
    if (Object.keys(incoming.contexts).length === 0) {
      throw new UserError(`talosconfig ${from} has no contexts to merge`);
    }
    const { value: renames } = await updateClientConfig(
      { path: flags.talosconfig, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
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
