// CEL expressions as Talos checks them (siderolabs/talos: pkg/machinery/cel, celenv): parsed and
// type-checked against the environment's declarations (disk, volume and link resources from the
// wire contract, OOM metrics) and cel-go's standard library, and the result type must be the one
// the field needs. Errors are worded as cel-go words its issues: `ERROR: <input>:L:C: message`
// with the source line and a caret, every issue of the check sorted by position, one per line.
// The parser covers the CEL grammar Talos's selectors use: literals, identifiers, selection,
// indexing, calls and method calls, lists, maps, unary, arithmetic, comparison, `in`, logic, the
// conditional operator and the has/all/exists/exists_one/map/filter macros.
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import { DiscoveredVolumeSpecSchema, DiskSpecSchema } from "../../gen/resource/definitions/block/block_pb.js";
import { LinkStatusSpecSchema } from "../../gen/resource/definitions/network/network_pb.js";

export type CelEnvironment = "disk" | "volume" | "link" | "oomTrigger" | "oomScoring";

type Type =
  | {
      readonly k:
        | "int"
        | "uint"
        | "double"
        | "bool"
        | "string"
        | "bytes"
        | "null"
        | "dyn"
        | "error"
        | "duration"
        | "timestamp";
    }
  | { readonly k: "list"; readonly elem: Type }
  | { readonly k: "map"; readonly key: Type; readonly value: Type }
  | { readonly k: "message"; readonly desc: DescMessage }
  | { readonly k: "optional"; readonly elem: Type }
  | { readonly k: "type"; readonly elem: Type }
  /** An overload's type parameter (A, B), bound while its arguments are matched. */
  | { readonly k: "param"; readonly name: string };

const T = {
  int: { k: "int" },
  uint: { k: "uint" },
  double: { k: "double" },
  bool: { k: "bool" },
  string: { k: "string" },
  bytes: { k: "bytes" },
  null: { k: "null" },
  dyn: { k: "dyn" },
  error: { k: "error" },
  duration: { k: "duration" },
  timestamp: { k: "timestamp" },
} as const satisfies Record<string, Type>;

/** How a type reads in `expression output type is ...` (cel-go's Type.String). */
function typeName(t: Type): string {
  switch (t.k) {
    case "list":
      return `list(${typeName(t.elem)})`;
    case "map":
      return `map(${typeName(t.key)}, ${typeName(t.value)})`;
    case "message":
      return t.desc.typeName;
    case "optional":
      return `optional_type(${typeName(t.elem)})`;
    case "type":
      return `type(${typeName(t.elem)})`;
    case "duration":
      return "google.protobuf.Duration";
    case "timestamp":
      return "google.protobuf.Timestamp";
    case "null":
      return "null_type";
    case "param":
      return `<${t.name}>`;
    default:
      return t.k;
  }
}

/** How a type reads in the checker's issues (cel-go's FormatCELType). */
function issueTypeName(t: Type): string {
  switch (t.k) {
    case "list":
      return `list(${issueTypeName(t.elem)})`;
    case "map":
      return `map(${issueTypeName(t.key)}, ${issueTypeName(t.value)})`;
    case "optional":
      return `optional_type(${issueTypeName(t.elem)})`;
    case "type":
      return `type(${issueTypeName(t.elem)})`;
    case "duration":
    case "timestamp":
    case "null":
      return t.k;
    case "error":
      return "!error!";
    case "param":
      return t.name;
    default:
      return typeName(t);
  }
}

const UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "kB", "MB", "GB", "TB", "PB", "EB"];
const CLASSES = ["Besteffort", "Burstable", "Guaranteed", "Podruntime", "System"];

function environment(env: CelEnvironment): Map<string, Type> {
  const vars = new Map<string, Type>();
  const units = () => {
    for (const u of UNITS) vars.set(u, T.uint);
  };
  switch (env) {
    case "disk":
      vars.set("disk", { k: "message", desc: DiskSpecSchema });
      vars.set("system_disk", T.bool);
      units();
      break;
    case "volume":
      vars.set("volume", { k: "message", desc: DiscoveredVolumeSpecSchema });
      vars.set("disk", { k: "message", desc: DiskSpecSchema });
      units();
      break;
    case "link":
      vars.set("link", { k: "message", desc: LinkStatusSpecSchema });
      break;
    case "oomTrigger": {
      const qos = { k: "map", key: T.int, value: T.double } as const;
      for (const prefix of ["", "d_"]) {
        for (const kind of ["some", "full"]) {
          for (const m of ["avg10", "avg60", "avg300", "total"]) {
            vars.set(`${prefix}memory_${kind}_${m}`, T.double);
            vars.set(`${prefix}qos_memory_${kind}_${m}`, qos);
          }
        }
        for (const m of ["current", "peak", "max"]) vars.set(`${prefix}qos_memory_${m}`, qos);
      }
      vars.set("time_since_trigger", T.duration);
      units();
      for (const c of CLASSES) vars.set(c, T.int);
      break;
    }
    case "oomScoring":
      for (const m of ["memory_max", "memory_current", "memory_peak"])
        vars.set(m, { k: "optional", elem: T.uint });
      vars.set("path", T.string);
      vars.set("class", T.int);
      units();
      for (const c of CLASSES) vars.set(c, T.int);
      break;
  }
  return vars;
}

// ---------------------------------------------------------------------------------------------
// Lexer and parser.

interface Token {
  readonly t: "num" | "str" | "bytes" | "id" | "op" | "eof";
  readonly v: string;
  readonly at: number;
  /** Numbers: "int", "uint" or "double". */
  readonly n?: "int" | "uint" | "double";
}

type Comprehension = "all" | "exists" | "exists_one" | "map" | "filter";

/** Every node's `at` is where cel-go locates it: the operator, the call's `(`, the `.` of a select. */
type Node =
  | { readonly e: "lit"; readonly type: Type; readonly at: number }
  | { readonly e: "id"; readonly name: string; readonly at: number }
  | { readonly e: "sel"; readonly target: Node; readonly field: string; readonly at: number }
  /** has(target.field). */
  | { readonly e: "has"; readonly target: Node; readonly field: string; readonly at: number }
  | {
      readonly e: "call";
      readonly fn: string;
      readonly target?: Node;
      readonly args: readonly Node[];
      readonly at: number;
    }
  | { readonly e: "list"; readonly items: readonly Node[]; readonly at: number }
  | { readonly e: "map"; readonly entries: readonly (readonly [Node, Node])[]; readonly at: number }
  | {
      readonly e: "comp";
      readonly kind: Comprehension;
      readonly range: Node;
      readonly variable: string;
      /** The predicate and/or the transform, as written. */
      readonly args: readonly Node[];
      readonly at: number;
    }
  /** What a refused macro or reserved word leaves behind (its issue is already reported). */
  | { readonly e: "bad"; readonly at: number };

interface Issue {
  readonly at: number;
  readonly message: string;
}

/** A syntax error: the parse stops at the first one. */
class CelError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

/** Words the grammar lexes as identifiers that CEL keeps for itself. */
const RESERVED = new Set([
  "as",
  "break",
  "const",
  "continue",
  "else",
  "for",
  "function",
  "if",
  "import",
  "let",
  "loop",
  "package",
  "namespace",
  "return",
  "var",
  "void",
  "while",
]);

const RECEIVER_MACROS: Readonly<Record<string, readonly number[]>> = {
  all: [2],
  exists: [2],
  exists_one: [2],
  existsOne: [2],
  map: [2, 3],
  filter: [2],
};

const OPS = [
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "!",
  "?",
  ":",
  ".",
  ",",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
];

const HEX = /^[0-9a-fA-F]$/;

/** The digits an escape takes after its letter (hex for x, u and U; octal after 0-3). */
function escapeDigits(letter: string | undefined): {
  readonly n: number;
  readonly ok: (c: string) => boolean;
} {
  switch (letter) {
    case "x":
    case "X":
      return { n: 2, ok: (c) => HEX.test(c) };
    case "u":
      return { n: 4, ok: (c) => HEX.test(c) };
    case "U":
      return { n: 8, ok: (c) => HEX.test(c) };
    default:
      return { n: 2, ok: (c) => /^[0-7]$/.test(c) };
  }
}

/** Where an escape sequence at `at` (a backslash) stops being one CEL knows, or undefined. */
function badEscape(src: string, at: number): number | undefined {
  const letter = src[at + 1];
  if (letter === undefined) return undefined;
  if ("abfnrtv\"'\\?`".includes(letter)) return undefined;
  if (!/^[xXuU0-3]$/.test(letter)) return at + 1;
  const { n, ok } = escapeDigits(letter);
  for (let k = 0; k < n; k++) {
    const c = src[at + 2 + k];
    if (c === undefined) return undefined;
    if (!ok(c)) return at + 2 + k;
  }
  return undefined;
}

/** How many characters a (valid) escape sequence at `at` spans. */
function escapeLength(src: string, at: number): number {
  const letter = src[at + 1];
  if (letter === undefined || !/^[xXuU0-3]$/.test(letter)) return 2;
  return 2 + escapeDigits(letter).n;
}

/** The characters that only start a longer operator (`||`, `&&`, `==`). */
const PREFIX_ONLY = new Set(["|", "&", "="]);

/**
 * The tokens, and the lexer's recognition errors: like ANTLR's lexer, it reports a character it
 * cannot match (with the one after it when the character only starts a longer operator, and that
 * one is skipped too) and carries on; an unterminated string runs to the end of the input.
 */
function lex(src: string): { readonly tokens: Token[]; readonly issues: Issue[] } {
  const out: Token[] = [];
  const issues: Issue[] = [];
  // ANTLR shows line breaks and tabs in the text escaped.
  const unrecognized = (at: number, text: string) =>
    issues.push({
      at,
      message: `Syntax error: token recognition error at: '${text.replaceAll("\n", "\\n").replaceAll("\r", "\\r").replaceAll("\t", "\\t")}'`,
    });
  let i = 0;
  while (i < src.length) {
    const c = String.fromCodePoint(src.codePointAt(i)!);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const num =
      /^(?:0x[0-9a-fA-F]+|\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?|\d+)([uU]?)/.exec(
        src.slice(i),
      );
    if (num !== null && /[0-9.]/.test(c) && !(c === "." && !/\d/.test(src[i + 1] ?? ""))) {
      // Only integers take the u suffix (1.5u is a double followed by an identifier).
      const double = /[.eE]/.test(num[0]) && !num[0].startsWith("0x");
      const text = double && num[1] !== "" ? num[0].slice(0, -1) : num[0];
      out.push({ t: "num", v: text, at: start, n: double ? "double" : num[1] !== "" ? "uint" : "int" });
      i += text.length;
      continue;
    }
    const strm = /^([bB]?)([rR]?)("""|'''|"|')/.exec(src.slice(i));
    if (strm !== null && (strm[1] !== "" || strm[2] !== "" || c === '"' || c === "'")) {
      const quote = strm[3]!;
      let j = i + strm[0].length;
      let failed = -1;
      while (j < src.length && !src.startsWith(quote, j)) {
        if (quote.length === 1 && (src[j] === "\n" || src[j] === "\r")) {
          failed = j;
          break;
        }
        if (src[j] === "\\" && strm[2] === "") {
          const bad = badEscape(src, j);
          if (bad !== undefined) {
            failed = bad;
            break;
          }
          j += escapeLength(src, j);
          continue;
        }
        j++;
      }
      // A failed literal with a b/r prefix falls back to the identifier the prefix spells, as
      // ANTLR's lexer falls back to the last token it accepted; the quote is lexed afresh.
      const prefix = strm[1]! + strm[2]!;
      if ((failed >= 0 || j >= src.length) && prefix !== "") {
        out.push({ t: "id", v: prefix, at: start });
        i = start + prefix.length;
        continue;
      }
      if (failed >= 0) {
        // The lexer gives up at the offending character, reports up to it and skips it.
        unrecognized(start, src.slice(start, failed + 1));
        i = failed + 1;
        continue;
      }
      if (j >= src.length) {
        unrecognized(start, src.slice(start));
        break;
      }
      out.push({ t: strm[1] !== "" ? "bytes" : "str", v: src.slice(i, j + quote.length), at: start });
      i = j + quote.length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id !== null) {
      out.push({ t: "id", v: id[0], at: start });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i)) ?? (src.startsWith("in", i) ? "in" : undefined);
    if (op === undefined) {
      let text = c;
      if (PREFIX_ONLY.has(c) && i + 1 < src.length) text += String.fromCodePoint(src.codePointAt(i + 1)!);
      unrecognized(start, text);
      i += text.length;
      continue;
    }
    out.push({ t: "op", v: op, at: start });
    i += op.length;
  }
  out.push({ t: "eof", v: "<EOF>", at: src.length });
  return { tokens: out, issues };
}

/** What may follow `[`: an element, a comma or the closing bracket. */
const LIST_OPEN =
  "{'[', ']', '{', '(', '.', ',', '-', '!', '?', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";

/** What may follow `{`: an entry, a comma or the closing brace. */
const MAP_OPEN =
  "{'[', '{', '}', '(', '.', ',', '-', '!', '?', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";

const OPERAND_START =
  "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";

/** Whether a token can start an operand (a unary expression). */
function startsOperand(t: Token): boolean {
  if (t.t === "num" || t.t === "str" || t.t === "bytes") return true;
  if (t.t === "id") return t.v !== "in";
  return t.t === "op" && ["[", "{", "(", ".", "-", "!"].includes(t.v);
}

/** Tokens that can follow an operand somewhere: where ANTLR's recovery stops skipping. */
const FOLLOW = new Set([
  "||",
  "&&",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "in",
  "+",
  "-",
  "*",
  "/",
  "%",
  "?",
  ":",
  ")",
  "]",
  "}",
  ",",
  ".",
  "[",
]);

function isOpToken(t: Token, ops: readonly string[]): boolean {
  return t.t === "op" && ops.includes(t.v);
}

function followsOperand(t: Token): boolean {
  return t.t === "eof" || ((t.t === "op" || t.t === "id") && FOLLOW.has(t.v));
}

class Parser {
  private i = 0;
  /** Issues the parse reports without stopping: refused macros and reserved words. */
  readonly issues: Issue[] = [];
  /** After a reported syntax error, until a token is matched: further errors are not reported. */
  private recovering = false;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }

  /** Consumes a token the grammar matched: that ends error recovery, as in ANTLR. */
  private next(): Token {
    this.recovering = false;
    return this.toks[this.i++]!;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return (t.t === "op" || (t.t === "id" && v === "in")) && t.v === v;
  }

  /**
   * A token the grammar requires here. ANTLR's recovery words it: a closing bracket missing at
   * the end of the input is "missing"; one stray token before it is "extraneous"; else "mismatched".
   */
  private expect(v: string): Token {
    const t = this.peek();
    if (t.v === v) return this.next();
    // While recovering, ANTLR conjures the missing token without a word.
    if (this.recovering) return { t: "op", v, at: t.at };
    if (t.t === "eof" && (v === ")" || v === "]" || v === "}"))
      throw new CelError(t.at, `Syntax error: missing '${v}' at '<EOF>'`);
    if (this.toks[this.i + 1]?.v === v)
      throw new CelError(t.at, `Syntax error: extraneous input '${t.v}' expecting '${v}'`);
    throw new CelError(t.at, `Syntax error: mismatched input '${t.v}' expecting '${v}'`);
  }

  /** A syntax error the parse recovers from (reported unless already recovering). */
  private syntaxError(at: number, message: string): void {
    if (!this.recovering) this.issues.push({ at, message: `Syntax error: ${message}` });
    this.recovering = true;
  }

  private report(at: number, message: string): Node {
    this.issues.push({ at, message });
    return { e: "bad", at };
  }

  parse(): Node {
    const n = this.conditional();
    const t = this.peek();
    if (t.t !== "eof" && !this.recovering) {
      // One stray token before the end is dropped as extraneous; more do not match the end.
      const word = this.toks[this.i + 1]?.t === "eof" ? "extraneous" : "mismatched";
      throw new CelError(t.at, `Syntax error: ${word} input '${t.v}' expecting <EOF>`);
    }
    return n;
  }

  private conditional(): Node {
    const cond = this.or();
    if (this.isOp("?")) {
      const at = this.next().at;
      const a = this.or();
      this.expect(":");
      const b = this.conditional();
      return { e: "call", fn: "_?_:_", args: [cond, a, b], at };
    }
    return cond;
  }

  private binary(next: () => Node, ops: readonly string[]): Node {
    let left = next();
    for (;;) {
      const op = ops.find((o) => this.isOp(o));
      if (op === undefined) return left;
      const at = this.next().at;
      const right = next();
      left = { e: "call", fn: op === "in" ? "@in" : `_${op}_`, args: [left, right], at };
    }
  }

  private or = (): Node => this.binary(this.and, ["||"]);
  private and = (): Node => this.binary(this.relation, ["&&"]);
  private relation = (): Node => this.binary(this.addition, ["==", "!=", "<=", ">=", "<", ">", "in"]);
  private addition = (): Node => this.binary(this.multiplication, ["+", "-"]);
  private multiplication = (): Node => this.binary(this.unary, ["*", "/", "%"]);

  /** `!`s or `-`s before a member: an even run cancels out; a lone `-` before a number is its sign. */
  private unary = (): Node => {
    if (!startsOperand(this.peek())) {
      const t = this.peek();
      const after = this.toks[this.i + 1];
      if (after !== undefined && startsOperand(after)) {
        // ANTLR deletes a single stray token before an operand.
        this.syntaxError(t.at, `extraneous input '${t.v}' expecting ${OPERAND_START}`);
        this.i++;
      } else {
        this.syntaxError(t.at, `mismatched input '${t.v}' expecting ${OPERAND_START}`);
        while (!followsOperand(this.peek())) this.i++;
        return { e: "bad", at: t.at };
      }
    }
    const op = this.isOp("!") ? "!" : this.isOp("-") ? "-" : undefined;
    if (op === undefined) return this.member();
    const first = this.peek();
    const after = this.toks[this.i + 1]!;
    if (op === "-" && after.t === "num" && after.n !== "uint") {
      this.next();
      const lit = this.next();
      return this.postfix({ e: "lit", type: T[lit.n ?? "int"], at: first.at });
    }
    let count = 0;
    while (this.isOp(op)) {
      this.next();
      count++;
    }
    const operand = this.member();
    if (count % 2 === 0) return operand;
    return { e: "call", fn: op === "!" ? "!_" : "-_", args: [operand], at: first.at };
  };

  private member(): Node {
    return this.postfix(this.primary());
  }

  private postfix(start: Node): Node {
    let n = start;
    for (;;) {
      if (this.isOp(".")) {
        const dot = this.next();
        const name = this.next();
        // No alternative of a selection or method call fits: ANTLR quotes the input from the dot.
        if (name.t !== "id")
          throw new CelError(
            name.at,
            `Syntax error: no viable alternative at input '.${name.t === "eof" ? "" : name.v}'`,
          );
        if (this.isOp("(")) {
          const open = this.next().at;
          const args = this.args(")");
          n = this.receiverCall(name.v, n, args, open);
        } else n = { e: "sel", target: n, field: name.v, at: dot.at };
      } else if (this.isOp("[")) {
        const at = this.next().at;
        const index = this.conditional();
        this.expect("]");
        n = { e: "call", fn: "_[_]", args: [n, index], at };
      } else return n;
    }
  }

  /** A method call, or the comprehension macro it spells. */
  private receiverCall(fn: string, target: Node, args: Node[], at: number): Node {
    if (!(RECEIVER_MACROS[fn] ?? []).includes(args.length)) return { e: "call", fn, target, args, at };
    const v = args[0]!;
    if (v.e !== "id") {
      const quantifier = fn !== "map" && fn !== "filter";
      return this.report(
        v.at,
        quantifier ? "argument must be a simple name" : "argument is not an identifier",
      );
    }
    if (v.name === "__result__" || v.name === "@result")
      return this.report(v.at, "iteration variable overwrites accumulator variable");
    const kind: Comprehension = fn === "existsOne" ? "exists_one" : (fn as Comprehension);
    return { e: "comp", kind, range: target, variable: v.name, args: args.slice(1), at };
  }

  private args(close: string): Node[] {
    const out: Node[] = [];
    if (this.isOp(close)) {
      this.next();
      return out;
    }
    // An empty list's elements are optional: ANTLR lists every token that could come next.
    if (close === "]" && !startsOperand(this.peek())) {
      this.optionalEnd("]", LIST_OPEN, (t) => startsOperand(t) || isOpToken(t, ["]", ",", "?"]));
      return out;
    }
    let trailing = false;
    for (;;) {
      out.push(this.conditional());
      if (!this.isOp(",")) break;
      const comma = this.peek();
      const after = this.toks[this.i + 1]!;
      if (!startsOperand(after)) {
        // A list may end in a comma; a call's arguments may not.
        if (close === ")") {
          if (!isOpToken(after, [")"]))
            throw new CelError(comma.at, "Syntax error: mismatched input ',' expecting ')'");
          this.syntaxError(comma.at, "extraneous input ',' expecting ')'");
          this.i++;
          break;
        }
        this.next();
        trailing = true;
        break;
      }
      this.next();
    }
    // A list may end in a comma: before it, ANTLR expects either.
    if (close === "]" && !trailing && !this.isOp("]"))
      this.optionalEnd("]", "{']', ','}", (t) => isOpToken(t, ["]", ","]));
    else this.expect(close);
    return out;
  }

  /**
   * ANTLR's sync before an optional block that `close` ends: a token outside the block's first
   * set is extraneous (and dropped) when the one after it is in the set, else mismatched (and the
   * parse skips to what can follow).
   */
  private optionalEnd(close: string, expecting: string, inSet: (t: Token) => boolean): void {
    const t = this.peek();
    const after = this.toks[this.i + 1];
    if (after !== undefined && inSet(after)) {
      this.syntaxError(t.at, `extraneous input '${t.v}' expecting ${expecting}`);
      this.i++;
      if (this.isOp(",")) this.next();
      this.expect(close);
      return;
    }
    this.syntaxError(t.at, `mismatched input '${t.v}' expecting ${expecting}`);
    while (!followsOperand(this.peek())) this.i++;
  }

  private primary(): Node {
    const t = this.next();
    switch (t.t) {
      case "num":
        return { e: "lit", type: T[t.n ?? "int"], at: t.at };
      case "str":
        return { e: "lit", type: T.string, at: t.at };
      case "bytes":
        return { e: "lit", type: T.bytes, at: t.at };
      case "id": {
        if (t.v === "true" || t.v === "false") return { e: "lit", type: T.bool, at: t.at };
        if (t.v === "null") return { e: "lit", type: T.null, at: t.at };
        if (this.isOp("(")) {
          const open = this.next().at;
          const args = this.args(")");
          if (RESERVED.has(t.v)) return this.report(t.at, `reserved identifier: ${t.v}`);
          if (t.v === "has" && args.length === 1) {
            const a = args[0]!;
            return a.e === "sel"
              ? { e: "has", target: a.target, field: a.field, at: open }
              : this.report(a.at, "invalid argument to has() macro");
          }
          return { e: "call", fn: t.v, args, at: open };
        }
        if (RESERVED.has(t.v)) return this.report(t.at, `reserved identifier: ${t.v}`);
        return { e: "id", name: t.v, at: t.at };
      }
      case "op":
        if (t.v === "(") {
          const n = this.conditional();
          this.expect(")");
          return n;
        }
        // A leading dot names an identifier from the root scope.
        if (t.v === "." && this.peek().t === "id") return this.primary();
        if (t.v === "[") return { e: "list", items: this.args("]"), at: t.at };
        if (t.v === "{") {
          const entries: [Node, Node][] = [];
          if (this.isOp("}")) this.next();
          else if (!startsOperand(this.peek()))
            this.optionalEnd("}", MAP_OPEN, (x) => startsOperand(x) || isOpToken(x, ["}", ",", "?"]));
          else {
            let trailing = false;
            for (;;) {
              const k = this.conditional();
              this.expect(":");
              entries.push([k, this.conditional()]);
              if (!this.isOp(",")) break;
              this.next();
              // A comma before anything but an entry ends the map.
              if (!startsOperand(this.peek())) {
                trailing = true;
                break;
              }
            }
            // A map may end in a comma: before it, ANTLR expects either.
            if (!trailing && !this.isOp("}"))
              this.optionalEnd("}", "{'}', ','}", (x) => isOpToken(x, ["}", ","]));
            else this.expect("}");
          }
          return { e: "map", entries, at: t.at };
        }
        throw new CelError(
          t.at,
          `Syntax error: mismatched input '${t.v}' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`,
        );
      default:
        throw new CelError(
          t.at,
          "Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}",
        );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Type checker.

function fieldType(f: DescField): Type {
  const scalar = (s: ScalarType): Type => {
    switch (s) {
      case ScalarType.DOUBLE:
      case ScalarType.FLOAT:
        return T.double;
      case ScalarType.UINT32:
      case ScalarType.UINT64:
      case ScalarType.FIXED32:
      case ScalarType.FIXED64:
        return T.uint;
      case ScalarType.BOOL:
        return T.bool;
      case ScalarType.STRING:
        return T.string;
      case ScalarType.BYTES:
        return T.bytes;
      default:
        return T.int;
    }
  };
  const message = (m: DescMessage): Type =>
    m.typeName === "google.protobuf.Timestamp"
      ? T.timestamp
      : m.typeName === "google.protobuf.Duration"
        ? T.duration
        : { k: "message", desc: m };
  switch (f.fieldKind) {
    case "scalar":
      return scalar(f.scalar);
    case "enum":
      return T.int;
    case "message":
      return message(f.message);
    case "list":
      return {
        k: "list",
        elem: f.listKind === "scalar" ? scalar(f.scalar) : f.listKind === "enum" ? T.int : message(f.message),
      };
    case "map":
      return {
        k: "map",
        key: scalar(f.mapKey),
        value: f.mapKind === "scalar" ? scalar(f.scalar) : f.mapKind === "enum" ? T.int : message(f.message),
      };
  }
}

const A: Type = { k: "param", name: "A" };
const B: Type = { k: "param", name: "B" };
const listOf = (elem: Type): Type => ({ k: "list", elem });
const mapOf = (key: Type, value: Type): Type => ({ k: "map", key, value });
const optionalOf = (elem: Type): Type => ({ k: "optional", elem });

interface Overload {
  /** Called on a receiver (its first argument), or as a global function. */
  readonly member: boolean;
  readonly args: readonly Type[];
  readonly result: Type;
}

const fn = (args: readonly Type[], result: Type): Overload => ({ member: false, args, result });
const method = (args: readonly Type[], result: Type): Overload => ({ member: true, args, result });
const both = (args: readonly Type[], result: Type): Overload[] => [fn(args, result), method(args, result)];

const ORDERED: readonly Type[] = [
  T.bool,
  T.int,
  T.uint,
  T.double,
  T.string,
  T.bytes,
  T.timestamp,
  T.duration,
];
const comparison = ORDERED.map((t) => fn([t, t], T.bool));
const conversions = (to: Type, from: readonly Type[]) => from.map((t) => fn([t], to));
const timeGetter = (withDuration: boolean) => [
  method([T.timestamp], T.int),
  method([T.timestamp, T.string], T.int),
  ...(withDuration ? [method([T.duration], T.int)] : []),
];

/** cel-go's standard library, overloads in its order (cross-type numeric comparisons disabled). */
const STANDARD: ReadonlyMap<string, readonly Overload[]> = new Map<string, readonly Overload[]>([
  ["_?_:_", [fn([T.bool, A, A], A)]],
  ["!_", [fn([T.bool], T.bool)]],
  ["_==_", [fn([A, A], T.bool)]],
  ["_!=_", [fn([A, A], T.bool)]],
  [
    "_+_",
    [
      fn([T.bytes, T.bytes], T.bytes),
      fn([T.double, T.double], T.double),
      fn([T.duration, T.duration], T.duration),
      fn([T.duration, T.timestamp], T.timestamp),
      fn([T.timestamp, T.duration], T.timestamp),
      fn([T.int, T.int], T.int),
      fn([listOf(A), listOf(A)], listOf(A)),
      fn([T.string, T.string], T.string),
      fn([T.uint, T.uint], T.uint),
    ],
  ],
  ["_/_", [T.double, T.int, T.uint].map((t) => fn([t, t], t))],
  ["_%_", [T.int, T.uint].map((t) => fn([t, t], t))],
  ["_*_", [T.double, T.int, T.uint].map((t) => fn([t, t], t))],
  ["-_", [fn([T.double], T.double), fn([T.int], T.int)]],
  [
    "_-_",
    [
      fn([T.double, T.double], T.double),
      fn([T.duration, T.duration], T.duration),
      fn([T.int, T.int], T.int),
      fn([T.timestamp, T.duration], T.timestamp),
      fn([T.timestamp, T.timestamp], T.duration),
      fn([T.uint, T.uint], T.uint),
    ],
  ],
  ["_<_", comparison],
  ["_<=_", comparison],
  ["_>_", comparison],
  ["_>=_", comparison],
  ["_[_]", [fn([listOf(A), T.int], A), fn([mapOf(A, B), A], B)]],
  ["@in", [fn([A, listOf(A)], T.bool), fn([A, mapOf(A, B)], T.bool)]],
  [
    "size",
    [
      ...both([T.bytes], T.int),
      ...both([listOf(A)], T.int),
      ...both([mapOf(A, B)], T.int),
      ...both([T.string], T.int),
    ],
  ],
  ["type", [fn([A], { k: "type", elem: A })]],
  ["bool", conversions(T.bool, [T.bool, T.string])],
  ["bytes", conversions(T.bytes, [T.bytes, T.string])],
  ["double", conversions(T.double, [T.double, T.int, T.string, T.uint])],
  ["duration", conversions(T.duration, [T.duration, T.string])],
  ["dyn", [fn([A], T.dyn)]],
  ["int", conversions(T.int, [T.int, T.double, T.duration, T.string, T.timestamp, T.uint])],
  [
    "string",
    conversions(T.string, [T.string, T.bool, T.bytes, T.double, T.duration, T.int, T.timestamp, T.uint]),
  ],
  ["timestamp", conversions(T.timestamp, [T.timestamp, T.int, T.string])],
  ["uint", conversions(T.uint, [T.uint, T.double, T.int, T.string])],
  ["contains", [method([T.string, T.string], T.bool)]],
  ["endsWith", [method([T.string, T.string], T.bool)]],
  ["startsWith", [method([T.string, T.string], T.bool)]],
  ["matches", both([T.string, T.string], T.bool)],
  ["getFullYear", timeGetter(false)],
  ["getMonth", timeGetter(false)],
  ["getDayOfYear", timeGetter(false)],
  ["getDayOfMonth", timeGetter(false)],
  ["getDate", timeGetter(false)],
  ["getDayOfWeek", timeGetter(false)],
  ["getHours", timeGetter(true)],
  ["getMinutes", timeGetter(true)],
  ["getSeconds", timeGetter(true)],
  ["getMilliseconds", timeGetter(true)],
]);

/** cel.OptionalTypes(): the optional helpers. */
const OPTIONALS: ReadonlyMap<string, readonly Overload[]> = new Map<string, readonly Overload[]>([
  ["optional.of", [fn([A], optionalOf(A))]],
  ["optional.ofNonZeroValue", [fn([A], optionalOf(A))]],
  ["optional.none", [fn([], optionalOf(T.dyn))]],
  ["hasValue", [method([optionalOf(A)], T.bool)]],
  ["value", [method([optionalOf(A)], A)]],
  ["or", [method([optionalOf(A), optionalOf(A)], optionalOf(A))]],
  ["orValue", [method([optionalOf(A), A], A)]],
]);

const GLOB = fn([T.string, T.string], T.bool);

function functions(env: CelEnvironment): ReadonlyMap<string, readonly Overload[]> {
  const out = new Map(STANDARD);
  switch (env) {
    case "disk":
      out.set("glob", [GLOB]);
      break;
    case "link":
      out.set("glob", [GLOB]);
      out.set("mac", [fn([T.bytes], T.string)]);
      break;
    case "oomTrigger":
      for (const [name, o] of OPTIONALS) out.set(name, o);
      out.set("multiply_qos_vectors", [fn([mapOf(T.dyn, T.double), mapOf(T.dyn, T.double)], T.double)]);
      break;
    case "oomScoring":
      for (const [name, o] of OPTIONALS) out.set(name, o);
      break;
    default:
      break;
  }
  return out;
}

/** The standard library's type identifiers (`type(x) == uint`). */
const TYPE_NAMES: ReadonlyMap<string, Type> = new Map<string, Type>(
  (
    [
      ["int", T.int],
      ["uint", T.uint],
      ["double", T.double],
      ["bool", T.bool],
      ["string", T.string],
      ["bytes", T.bytes],
      ["null_type", T.null],
      ["list", listOf(T.dyn)],
      ["map", mapOf(T.dyn, T.dyn)],
      ["type", { k: "type", elem: T.dyn }],
    ] as const
  ).map(([name, t]): [string, Type] => [name, { k: "type", elem: t }]),
);

const wildcard = (t: Type): boolean => t.k === "dyn" || t.k === "error";

/** Legacy nullable kinds: null compares with messages, durations, timestamps and optionals. */
const nullable = (t: Type): boolean =>
  t.k === "message" || t.k === "duration" || t.k === "timestamp" || t.k === "optional" || t.k === "null";

function exact(a: Type, b: Type): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "list":
    case "optional":
    case "type":
      return exact(a.elem, (b as typeof a).elem);
    case "map":
      return exact(a.key, (b as typeof a).key) && exact(a.value, (b as typeof a).value);
    case "message":
      return a.desc.typeName === (b as typeof a).desc.typeName;
    case "param":
      return a.name === (b as typeof a).name;
    default:
      return true;
  }
}

function lessSpecific(a: Type, b: Type): boolean {
  if (a.k === "dyn" || a.k === "param") return true;
  if (b.k === "dyn" || b.k === "param") return false;
  if (a.k !== b.k) return false;
  if ((a.k === "list" || a.k === "optional" || a.k === "type") && b.k === a.k)
    return lessSpecific(a.elem, (b as typeof a).elem);
  if (a.k === "map" && b.k === "map") return lessSpecific(a.key, b.key) && lessSpecific(a.value, b.value);
  return true;
}

const mostGeneral = (a: Type, b: Type): Type => (lessSpecific(a, b) ? a : b);

type Bindings = Map<string, Type>;

/** cel-go's isValidTypeSubstitution: binds `param` to `t`, or widens its binding. */
function substitution(
  m: Bindings,
  t: Type,
  param: Type & { k: "param" },
): { valid: boolean; bound: boolean } {
  if (t.k === "param" && t.name === param.name) return { valid: true, bound: true };
  const sub = m.get(param.name);
  if (sub !== undefined) {
    if (exact(t, sub)) return { valid: true, bound: true };
    if (assignable(m, t, sub)) {
      m.set(param.name, mostGeneral(t, sub));
      return { valid: true, bound: true };
    }
    return { valid: false, bound: true };
  }
  m.set(param.name, t);
  return { valid: true, bound: false };
}

/** cel-go's internalIsAssignable: whether a value of `from` fits `to`, binding type parameters. */
function assignable(m: Bindings, from: Type, to: Type): boolean {
  if (to.k === "param") {
    const r = substitution(m, from, to);
    if (r.valid) return true;
    if (r.bound) return false;
  }
  if (from.k === "param") return substitution(m, to, from).valid;
  if (wildcard(from) || wildcard(to)) return true;
  if (from.k === "null") return nullable(to);
  if (to.k === "null") return nullable(from);
  if (from.k !== to.k) return false;
  switch (from.k) {
    case "message":
      return from.desc.typeName === (to as typeof from).desc.typeName;
    case "type":
      // Any type value is assignable to any other.
      return true;
    case "list":
    case "optional":
      return assignable(m, from.elem, (to as typeof from).elem);
    case "map":
      return (
        assignable(m, from.key, (to as typeof from).key) &&
        assignable(m, from.value, (to as typeof from).value)
      );
    default:
      return true;
  }
}

/** The type with its parameters replaced by their bindings (unbound ones read as dyn). */
function substitute(m: Bindings, t: Type): Type {
  switch (t.k) {
    case "param": {
      const b = m.get(t.name);
      return b === undefined ? T.dyn : substitute(m, b);
    }
    case "list":
      return listOf(substitute(m, t.elem));
    case "optional":
      return optionalOf(substitute(m, t.elem));
    case "type":
      return { k: "type", elem: substitute(m, t.elem) };
    case "map":
      return mapOf(substitute(m, t.key), substitute(m, t.value));
    default:
      return t;
  }
}

/** Joins the element types of a list or map literal: mixed types make it dyn. */
function join(previous: Type | undefined, current: Type): Type {
  if (previous === undefined) return current;
  return assignable(new Map(), previous, current) ? mostGeneral(previous, current) : T.dyn;
}

class Checker {
  readonly issues: Issue[] = [];
  private readonly scopes: Map<string, Type>[];
  private readonly fns: ReadonlyMap<string, readonly Overload[]>;

  constructor(env: CelEnvironment) {
    this.scopes = [environment(env)];
    this.fns = functions(env);
  }

  private report(at: number, message: string): Type {
    this.issues.push({ at, message });
    return T.error;
  }

  private lookup(name: string): Type | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const t = this.scopes[i]!.get(name);
      if (t !== undefined) return t;
    }
    return TYPE_NAMES.get(name);
  }

  check(n: Node): Type {
    switch (n.e) {
      case "lit":
        return n.type;
      case "bad":
        return T.error;
      case "id":
        return (
          this.lookup(n.name) ?? this.report(n.at, `undeclared reference to '${n.name}' (in container '')`)
        );
      case "sel":
        return this.select(n.target, n.field, n.at);
      case "has":
        this.select(n.target, n.field, n.at);
        return T.bool;
      case "list": {
        let elem: Type | undefined;
        for (const item of n.items) elem = join(elem, this.check(item));
        return listOf(elem ?? T.dyn);
      }
      case "map": {
        let key: Type | undefined;
        let value: Type | undefined;
        for (const [k, v] of n.entries) {
          key = join(key, this.check(k));
          value = join(value, this.check(v));
        }
        return mapOf(key ?? T.dyn, value ?? T.dyn);
      }
      case "comp":
        return this.comprehension(n);
      case "call":
        return this.call(n);
    }
  }

  private select(target: Node, field: string, at: number): Type {
    const operand = this.check(target);
    const optional = operand.k === "optional";
    const t = operand.k === "optional" ? operand.elem : operand;
    let result: Type;
    if (t.k === "map") result = t.value;
    else if (t.k === "message") {
      const f = t.desc.fields.find((x) => x.name === field);
      result = f === undefined ? this.report(at, `undefined field '${field}'`) : fieldType(f);
    } else {
      if (!wildcard(t)) this.report(at, `type '${issueTypeName(t)}' does not support field selection`);
      result = T.dyn;
    }
    return optional ? optionalOf(result) : result;
  }

  private comprehension(n: Node & { e: "comp" }): Type {
    const range = this.check(n.range);
    let variable: Type;
    if (range.k === "list") variable = range.elem;
    else if (range.k === "map") variable = range.key;
    else if (wildcard(range)) variable = T.dyn;
    else {
      this.report(
        n.range.at,
        `expression of type '${issueTypeName(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
      );
      variable = T.error;
    }
    this.scopes.push(new Map([[n.variable, variable]]));
    try {
      const args = n.args.map((a) => this.check(a));
      switch (n.kind) {
        case "all":
        case "exists":
          this.expectBool(n.args[0]!, args[0]!);
          return T.bool;
        case "exists_one":
          this.conditional(n.at, args[0]!, T.int);
          return T.bool;
        case "filter":
          this.conditional(n.at, args[0]!, listOf(variable));
          return listOf(variable);
        case "map": {
          const out = listOf(args[args.length - 1]!);
          if (args.length === 3) this.conditional(n.at, args[0]!, out);
          return out;
        }
      }
    } finally {
      this.scopes.pop();
    }
  }

  /** A macro's generated `predicate ? step : accumulator`. */
  private conditional(at: number, predicate: Type, branch: Type): void {
    this.resolve("_?_:_", at, [predicate, branch, branch], false);
  }

  /** The operands of && and ||: each must be a bool (`expected type 'bool' but found ...`). */
  private expectBool(n: Node, t: Type): boolean {
    if (assignable(new Map(), t, T.bool)) return true;
    this.report(n.at, `expected type 'bool' but found '${issueTypeName(t)}'`);
    return false;
  }

  private call(n: Node & { e: "call" }): Type {
    if (n.fn === "_&&_" || n.fn === "_||_") {
      const args = n.args.map((a) => this.check(a));
      let ok = true;
      n.args.forEach((a, i) => {
        ok = this.expectBool(a, args[i]!) && ok;
      });
      return ok ? T.bool : T.error;
    }
    // A qualified function name written as a method call (optional.of(x)).
    if (n.target !== undefined) {
      const qualified = qualifiedName(n.target);
      if (
        qualified !== undefined &&
        this.fns.has(`${qualified}.${n.fn}`) &&
        this.lookup(qualified) === undefined
      ) {
        const args = n.args.map((a) => this.check(a));
        return this.resolve(`${qualified}.${n.fn}`, n.at, args, false);
      }
    }
    const args = n.args.map((a) => this.check(a));
    if (n.target === undefined) {
      if (!this.fns.has(n.fn))
        return this.report(n.at, `undeclared reference to '${n.fn}' (in container '')`);
      return this.resolve(n.fn, n.at, args, false);
    }
    const target = this.check(n.target);
    if (!this.fns.has(n.fn)) return this.report(n.at, `undeclared reference to '${n.fn}' (in container '')`);
    return this.resolve(n.fn, n.at, [target, ...args], true);
  }

  /** cel-go's overload resolution: the matching overloads' result, or `found no matching overload`. */
  private resolve(name: string, at: number, args: readonly Type[], member: boolean): Type {
    let result: Type | undefined;
    for (const o of this.fns.get(name) ?? []) {
      if (o.member !== member || o.args.length !== args.length) continue;
      const m: Bindings = new Map();
      if (!args.every((a, i) => assignable(m, a, o.args[i]!))) continue;
      const r = substitute(m, o.result);
      if (result === undefined) result = r;
      else if (result.k !== "dyn" && !exact(r, result)) result = T.dyn;
    }
    if (result !== undefined) return result;
    const shown = args.map(issueTypeName);
    const signature = member ? `${shown[0]}.(${shown.slice(1).join(", ")})` : `(${shown.join(", ")})`;
    return this.report(at, `found no matching overload for '${name}' applied to '${signature}'`);
  }
}

/** `a.b.c` as a dotted name, when the node is only identifiers and selections. */
function qualifiedName(n: Node): string | undefined {
  if (n.e === "id") return n.name;
  if (n.e === "sel") {
    const prefix = qualifiedName(n.target);
    return prefix === undefined ? undefined : `${prefix}.${n.field}`;
  }
  return undefined;
}

/** cel-go's display of one issue: position (columns in characters), the source line and a caret. */
function display(src: string, issue: Issue): string {
  const before = src.slice(0, issue.at);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const text = (src.split("\n")[line - 1] ?? "").replaceAll("\t", " ");
  const chars = [...text];
  const col = [...src.slice(lineStart, issue.at)].length;
  const wide = (ch: string | undefined) => ch !== undefined && Buffer.byteLength(ch) > 1;
  let marker = "";
  for (let i = 0; i < col && i < chars.length; i++) marker += wide(chars[i]) ? "\uff0e" : ".";
  marker += wide(chars[col]) ? "\uff3e" : "^";
  return `ERROR: <input>:${line}:${col + 1}: ${issue.message}\n | ${text}\n | ${marker}`;
}

/** Every issue, sorted by position as cel-go sorts them, one per line. */
function displayAll(src: string, issues: readonly Issue[]): string {
  return [...issues]
    .sort((a, b) => a.at - b.at)
    .map((i) => display(src, i))
    .join("\n");
}

/**
 * Talos's cel.Expression ParseBool/ParseDouble: undefined when the expression compiles to the
 * result type in its environment, else the error text: the parse's issues, else the check's,
 * else the output type.
 */
export function celError(expr: string, env: CelEnvironment, result: "bool" | "double"): string | undefined {
  const { tokens, issues } = lex(expr);
  const parser = new Parser(tokens);
  let ast: Node | undefined;
  try {
    ast = parser.parse();
  } catch (err) {
    if (!(err instanceof CelError)) throw err;
    issues.push({ at: err.at, message: err.message });
  }
  issues.push(...parser.issues);
  if (issues.length > 0 || ast === undefined) return displayAll(expr, issues);
  const checker = new Checker(env);
  const type = checker.check(ast);
  if (checker.issues.length > 0) return displayAll(expr, checker.issues);
  if (type.k !== result) return `expression output type is ${typeName(type)}, expected ${result}`;
  return undefined;
}
