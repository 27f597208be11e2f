// The yargs parser of one command; loaded only when a command runs (help for the root and
// for groups needs no parser).
import yargs, { type Argv } from "yargs";
import type { CommandModule } from "./command.js";
import type { CliContext } from "./context.js";
import type { CommandEntry } from "./manifest.js";
import { commandName } from "./resolve.js";

/** Builds a yargs parser for exactly one command. */
export function buildParser(path: readonly CommandEntry[], command: CommandModule, ctx: CliContext): Argv {
  const entry = path[path.length - 1]!;
  const columns = ctx.stdout.columns ?? 100;
  const y = yargs()
    .scriptName(commandName(path))
    .parserConfiguration({
      "camel-case-expansion": false,
      "greedy-arrays": false,
      "strip-aliased": true,
      "boolean-negation": false,
    })
    .exitProcess(false)
    .strict()
    .version(false)
    .help("help")
    .alias("help", "h")
    .option("debug", { type: "boolean", hidden: true })
    .wrap(Math.min(columns, 120));
  const aliases = entry.aliases ?? [];
  y.command(
    command.args ? `$0 ${command.args}` : "$0",
    entry.describe + (aliases.length > 0 ? `\n\nAliases: ${[entry.name, ...aliases].join(", ")}` : ""),
    (b) => (command.builder ? command.builder(b) : b),
    () => {},
  );
  for (const [cmd, what] of command.examples ?? []) y.example(cmd, what);
  return y;
}
