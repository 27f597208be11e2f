// The shape of one command module: src/cli/commands/<noun>/<verb>.ts exports `command`, made
// with `defineCommand`, which ties the handler's typed flag values to the declared flags.
import { type ArgsRule, type FlagSet, flag, type Invocation } from "./args/spec.js";
import type { CliContext } from "./context.js";

export { type ArgsRule, args, type FlagSet, type FlagValues, flag, type Invocation } from "./args/spec.js";

export interface CommandModule<F extends FlagSet = FlagSet> {
  /** Positional syntax shown in the usage line: "<type> [<id>]", "<endpoint>...". */
  readonly use?: string;
  /** Cobra's positional-argument rule; any number when absent. */
  readonly args?: ArgsRule;
  readonly flags: F;
  /** A longer description for `--help` (the manifest's one-liner otherwise). */
  readonly long?: string;
  /** [command line, what it does]; `$0` stands for the command path. */
  readonly examples?: readonly (readonly [string, string])[];
  /** Candidates for the Nth positional (0-based), given what was typed before it. */
  completePositional?(
    index: number,
    ctx: CliContext,
    input: Invocation<FlagSet>,
    toComplete: string,
  ): Promise<string[]> | string[];
  handler(input: Invocation<F>, ctx: CliContext): Promise<void>;
}

export function defineCommand<const F extends FlagSet>(module: CommandModule<F>): CommandModule<F> {
  return module;
}

/** Every command accepts --debug (the chain of causes of an error), unless it has its own. */
const DEBUG_FLAG = flag.bool({ hidden: true, describe: "print the causes of an error" });

/** The flags a command parses: its own, plus the hidden --debug. */
export function commandFlags(command: CommandModule): FlagSet {
  return "debug" in command.flags ? command.flags : { ...command.flags, debug: DEBUG_FLAG };
}
