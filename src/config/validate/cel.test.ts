// CEL selectors type-check against their environment, with cel-go's issue wording.
import { describe, expect, it } from "vitest";
import { celError } from "./cel.js";
import { doc, table, WORKER } from "./testkit.js";

describe("celError", () => {
  it.each([
    ["disk.size > 120u * GB", "disk"],
    ["disk.transport == 'nvme' && !system_disk", "disk"],
    ["glob('sd*', disk.dev_path) && disk.size >= 10u * GiB", "disk"],
    ["volume.partition_label == 'EPHEMERAL' && disk.transport in ['nvme', 'sata']", "volume"],
    ["glob('e1000*', link.driver) && mac(link.hardware_addr) != ''", "link"],
  ] as const)("accepts %s", (expr, env) => {
    expect(celError(expr, env, "bool")).toBeUndefined();
  });

  it("refuses an ill-typed comparison, as cel-go words it", () => {
    expect(celError("disk.size > 120", "disk", "bool")).toBe(
      "ERROR: <input>:1:11: found no matching overload for '_>_' applied to '(uint, int)'\n | disk.size > 120\n | ..........^",
    );
  });

  it("refuses unknown names and fields, and the wrong result type", () => {
    expect(celError("dsk.size > 1u", "disk", "bool")).toBe(
      "ERROR: <input>:1:1: undeclared reference to 'dsk' (in container '')\n | dsk.size > 1u\n | ^",
    );
    expect(celError("disk.sise > 1u", "disk", "bool")).toBe(
      "ERROR: <input>:1:5: undefined field 'sise'\n | disk.sise > 1u\n | ....^",
    );
    expect(celError("disk.size", "disk", "bool")).toBe("expression output type is uint, expected bool");
  });

  it("checks OOM expressions for their result types", () => {
    // duration() is cel-go's standard library.
    expect(
      celError("memory_full_avg10 > 12.0 && time_since_trigger > duration('500ms')", "oomTrigger", "bool"),
    ).toBeUndefined();
    expect(celError("time_since_trigger > 500", "oomTrigger", "bool")).toBe(
      "ERROR: <input>:1:20: found no matching overload for '_>_' applied to '(duration, int)'\n | time_since_trigger > 500\n | ...................^",
    );
    expect(celError("memory_max", "oomScoring", "double")).toBe(
      "expression output type is optional_type(uint), expected double",
    );
    expect(celError("memory_max.orValue(0u) > 1u * GiB ? 1.0 : 0.0", "oomScoring", "double")).toBeUndefined();
    expect(celError("optional.of(path).hasValue() ? 1.0 : 0.0", "oomScoring", "double")).toBeUndefined();
    expect(celError("memory_full_avg10 > 12.0", "oomTrigger", "bool")).toBeUndefined();
    expect(celError("class == Besteffort ? 1.0 : 0.0", "oomScoring", "double")).toBeUndefined();
  });
});

const issue = (expr: string, col: number, message: string, line = expr) =>
  `ERROR: <input>:1:${col}: ${message}\n | ${line}\n | ${".".repeat(col - 1)}^`;

describe("celError reports as cel-go does", () => {
  it("every issue of the check, sorted by position, one after another", () => {
    const e = "dsk.size > 1u && foo";
    expect(celError(e, "disk", "bool")).toBe(
      [
        issue(e, 1, "undeclared reference to 'dsk' (in container '')"),
        issue(e, 18, "undeclared reference to 'foo' (in container '')"),
      ].join("\n"),
    );
  });

  it("words a non-bool operand of && and || as a type mismatch at the operand", () => {
    const e = "system_disk || disk.size";
    expect(celError(e, "disk", "bool")).toBe(issue(e, 20, "expected type 'bool' but found 'uint'"));
  });

  it("places calls at their opening parenthesis and shows a receiver before the arguments", () => {
    const m = "disk.dev_path.startsWith(1)";
    expect(celError(m, "disk", "bool")).toBe(
      issue(m, 25, "found no matching overload for 'startsWith' applied to 'string.(int)'"),
    );
    const g = "glob(1, disk.dev_path)";
    expect(celError(g, "disk", "bool")).toBe(
      issue(g, 5, "found no matching overload for 'glob' applied to '(int, string)'"),
    );
    const u = "foo(disk.size)";
    expect(celError(u, "disk", "bool")).toBe(issue(u, 4, "undeclared reference to 'foo' (in container '')"));
    // glob is the disk and link environments' own.
    const v = "glob('a', volume.name)";
    expect(celError(v, "volume", "bool")).toBe(
      issue(v, 5, "undeclared reference to 'glob' (in container '')"),
    );
  });

  it("compares null only with messages", () => {
    const e = "disk.size == null";
    expect(celError(e, "disk", "bool")).toBe(
      issue(e, 11, "found no matching overload for '_==_' applied to '(uint, null)'"),
    );
  });

  it("reads a minus before a number as its sign, and before a uint as negation", () => {
    expect(celError("disk.size > 0u && -1 < 0", "disk", "bool")).toBeUndefined();
    const e = "-1u == disk.size";
    expect(celError(e, "disk", "bool")).toBe(
      issue(e, 1, "found no matching overload for '-_' applied to '(uint)'"),
    );
    expect(celError("!!system_disk", "disk", "bool")).toBeUndefined();
  });

  it("expands the comprehension macros and has()", () => {
    for (const ok of [
      "disk.symlinks.exists(s, s.startsWith('/dev/disk/by-id/'))",
      "disk.symlinks.all(s, s != '') && disk.symlinks.exists_one(s, s.endsWith('x'))",
      "disk.symlinks.filter(s, s.contains('x')).size() > 0 && disk.symlinks.map(s, s + 'x')[0] == 'a'",
      "has(disk.wwid) && size(disk.symlinks) > 0",
      "disk.transport in ['nvme', 1]",
    ])
      expect(celError(ok, "disk", "bool"), ok).toBeUndefined();
    const pred = "disk.symlinks.exists(s, s.size())";
    expect(celError(pred, "disk", "bool")).toBe(issue(pred, 31, "expected type 'bool' but found 'int'"));
    const one = "disk.symlinks.exists_one(s, 1)";
    expect(celError(one, "disk", "bool")).toBe(
      issue(one, 25, "found no matching overload for '_?_:_' applied to '(int, int, int)'"),
    );
    const range = "disk.size.exists(x, true)";
    expect(celError(range, "disk", "bool")).toBe(
      issue(
        range,
        5,
        "expression of type 'uint' cannot be range of a comprehension (must be list, map, or dynamic)",
      ),
    );
    const has = "has(disk.wwid) && has(disk)";
    expect(celError(has, "disk", "bool")).toBe(issue(has, 23, "invalid argument to has() macro"));
    const name = "disk.symlinks.exists('x', true)";
    expect(celError(name, "disk", "bool")).toBe(issue(name, 22, "argument must be a simple name"));
  });

  it("refuses reserved words and selection on scalars", () => {
    expect(celError("if == 1", "disk", "bool")).toBe(issue("if == 1", 1, "reserved identifier: if"));
    const e = "system_disk.x";
    expect(celError(e, "disk", "bool")).toBe(issue(e, 12, "type 'bool' does not support field selection"));
    expect(celError("disk.symlinks", "disk", "bool")).toBe(
      "expression output type is list(string), expected bool",
    );
  });

  it("words syntax errors as ANTLR recovers from them", () => {
    const open = "(disk.size > 1u";
    expect(celError(open, "disk", "bool")).toBe(issue(open, 16, "Syntax error: missing ')' at '<EOF>'"));
    const extra = "disk.size > 1u)";
    expect(celError(extra, "disk", "bool")).toBe(
      issue(extra, 15, "Syntax error: extraneous input ')' expecting <EOF>"),
    );
    const more = "system_disk 1 2";
    expect(celError(more, "disk", "bool")).toBe(
      issue(more, 13, "Syntax error: mismatched input '1' expecting <EOF>"),
    );
    const pipe = "system_disk | x";
    expect(celError(pipe, "disk", "bool")).toBe(
      [
        issue(pipe, 13, "Syntax error: token recognition error at: '| '"),
        issue(pipe, 15, "Syntax error: extraneous input 'x' expecting <EOF>"),
      ].join("\n"),
    );
  });

  it("knows the standard library's conversions and type names", () => {
    for (const ok of [
      "type(disk.size) == uint",
      "int(disk.size) > 0 && string(disk.rotational) == 'true' && double(disk.size) > 1e9",
      "disk.model.matches('^Samsung') && matches(disk.serial, 'S[0-9]+')",
    ])
      expect(celError(ok, "disk", "bool"), ok).toBeUndefined();
    expect(celError("uint", "disk", "bool")).toBe("expression output type is type(uint), expected bool");
    const e = "int(disk.rotational) > 0";
    expect(celError(e, "disk", "bool")).toBe(
      issue(e, 4, "found no matching overload for 'int' applied to '(bool)'"),
    );
  });

  it("recovers from syntax errors as ANTLR does, reporting what it reports", () => {
    const operand =
      "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";
    const twice = "1 + +";
    expect(celError(twice, "disk", "bool")).toBe(
      [
        issue(twice, 5, `Syntax error: mismatched input '+' expecting ${operand}`),
        issue(twice, 6, `Syntax error: mismatched input '<EOF>' expecting ${operand}`),
      ].join("\n"),
    );
    // A stray operator before an operand is dropped; the rest parses.
    const stray = "disk.size > > 1u";
    expect(celError(stray, "disk", "bool")).toBe(
      issue(stray, 13, `Syntax error: extraneous input '>' expecting ${operand}`),
    );
    const star = "*@a | b";
    expect(celError(star, "disk", "bool")).toBe(
      [
        issue(star, 1, `Syntax error: extraneous input '*' expecting ${operand}`),
        issue(star, 2, "Syntax error: token recognition error at: '@'"),
        issue(star, 5, "Syntax error: token recognition error at: '| '"),
        issue(star, 7, "Syntax error: extraneous input 'b' expecting <EOF>"),
      ].join("\n"),
    );
    // While recovering, the closing parenthesis is supplied without a word.
    const open = "(1 + ";
    expect(celError(open, "disk", "bool")).toBe(
      issue(open, 6, `Syntax error: mismatched input '<EOF>' expecting ${operand}`),
    );
    const close = "disk.size > )";
    expect(celError(close, "disk", "bool")).toBe(
      issue(close, 13, `Syntax error: mismatched input ')' expecting ${operand}`),
    );
    expect(celError("disk.", "disk", "bool")).toBe(
      issue("disk.", 6, "Syntax error: no viable alternative at input '.'"),
    );
  });

  it("words unfinished lists, maps and calls by what may come next", () => {
    expect(celError("[", "disk", "bool")).toBe(
      issue(
        "[",
        2,
        "Syntax error: mismatched input '<EOF>' expecting {'[', ']', '{', '(', '.', ',', '-', '!', '?', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}",
      ),
    );
    expect(celError("[1, 2", "disk", "bool")).toBe(
      issue("[1, 2", 6, "Syntax error: mismatched input '<EOF>' expecting {']', ','}"),
    );
    expect(celError("[1, 2,", "disk", "bool")).toBe(
      issue("[1, 2,", 7, "Syntax error: missing ']' at '<EOF>'"),
    );
    expect(celError("{'a': 1,", "disk", "bool")).toBe(
      issue("{'a': 1,", 9, "Syntax error: missing '}' at '<EOF>'"),
    );
    const list = "disk.transport in ['a' 'b']";
    expect(celError(list, "disk", "bool")).toBe(
      issue(list, 24, "Syntax error: extraneous input ''b'' expecting {']', ','}"),
    );
    // Trailing commas end lists and maps, not calls.
    expect(celError("disk.transport in ['a', 'b',] && {'a': 1,}.size() > 0", "disk", "bool")).toBeUndefined();
    const call = "glob('a', disk.dev_path,)";
    expect(celError(call, "disk", "bool")).toBe(
      issue(call, 24, "Syntax error: extraneous input ',' expecting ')'"),
    );
    const arg = "glob('a' disk.dev_path)";
    expect(celError(arg, "disk", "bool")).toBe(
      issue(arg, 10, "Syntax error: mismatched input 'disk' expecting ')'"),
    );
  });

  it("lexes numbers as CEL does", () => {
    expect(celError("disk.size > 0x10u && 1.5e3 > 2.0 && .5 < 1.0", "disk", "bool")).toBeUndefined();
    expect(celError("1.5u", "disk", "bool")).toBe(
      issue("1.5u", 4, "Syntax error: extraneous input 'u' expecting <EOF>"),
    );
    expect(celError("1. > 0.0", "disk", "bool")).toBe(
      issue("1. > 0.0", 4, "Syntax error: no viable alternative at input '.>'"),
    );
  });

  it("reports a bad escape up to the offending character and lexes on after it", () => {
    const operand =
      "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";
    const hex = '"\\xFh"';
    expect(celError(hex, "disk", "bool")).toBe(
      [
        issue(hex, 1, "Syntax error: token recognition error at: '\"\\xFh'"),
        issue(hex, 6, "Syntax error: token recognition error at: '\"'"),
        issue(hex, 7, `Syntax error: mismatched input '<EOF>' expecting ${operand}`),
      ].join("\n"),
    );
    expect(celError("disk.model == '\\a\\u00e9\\101\\'' ", "disk", "bool")).toBeUndefined();
    const line = "disk.model == 'a\nb'";
    expect(celError(line, "disk", "bool")).toBe(
      [
        `ERROR: <input>:1:15: Syntax error: token recognition error at: ''a\\n'\n | disk.model == 'a\n | ..............^`,
        "ERROR: <input>:2:2: Syntax error: token recognition error at: `'`\n | b'\n | .^".replaceAll(
          "`",
          "'",
        ),
      ].join("\n"),
    );
  });

  it("counts columns in characters and marks wide ones", () => {
    expect(celError("'é' + 1", "disk", "bool")).toBe(
      "ERROR: <input>:1:5: found no matching overload for '_+_' applied to '(string, int)'\n | 'é' + 1\n | .\uff0e..^",
    );
  });
});

describe("CEL fields of documents", () => {
  table([
    {
      name: "a volume's disk selector must type-check",
      docs: [
        doc("UserVolumeConfig", {
          name: "data",
          provisioning: { diskSelector: { match: "disk.size > 120" }, maxSize: "1GiB" },
        }),
      ],
      base: WORKER,
      errors: [
        "UserVolumeConfig/data provisioning.diskSelector.match: disk selector is invalid: ERROR: <input>:1:11: found no matching overload for '_>_' applied to '(uint, int)'\n | disk.size > 120\n | ..........^",
      ],
    },
    {
      name: "a link alias selector",
      docs: [doc("LinkAliasConfig", { name: "net0", selector: { match: "link.nme == 'x'" } })],
      base: WORKER,
      errors: [
        "LinkAliasConfig/net0 selector.match: link selector is invalid: ERROR: <input>:1:5: undefined field 'nme'\n | link.nme == 'x'\n | ....^",
      ],
    },
  ]);
});
