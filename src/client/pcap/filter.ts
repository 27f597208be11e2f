// The --bpf-filter of `talosctl pcap`: classic BPF instructions in `tcpdump -dd` format, as
// talosctl takes them (`{ 0x28, 0, 0, 0x0000000c },` a line), or, so that no tcpdump is needed,
// a capture-filter expression this talosctl compiles itself for Ethernet links: `ip`, `ip6`,
// `arp`, `tcp`, `udp`, `icmp`, `[src|dst] host ADDR`, `[src|dst] net CIDR`,
// `[tcp|udp] [src|dst] port N`, `portrange N-M`, combined with and/or/not (&&, ||, !) and
// parentheses. Anything else is refused with a message naming the word.
import { isIPv4, isIPv6 } from "node:net";

export interface BpfInstruction {
  readonly op: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

export class FilterError extends Error {
  override readonly name = "FilterError";
}

/** What a matching frame keeps: tcpdump's default snapshot length. */
const ACCEPT_BYTES = 262_144;

/** Parses talosctl's `tcpdump -dd` format (one `{ 0xOP, JT, JF, 0xK },` per line). */
export function parseInstructions(text: string): BpfInstruction[] {
  const out: BpfInstruction[] = [];
  for (const line of text.trim().split("\n")) {
    if (line === "") continue;
    const m = /^\s*\{\s*0x([0-9a-fA-F]+),\s*(\d+),\s*(\d+),\s*0x([0-9a-fA-F]+)\s*\},/.exec(line);
    if (!m)
      throw new FilterError(
        `error parsing bpf instruction ${JSON.stringify(line)}: input does not match format`,
      );
    const op = Number.parseInt(m[1]!, 16);
    const jt = Number(m[2]);
    const jf = Number(m[3]);
    const k = Number.parseInt(m[4]!, 16);
    if (op > 0xffff || jt > 0xff || jf > 0xff || k > 0xffffffff) {
      throw new FilterError(`error parsing bpf instruction ${JSON.stringify(line)}: value out of range`);
    }
    out.push({ op, jt, jf, k });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The expression compiler.

type Node =
  | { kind: "and" | "or"; a: Node; b: Node }
  | { kind: "not"; a: Node }
  | { kind: "test"; loads: readonly Ins[]; jump: number; k: number };

interface Ins {
  op: number;
  k: number;
}

const LD_H_ABS = 0x28;
const LD_W_ABS = 0x20;
const LD_B_ABS = 0x30;
const LD_H_IND = 0x48;
const LDX_B_MSH = 0xb1;
const ALU_AND_K = 0x54;
const JEQ = 0x15;
const JGE = 0x35;
const JGT = 0x25;
const JSET = 0x45;
const RET_K = 0x06;

const test = (loads: Ins[], jump: number, k: number): Node => ({ kind: "test", loads, jump, k });
const and = (a: Node, b: Node): Node => ({ kind: "and", a, b });
const or = (a: Node, b: Node): Node => ({ kind: "or", a, b });
const not = (a: Node): Node => ({ kind: "not", a });

const etherType = (t: number): Node => test([{ op: LD_H_ABS, k: 12 }], JEQ, t);
const IP = etherType(0x0800);
const IP6 = etherType(0x86dd);
const ipProto = (p: number): Node => and(IP, test([{ op: LD_B_ABS, k: 23 }], JEQ, p));
const ip6Next = (p: number): Node => and(IP6, test([{ op: LD_B_ABS, k: 20 }], JEQ, p));
const proto = (p: number): Node => or(ipProto(p), ip6Next(p));
const NOT_FRAGMENT = not(test([{ op: LD_H_ABS, k: 20 }], JSET, 0x1fff));

type Dir = "src" | "dst" | "either";

function ip4Word(ip: string): number {
  return ip.split(".").reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}

function ip6Words(ip: string): number[] {
  const groups: number[] = [];
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const parse = (s: string | undefined): number[] =>
    s === undefined || s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16));
  const left = parse(head);
  const right = parse(tail);
  groups.push(...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right);
  return [0, 2, 4, 6].map((i) => ((groups[i]! << 16) | groups[i + 1]!) >>> 0);
}

function hostTest(addr: string, dir: Dir): Node {
  if (isIPv4(addr)) {
    const w = ip4Word(addr);
    const src = and(IP, test([{ op: LD_W_ABS, k: 26 }], JEQ, w));
    const dst = and(IP, test([{ op: LD_W_ABS, k: 30 }], JEQ, w));
    return dir === "src" ? src : dir === "dst" ? dst : or(src, dst);
  }
  if (isIPv6(addr) && !addr.includes(".") && !addr.includes("%")) {
    const words = ip6Words(addr);
    const at = (base: number): Node =>
      words
        .map((w, i) => test([{ op: LD_W_ABS, k: base + i * 4 }], JEQ, w))
        .reduce((acc, t) => and(acc, t), IP6);
    return dir === "src" ? at(22) : dir === "dst" ? at(38) : or(at(22), at(38));
  }
  throw new FilterError(`invalid host address ${JSON.stringify(addr)}`);
}

function netTest(cidr: string, dir: Dir): Node {
  const [addr, bitsText] = cidr.split("/") as [string, string | undefined];
  if (!isIPv4(addr))
    throw new FilterError(`invalid net ${JSON.stringify(cidr)} (an IPv4 network like 10.0.0.0/8)`);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32)
    throw new FilterError(`invalid net ${JSON.stringify(cidr)}: mask length`);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (ip4Word(addr) & mask) >>> 0;
  if (net !== ip4Word(addr)) throw new FilterError(`non-network bits set in ${JSON.stringify(cidr)}`);
  const side = (offset: number): Node =>
    and(
      IP,
      test(
        [
          { op: LD_W_ABS, k: offset },
          { op: ALU_AND_K, k: mask },
        ],
        JEQ,
        net,
      ),
    );
  return dir === "src" ? side(26) : dir === "dst" ? side(30) : or(side(26), side(30));
}

function portTest(lo: number, hi: number, dir: Dir, protos: readonly number[]): Node {
  const range = (loads: Ins[]): Node =>
    lo === hi ? test(loads, JEQ, lo) : and(test(loads, JGE, lo), not(test(loads, JGT, hi)));
  const v4side = (offset: number): Node =>
    range([
      { op: LDX_B_MSH, k: 14 },
      { op: LD_H_IND, k: offset },
    ]);
  const v6side = (offset: number): Node => range([{ op: LD_H_ABS, k: offset }]);
  const pick = (s: Node, d: Node): Node => (dir === "src" ? s : dir === "dst" ? d : or(s, d));
  const v4proto = protos.map((p) => test([{ op: LD_B_ABS, k: 23 }], JEQ, p)).reduce((a, b) => or(a, b));
  const v6proto = protos.map((p) => test([{ op: LD_B_ABS, k: 20 }], JEQ, p)).reduce((a, b) => or(a, b));
  const v4 = and(and(and(IP, v4proto), NOT_FRAGMENT), pick(v4side(14), v4side(16)));
  const v6 = and(and(IP6, v6proto), pick(v6side(54), v6side(56)));
  return or(v4, v6);
}

function portNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new FilterError(`invalid port ${JSON.stringify(text)}`);
  return Number(text);
}

/** Splits an expression into words and operators. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|&&|\|\||!|[^\s()!&|]+)/y;
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (m === null) break;
    out.push(m[1]!);
  }
  if (/\S/.test(text.slice(re.lastIndex)))
    throw new FilterError(`syntax error near ${JSON.stringify(text.slice(re.lastIndex).trim())}`);
  return out;
}

class Parser {
  private i = 0;

  constructor(private readonly words: readonly string[]) {}

  parse(): Node {
    const node = this.or();
    if (this.i < this.words.length)
      throw new FilterError(`syntax error near ${JSON.stringify(this.words[this.i])}`);
    return node;
  }

  private peek(): string | undefined {
    return this.words[this.i];
  }

  private take(): string {
    const w = this.words[this.i++];
    if (w === undefined) throw new FilterError("syntax error: the expression ends too early");
    return w;
  }

  private or(): Node {
    let node = this.and();
    while (this.peek() === "or" || this.peek() === "||") {
      this.i++;
      node = or(node, this.and());
    }
    return node;
  }

  private and(): Node {
    let node = this.unary();
    while (this.peek() === "and" || this.peek() === "&&") {
      this.i++;
      node = and(node, this.unary());
    }
    return node;
  }

  private unary(): Node {
    const w = this.peek();
    if (w === "not" || w === "!") {
      this.i++;
      return not(this.unary());
    }
    if (w === "(") {
      this.i++;
      const inner = this.or();
      if (this.take() !== ")") throw new FilterError('syntax error: missing ")"');
      return inner;
    }
    return this.primitive();
  }

  private primitive(): Node {
    let w = this.take();
    let protos: number[] | undefined;
    if ((w === "tcp" || w === "udp") && ["src", "dst", "port", "portrange"].includes(this.peek() ?? "")) {
      protos = [w === "tcp" ? 6 : 17];
      w = this.take();
    }
    let dir: Dir = "either";
    if (w === "src" || w === "dst") {
      dir = w;
      w = this.take();
    }
    switch (w) {
      case "host":
        if (protos) break;
        return hostTest(this.take(), dir);
      case "net":
        if (protos) break;
        return netTest(this.take(), dir);
      case "port": {
        const p = portNumber(this.take());
        return portTest(p, p, dir, protos ?? [6, 17, 132]);
      }
      case "portrange": {
        const [a, b] = this.take().split("-") as [string, string | undefined];
        const lo = portNumber(a);
        const hi = portNumber(b ?? "");
        return portTest(Math.min(lo, hi), Math.max(lo, hi), dir, protos ?? [6, 17, 132]);
      }
      default:
        if (dir === "either" && !protos) {
          switch (w) {
            case "ip":
              return IP;
            case "ip6":
              return IP6;
            case "arp":
              return etherType(0x0806);
            case "tcp":
              return proto(6);
            case "udp":
              return proto(17);
            case "icmp":
              return ipProto(1);
            case "icmp6":
              return ip6Next(58);
          }
          if (isIPv4(w) || isIPv6(w)) return hostTest(w, dir);
        }
    }
    throw new FilterError(`unsupported word ${JSON.stringify(w)}`);
  }
}

interface Emitted {
  op: number;
  k: number;
  /** Labels of a conditional jump. */
  t?: number;
  f?: number;
}

/** Compiles a capture-filter expression into a classic BPF program for Ethernet frames. */
export function compileExpression(expression: string): BpfInstruction[] {
  const words = tokenize(expression);
  if (words.length === 0) throw new FilterError("empty filter expression");
  const root = new Parser(words).parse();
  const code: Emitted[] = [];
  const labels: number[] = [];
  const label = (): number => {
    labels.push(-1);
    return labels.length - 1;
  };
  const place = (l: number): void => {
    labels[l] = code.length;
  };
  const emit = (node: Node, t: number, f: number): void => {
    switch (node.kind) {
      case "test":
        for (const l of node.loads) code.push({ op: l.op, k: l.k });
        code.push({ op: node.jump, k: node.k, t, f });
        return;
      case "and": {
        const next = label();
        emit(node.a, next, f);
        place(next);
        emit(node.b, t, f);
        return;
      }
      case "or": {
        const next = label();
        emit(node.a, t, next);
        place(next);
        emit(node.b, t, f);
        return;
      }
      case "not":
        emit(node.a, f, t);
        return;
    }
  };
  const accept = label();
  const drop = label();
  emit(root, accept, drop);
  place(accept);
  code.push({ op: RET_K, k: ACCEPT_BYTES });
  place(drop);
  code.push({ op: RET_K, k: 0 });
  return code.map((c, pc) => {
    if (c.t === undefined || c.f === undefined) return { op: c.op, jt: 0, jf: 0, k: c.k };
    const jt = labels[c.t]! - pc - 1;
    const jf = labels[c.f]! - pc - 1;
    if (jt > 255 || jf > 255)
      throw new FilterError("filter expression too long to compile (a jump exceeds 255 instructions)");
    return { op: c.op, jt, jf, k: c.k };
  });
}

/** --bpf-filter: `tcpdump -dd` output as is, or an expression compiled here. Empty: none. */
export function parseBpfFilter(text: string): BpfInstruction[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("{")) return parseInstructions(trimmed);
  try {
    return compileExpression(trimmed);
  } catch (err) {
    if (err instanceof FilterError) {
      throw new FilterError(
        `unsupported --bpf-filter expression ${JSON.stringify(trimmed)}: ${err.message} (this talosctl compiles ip, ip6, arp, tcp, udp, icmp, [src|dst] host/net, [tcp|udp] [src|dst] port/portrange with and/or/not; for anything else pass the output of 'tcpdump -dd -y EN10MB <expression>')`,
      );
    }
    throw err;
  }
}
