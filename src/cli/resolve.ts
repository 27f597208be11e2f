// Finds which command an argument list names, before any command module is loaded.
// Global flags may stand before the command (`talosctl -n 10.5.0.2 version`).
import { VALUE_FLAGS } from "./flags.js";
import { type CommandEntry, findChild, ROOT } from "./manifest.js";

export interface ResolvedCommand {
  /** Entries from the root's child down to the chosen command; empty for the root itself. */
  readonly path: readonly CommandEntry[];
  readonly entry: CommandEntry;
  /** The arguments without the words that named the command. */
  readonly rest: readonly string[];
  /** A word that should have named a subcommand but matched none. */
  readonly unknown?: string;
}

export function resolveCommand(argv: readonly string[], root: CommandEntry = ROOT): ResolvedCommand {
  const path: CommandEntry[] = [];
  const rest: string[] = [];
  let entry = root;
  let unknown: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (tok.startsWith("-") && tok.length > 1) {
      rest.push(tok);
      if (VALUE_FLAGS.has(tok) && i + 1 < argv.length) rest.push(argv[++i]!);
      continue;
    }
    if (entry.children && !entry.load && unknown === undefined) {
      const child = findChild(entry, tok);
      if (child) {
        path.push(child);
        entry = child;
        continue;
      }
      unknown = tok;
    }
    rest.push(tok);
  }
  return unknown === undefined ? { path, entry, rest } : { path, entry, rest, unknown };
}

export function commandName(path: readonly CommandEntry[], root: CommandEntry = ROOT): string {
  return [root.name, ...path.map((p) => p.name)].join(" ");
}
