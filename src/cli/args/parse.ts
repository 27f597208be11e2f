// Command-line parsing with pflag's rules, as cobra runs it for talosctl: flags and positionals
// may mix; `--name=value`, `--name value`, `-xvalue`, `-x=value`, `-x value`; glued booleans
// (`-tfl`); a flag that takes a value takes the next word whatever it looks like (so `-1` or
// `-5s` need no `=`); `--` ends the flags. A repeated flag keeps its last value unless its kind
// accumulates (slices and arrays). Errors carry pflag's and cobra's words.

import { errorMessage, UserError } from "../../errors.js";
import { parseGoDuration } from "../../wire/index.js";
import {
  GoSyntaxError,
  goQuote,
  parseGoBool,
  parseGoFloat,
  parseGoInt,
  parseGoUint,
  readCsvLine,
} from "./go-values.js";
import type { ArgsRule, FlagSet, FlagSpec, FlagValues, Invocation } from "./spec.js";

export interface ParseResult<F extends FlagSet> {
  readonly invocation: Invocation<F>;
  /** `-h`/`--help` was given: show help instead of running. */
  readonly help: boolean;
  /** Lines to print on stderr (deprecated flags in use). */
  readonly warnings: readonly string[];
}

/** A flag's display name in pflag's messages: `-o, --output` or `--talosconfig`. */
export function flagDisplayName(name: string, spec: FlagSpec): string {
  return spec.short !== undefined ? `-${spec.short}, --${name}` : `--${name}`;
}

function usageError(message: string): UserError {
  return new UserError(message, { showUsage: true });
}

interface State {
  values: Map<string, unknown>;
  changed: Set<string>;
}

export function parseCommandLine<F extends FlagSet>(tokens: readonly string[], flags: F): ParseResult<F> {
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.short !== undefined) byShort.set(spec.short, name);
  }
  const helpShort = !byShort.has("h");
  const state: State = { values: new Map(), changed: new Set() };
  const positionals: string[] = [];
  const warnings: string[] = [];
  let help = false;

  const set = (name: string, value: string): void => {
    const spec = flags[name]!;
    setValue(state, name, spec, value);
    if (spec.deprecated !== undefined)
      warnings.push(`Flag --${name} has been deprecated, ${spec.deprecated}`);
  };

  const rest = [...tokens];
  while (rest.length > 0) {
    const word = rest.shift()!;
    if (word.length < 2 || word[0] !== "-") {
      positionals.push(word);
      continue;
    }
    if (word[1] === "-") {
      if (word.length === 2) {
        positionals.push(...rest);
        break;
      }
      const body = word.slice(2);
      if (body.startsWith("-") || body.startsWith("=")) throw usageError(`bad flag syntax: ${word}`);
      const eq = body.indexOf("=");
      const name = eq < 0 ? body : body.slice(0, eq);
      const spec = flags[name];
      if (spec === undefined) {
        if (name === "help") {
          help = eq < 0 || parseGoBoolOr(body.slice(eq + 1), true);
          continue;
        }
        throw usageError(`unknown flag: --${name}`);
      }
      let value: string;
      if (eq >= 0) value = body.slice(eq + 1);
      else if (noOptDefault(spec) !== undefined) value = noOptDefault(spec)!;
      else if (rest.length > 0) value = rest.shift()!;
      else throw usageError(`flag needs an argument: ${word}`);
      set(name, value);
      continue;
    }
    let shorts = word.slice(1);
    while (shorts.length > 0) {
      const c = shorts[0]!;
      const name = byShort.get(c);
      if (name === undefined) {
        if (c === "h" && helpShort) {
          help = true;
          shorts = shorts.slice(1);
          continue;
        }
        throw usageError(`unknown shorthand flag: '${c}' in -${shorts}`);
      }
      const spec = flags[name]!;
      let value: string;
      if (shorts.length > 2 && shorts[1] === "=") {
        value = shorts.slice(2);
        shorts = "";
      } else if (noOptDefault(spec) !== undefined) {
        value = noOptDefault(spec)!;
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        value = shorts.slice(1);
        shorts = "";
      } else if (rest.length > 0) {
        value = rest.shift()!;
        shorts = "";
      } else {
        throw usageError(`flag needs an argument: '${c}' in -${shorts}`);
      }
      set(name, value);
    }
  }

  const values = {} as Record<string, unknown>;
  for (const [name, spec] of Object.entries(flags)) {
    values[name] = state.values.has(name) ? state.values.get(name) : defaultValue(spec);
  }
  const changed = state.changed;
  return {
    invocation: {
      flags: values as FlagValues<F>,
      args: positionals,
      changed: (name) => changed.has(name),
    },
    help,
    warnings,
  };
}

/** Cobra's MarkFlagRequired check, after parsing: `required flag(s) "a", "b" not set`. */
export function checkRequiredFlags(flags: FlagSet, invocation: Invocation<FlagSet>): void {
  const missing = Object.keys(flags)
    .filter((name) => flags[name]!.required === true && !invocation.changed(name))
    .sort();
  if (missing.length > 0) throw usageError(`required flag(s) "${missing.join('", "')}" not set`);
}

/** Cobra's positional-argument validators, with their messages. */
export function checkArgs(rule: ArgsRule, positionals: readonly string[], commandPath: string): void {
  const n = positionals.length;
  switch (rule.kind) {
    case "any":
      return;
    case "none":
      if (n > 0) throw usageError(`unknown command ${goQuote(positionals[0]!)} for ${goQuote(commandPath)}`);
      return;
    case "exact":
      if (n !== rule.n) throw usageError(`accepts ${rule.n} arg(s), received ${n}`);
      return;
    case "min":
      if (n < rule.n) throw usageError(`requires at least ${rule.n} arg(s), only received ${n}`);
      return;
    case "max":
      if (n > rule.n) throw usageError(`accepts at most ${rule.n} arg(s), received ${n}`);
      return;
    case "range":
      if (n < rule.min || n > rule.max) {
        throw usageError(`accepts between ${rule.min} and ${rule.max} arg(s), received ${n}`);
      }
      return;
  }
}

function noOptDefault(spec: FlagSpec): string | undefined {
  return spec.noOptDefault ?? (spec.kind === "bool" ? "true" : undefined);
}

function parseGoBoolOr(text: string, fallback: boolean): boolean {
  try {
    return parseGoBool(text);
  } catch {
    return fallback;
  }
}

function setValue(state: State, name: string, spec: FlagSpec, text: string): void {
  const first = !state.changed.has(name);
  let value: unknown;
  try {
    value = convert(spec, text, first ? undefined : state.values.get(name));
  } catch (err) {
    if (!(err instanceof GoSyntaxError)) throw err;
    throw usageError(
      `invalid argument ${goQuote(text)} for ${goQuote(flagDisplayName(name, spec))} flag: ${err.message}`,
    );
  }
  if (spec.validate !== undefined) {
    const problem = (spec.validate as (v: unknown) => string | undefined)(value);
    if (problem !== undefined) {
      throw usageError(
        `invalid argument ${goQuote(text)} for ${goQuote(flagDisplayName(name, spec))} flag: ${problem}`,
      );
    }
  }
  state.values.set(name, value);
  state.changed.add(name);
}

function convert(spec: FlagSpec, text: string, previous: unknown): unknown {
  switch (spec.kind) {
    case "string":
      return text;
    case "bool":
      return parseGoBool(text);
    case "int":
      return Number(parseGoInt(text, 64));
    case "int32":
      return Number(parseGoInt(text, 32));
    case "uint32":
      return Number(parseGoUint(text, 32));
    case "float64":
      return parseGoFloat(text);
    case "duration":
      try {
        return parseGoDuration(text);
      } catch (err) {
        throw new GoSyntaxError(errorMessage(err));
      }
    case "stringSlice":
      return [...((previous as string[] | undefined) ?? []), ...readCsvLine(text)];
    case "stringArray":
      return [...((previous as string[] | undefined) ?? []), text];
    case "intSlice": {
      const parsed = text.split(",").map((part) => {
        if (!/^[+-]?\d+$/.test(part))
          throw new GoSyntaxError(`strconv.Atoi: parsing ${goQuote(part)}: invalid syntax`);
        return Number(part);
      });
      return [...((previous as number[] | undefined) ?? []), ...parsed];
    }
    case "stringToString": {
      const out: Record<string, string> = { ...((previous as Record<string, string> | undefined) ?? {}) };
      for (const pair of readCsvLine(text)) {
        const eq = pair.indexOf("=");
        if (eq < 0) throw new GoSyntaxError(`${pair} must be formatted as key=value`);
        out[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      return out;
    }
  }
}

/** The value a flag has when it is not given. */
export function defaultValue(spec: FlagSpec): unknown {
  const d = spec.default;
  switch (spec.kind) {
    case "string":
      return d ?? "";
    case "bool":
      return d ?? false;
    case "int":
    case "int32":
    case "uint32":
    case "float64":
      return d ?? 0;
    case "duration":
      return d === undefined ? 0n : parseGoDuration(d as string);
    case "stringSlice":
    case "stringArray":
    case "intSlice":
      return [...((d as readonly unknown[] | undefined) ?? [])];
    case "stringToString":
      return { ...((d as Readonly<Record<string, string>> | undefined) ?? {}) };
  }
}
