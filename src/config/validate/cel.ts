// CEL expressions as Talos checks them (siderolabs/talos: pkg/machinery/cel, celenv): parsed and
// type-checked against the environment's declarations (disk, volume and link resources from the
// wire contract, OOM metrics), and the result type must be the one the field needs. Errors are
// worded as cel-go words its issues: `ERROR: <input>:L:C: message` with the source line and a caret.
// The parser covers the CEL grammar Talos's selectors use: literals, identifiers, selection,
// indexing, calls and method calls, lists, maps, unary, arithmetic, comparison, `in`, logic and
// the conditional operator.
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
        | "duration"
        | "timestamp";
    }
  | { readonly k: "list"; readonly elem: Type }
  | { readonly k: "map"; readonly key: Type; readonly value: Type }
  | { readonly k: "message"; readonly desc: DescMessage }
  | { readonly k: "optional"; readonly elem: Type };

const T = {
  int: { k: "int" },
  uint: { k: "uint" },
  double: { k: "double" },
  bool: { k: "bool" },
  string: { k: "string" },
  bytes: { k: "bytes" },
  null: { k: "null" },
  dyn: { k: "dyn" },
  duration: { k: "duration" },
  timestamp: { k: "timestamp" },
} as const satisfies Record<string, Type>;

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
    case "duration":
      return "google.protobuf.Duration";
    case "timestamp":
      return "google.protobuf.Timestamp";
    case "null":
      return "null_type";
    default:
      return t.k;
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

type Node =
  | { readonly e: "lit"; readonly type: Type; readonly at: number }
  | { readonly e: "id"; readonly name: string; readonly at: number }
  | { readonly e: "sel"; readonly target: Node; readonly field: string; readonly at: number }
  | {
      readonly e: "call";
      readonly fn: string;
      readonly target?: Node;
      readonly args: readonly Node[];
      readonly at: number;
    }
  | { readonly e: "list"; readonly items: readonly Node[]; readonly at: number }
  | { readonly e: "map"; readonly entries: readonly (readonly [Node, Node])[]; readonly at: number };

class CelError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

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

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const num =
      /^(?:0x[0-9a-fA-F]+|\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?|\d+)([uU]?)/.exec(
        src.slice(i),
      );
    if (num !== null && /[0-9.]/.test(c) && !(c === "." && !/\d/.test(src[i + 1] ?? ""))) {
      const text = num[0];
      const double = /[.eE]/.test(text) && !text.startsWith("0x");
      out.push({ t: "num", v: text, at: start, n: num[1] !== "" ? "uint" : double ? "double" : "int" });
      i += text.length;
      continue;
    }
    const strm = /^([bB]?)([rR]?)("""|'''|"|')/.exec(src.slice(i));
    if (strm !== null && (strm[1] !== "" || strm[2] !== "" || c === '"' || c === "'")) {
      const quote = strm[3]!;
      let j = i + strm[0].length;
      while (j < src.length && !src.startsWith(quote, j)) {
        if (src[j] === "\\" && strm[2] === "") j++;
        if (quote.length === 1 && src[j] === "\n") break;
        j++;
      }
      if (j >= src.length || !src.startsWith(quote, j))
        throw new CelError(start, `Syntax error: token recognition error at: '${src.slice(start)}'`);
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
    if (op === undefined) throw new CelError(start, `Syntax error: token recognition error at: '${c}'`);
    out.push({ t: "op", v: op, at: start });
    i += op.length;
  }
  out.push({ t: "eof", v: "<EOF>", at: src.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private next(): Token {
    return this.toks[this.i++]!;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return (t.t === "op" || (t.t === "id" && v === "in")) && t.v === v;
  }

  private expect(v: string): Token {
    const t = this.peek();
    if (t.v !== v) throw new CelError(t.at, `Syntax error: mismatched input '${t.v}' expecting '${v}'`);
    return this.next();
  }

  parse(): Node {
    const n = this.conditional();
    const t = this.peek();
    if (t.t !== "eof") throw new CelError(t.at, `Syntax error: extraneous input '${t.v}' expecting <EOF>`);
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

  private unary = (): Node => {
    if (this.isOp("!") || this.isOp("-")) {
      const t = this.next();
      const operand = this.unary();
      if (t.v === "-" && operand.e === "lit" && (operand.type.k === "int" || operand.type.k === "double"))
        return operand;
      return { e: "call", fn: t.v === "!" ? "!_" : "-_", args: [operand], at: t.at };
    }
    return this.member();
  };

  private member(): Node {
    let n = this.primary();
    for (;;) {
      if (this.isOp(".")) {
        const dot = this.next();
        const name = this.next();
        if (name.t !== "id")
          throw new CelError(name.at, `Syntax error: mismatched input '${name.v}' expecting IDENTIFIER`);
        if (this.isOp("(")) {
          this.next();
          const args = this.args(")");
          n = { e: "call", fn: name.v, target: n, args, at: name.at };
        } else n = { e: "sel", target: n, field: name.v, at: dot.at };
      } else if (this.isOp("[")) {
        const at = this.next().at;
        const index = this.conditional();
        this.expect("]");
        n = { e: "call", fn: "_[_]", args: [n, index], at };
      } else return n;
    }
  }

  private args(close: string): Node[] {
    const out: Node[] = [];
    if (this.isOp(close)) {
      this.next();
      return out;
    }
    for (;;) {
      out.push(this.conditional());
      if (this.isOp(",")) {
        this.next();
        if (this.isOp(close)) break;
        continue;
      }
      break;
    }
    this.expect(close);
    return out;
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
      case "id":
        if (t.v === "true" || t.v === "false") return { e: "lit", type: T.bool, at: t.at };
        if (t.v === "null") return { e: "lit", type: T.null, at: t.at };
        if (this.isOp("(")) {
          this.next();
          return { e: "call", fn: t.v, args: this.args(")"), at: t.at };
        }
        return { e: "id", name: t.v, at: t.at };
      case "op":
        if (t.v === "(") {
          const n = this.conditional();
          this.expect(")");
          return n;
        }
        if (t.v === "[") return { e: "list", items: this.args("]"), at: t.at };
        if (t.v === "{") {
          const entries: [Node, Node][] = [];
          if (!this.isOp("}")) {
            for (;;) {
              const k = this.conditional();
              this.expect(":");
              entries.push([k, this.conditional()]);
              if (!this.isOp(",")) break;
              this.next();
              if (this.isOp("}")) break;
            }
          }
          this.expect("}");
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

const same = (a: Type, b: Type): boolean => {
  if (a.k === "dyn" || b.k === "dyn") return true;
  if (a.k !== b.k) return false;
  if (a.k === "list" && b.k === "list") return same(a.elem, b.elem);
  if (a.k === "map" && b.k === "map") return same(a.key, b.key) && same(a.value, b.value);
  if (a.k === "message" && b.k === "message") return a.desc.typeName === b.desc.typeName;
  if (a.k === "optional" && b.k === "optional") return same(a.elem, b.elem);
  return true;
};

const NUMERIC = ["int", "uint", "double"];
const ORDERED = [...NUMERIC, "string", "bytes", "bool", "duration", "timestamp"];

class Checker {
  constructor(private readonly vars: Map<string, Type>) {}

  private noOverload(n: Node & { fn: string }, args: readonly Type[]): never {
    const shown = n.fn.startsWith("@") ? n.fn : n.fn;
    throw new CelError(
      n.at,
      `found no matching overload for '${shown}' applied to '(${args.map(typeName).join(", ")})'`,
    );
  }

  check(n: Node): Type {
    switch (n.e) {
      case "lit":
        return n.type;
      case "id": {
        const t = this.vars.get(n.name);
        if (t === undefined)
          throw new CelError(n.at, `undeclared reference to '${n.name}' (in container '')`);
        return t;
      }
      case "sel": {
        const target = this.check(n.target);
        if (target.k === "dyn") return T.dyn;
        if (target.k === "map") return target.value;
        if (target.k !== "message")
          throw new CelError(n.at, `type '${typeName(target)}' does not support field selection`);
        const f = target.desc.fields.find((x) => x.name === n.field);
        if (f === undefined) throw new CelError(n.at, `undefined field '${n.field}'`);
        return fieldType(f);
      }
      case "list": {
        const items = n.items.map((i) => this.check(i));
        const first = items[0];
        return { k: "list", elem: first !== undefined && items.every((t) => same(t, first)) ? first : T.dyn };
      }
      case "map": {
        const keys = n.entries.map(([k]) => this.check(k));
        const values = n.entries.map(([, v]) => this.check(v));
        const k0 = keys[0];
        const v0 = values[0];
        return {
          k: "map",
          key: k0 !== undefined && keys.every((t) => same(t, k0)) ? k0 : T.dyn,
          value: v0 !== undefined && values.every((t) => same(t, v0)) ? v0 : T.dyn,
        };
      }
      case "call":
        return this.call(n);
    }
  }

  private call(n: Node & { e: "call" }): Type {
    const target = n.target !== undefined ? this.check(n.target) : undefined;
    const args = n.args.map((a) => this.check(a));
    const all = target !== undefined ? [target, ...args] : args;
    const dyn = all.some((t) => t.k === "dyn");
    const [a, b] = args;
    switch (n.fn) {
      case "_&&_":
      case "_||_":
        if (args.every((t) => t.k === "bool" || t.k === "dyn")) return T.bool;
        return this.noOverload(n, args);
      case "!_":
        if (a!.k === "bool" || a!.k === "dyn") return T.bool;
        return this.noOverload(n, args);
      case "-_":
        if (a!.k === "int" || a!.k === "double" || a!.k === "dyn") return a!;
        return this.noOverload(n, args);
      case "_==_":
      case "_!=_":
        if (same(a!, b!) || a!.k === "null" || b!.k === "null") return T.bool;
        return this.noOverload(n, args);
      case "_<_":
      case "_<=_":
      case "_>_":
      case "_>=_":
        if (dyn || (a!.k === b!.k && ORDERED.includes(a!.k))) return T.bool;
        return this.noOverload(n, args);
      case "_+_":
        if (dyn) return a!.k === "dyn" ? b! : a!;
        if (same(a!, b!) && [...NUMERIC, "string", "bytes", "list"].includes(a!.k)) return a!;
        if ((a!.k === "timestamp" && b!.k === "duration") || (a!.k === "duration" && b!.k === "timestamp"))
          return T.timestamp;
        if (a!.k === "duration" && b!.k === "duration") return T.duration;
        return this.noOverload(n, args);
      case "_-_":
      case "_*_":
      case "_/_":
      case "_%_":
        if (dyn) return a!.k === "dyn" ? b! : a!;
        if (a!.k === b!.k && NUMERIC.includes(a!.k) && !(n.fn === "_%_" && a!.k === "double")) return a!;
        if (n.fn === "_-_" && a!.k === "timestamp" && b!.k === "timestamp") return T.duration;
        if (n.fn === "_-_" && a!.k === "duration" && b!.k === "duration") return T.duration;
        return this.noOverload(n, args);
      case "@in":
        if (b!.k === "dyn") return T.bool;
        if (b!.k === "list" && same(a!, b!.elem)) return T.bool;
        if (b!.k === "map" && same(a!, b!.key)) return T.bool;
        return this.noOverload(n, args);
      case "_?_:_":
        if (a!.k !== "bool" && a!.k !== "dyn") return this.noOverload(n, args);
        if (same(args[1]!, args[2]!)) return args[1]!.k === "dyn" ? args[2]! : args[1]!;
        return this.noOverload(n, args);
      case "_[_]":
        if (a!.k === "dyn") return T.dyn;
        if (a!.k === "list" && (b!.k === "int" || b!.k === "dyn")) return a!.elem;
        if (a!.k === "map" && same(a!.key, b!)) return a!.value;
        return this.noOverload(n, args);
      case "size":
        if (all.length === 1 && ["string", "bytes", "list", "map", "dyn"].includes(all[0]!.k)) return T.int;
        return this.noOverload(n, all);
      case "contains":
      case "startsWith":
      case "endsWith":
      case "matches":
        if (all.length === 2 && all.every((t) => t.k === "string" || t.k === "dyn")) return T.bool;
        return this.noOverload(n, all);
      case "glob":
        if (this.vars.has("disk") || this.vars.has("link")) {
          if (
            target === undefined &&
            args.length === 2 &&
            args.every((t) => t.k === "string" || t.k === "dyn")
          )
            return T.bool;
          return this.noOverload(n, all);
        }
        break;
      case "mac":
        if (this.vars.has("link")) {
          if (target === undefined && args.length === 1 && (a!.k === "bytes" || a!.k === "dyn"))
            return T.string;
          return this.noOverload(n, all);
        }
        break;
      case "int":
      case "uint":
      case "double":
      case "string":
      case "bool":
      case "bytes":
      case "duration":
      case "timestamp":
      case "dyn":
        if (all.length === 1) return T[n.fn];
        break;
      case "has":
        if (target === undefined && args.length === 1 && n.args[0]!.e === "sel") return T.bool;
        throw new CelError(n.at, "invalid argument to has() macro");
      case "orValue":
        if (target?.k === "optional" && args.length === 1 && same(target.elem, a!)) return target.elem;
        return this.noOverload(n, all);
      case "hasValue":
        if (target?.k === "optional" && args.length === 0) return T.bool;
        return this.noOverload(n, all);
      case "value":
        if (target?.k === "optional" && args.length === 0) return target.elem;
        return this.noOverload(n, all);
      case "multiply_qos_vectors":
        if (
          this.vars.has("time_since_trigger") &&
          args.length === 2 &&
          args.every((t) => t.k === "map" || t.k === "dyn")
        )
          return T.double;
        break;
    }
    throw new CelError(n.at, `undeclared reference to '${n.fn}' (in container '')`);
  }
}

/** Where `at` stands (1-based line and column) and cel-go's source snippet with its caret. */
function issue(src: string, at: number, message: string): string {
  const before = src.slice(0, at);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const col = at - lineStart + 1;
  const text = src.split("\n")[line - 1] ?? "";
  return `ERROR: <input>:${line}:${col}: ${message}\n | ${text}\n | ${".".repeat(col - 1)}^`;
}

/**
 * Talos's cel.Expression ParseBool/ParseDouble: undefined when the expression compiles to the
 * result type in its environment, else the error text.
 */
export function celError(expr: string, env: CelEnvironment, result: "bool" | "double"): string | undefined {
  let type: Type;
  try {
    const ast = new Parser(lex(expr)).parse();
    type = new Checker(environment(env)).check(ast);
  } catch (err) {
    if (err instanceof CelError) return issue(expr, err.at, err.message);
    throw err;
  }
  if (type.k !== result) return `expression output type is ${typeName(type)}, expected ${result}`;
  return undefined;
}
