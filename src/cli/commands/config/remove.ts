// talosctl config remove <pattern>: removes the contexts whose names match a glob, asking
// about each one unless --noconfirm; the current context is never removed.
import readline from "node:readline";
import {
  compileGlob,
  contextNames,
  knownContextsHint,
  openClientConfig,
  sortedContextNames,
  updateClientConfig,
} from "../../../clientconfig/index.js";
import { errorMessage, UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  use: "<context>",
  args: args.exact(1),
  flags: {
    ...connectionFlags,
    noconfirm: flag.bool({ short: "y", describe: "do not ask for confirmation" }),
    "dry-run": flag.bool({ describe: "show what would be removed, change nothing" }),
  },
  examples: [
    ["$0 'test-*' -y", "remove every context whose name starts with test-"],
    ["$0 'old?' --dry-run", "show which contexts would be removed"],
  ],
  completePositional(index, ctx, { flags }) {
    if (index !== 0) return [];
    const path = typeof flags.talosconfig === "string" ? flags.talosconfig : "";
    return contextNames({ path, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd });
  },
  async handler({ flags, args: [pattern = ""] }, ctx) {
    if (pattern === "") throw new UserError("no context specified");
    let glob: RegExp;
    try {
      glob = compileGlob(pattern);
    } catch (err) {
      throw new UserError(`invalid context pattern "${pattern}": ${errorMessage(err)}`);
    }
    const options = { path: flags.talosconfig, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd };
    const { config, path: file } = openClientConfig(options);
    const names = sortedContextNames(config);
    if (names.length === 0) throw new UserError(`no contexts defined in ${file}`);
    const matches = names.filter((n) => glob.test(n));
    if (matches.length === 0)
      throw new UserError(`no contexts matched "${pattern}" ${knownContextsHint(config)}`);

    const candidates: string[] = [];
    for (const name of matches) {
      if (name === config.context) {
        ctx.stderr.write(
          `skipping removal of current context "${name}", please change it to another before removing\n`,
        );
      } else {
        candidates.push(name);
      }
    }
    if (candidates.length === 0) return;

    if (flags["dry-run"]) {
      for (const name of candidates) ctx.stdout.write(`would remove context "${name}"\n`);
      return;
    }

    let confirmed: string[];
    if (flags.noconfirm) {
      confirmed = candidates;
      for (const name of confirmed) ctx.stderr.write(`removing context "${name}"\n`);
    } else {
      if (!ctx.stdin.isTTY) {
        throw new UserError(
          "cannot ask for confirmation: stdin is not a terminal; pass --noconfirm (-y) to remove without asking",
        );
      }
      // Ask before taking the lock: other talosctl processes must not wait on a person.
      confirmed = await confirmEach(ctx, candidates);
    }
    if (confirmed.length === 0) return;

    await updateClientConfig(options, (latest) => {
      for (const name of confirmed) {
        // The file may have changed while we asked: never remove what has become current.
        if (name !== latest.context) delete latest.contexts[name];
      }
    });
  },
});

async function confirmEach(ctx: CliContext, names: readonly string[]): Promise<string[]> {
  const rl = readline.createInterface({
    input: ctx.stdin,
    terminal: false,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const lines = rl[Symbol.asyncIterator]();
  const yes: string[] = [];
  try {
    for (const name of names) {
      ctx.stderr.write(`remove context "${name}"? (y/N): `);
      const next = await lines.next();
      const answer = next.done ? "" : String(next.value).trim().toLowerCase();
      if (next.done) ctx.stderr.write("\n");
      if (answer === "y" || answer === "yes") yes.push(name);
    }
  } finally {
    rl.close();
  }
  return yes;
}
