// Help for the root and for command groups, drawn from the manifest alone so that
// `talosctl --help` loads no command module.
import { type CommandEntry, type CommandGroup, GROUP_TITLES, ROOT } from "./manifest.js";
import { commandName } from "./resolve.js";

export function renderGroupHelp(path: readonly CommandEntry[], root: CommandEntry = ROOT): string {
  const entry = path.length === 0 ? root : path[path.length - 1]!;
  const name = commandName(path, root);
  const children = (entry.children ?? []).filter((c) => !c.hidden);
  const width = Math.max(...children.map((c) => c.name.length), 4) + 3;
  let out = `${entry.describe}\n\nUsage:\n  ${name} [command]\n`;
  if (entry.aliases?.length) out += `\nAliases:\n  ${[entry.name, ...entry.aliases].join(", ")}\n`;
  const order: CommandGroup[] = path.length === 0 ? ["talos", "mgmt", "cluster", "other"] : ["talos"];
  for (const group of order) {
    const members = children
      .filter((c) => path.length > 0 || (c.group ?? "other") === group)
      .sort((a, b) => a.name.localeCompare(b.name));
    if (members.length === 0) continue;
    out += `\n${path.length === 0 ? GROUP_TITLES[group] : "Available Commands:"}\n`;
    for (const c of members) out += `  ${c.name.padEnd(width)}${c.describe}\n`;
  }
  if (path.length === 0) {
    out += `  ${"help".padEnd(width)}Help about any command\n`;
  }
  out += `\nFlags:\n  -h, --help   help for ${entry.name}\n`;
  out += `\nUse "${name} [command] --help" for more information about a command.\n`;
  return out;
}
