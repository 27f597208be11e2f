// Runs one talosctl invocation against an injected context and returns the exit status.
import type { Argv } from "yargs";
import { errorMessage, JoinedError, ReportedError, UserError } from "../errors.js";
import type { Args } from "./command.js";
import type { CliContext } from "./context.js";
import { renderGroupHelp } from "./help.js";
import { commandName, resolveCommand } from "./resolve.js";

export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const debug = argv.includes("--debug") || ctx.env.TALOSCTL_DEBUG === "1";
  let usage: (() => Promise<string>) | undefined;
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
    const [{ command }, { buildParser }] = await Promise.all([resolved.entry.load(), import("./parser.js")]);
    const parser = buildParser(resolved.path, command, ctx);
    usage = () => parser.getHelp();
    const parsed = await parse(parser, resolved.rest);
    if (parsed.help !== undefined) {
      ctx.stdout.write(parsed.help.endsWith("\n") ? parsed.help : `${parsed.help}\n`);
      return 0;
    }
    await command.handler(parsed.args, ctx);
    return 0;
  } catch (err) {
    await reportError(err, ctx, debug, usage);
    return 1;
  }
}

interface ParseResult {
  args: Args;
  help?: string;
}

function parse(parser: Argv, rest: readonly string[]): Promise<ParseResult> {
  return new Promise((resolve, reject) => {
    parser.parse([...rest], {}, (err: Error | undefined, argv: unknown, output: string) => {
      if (err) {
        reject(new UserError(yargsMessage(err.message, rest), { showUsage: true }));
        return;
      }
      const args = argv as Args;
      // With exitProcess off, yargs hands back text only when it printed help.
      if (args.help === true || output !== "") resolve({ args, help: output });
      else resolve({ args });
    });
  });
}

/** Puts yargs' messages in the words talosctl users know. */
function yargsMessage(message: string, rest: readonly string[]): string {
  const unknownArgs = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknownArgs) {
    const words = unknownArgs[1]!.split(", ");
    const spelled = (w: string): string | undefined =>
      rest.find((r) => r === `--${w}` || r.startsWith(`--${w}=`) || r === `-${w}` || r.startsWith(`-${w}=`));
    const flag = words.find((w) => spelled(w) !== undefined);
    if (flag !== undefined) return `unknown flag: ${spelled(flag)!.split("=")[0]}`;
    return `unknown argument(s): ${words.map((w) => `"${w}"`).join(", ")}`;
  }
  const missing = /^Missing required arguments?: (.*)$/.exec(message);
  if (missing) {
    return `required flag(s) ${missing[1]!
      .split(", ")
      .map((f) => `"${f}"`)
      .join(", ")} not set`;
  }
  const notEnough = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(message);
  if (notEnough) return `requires at least ${notEnough[2]} arg(s), only received ${notEnough[1]}`;
  const tooMany = /^Too many non-option arguments: got (\d+), maximum of (\d+)$/.exec(message);
  if (tooMany) return `accepts at most ${tooMany[2]} arg(s), received ${tooMany[1]}`;
  return message;
}

async function reportError(
  err: unknown,
  ctx: CliContext,
  debug: boolean,
  usage: (() => Promise<string>) | undefined,
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
