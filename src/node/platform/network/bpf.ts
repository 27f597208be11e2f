// A classic BPF interpreter (the instruction set of Linux's socket filters, which `tcpdump -dd`
// prints and Talos attaches to its capture socket): a program runs over each frame and returns
// how many bytes to keep, 0 to drop it. Programs are checked before they run as the kernel
// checks them: known opcodes, forward jumps inside the program, a return at the end, scratch
// memory indexes in range.

export interface BpfInstruction {
  readonly op: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** Instructions a program may hold (Linux's BPF_MAXINSNS). */
export const BPF_MAX_INSNS = 4096;
const MEMWORDS = 16;

// instruction classes
const LD = 0x00;
const LDX = 0x01;
const ST = 0x02;
const STX = 0x03;
const ALU = 0x04;
const JMP = 0x05;
const RET = 0x06;
const MISC = 0x07;
// sizes
const W = 0x00;
const H = 0x08;
const B = 0x10;
// modes
const IMM = 0x00;
const ABS = 0x20;
const IND = 0x40;
const MEM = 0x60;
const LEN = 0x80;
const MSH = 0xa0;
// alu / jmp ops
const ADD = 0x00;
const SUB = 0x10;
const MUL = 0x20;
const DIV = 0x30;
const OR = 0x40;
const AND = 0x50;
const LSH = 0x60;
const RSH = 0x70;
const NEG = 0x80;
const MOD = 0x90;
const XOR = 0xa0;
const JA = 0x00;
const JEQ = 0x10;
const JGT = 0x20;
const JGE = 0x30;
const JSET = 0x40;
// sources
const K = 0x00;
const X = 0x08;
const A = 0x10;
// misc
const TAX = 0x00;
const TXA = 0x80;

export class BpfError extends Error {
  override readonly name = "BpfError";
}

function validOp(op: number): boolean {
  const cls = op & 0x07;
  switch (cls) {
    case LD:
      return [W | ABS, H | ABS, B | ABS, W | IND, H | IND, B | IND, W | LEN, IMM, MEM].includes(op & 0xf8);
    case LDX:
      return [W | IMM, W | MEM, W | LEN, B | MSH].includes(op & 0xf8);
    case ST:
    case STX:
      return op === cls;
    case ALU: {
      const code = op & 0xf0;
      return [ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR].includes(code) && (op & 0x08) <= X;
    }
    case JMP: {
      const code = op & 0xf0;
      return [JA, JEQ, JGT, JGE, JSET].includes(code) && (code !== JA || (op & 0x08) === 0);
    }
    case RET:
      return [K, X, A].includes(op & 0x18) && (op & ~0x1f) === 0;
    case MISC:
      return op === (MISC | TAX) || op === (MISC | TXA);
    default:
      return false;
  }
}

/** Checks a program as the kernel's sk_chk_filter does; throws BpfError. */
export function validateProgram(program: readonly BpfInstruction[]): void {
  if (program.length === 0 || program.length > BPF_MAX_INSNS) {
    throw new BpfError(`invalid argument: a filter needs 1 to ${BPF_MAX_INSNS} instructions`);
  }
  program.forEach((ins, pc) => {
    if (!validOp(ins.op))
      throw new BpfError(`invalid argument: unknown opcode 0x${ins.op.toString(16)} at ${pc}`);
    const cls = ins.op & 0x07;
    if (cls === JMP) {
      const targets = (ins.op & 0xf0) === JA ? [ins.k] : [ins.jt, ins.jf];
      for (const t of targets) {
        if (pc + 1 + t >= program.length)
          throw new BpfError(`invalid argument: jump out of the program at ${pc}`);
      }
    }
    if (
      (cls === ST || cls === STX || ((cls === LD || cls === LDX) && (ins.op & 0xe0) === MEM)) &&
      ins.k >= MEMWORDS
    ) {
      throw new BpfError(`invalid argument: scratch memory index ${ins.k} out of range at ${pc}`);
    }
    if (
      cls === ALU &&
      (ins.op & 0x08) === K &&
      ((ins.op & 0xf0) === DIV || (ins.op & 0xf0) === MOD) &&
      ins.k === 0
    ) {
      throw new BpfError(`invalid argument: division by zero at ${pc}`);
    }
  });
  const last = program[program.length - 1]!;
  if ((last.op & 0x07) !== RET && (last.op & 0x07) !== JMP) {
    throw new BpfError("invalid argument: a filter must end with a return");
  }
}

/** Runs a (validated) program over a frame; returns the bytes to keep (0: drop). */
export function runProgram(program: readonly BpfInstruction[], frame: Uint8Array): number {
  let a = 0;
  let x = 0;
  const mem = new Uint32Array(MEMWORDS);
  const len = frame.length;
  const load = (offset: number, size: number): number | undefined => {
    if (offset < 0 || offset + size > len) return undefined;
    if (size === 1) return frame[offset]!;
    if (size === 2) return (frame[offset]! << 8) | frame[offset + 1]!;
    return (
      ((frame[offset]! << 24) |
        (frame[offset + 1]! << 16) |
        (frame[offset + 2]! << 8) |
        frame[offset + 3]!) >>>
      0
    );
  };
  for (let pc = 0; pc < program.length; pc++) {
    const { op, jt, jf, k } = program[pc]!;
    switch (op & 0x07) {
      case LD: {
        const mode = op & 0xe0;
        const size = (op & 0x18) === B ? 1 : (op & 0x18) === H ? 2 : 4;
        if (mode === IMM) a = k >>> 0;
        else if (mode === LEN) a = len;
        else if (mode === MEM) a = mem[k]!;
        else {
          const v = load(mode === ABS ? k : (x + k) >>> 0, size);
          if (v === undefined) return 0;
          a = v;
        }
        break;
      }
      case LDX: {
        const mode = op & 0xe0;
        if (mode === IMM) x = k >>> 0;
        else if (mode === LEN) x = len;
        else if (mode === MEM) x = mem[k]!;
        else {
          const v = load(k, 1);
          if (v === undefined) return 0;
          x = (v & 0x0f) * 4;
        }
        break;
      }
      case ST:
        mem[k] = a;
        break;
      case STX:
        mem[k] = x;
        break;
      case ALU: {
        const operand = (op & 0x08) === X ? x : k >>> 0;
        switch (op & 0xf0) {
          case ADD:
            a = (a + operand) >>> 0;
            break;
          case SUB:
            a = (a - operand) >>> 0;
            break;
          case MUL:
            a = Number((BigInt(a) * BigInt(operand)) & 0xffffffffn);
            break;
          case DIV:
            if (operand === 0) return 0;
            a = Math.floor(a / operand) >>> 0;
            break;
          case MOD:
            if (operand === 0) return 0;
            a = (a % operand) >>> 0;
            break;
          case OR:
            a = (a | operand) >>> 0;
            break;
          case AND:
            a = (a & operand) >>> 0;
            break;
          case XOR:
            a = (a ^ operand) >>> 0;
            break;
          case LSH:
            a = operand >= 32 ? 0 : (a << operand) >>> 0;
            break;
          case RSH:
            a = operand >= 32 ? 0 : a >>> operand;
            break;
          case NEG:
            a = -a >>> 0;
            break;
        }
        break;
      }
      case JMP: {
        const code = op & 0xf0;
        if (code === JA) {
          pc += k;
          break;
        }
        const operand = (op & 0x08) === X ? x : k >>> 0;
        const hit =
          code === JEQ
            ? a === operand
            : code === JGT
              ? a > operand
              : code === JGE
                ? a >= operand
                : (a & operand) !== 0;
        pc += hit ? jt : jf;
        break;
      }
      case RET: {
        const src = op & 0x18;
        return (src === A ? a : src === X ? x : k) >>> 0;
      }
      case MISC:
        if ((op & 0xf8) === TXA) a = x;
        else x = a;
        break;
    }
  }
  return 0;
}
