// Flag declarations with the types pflag gives talosctl's flags. A command declares its flags
// as one object of these; the handler then reads typed values (a misspelled name does not
// compile) and each default is written once, here.
import type { CliContext } from "../context.js";

/** pflag's value types that talosctl uses, by the name pflag prints in help. */
export type FlagKind =
  | "string"
  | "bool"
  | "int"
  | "int32"
  | "uint32"
  | "float64"
  | "duration"
  | "stringSlice"
  | "stringArray"
  | "intSlice"
  | "stringToString";

interface ValueOf {
  string: string;
  bool: boolean;
  int: number;
  int32: number;
  uint32: number;
  float64: number;
  /** Nanoseconds, as Go's time.Duration. */
  duration: bigint;
  stringSlice: string[];
  stringArray: string[];
  intSlice: number[];
  stringToString: Record<string, string>;
}

/** What a default is written as: durations in Go syntax ("30m0s"), the rest as their value. */
interface DefaultOf {
  string: string;
  bool: boolean;
  int: number;
  int32: number;
  uint32: number;
  float64: number;
  duration: string;
  stringSlice: readonly string[];
  stringArray: readonly string[];
  intSlice: readonly number[];
  stringToString: Readonly<Record<string, string>>;
}

/** Offers completion candidates ("value" or "value\tdescription") for a flag's value. */
export type ValueCompleter = (
  ctx: CliContext,
  input: Invocation<FlagSet>,
  toComplete: string,
) => Promise<string[]> | string[];

export interface FlagSpec<K extends FlagKind = FlagKind> {
  readonly kind: K;
  /** One-letter shorthand (`-o`). */
  readonly short?: string;
  readonly describe: string;
  readonly default?: DefaultOf[K];
  /** The value a flag given without one takes (pflag's NoOptDefVal; "true" for every bool). */
  readonly noOptDefault?: string;
  readonly hidden?: boolean;
  /** Marked deprecated: hidden from help, and using it prints `Flag --x has been deprecated, <why>`. */
  readonly deprecated?: string;
  /** Shown under "Global Flags:" in help (talosctl's persistent connection flags). */
  readonly global?: boolean;
  /** Cobra's MarkFlagRequired. */
  readonly required?: boolean;
  /** Values offered by completion and named in help; not enforced unless `validate` says so. */
  readonly choices?: readonly string[];
  /** Checks a value as it is set; the message follows `invalid argument "v" for "--flag" flag: `. */
  validate?(value: ValueOf[K]): string | undefined;
  readonly complete?: ValueCompleter;
  /** What completion does with a file name (`FilterFileExt` extensions, or "dirs"). */
  readonly completeFiles?: readonly string[] | "dirs";
}

export type FlagSet = Readonly<Record<string, FlagSpec>>;

/** The parsed values of a flag set: every flag has a value (its default when not given). */
export type FlagValues<F extends FlagSet> = {
  readonly [K in keyof F]: F[K] extends { readonly kind: infer Kind extends FlagKind }
    ? ValueOf[Kind]
    : never;
};

/** What a command's handler receives. */
export interface Invocation<F extends FlagSet> {
  readonly flags: FlagValues<F>;
  /** The positional arguments, in order. */
  readonly args: readonly string[];
  /** Whether a flag was given on the command line (cobra's `Flags().Changed`). */
  changed(name: keyof F & string): boolean;
}

type Options<K extends FlagKind> = Omit<FlagSpec<K>, "kind">;

function make<K extends FlagKind>(kind: K): (options: Options<K>) => FlagSpec<K> {
  return (options) => ({ kind, ...options });
}

/** Declarations of each kind: `flag.string({ short: "o", default: "table", describe: "..." })`. */
export const flag = {
  string: make("string"),
  bool: make("bool"),
  int: make("int"),
  int32: make("int32"),
  uint32: make("uint32"),
  float64: make("float64"),
  duration: make("duration"),
  /** Repeatable, and each value is split on commas (pflag's StringSlice). */
  stringSlice: make("stringSlice"),
  /** Repeatable, values kept whole (pflag's StringArray). */
  stringArray: make("stringArray"),
  intSlice: make("intSlice"),
  /** `key=value` pairs, comma-separated and repeatable (pflag's StringToString). */
  stringToString: make("stringToString"),
} as const;

/** Cobra's positional-argument rules. */
export type ArgsRule =
  | { readonly kind: "any" }
  | { readonly kind: "none" }
  | { readonly kind: "exact"; readonly n: number }
  | { readonly kind: "min"; readonly n: number }
  | { readonly kind: "max"; readonly n: number }
  | { readonly kind: "range"; readonly min: number; readonly max: number };

export const args = {
  any: { kind: "any" } as ArgsRule,
  none: { kind: "none" } as ArgsRule,
  exact: (n: number): ArgsRule => ({ kind: "exact", n }),
  min: (n: number): ArgsRule => ({ kind: "min", n }),
  max: (n: number): ArgsRule => ({ kind: "max", n }),
  range: (min: number, max: number): ArgsRule => ({ kind: "range", min, max }),
} as const;
