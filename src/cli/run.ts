// Runs one talosctl invocation against an injected context and returns the exit status.
import { errorMessage, JoinedError, ReportedError, UserError } from "../errors.js";
import { checkArgs, checkRequiredFlags, parseCommandLine } from "./args/parse.js";
import type { FlagSet } from "./args/spec.js";
import { type HelpInput, renderCommandHelp, renderUsage } from "./args/usage.js";
import { type CommandModule, commandFlags } from "./command.js";
import type { CliContext } from "./context.js";
import { renderGroupHelp } from "./help.js";
import type { CommandEntry } from "./manifest.js";
import { commandName, resolveCommand } from "./resolve.js";

export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const debug = argv.includes("--debug") || ctx.env.TALOSCTL_DEBUG === "1";
  let usage: (() => Promise<string> | string) | undefined;
  try {
    if (argv[0] === "__complete" || argv[0] === "__completeNoDesc") {
      const { complete } = await import("./completion/complete.js");
      await complete(argv.slice(1), ctx, { descriptions: argv[0] === "__complete" });
      return 0;
    }
    if (argv[0] === "help") argv = [...argv.slice(1), "--help"];
    const resolved = resolveCommand(argv);
    const wantsHelp = resolved.rest.includes("--help") || resolved.rest.includes("-h");
    if (!resolved.entry.load) {
      if (resolved.unknown !== undefined && !wantsHelp) {
        usage = async () => renderGroupHelp(resolved.path);
        throw new UserError(`unknown command "${resolved.unknown}" for "${commandName(resolved.path)}"`, {
          showUsage: true,
        });
      }
      ctx.stdout.write(renderGroupHelp(resolved.path));
      return 0;
    }
    const { command } = await resolved.entry.load();
    const flags = commandFlags(command);
    const help = helpInput(resolved.path, command, flags);
    usage = () => renderUsage(help);
    const parsed = parseCommandLine(resolved.rest, flags);
    for (const warning of parsed.warnings) ctx.stderr.write(`${warning}\n`);
    if (parsed.help) {
      ctx.stdout.write(renderCommandHelp(help));
      return 0;
    }
    checkArgs(command.args ?? { kind: "any" }, parsed.invocation.args, help.commandPath);
    checkRequiredFlags(flags, parsed.invocation);
    await command.handler(parsed.invocation, ctx);
    return 0;
  } catch (err) {
    await reportError(err, ctx, debug, usage);
    return 1;
  }
}

export function helpInput(path: readonly CommandEntry[], command: CommandModule, flags: FlagSet): HelpInput {
  const entry = path[path.length - 1]!;
  return {
    commandPath: commandName(path),
    name: entry.name,
    describe: entry.describe,
    flags,
    ...(command.use !== undefined ? { use: command.use } : {}),
    ...(command.long !== undefined ? { long: command.long } : {}),
    ...(entry.aliases !== undefined ? { aliases: entry.aliases } : {}),
    ...(command.examples !== undefined ? { examples: command.examples } : {}),
  };
}

async function reportError(
  err: unknown,
  ctx: CliContext,
  debug: boolean,
  usage: (() => Promise<string> | string) | undefined,
): Promise<void> {
  if (err instanceof ReportedError) return;
  const message = errorMessage(err);
  ctx.stderr.write(`${message}\n`);
  if (err instanceof UserError && err.showUsage && usage) {
    try {
      ctx.stderr.write(`\n${await usage()}\n`);
    } catch {
      // usage is a courtesy; the error is already printed
    }
  }
  if (debug || !(err instanceof UserError || err instanceof JoinedError)) {
    if (debug) ctx.stderr.write(describeCause(err));
    else if (err instanceof Error && err.cause !== undefined) {
      ctx.stderr.write("(run with --debug for details)\n");
    }
  }
}

function describeCause(err: unknown): string {
  let out = "";
  let current: unknown = err;
  let depth = 0;
  while (current !== undefined && depth < 8) {
    if (current instanceof Error) {
      out += `${depth === 0 ? "" : "caused by: "}${current.stack ?? current.message}\n`;
      current = current.cause;
    } else {
      out += `caused by: ${String(current)}\n`;
      current = undefined;
    }
    depth++;
  }
  return out;
}
