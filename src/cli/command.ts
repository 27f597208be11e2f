// The shape of one command module: src/cli/commands/<noun>/<verb>.ts exports `command`.
import type { Argv } from "yargs";
import type { CliContext } from "./context.js";

/** Parsed arguments as yargs hands them over. */
export type Args = Record<string, unknown> & { _: (string | number)[] };

/** Offers completion candidates ("value" or "value\tdescription"). */
export type Completer = (ctx: CliContext, args: Args, toComplete: string) => Promise<string[]> | string[];

export interface CommandModule {
  /** Positional syntax after the command name, in yargs notation: "<context>", "[path]", "<node..>". */
  readonly args?: string;
  readonly examples?: readonly (readonly [string, string])[];
  /** Declares the command's options and positionals. */
  readonly builder?: (y: Argv) => Argv;
  /** Candidates for the Nth positional (0-based), given the positionals before it. */
  readonly completePositional?: (
    index: number,
    ctx: CliContext,
    args: Args,
    toComplete: string,
  ) => Promise<string[]> | string[];
  /** Candidates for an option's value, keyed by the option's long name. */
  readonly completeOption?: Readonly<Record<string, Completer>>;
  readonly handler: (args: Args, ctx: CliContext) => Promise<void>;
}

export function defineCommand(module: CommandModule): CommandModule {
  return module;
}

/** Positional and option values come back from yargs untyped; these read them safely. */
export function str(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  return String(v);
}

export function strs(args: Args, key: string): string[] {
  const v = args[key];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map(String);
}

/** A string list flag that also accepts comma-separated values (cobra's StringSlice). */
export function slice(args: Args, key: string): string[] {
  return strs(args, key)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

export function bool(args: Args, key: string): boolean {
  return args[key] === true;
}

export function num(args: Args, key: string): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  return Number(v);
}
