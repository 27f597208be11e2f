import { describe, expect, it } from "vitest";
import { UserError } from "../../errors.js";
import { checkArgs, checkRequiredFlags, parseCommandLine } from "./parse.js";
import { args, type FlagSet, flag } from "./spec.js";

const FLAGS = {
  talosconfig: flag.string({ describe: "config" }),
  nodes: flag.stringSlice({ short: "n", describe: "nodes" }),
  endpoints: flag.stringSlice({ short: "e", describe: "endpoints" }),
  output: flag.string({ short: "o", default: "table", describe: "output" }),
  patch: flag.stringArray({ short: "p", describe: "patches" }),
  tail: flag.int32({ describe: "lines" }),
  depth: flag.int32({ short: "d", default: 1, describe: "depth" }),
  timeout: flag.duration({ default: "30m0s", describe: "timeout" }),
  long: flag.bool({ short: "l", describe: "long" }),
  recurse: flag.bool({ short: "r", describe: "recurse" }),
  humanize: flag.bool({ short: "H", describe: "humanize" }),
  type: flag.stringSlice({ short: "t", describe: "types" }),
  wait: flag.bool({ default: true, describe: "wait" }),
  labels: flag.stringToString({ describe: "labels" }),
  ratio: flag.float64({ describe: "ratio" }),
  count: flag.int({ short: "c", describe: "count" }),
  gone: flag.string({ deprecated: "use --talosconfig", describe: "old" }),
} as const;

function parse(words: readonly string[], flags: FlagSet = FLAGS) {
  return parseCommandLine(words, flags);
}

function failure(words: readonly string[]): string {
  try {
    parse(words);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).showUsage).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`no error for ${words.join(" ")}`);
}

describe("parseCommandLine follows pflag", () => {
  // Each row: the words, then the flag values they must give (only the flags named).
  const cases: [string, readonly string[], Record<string, unknown>][] = [
    [
      "defaults when nothing is given",
      [],
      { output: "table", depth: 1, timeout: 1_800_000_000_000n, wait: true, nodes: [] },
    ],
    [
      "a repeated string flag keeps the last value",
      ["--talosconfig", "a", "--talosconfig", "b"],
      { talosconfig: "b" },
    ],
    ["string slices accumulate and split on commas", ["-n", "a", "-n", "b,c"], { nodes: ["a", "b", "c"] }],
    ["slice values are csv (quotes keep a comma)", ["-e", '"a,b",c'], { endpoints: ["a,b", "c"] }],
    ["string arrays accumulate and keep commas", ["-p", "a,b", "--patch", "c"], { patch: ["a,b", "c"] }],
    ["attached short value", ["-oyaml"], { output: "yaml" }],
    ["attached short value with =", ["-o=json"], { output: "json" }],
    ["attached node address", ["-n10.5.0.2"], { nodes: ["10.5.0.2"] }],
    ["long flag with =", ["--output=jsonpath={.spec}"], { output: "jsonpath={.spec}" }],
    ["a value flag takes the next word even with a dash", ["--tail", "-1"], { tail: -1 }],
    ["negative duration without =", ["--timeout", "-5s"], { timeout: -5_000_000_000n }],
    ["short value flag takes a negative number", ["-d", "-1"], { depth: -1 }],
    ["glued booleans", ["-lrH"], { long: true, recurse: true, humanize: true }],
    [
      "glued booleans then a value flag taking the rest",
      ["-lrtfl"],
      { long: true, recurse: true, type: ["fl"] },
    ],
    ["boolean with =false", ["--wait=false"], { wait: false }],
    ["short boolean with =false", ["-l=false"], { long: false }],
    ["Go's boolean words", ["--wait=F", "--long=1"], { wait: false, long: true }],
    ["base-0 integers", ["--count", "0x10"], { count: 16 }],
    ["octal with a leading zero", ["--count", "010"], { count: 8 }],
    ["underscores after a base prefix", ["--count=0b1_0"], { count: 2 }],
    ["floats", ["--ratio", "1.5e2"], { ratio: 150 }],
    ["key=value pairs merge", ["--labels", "a=1,b=2", "--labels", "a=3"], { labels: { a: "3", b: "2" } }],
    ["the first slice value replaces the default", ["-t", "f"], { type: ["f"] }],
  ];
  for (const [name, words, expected] of cases) {
    it(name, () => {
      const { invocation } = parse(words);
      for (const [key, value] of Object.entries(expected)) {
        expect((invocation.flags as Record<string, unknown>)[key], key).toEqual(value);
      }
    });
  }

  it("keeps positionals in order, mixed with flags, and all words after --", () => {
    const { invocation } = parse(["a", "-n", "x", "b", "--", "-o", "--long", "c"]);
    expect(invocation.args).toEqual(["a", "b", "-o", "--long", "c"]);
    expect(invocation.flags.nodes).toEqual(["x"]);
    expect(invocation.flags.output).toBe("table");
  });

  it("treats a lone dash as a positional", () => {
    expect(parse(["-"]).invocation.args).toEqual(["-"]);
  });

  it("tells which flags were given", () => {
    const { invocation } = parse(["--output", "table"]);
    expect(invocation.changed("output")).toBe(true);
    expect(invocation.changed("nodes")).toBe(false);
  });

  it("recognizes help in every spelling", () => {
    expect(parse(["--help"]).help).toBe(true);
    expect(parse(["-h"]).help).toBe(true);
    expect(parse(["-lh"]).help).toBe(true);
    expect(parse(["--help=false"]).help).toBe(false);
    expect(parse([]).help).toBe(false);
  });

  it("leaves -h to a command that owns it", () => {
    const flags = { host: flag.string({ short: "h", describe: "host" }) } as const;
    const r = parseCommandLine(["-h", "x"], flags);
    expect(r.help).toBe(false);
    expect(r.invocation.flags.host).toBe("x");
  });

  it("warns about deprecated flags in pflag's words", () => {
    expect(parse(["--gone", "x"]).warnings).toEqual(["Flag --gone has been deprecated, use --talosconfig"]);
  });
});

describe("parseCommandLine errors carry pflag's words", () => {
  const cases: [string, readonly string[], string][] = [
    ["unknown long flag", ["--nope"], "unknown flag: --nope"],
    ["unknown long flag with a value", ["--nope=1"], "unknown flag: --nope"],
    ["unknown shorthand", ["-x"], "unknown shorthand flag: 'x' in -x"],
    ["unknown shorthand inside a group", ["-lxz"], "unknown shorthand flag: 'x' in -xz"],
    ["missing value of a long flag", ["--output"], "flag needs an argument: --output"],
    ["missing value of a short flag", ["-o"], "flag needs an argument: 'o' in -o"],
    ["bad flag syntax", ["---x"], "bad flag syntax: ---x"],
    ["bad flag syntax with =", ["--=x"], "bad flag syntax: --=x"],
    [
      "an integer that is not one",
      ["--tail", "ten"],
      'invalid argument "ten" for "--tail" flag: strconv.ParseInt: parsing "ten": invalid syntax',
    ],
    [
      "an int32 out of range",
      ["--tail", "4294967296"],
      'invalid argument "4294967296" for "--tail" flag: strconv.ParseInt: parsing "4294967296": value out of range',
    ],
    [
      "a short flag's display name has both spellings",
      ["-d", "x"],
      'invalid argument "x" for "-d, --depth" flag: strconv.ParseInt: parsing "x": invalid syntax',
    ],
    [
      "a boolean that is not one",
      ["--wait=yes"],
      'invalid argument "yes" for "--wait" flag: strconv.ParseBool: parsing "yes": invalid syntax',
    ],
    [
      "a duration without a unit",
      ["--timeout", "5"],
      'invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"',
    ],
    [
      "a duration that is not one",
      ["--timeout=soon"],
      'invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"',
    ],
    [
      "a key=value pair without =",
      ["--labels", "a"],
      'invalid argument "a" for "--labels" flag: a must be formatted as key=value',
    ],
    [
      "an octal integer with a non-octal digit",
      ["--count", "08"],
      'invalid argument "08" for "-c, --count" flag: strconv.ParseInt: parsing "08": invalid syntax',
    ],
  ];
  for (const [name, words, message] of cases) {
    it(name, () => expect(failure(words)).toBe(message));
  }

  it("runs a flag's own check with pflag's prefix", () => {
    const flags = {
      mode: flag.string({
        short: "m",
        validate: (v) => (["auto", "try"].includes(v) ? undefined : "possible options are: auto, try"),
        describe: "mode",
      }),
    } as const;
    expect(() => parseCommandLine(["-m", "x"], flags)).toThrow(
      'invalid argument "x" for "-m, --mode" flag: possible options are: auto, try',
    );
  });
});

describe("cobra's argument and required-flag checks", () => {
  const cases: [string, ReturnType<typeof args.exact>, number, string | undefined][] = [
    ["none with none", args.none, 0, undefined],
    ["none with one", args.none, 1, 'unknown command "a0" for "talosctl x"'],
    ["exact", args.exact(1), 2, "accepts 1 arg(s), received 2"],
    ["min", args.min(2), 1, "requires at least 2 arg(s), only received 1"],
    ["max", args.max(1), 2, "accepts at most 1 arg(s), received 2"],
    ["range", args.range(1, 2), 3, "accepts between 1 and 2 arg(s), received 3"],
    ["range inside", args.range(1, 2), 2, undefined],
    ["any", args.any, 9, undefined],
  ];
  for (const [name, rule, n, message] of cases) {
    it(name, () => {
      const positionals = Array.from({ length: n }, (_, i) => `a${i}`);
      const check = () => checkArgs(rule, positionals, "talosctl x");
      if (message === undefined) expect(check).not.toThrow();
      else expect(check).toThrow(message);
    });
  }

  it("names every missing required flag, sorted", () => {
    const flags = {
      zeta: flag.string({ required: true, describe: "z" }),
      alpha: flag.string({ required: true, describe: "a" }),
      given: flag.string({ required: true, describe: "g" }),
    } as const;
    const { invocation } = parseCommandLine(["--given", "x"], flags);
    expect(() => checkRequiredFlags(flags, invocation)).toThrow('required flag(s) "alpha", "zeta" not set');
  });
});
