// The hidden `__complete` command: the protocol the shell scripts speak (one candidate per
// line, "value\tdescription" allowed, then a last line ":<directive>"), compatible with the
// scripts cobra generates.
import { parseCommandLine } from "../args/parse.js";
import type { FlagSet, FlagSpec, Invocation } from "../args/spec.js";
import { type CommandModule, commandFlags } from "../command.js";
import type { CliContext } from "../context.js";
import { connectionFlags, VALUE_FLAGS } from "../flags.js";
import { type CommandEntry, findChild, ROOT } from "../manifest.js";
import { OUTPUT_FORMAT_NAMES } from "../output/index.js";

export const Directive = {
  Default: 0,
  Error: 1,
  NoSpace: 2,
  NoFileComp: 4,
  FilterFileExt: 8,
  FilterDirs: 16,
  KeepOrder: 32,
} as const;

export interface CompleteOptions {
  descriptions: boolean;
}

interface FlagInfo {
  readonly long: string;
  readonly names: readonly string[];
  readonly spec: FlagSpec;
}

export async function complete(
  words: readonly string[],
  ctx: CliContext,
  options: CompleteOptions,
): Promise<void> {
  const { candidates, directive } = await candidatesFor(words, ctx);
  for (const c of candidates) {
    ctx.stdout.write(`${options.descriptions ? c : c.split("\t")[0]}\n`);
  }
  ctx.stdout.write(`:${directive}\n`);
}

export async function candidatesFor(
  words: readonly string[],
  ctx: CliContext,
): Promise<{ candidates: string[]; directive: number }> {
  const toComplete = words.length > 0 ? words[words.length - 1]! : "";
  const before = words.slice(0, -1);

  // Walk the words before the cursor: find the command and the positionals given so far.
  const path: CommandEntry[] = [];
  let entry: CommandEntry = ROOT;
  const positionals: string[] = [];
  const flagWords: string[] = [];
  let pendingFlag: string | undefined;
  let module: CommandModule | undefined;
  let flags: FlagInfo[] = [];
  for (const w of before) {
    if (pendingFlag !== undefined) {
      flagWords.push(w);
      pendingFlag = undefined;
      continue;
    }
    if (w.startsWith("-") && w.length > 1) {
      flagWords.push(w);
      if (!w.includes("=") && flagTakesValue(w, flags)) pendingFlag = w;
      continue;
    }
    if (!entry.load && entry.children) {
      const child = findChild(entry, w);
      if (child) {
        path.push(child);
        entry = child;
        if (child.load) {
          module = (await child.load()).command;
          flags = describeFlags(commandFlags(module));
        }
        continue;
      }
    }
    positionals.push(w);
  }

  // A flag waiting for the value being completed is left out: parsed alone it would fail.
  const typed = pendingFlag === undefined ? flagWords : flagWords.slice(0, -1);
  const args = parseLoosely([...positionals, ...typed], module);

  // --flag=value
  const eq = toComplete.startsWith("--") ? toComplete.indexOf("=") : -1;
  if (eq > 0) {
    const flagName = toComplete.slice(0, eq);
    const values = await completeFlagValue(flagName, flags, ctx, args, toComplete.slice(eq + 1));
    if (values === undefined) return { candidates: [], directive: Directive.Default };
    return {
      candidates: values.map((v) => `${flagName}=${v}`),
      directive: Directive.NoFileComp,
    };
  }

  if (pendingFlag !== undefined) {
    const values = await completeFlagValue(pendingFlag, flags, ctx, args, toComplete);
    if (values === undefined) return { candidates: [], directive: Directive.Default };
    return { candidates: values, directive: Directive.NoFileComp };
  }

  if (toComplete.startsWith("-")) {
    const list = entry.load ? flags : [];
    const out: string[] = [];
    for (const f of list) {
      if (f.spec.hidden === true || f.spec.deprecated !== undefined) continue;
      for (const n of f.names) {
        const spelled = n.length === 1 ? `-${n}` : `--${n}`;
        if (spelled.startsWith(toComplete)) out.push(`${spelled}\t${f.spec.describe}`);
      }
    }
    if ("--help".startsWith(toComplete)) out.push("--help\thelp for this command");
    return { candidates: out, directive: Directive.NoFileComp };
  }

  if (!entry.load && entry.children) {
    const out = entry.children
      .filter((c) => !c.hidden && c.name.startsWith(toComplete))
      .map((c) => `${c.name}\t${c.describe}`);
    if (entry === ROOT && "help".startsWith(toComplete)) out.push("help\tHelp about any command");
    return { candidates: out.sort(), directive: Directive.NoFileComp };
  }

  if (module?.completePositional) {
    try {
      const values = await module.completePositional(positionals.length, ctx, args, toComplete);
      return { candidates: values.filter((v) => v.startsWith(toComplete)), directive: Directive.NoFileComp };
    } catch {
      return { candidates: [], directive: Directive.Error };
    }
  }
  return { candidates: [], directive: Directive.Default };
}

async function completeFlagValue(
  spelled: string,
  flags: readonly FlagInfo[],
  ctx: CliContext,
  input: Invocation<FlagSet>,
  toComplete: string,
): Promise<string[] | undefined> {
  const info = findFlag(spelled, flags);
  const spec: FlagSpec | undefined =
    info?.spec ?? connectionFlags[spelled.replace(/^-+/, "") as keyof typeof connectionFlags];
  let values: string[] | undefined;
  try {
    if (spec?.complete) values = await spec.complete(ctx, input, toComplete);
    else if (spec?.choices) values = [...spec.choices];
    else if (info?.long === "output") values = [...OUTPUT_FORMAT_NAMES];
  } catch {
    values = [];
  }
  return values?.filter((v) => v.startsWith(toComplete));
}

function flagTakesValue(spelled: string, flags: readonly FlagInfo[]): boolean {
  const info = findFlag(spelled, flags);
  if (info) return info.spec.kind !== "bool" && info.spec.noOptDefault === undefined;
  return VALUE_FLAGS.has(spelled);
}

function findFlag(spelled: string, flags: readonly FlagInfo[]): FlagInfo | undefined {
  const name = spelled.replace(/^-+/, "");
  return flags.find((f) => f.names.includes(name));
}

function describeFlags(flags: FlagSet): FlagInfo[] {
  return Object.entries(flags).map(([long, spec]) => ({
    long,
    names: spec.short !== undefined ? [long, spec.short] : [long],
    spec,
  }));
}

/** Enough of a parse for completers: what was typed so far, mistakes ignored. */
function parseLoosely(words: readonly string[], module: CommandModule | undefined): Invocation<FlagSet> {
  const flags = module ? commandFlags(module) : connectionFlags;
  try {
    return parseCommandLine(words, flags).invocation;
  } catch {
    return parseCommandLine(
      words.filter((w) => !w.startsWith("-")),
      flags,
    ).invocation;
  }
}
