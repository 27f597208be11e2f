// The hidden `__complete` command: the protocol the shell scripts speak (one candidate per
// line, "value\tdescription" allowed, then a last line ":<directive>"), compatible with the
// scripts cobra generates.
import yargs, { type Argv, type Options } from "yargs";
import type { Args, CommandModule, Completer } from "../command.js";
import type { CliContext } from "../context.js";
import { VALUE_FLAGS } from "../flags.js";
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
  names: string[];
  describe: string;
  takesValue: boolean;
  hidden: boolean;
  choices?: readonly string[];
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
          flags = describeFlags(module);
        }
        continue;
      }
    }
    positionals.push(w);
  }

  const args = parseLoosely([...positionals, ...flagWords], flags);

  // --flag=value
  const eq = toComplete.startsWith("--") ? toComplete.indexOf("=") : -1;
  if (eq > 0) {
    const flagName = toComplete.slice(0, eq);
    const values = await completeFlagValue(flagName, module, flags, ctx, args, toComplete.slice(eq + 1));
    if (values === undefined) return { candidates: [], directive: Directive.Default };
    return {
      candidates: values.map((v) => `${flagName}=${v}`),
      directive: Directive.NoFileComp,
    };
  }

  if (pendingFlag !== undefined) {
    const values = await completeFlagValue(pendingFlag, module, flags, ctx, args, toComplete);
    if (values === undefined) return { candidates: [], directive: Directive.Default };
    return { candidates: values, directive: Directive.NoFileComp };
  }

  if (toComplete.startsWith("-")) {
    const list = entry.load ? flags : [];
    const out: string[] = [];
    for (const f of list) {
      if (f.hidden) continue;
      for (const n of f.names) {
        const spelled = n.length === 1 ? `-${n}` : `--${n}`;
        if (spelled.startsWith(toComplete)) out.push(`${spelled}\t${f.describe}`);
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
  module: CommandModule | undefined,
  flags: readonly FlagInfo[],
  ctx: CliContext,
  args: Args,
  toComplete: string,
): Promise<string[] | undefined> {
  const info = findFlag(spelled, flags);
  const long = info?.names.find((n) => n.length > 1) ?? spelled.replace(/^-+/, "");
  const custom: Completer | undefined = module?.completeOption?.[long] ?? BUILTIN_COMPLETERS[long];
  let values: string[] | undefined;
  try {
    if (custom) values = await custom(ctx, args, toComplete);
    else if (info?.choices) values = [...info.choices];
    else if (long === "output" && info) values = [...OUTPUT_FORMAT_NAMES];
  } catch {
    values = [];
  }
  return values?.filter((v) => v.startsWith(toComplete));
}

const BUILTIN_COMPLETERS: Readonly<Record<string, Completer>> = {
  context: async (ctx, args) => {
    const { contextNames } = await import("../../clientconfig/index.js");
    return contextNames({
      ...(typeof args.talosconfig === "string" ? { path: args.talosconfig } : {}),
      env: ctx.env,
      homedir: ctx.homedir,
      cwd: ctx.cwd,
    });
  },
  nodes: async (ctx, args) => {
    const { contextNodes } = await import("../../clientconfig/index.js");
    return contextNodes({
      ...(typeof args.talosconfig === "string" ? { path: args.talosconfig } : {}),
      ...(typeof args.context === "string" ? { context: args.context } : {}),
      env: ctx.env,
      homedir: ctx.homedir,
      cwd: ctx.cwd,
    });
  },
};

function flagTakesValue(spelled: string, flags: readonly FlagInfo[]): boolean {
  const info = findFlag(spelled, flags);
  if (info) return info.takesValue;
  return VALUE_FLAGS.has(spelled);
}

function findFlag(spelled: string, flags: readonly FlagInfo[]): FlagInfo | undefined {
  const name = spelled.replace(/^-+/, "");
  return flags.find((f) => f.names.includes(name));
}

/** Reads the option table yargs builds for a command. */
function describeFlags(module: CommandModule): FlagInfo[] {
  const parser: Argv = yargs().option("debug", { type: "boolean", hidden: true });
  module.builder?.(parser);
  const opts = (parser as unknown as { getOptions(): YargsOptionTable }).getOptions();
  const internal = (parser as unknown as { getInternalMethods?(): YargsInternals }).getInternalMethods?.();
  const descriptions = internal?.getUsageInstance().getDescriptions() ?? {};
  const valueKinds = new Set([...opts.string, ...opts.number, ...opts.array]);
  const keys = Object.keys(opts.key).filter((k) => k !== "$0" && k !== "help" && k !== "version");
  return keys.map((key) => {
    const aliases = opts.alias[key] ?? [];
    const choices = opts.choices[key];
    const info: FlagInfo = {
      names: [key, ...aliases],
      describe: descriptions[key] ?? "",
      takesValue: valueKinds.has(key) && !opts.boolean.includes(key),
      hidden: opts.hiddenOptions.includes(key),
    };
    if (choices) info.choices = choices.map(String);
    return info;
  });
}

interface YargsOptionTable {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  string: string[];
  number: string[];
  array: string[];
  boolean: string[];
  choices: Record<string, Options["choices"] & unknown[]>;
  hiddenOptions: string[];
}

interface YargsInternals {
  getUsageInstance(): { getDescriptions(): Record<string, string> };
}

/** Enough of a parse for completers: long names to values. */
function parseLoosely(words: readonly string[], flags: readonly FlagInfo[]): Args {
  const args: Args = { _: [] };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith("-")) {
      args._.push(w);
      continue;
    }
    const [spelled, inline] = w.includes("=")
      ? [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]
      : [w, undefined];
    const info = findFlag(spelled!, flags);
    const long = info?.names.find((n) => n.length > 1) ?? spelled!.replace(/^-+/, "");
    if (flagTakesValue(spelled!, flags)) {
      const value = inline ?? words[++i];
      if (value !== undefined) args[long] = value;
    } else {
      args[long] = true;
    }
  }
  return args;
}
