// CEL expressions as block resources carry them (siderolabs/talos: pkg/machinery/cel): the
// protobuf side is a google.api.expr.v1alpha1.CheckedExpr whose `expr` field (4) holds the
// expression tree; the YAML side is the expression printed back from that tree, as cel-go's
// unparser prints it (`volume.partition_label == "EPHEMERAL"`, `1048576u`, `!system_disk`).
// The reference and type maps of a checked expression are not written.
import { create } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { type CheckedExpr, CheckedExprSchema } from "../../gen/google/api/expr/v1alpha1/checked_pb.js";

export type CelConst =
  | { readonly t: "string"; readonly v: string }
  | { readonly t: "int"; readonly v: bigint }
  | { readonly t: "uint"; readonly v: bigint }
  | { readonly t: "double"; readonly v: number }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "null" };

export type CelExpr =
  | { readonly k: "const"; readonly id: bigint; readonly c: CelConst }
  | { readonly k: "ident"; readonly id: bigint; readonly name: string }
  | { readonly k: "select"; readonly id: bigint; readonly operand: CelExpr; readonly field: string }
  | {
      readonly k: "call";
      readonly id: bigint;
      readonly fn: string;
      readonly target?: CelExpr;
      readonly args: readonly CelExpr[];
    }
  | { readonly k: "list"; readonly id: bigint; readonly items: readonly CelExpr[] };

// ---------------------------------------------------------------------------------------------
// Parsing (the grammar block selectors use).

const TOKEN =
  /\s*(?:(\d+\.\d+(?:[eE][+-]?\d+)?)|(0x[0-9a-fA-F]+|\d+)([uU]?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|&&|\|\||[-+*/%!<>?:.,()[\]]))/y;

interface Tok {
  readonly t: "num" | "uint" | "double" | "str" | "id" | "op" | "eof";
  readonly v: string;
}

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`cannot parse CEL expression at offset ${at}: ${JSON.stringify(src)}`);
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ t: "double", v: m[1] });
    else if (m[2] !== undefined) out.push({ t: m[3] ? "uint" : "num", v: m[2] });
    else if (m[4] !== undefined) out.push({ t: "str", v: unquote(m[4]) });
    else if (m[5] !== undefined) out.push({ t: "id", v: m[5] });
    else out.push({ t: "op", v: m[6] ?? "" });
  }
  out.push({ t: "eof", v: "" });
  return out;
}

function unquote(lit: string): string {
  const body = lit.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}

const BINARY: readonly (readonly string[])[] = [
  ["||"],
  ["&&"],
  ["==", "!=", "<", "<=", ">", ">=", "in"],
  ["+", "-"],
  ["*", "/", "%"],
];

const OPERATOR: Readonly<Record<string, string>> = {
  "||": "_||_",
  "&&": "_&&_",
  "==": "_==_",
  "!=": "_!=_",
  "<": "_<_",
  "<=": "_<=_",
  ">": "_>_",
  ">=": "_>=_",
  in: "@in",
  "+": "_+_",
  "-": "_-_",
  "*": "_*_",
  "/": "_/_",
  "%": "_%_",
};

class Parser {
  private i = 0;
  private nextId = 1n;

  constructor(private readonly toks: Tok[]) {}

  private id(): bigint {
    return this.nextId++;
  }

  private peek(): Tok {
    return this.toks[this.i] as Tok;
  }

  private take(v?: string): Tok {
    const t = this.peek();
    if (v !== undefined && t.v !== v)
      throw new Error(`CEL: expected ${JSON.stringify(v)}, got ${JSON.stringify(t.v)}`);
    this.i++;
    return t;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return (t.t === "op" || (t.t === "id" && v === "in")) && t.v === v;
  }

  parse(): CelExpr {
    const e = this.ternary();
    if (this.peek().t !== "eof") throw new Error(`CEL: unexpected ${JSON.stringify(this.peek().v)}`);
    return e;
  }

  private ternary(): CelExpr {
    const cond = this.binary(0);
    if (!this.isOp("?")) return cond;
    this.take("?");
    const id = this.id();
    const a = this.ternary();
    this.take(":");
    const b = this.ternary();
    return { k: "call", id, fn: "_?_:_", args: [cond, a, b] };
  }

  private binary(level: number): CelExpr {
    if (level >= BINARY.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = (BINARY[level] ?? []).find((o) => this.isOp(o));
      if (op === undefined) return left;
      this.take();
      const id = this.id();
      const right = this.binary(level + 1);
      left = { k: "call", id, fn: OPERATOR[op] ?? op, args: [left, right] };
    }
  }

  private unary(): CelExpr {
    if (this.isOp("!") || this.isOp("-")) {
      const op = this.take().v;
      const id = this.id();
      return { k: "call", id, fn: op === "!" ? "!_" : "-_", args: [this.unary()] };
    }
    return this.member();
  }

  private member(): CelExpr {
    let e = this.primary();
    for (;;) {
      if (this.isOp(".")) {
        this.take();
        const field = this.take().v;
        if (this.isOp("(")) {
          const id = this.id();
          e = { k: "call", id, fn: field, target: e, args: this.args(")") };
        } else e = { k: "select", id: this.id(), operand: e, field };
      } else if (this.isOp("[")) {
        this.take();
        const id = this.id();
        const index = this.ternary();
        this.take("]");
        e = { k: "call", id, fn: "_[_]", args: [e, index] };
      } else return e;
    }
  }

  private args(close: string): CelExpr[] {
    this.take();
    const out: CelExpr[] = [];
    while (!this.isOp(close)) {
      out.push(this.ternary());
      if (!this.isOp(close)) this.take(",");
    }
    this.take(close);
    return out;
  }

  private primary(): CelExpr {
    const t = this.peek();
    switch (t.t) {
      case "num":
        this.take();
        return { k: "const", id: this.id(), c: { t: "int", v: BigInt(t.v) } };
      case "uint":
        this.take();
        return { k: "const", id: this.id(), c: { t: "uint", v: BigInt(t.v) } };
      case "double":
        this.take();
        return { k: "const", id: this.id(), c: { t: "double", v: Number(t.v) } };
      case "str":
        this.take();
        return { k: "const", id: this.id(), c: { t: "string", v: t.v } };
      case "id": {
        this.take();
        if (t.v === "true" || t.v === "false")
          return { k: "const", id: this.id(), c: { t: "bool", v: t.v === "true" } };
        if (t.v === "null") return { k: "const", id: this.id(), c: { t: "null" } };
        if (this.isOp("(")) {
          const id = this.id();
          return { k: "call", id, fn: t.v, args: this.args(")") };
        }
        return { k: "ident", id: this.id(), name: t.v };
      }
      default:
        if (this.isOp("(")) {
          this.take();
          const e = this.ternary();
          this.take(")");
          return e;
        }
        if (this.isOp("[")) {
          const id = this.id();
          return { k: "list", id, items: this.args("]") };
        }
        throw new Error(`CEL: unexpected ${JSON.stringify(t.v)}`);
    }
  }
}

/** Parses an expression (one Talos's config validation has accepted). */
export function parseCel(text: string): CelExpr {
  return new Parser(lex(text)).parse();
}

// ---------------------------------------------------------------------------------------------
// Printing, as cel-go's unparser does.

const PRECEDENCE: Readonly<Record<string, number>> = {
  "_?_:_": 8,
  "_||_": 7,
  "_&&_": 6,
  "_==_": 5,
  "_!=_": 5,
  "_<_": 5,
  "_<=_": 5,
  "_>_": 5,
  "_>=_": 5,
  "@in": 5,
  "_+_": 4,
  "_-_": 4,
  "_*_": 3,
  "_/_": 3,
  "_%_": 3,
  "!_": 2,
  "-_": 2,
};

const SYMBOL = Object.fromEntries(Object.entries(OPERATOR).map(([k, v]) => [v, k]));

function constText(c: CelConst): string {
  switch (c.t) {
    case "string":
      return JSON.stringify(c.v);
    case "uint":
      return `${c.v}u`;
    case "int":
      return String(c.v);
    case "double":
      return Number.isInteger(c.v) ? c.v.toFixed(1) : String(c.v);
    case "bool":
      return String(c.v);
    case "null":
      return "null";
  }
}

function wrap(e: CelExpr, parentPrec: number, rightSide: boolean): string {
  const prec = e.k === "call" ? (PRECEDENCE[e.fn] ?? 0) : 0;
  const text = celText(e);
  return prec > parentPrec || (rightSide && prec === parentPrec && prec > 0) ? `(${text})` : text;
}

/** The expression printed back. */
export function celText(e: CelExpr): string {
  switch (e.k) {
    case "const":
      return constText(e.c);
    case "ident":
      return e.name;
    case "select":
      return `${wrap(e.operand, 1, false)}.${e.field}`;
    case "list":
      return `[${e.items.map(celText).join(", ")}]`;
    case "call": {
      const prec = PRECEDENCE[e.fn];
      const [a, b, c] = e.args;
      if (e.fn === "_?_:_" && a && b && c)
        return `${wrap(a, 7, false)} ? ${wrap(b, 7, false)} : ${wrap(c, 8, false)}`;
      if ((e.fn === "!_" || e.fn === "-_") && a) return `${e.fn[0]}${wrap(a, 2, false)}`;
      if (e.fn === "_[_]" && a && b) return `${wrap(a, 1, false)}[${celText(b)}]`;
      if (prec !== undefined && a && b)
        return `${wrap(a, prec, false)} ${SYMBOL[e.fn]} ${wrap(b, prec, true)}`;
      const args = e.args.map(celText).join(", ");
      return e.target ? `${wrap(e.target, 1, false)}.${e.fn}(${args})` : `${e.fn}(${args})`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// google.api.expr.v1alpha1 wire form: Expr{id=2, const=3, ident=4, select=5, call=6, list=7}.

function writeExpr(w: BinaryWriter, e: CelExpr): void {
  w.tag(2, WireType.Varint).int64(e.id);
  switch (e.k) {
    case "const": {
      w.tag(3, WireType.LengthDelimited).fork();
      const c = e.c;
      if (c.t === "null") w.tag(1, WireType.Varint).int32(0);
      else if (c.t === "bool") w.tag(2, WireType.Varint).bool(c.v);
      else if (c.t === "int") w.tag(3, WireType.Varint).int64(c.v);
      else if (c.t === "uint") w.tag(4, WireType.Varint).uint64(c.v);
      else if (c.t === "double") w.tag(5, WireType.Bit64).double(c.v);
      else w.tag(6, WireType.LengthDelimited).string(c.v);
      w.join();
      return;
    }
    case "ident":
      w.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(e.name).join();
      return;
    case "select":
      w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).fork();
      writeExpr(w, e.operand);
      w.join().tag(2, WireType.LengthDelimited).string(e.field).join();
      return;
    case "call":
      w.tag(6, WireType.LengthDelimited).fork();
      if (e.target) {
        w.tag(1, WireType.LengthDelimited).fork();
        writeExpr(w, e.target);
        w.join();
      }
      w.tag(2, WireType.LengthDelimited).string(e.fn);
      for (const a of e.args) {
        w.tag(3, WireType.LengthDelimited).fork();
        writeExpr(w, a);
        w.join();
      }
      w.join();
      return;
    case "list":
      w.tag(7, WireType.LengthDelimited).fork();
      for (const item of e.items) {
        w.tag(1, WireType.LengthDelimited).fork();
        writeExpr(w, item);
        w.join();
      }
      w.join();
      return;
  }
}

function fieldsOf(bytes: Uint8Array): Map<number, unknown[]> {
  const r = new BinaryReader(bytes);
  const out = new Map<number, unknown[]>();
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    let v: unknown;
    if (wt === WireType.Varint) v = r.uint64();
    else if (wt === WireType.Bit64) v = r.double();
    else if (wt === WireType.LengthDelimited) v = r.bytes();
    else r.skip(wt);
    out.set(no, [...(out.get(no) ?? []), v]);
  }
  return out;
}

const text = (b: unknown): string => new TextDecoder().decode(b as Uint8Array);

function readExpr(bytes: Uint8Array): CelExpr {
  const f = fieldsOf(bytes);
  const id = BigInt((f.get(2)?.[0] as bigint | string | undefined) ?? 0);
  const one = (no: number): Uint8Array | undefined => f.get(no)?.[0] as Uint8Array | undefined;
  const c = one(3);
  if (c) {
    const cf = fieldsOf(c);
    if (cf.has(2)) return { k: "const", id, c: { t: "bool", v: BigInt(cf.get(2)?.[0] as bigint) !== 0n } };
    if (cf.has(3))
      return { k: "const", id, c: { t: "int", v: BigInt.asIntN(64, BigInt(cf.get(3)?.[0] as bigint)) } };
    if (cf.has(4)) return { k: "const", id, c: { t: "uint", v: BigInt(cf.get(4)?.[0] as bigint) } };
    if (cf.has(5)) return { k: "const", id, c: { t: "double", v: cf.get(5)?.[0] as number } };
    if (cf.has(6)) return { k: "const", id, c: { t: "string", v: text(cf.get(6)?.[0]) } };
    return { k: "const", id, c: { t: "null" } };
  }
  const ident = one(4);
  if (ident) return { k: "ident", id, name: text(fieldsOf(ident).get(1)?.[0]) };
  const sel = one(5);
  if (sel) {
    const sf = fieldsOf(sel);
    return { k: "select", id, operand: readExpr(sf.get(1)?.[0] as Uint8Array), field: text(sf.get(2)?.[0]) };
  }
  const call = one(6);
  if (call) {
    const cf = fieldsOf(call);
    const target = cf.get(1)?.[0] as Uint8Array | undefined;
    return {
      k: "call",
      id,
      fn: text(cf.get(2)?.[0]),
      ...(target ? { target: readExpr(target) } : {}),
      args: (cf.get(3) ?? []).map((a) => readExpr(a as Uint8Array)),
    };
  }
  const list = one(7);
  return {
    k: "list",
    id,
    items: list ? (fieldsOf(list).get(1) ?? []).map((a) => readExpr(a as Uint8Array)) : [],
  };
}

/** The CheckedExpr message of an expression. */
export function checkedExpr(expression: string): CheckedExpr {
  const w = new BinaryWriter();
  writeExpr(w, parseCel(expression));
  const message = create(CheckedExprSchema);
  // An unknown field's data holds the field's bytes after its tag (here: length and message).
  message.$unknown = [
    { no: 4, wireType: WireType.LengthDelimited, data: new BinaryWriter().bytes(w.finish()).finish() },
  ];
  return message;
}

/** The expression a CheckedExpr holds, printed; empty when it holds none. */
export function checkedExprText(message: CheckedExpr | undefined): string {
  const field = message?.$unknown?.find((u) => u.no === 4);
  if (!field) return "";
  const r = new BinaryReader(field.data);
  return celText(readExpr(r.bytes()));
}
