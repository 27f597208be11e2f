// The part of Go's text/template that cgroup column schemas use: text and {{actions}} with
// field chains (`.CPUStat.user_usec`), methods with arguments (`.MemoryPeak.DivideBy
// .MemoryLow`), variables, pipelines into functions (`| printf "%6s"`, `| len`), `if`/`else`,
// `range $k, $v := ...` over maps in key order, and the functions printf, print, len, index,
// not, and, or, eq, ne, lt, le, gt, ge. Values print as Go's fmt does (their String method).

export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

type Token =
  | { t: "text"; v: string }
  | { t: "field"; v: string[] }
  | { t: "var"; v: string; chain: string[] }
  | { t: "ident"; v: string }
  | { t: "string"; v: string }
  | { t: "number"; v: number }
  | { t: "dot" }
  | { t: "pipe" }
  | { t: "declare" }
  | { t: "comma" }
  | { t: "lparen" }
  | { t: "rparen" };

type Operand =
  | { k: "field"; chain: string[] }
  | { k: "var"; name: string; chain: string[] }
  | { k: "ident"; name: string }
  | { k: "lit"; value: unknown }
  | { k: "dot" }
  | { k: "pipe"; pipe: Pipe; chain: string[] };

interface Pipe {
  readonly decl: string[];
  readonly cmds: Operand[][];
}

type Node =
  | { k: "text"; text: string }
  | { k: "action"; pipe: Pipe }
  | { k: "if"; pipe: Pipe; body: Node[]; else: Node[] }
  | { k: "range"; pipe: Pipe; body: Node[]; else: Node[] };

const FUNCTIONS = new Set([
  "printf",
  "print",
  "println",
  "len",
  "index",
  "not",
  "and",
  "or",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
]);

function lexAction(src: string, name: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new TemplateError(`template: ${name}:1: ${msg}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "|") {
      out.push({ t: "pipe" });
      i++;
    } else if (c === ",") {
      out.push({ t: "comma" });
      i++;
    } else if (c === "(") {
      out.push({ t: "lparen" });
      i++;
    } else if (c === ")") {
      out.push({ t: "rparen" });
      i++;
    } else if (c === ":" && src[i + 1] === "=") {
      out.push({ t: "declare" });
      i += 2;
    } else if (c === '"') {
      let j = i + 1;
      let text = "";
      while (j < src.length && src[j] !== '"') {
        if (src[j] === "\\") {
          const e = src[j + 1];
          text += e === "n" ? "\n" : e === "t" ? "\t" : e === "\\" ? "\\" : e === '"' ? '"' : `\\${e}`;
          j += 2;
        } else text += src[j++];
      }
      if (j >= src.length) fail("unterminated quoted string");
      out.push({ t: "string", v: text });
      i = j + 1;
    } else if (c === "`") {
      const j = src.indexOf("`", i + 1);
      if (j < 0) fail("unterminated raw quoted string");
      out.push({ t: "string", v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (c === ".") {
      const m = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(src.slice(i));
      if (m) {
        out.push({ t: "field", v: m[0].slice(1).split(".") });
        i += m[0].length;
      } else {
        out.push({ t: "dot" });
        i++;
      }
    } else if (c === "$") {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?((\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(src.slice(i))!;
      out.push({ t: "var", v: `$${m[1] ?? ""}`, chain: m[2] ? m[2].slice(1).split(".") : [] });
      i += m[0].length;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) fail(`bad character ${JSON.stringify(c)}`);
      out.push({ t: "number", v: Number(m![0]) });
      i += m![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ t: "ident", v: m[0] });
      i += m[0].length;
    } else {
      fail(`unexpected ${JSON.stringify(c)} in command`);
    }
  }
  return out;
}

/** Splits a template into text and actions (`{{- ... -}}` trims the spaces beside it). */
function split(src: string, name: string): { text?: string; action?: string }[] {
  const out: { text?: string; action?: string }[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let body = open + 2;
    if (src.startsWith("- ", body)) {
      text = text.replace(/\s+$/, "");
      body += 1;
    }
    if (text !== "") out.push({ text });
    const close = src.indexOf("}}", body);
    if (close < 0) throw new TemplateError(`template: ${name}:1: unclosed action`);
    let action = src.slice(body, close);
    let next = close + 2;
    if (action.endsWith(" -")) {
      action = action.slice(0, -1);
      const m = /^\s*/.exec(src.slice(next))!;
      next += m[0].length;
    }
    out.push({ action: action.trim() });
    i = next;
  }
  return out;
}

class Parser {
  private pos = 0;

  constructor(
    private readonly items: { text?: string; action?: string }[],
    private readonly name: string,
  ) {}

  private fail(msg: string): never {
    throw new TemplateError(`template: ${this.name}:1: ${msg}`);
  }

  parse(): Node[] {
    const { nodes, end } = this.list();
    if (end !== undefined) this.fail(`unexpected {{${end}}}`);
    return nodes;
  }

  private list(): { nodes: Node[]; end?: "end" | "else" } {
    const nodes: Node[] = [];
    while (this.pos < this.items.length) {
      const item = this.items[this.pos++]!;
      if (item.text !== undefined) {
        nodes.push({ k: "text", text: item.text });
        continue;
      }
      const action = item.action!;
      if (action.startsWith("/*")) continue;
      const tokens = lexAction(action, this.name);
      const head = tokens[0];
      if (head?.t === "ident" && (head.v === "end" || head.v === "else")) {
        if (head.v === "else" && tokens.length > 1) this.fail("else if is not supported here");
        return { nodes, end: head.v };
      }
      if (head?.t === "ident" && (head.v === "if" || head.v === "range" || head.v === "with")) {
        if (head.v === "with") this.fail('"with" is not supported');
        const pipe = this.pipe(tokens.slice(1));
        const body = this.list();
        let other: Node[] = [];
        if (body.end === "else") {
          const rest = this.list();
          if (rest.end !== "end") this.fail("unexpected EOF");
          other = rest.nodes;
        } else if (body.end !== "end") this.fail("unexpected EOF");
        nodes.push(
          head.v === "if"
            ? { k: "if", pipe, body: body.nodes, else: other }
            : { k: "range", pipe, body: body.nodes, else: other },
        );
        continue;
      }
      if (tokens.length === 0) this.fail("missing value for command");
      nodes.push({ k: "action", pipe: this.pipe(tokens) });
    }
    return { nodes };
  }

  private pipe(tokens: Token[]): Pipe {
    let decl: string[] = [];
    const declareAt = tokens.findIndex((t) => t.t === "declare");
    if (declareAt >= 0) {
      decl = tokens
        .slice(0, declareAt)
        .filter((t) => t.t !== "comma")
        .map((t) => (t.t === "var" ? t.v : this.fail("expected variable in declaration")));
      tokens = tokens.slice(declareAt + 1);
    }
    const cmds: Operand[][] = [[]];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.t === "pipe") {
        if (cmds[cmds.length - 1]!.length === 0) this.fail("missing command");
        cmds.push([]);
        continue;
      }
      if (t.t === "lparen") {
        let depth = 1;
        let j = i + 1;
        while (j < tokens.length && depth > 0) {
          if (tokens[j]!.t === "lparen") depth++;
          if (tokens[j]!.t === "rparen") depth--;
          j++;
        }
        if (depth !== 0) this.fail("unclosed left paren");
        const inner = this.pipe(tokens.slice(i + 1, j - 1));
        const next = tokens[j];
        const chain = next?.t === "field" ? next.v : [];
        if (next?.t === "field") j++;
        cmds[cmds.length - 1]!.push({ k: "pipe", pipe: inner, chain });
        i = j - 1;
        continue;
      }
      cmds[cmds.length - 1]!.push(this.operand(t));
    }
    if (cmds[cmds.length - 1]!.length === 0) this.fail("missing value for command");
    return { decl, cmds };
  }

  private operand(t: Token): Operand {
    switch (t.t) {
      case "field":
        return { k: "field", chain: t.v };
      case "var":
        return { k: "var", name: t.v, chain: t.chain };
      case "ident":
        if (t.v === "true" || t.v === "false") return { k: "lit", value: t.v === "true" };
        if (t.v === "nil") return { k: "lit", value: null };
        if (!FUNCTIONS.has(t.v)) this.fail(`function ${JSON.stringify(t.v)} not defined`);
        return { k: "ident", name: t.v };
      case "string":
        return { k: "lit", value: t.v };
      case "number":
        return { k: "lit", value: t.v };
      case "dot":
        return { k: "dot" };
      default:
        return this.fail(`unexpected ${t.t} in command`);
    }
  }
}

/** A compiled template. */
export class Template {
  private readonly nodes: Node[];

  constructor(
    readonly name: string,
    source: string,
  ) {
    this.nodes = new Parser(split(source, name), name).parse();
  }

  execute(data: unknown): string {
    const out: string[] = [];
    new Exec(this.name, out).run(this.nodes, data, new Map([["$", data]]));
    return out.join("");
  }
}

/** Truth as Go's templates see it: false, 0, nil, and empty strings, slices and maps are false. */
export function truth(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "" || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (isGoMap(v)) return v.entries.size > 0;
  return true;
}

interface GoMapLike {
  readonly entries: Map<string, unknown>;
  get(key: string): unknown;
}

function isGoMap(v: unknown): v is GoMapLike {
  return (
    typeof v === "object" &&
    v !== null &&
    "entries" in v &&
    (v as GoMapLike).entries instanceof Map &&
    "zero" in v
  );
}

function hasString(v: unknown): v is { String(): string } {
  return typeof v === "object" && v !== null && typeof (v as { String?: unknown }).String === "function";
}

/** fmt's %v of a value. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (hasString(v)) return v.String();
  if (Array.isArray(v)) return `[${v.map(goFormat).join(" ")}]`;
  if (isGoMap(v)) {
    const keys = [...v.entries.keys()].sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v.entries.get(k))}`).join(" ")}]`;
  }
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(v);
  return String(v);
}

/** Go's fmt.Sprintf for the verbs templates use: %s %v %d %q %x %f %%, flags, width, precision. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let arg = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    const m = /^%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/.exec(format.slice(i));
    if (!m) {
      out += "%!(NOVERB)";
      continue;
    }
    i += m[0].length - 1;
    const [, flags = "", width, precision, verb] = m;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (arg >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const v = args[arg++];
    // fmt applies a verb with its width to each element of a slice.
    if (Array.isArray(v) && (verb === "s" || verb === "v" || verb === "d")) {
      const spec = `%${flags}${width ?? ""}${precision !== undefined ? `.${precision}` : ""}${verb}`;
      out += `[${v.map((e) => sprintf(spec, [e])).join(" ")}]`;
      continue;
    }
    let s: string;
    switch (verb) {
      case "s":
      case "v":
        s = goFormat(v);
        if (precision !== undefined) s = [...s].slice(0, Number(precision)).join("");
        break;
      case "q":
        s = JSON.stringify(goFormat(v));
        break;
      case "d":
        s = typeof v === "number" || typeof v === "bigint" ? String(v) : `%!d(${goFormat(v)})`;
        break;
      case "x":
        s =
          typeof v === "number" || typeof v === "bigint"
            ? v.toString(16)
            : Buffer.from(goFormat(v)).toString("hex");
        break;
      case "f":
        s =
          typeof v === "number"
            ? v.toFixed(precision === undefined ? 6 : Number(precision))
            : `%!f(${goFormat(v)})`;
        break;
      default:
        s = `%!${verb}(${goFormat(v)})`;
    }
    const w = width === undefined ? 0 : Number(width);
    const len = [...s].length;
    if (len < w) {
      const pad = w - len;
      if (flags.includes("-")) s += " ".repeat(pad);
      else if (flags.includes("0") && (verb === "d" || verb === "f"))
        s = s.startsWith("-") ? `-${"0".repeat(pad)}${s.slice(1)}` : "0".repeat(pad) + s;
      else s = " ".repeat(pad) + s;
    }
    out += s;
  }
  if (arg < args.length) out += `%!(EXTRA ${args.slice(arg).map(goFormat).join(", ")})`;
  return out;
}

class Exec {
  constructor(
    private readonly name: string,
    private readonly out: string[],
  ) {}

  private fail(msg: string): never {
    throw new TemplateError(`template: ${this.name}:1: executing "${this.name}": ${msg}`);
  }

  run(nodes: readonly Node[], dot: unknown, vars: Map<string, unknown>): void {
    for (const n of nodes) {
      switch (n.k) {
        case "text":
          this.out.push(n.text);
          break;
        case "action": {
          const v = this.pipe(n.pipe, dot, vars);
          if (n.pipe.decl.length === 0) this.out.push(v === undefined ? "<no value>" : goFormat(v));
          break;
        }
        case "if":
          this.run(truth(this.pipe(n.pipe, dot, vars)) ? n.body : n.else, dot, new Map(vars));
          break;
        case "range": {
          const v = this.pipe({ decl: [], cmds: n.pipe.cmds }, dot, vars);
          const [kVar, vVar] = n.pipe.decl.length === 2 ? n.pipe.decl : [undefined, n.pipe.decl[0]];
          const items: [unknown, unknown][] = Array.isArray(v)
            ? v.map((x, i) => [i, x])
            : isGoMap(v)
              ? [...v.entries.keys()].sort().map((k) => [k, v.entries.get(k)])
              : v instanceof Map
                ? [...v.keys()].sort().map((k) => [k, v.get(k)])
                : v === null || v === undefined
                  ? []
                  : this.fail(`range can't iterate over ${goFormat(v)}`);
          if (items.length === 0) {
            this.run(n.else, dot, new Map(vars));
            break;
          }
          for (const [key, value] of items) {
            const scope = new Map(vars);
            if (kVar) scope.set(kVar, key);
            if (vVar) scope.set(vVar, value);
            this.run(n.body, value, scope);
          }
          break;
        }
      }
    }
  }

  private pipe(p: Pipe, dot: unknown, vars: Map<string, unknown>): unknown {
    let value: unknown;
    let first = true;
    for (const cmd of p.cmds) {
      value = this.command(cmd, dot, vars, first ? undefined : { value });
      first = false;
    }
    if (p.decl.length === 1) vars.set(p.decl[0]!, value);
    return value;
  }

  private command(
    cmd: readonly Operand[],
    dot: unknown,
    vars: Map<string, unknown>,
    piped: { value: unknown } | undefined,
  ): unknown {
    const [head, ...rest] = cmd as [Operand, ...Operand[]];
    const args = (): unknown[] => {
      const values = rest.map((o) => this.operand(o, dot, vars, []));
      if (piped) values.push(piped.value);
      return values;
    };
    if (head.k === "ident") return this.call(head.name, args());
    if (head.k === "field") return this.chain(dot, head.chain, args(), ".");
    if (head.k === "var") {
      if (!vars.has(head.name)) this.fail(`undefined variable: ${head.name}`);
      return this.chain(vars.get(head.name), head.chain, args(), head.name);
    }
    if (head.k === "pipe") return this.chain(this.pipe(head.pipe, dot, vars), head.chain, args(), "(...)");
    if (rest.length > 0 || piped)
      this.fail(`can't give argument to non-function ${goFormat(this.operand(head, dot, vars, []))}`);
    return this.operand(head, dot, vars, []);
  }

  private operand(o: Operand, dot: unknown, vars: Map<string, unknown>, args: unknown[]): unknown {
    switch (o.k) {
      case "lit":
        return o.value;
      case "dot":
        return dot;
      case "field":
        return this.chain(dot, o.chain, args, ".");
      case "var":
        if (!vars.has(o.name)) this.fail(`undefined variable: ${o.name}`);
        return this.chain(vars.get(o.name), o.chain, args, o.name);
      case "pipe":
        return this.chain(this.pipe(o.pipe, dot, vars), o.chain, args, "(...)");
      case "ident":
        return this.call(o.name, []);
    }
  }

  /** Walks `.A.B.C` from `receiver`; arguments go to the last element (a method). */
  private chain(
    receiver: unknown,
    names: readonly string[],
    args: readonly unknown[],
    shown: string,
  ): unknown {
    let v = receiver;
    let path = shown === "." ? "" : shown;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      path += `.${name}`;
      if (v === null || v === undefined) this.fail(`at <${path}>: nil pointer evaluating ${path}`);
      const method = (v as Record<string, unknown>)[name];
      if (typeof method === "function") {
        const callArgs = last ? args : [];
        v = (method as (...a: unknown[]) => unknown).apply(v, [...callArgs]);
        return;
      }
      if (last && args.length > 0)
        this.fail(`at <${path}>: ${name} has arguments but cannot be invoked as function`);
      if (isGoMap(v)) {
        v = v.get(name);
        return;
      }
      if (typeof v === "object" && name in (v as object)) {
        v = (v as Record<string, unknown>)[name];
        return;
      }
      this.fail(`at <${path}>: can't evaluate field ${name}`);
    });
    if (names.length === 0 && args.length > 0) this.fail(`can't give argument to non-function ${shown}`);
    return v;
  }

  private call(name: string, args: unknown[]): unknown {
    const cmp = (a: unknown, b: unknown): number => {
      const x = typeof a === "object" && a !== null && hasString(a) ? a.String() : a;
      const y = typeof b === "object" && b !== null && hasString(b) ? b.String() : b;
      return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
    };
    switch (name) {
      case "printf":
        return sprintf(String(args[0] ?? ""), args.slice(1));
      case "print":
        return args.map(goFormat).join(args.every((a) => typeof a !== "string") ? " " : "");
      case "println":
        return `${args.map(goFormat).join(" ")}\n`;
      case "len": {
        const v = args[0];
        if (Array.isArray(v) || typeof v === "string") return v.length;
        if (isGoMap(v)) return v.entries.size;
        if (v instanceof Map) return v.size;
        return this.fail(`error calling len: len of type ${typeof v}`);
      }
      case "index": {
        let v = args[0];
        for (const key of args.slice(1)) {
          if (Array.isArray(v)) v = v[Number(key)];
          else if (isGoMap(v)) v = v.get(String(key));
          else this.fail("error calling index: can't index item");
        }
        return v;
      }
      case "not":
        return !truth(args[0]);
      case "and":
        return args.find((a) => !truth(a)) ?? args[args.length - 1];
      case "or":
        return args.find((a) => truth(a)) ?? args[args.length - 1];
      case "eq":
        return args.slice(1).some((b) => cmp(args[0], b) === 0);
      case "ne":
        return cmp(args[0], args[1]) !== 0;
      case "lt":
        return cmp(args[0], args[1]) < 0;
      case "le":
        return cmp(args[0], args[1]) <= 0;
      case "gt":
        return cmp(args[0], args[1]) > 0;
      case "ge":
        return cmp(args[0], args[1]) >= 0;
      default:
        return this.fail(`function ${JSON.stringify(name)} not defined`);
    }
  }
}
