// Evaluating the CEL selectors of volume documents against the emulated disks and volumes, with
// the variables Talos declares for them (siderolabs/talos: pkg/machinery/cel/celenv: `disk` and
// `system_disk` for disk selectors, `volume` and `disk` for volume locators, and the size units
// KiB..EiB, kB..EB as uint constants). Messages are plain objects keyed by protobuf field name.
import { type CelExpr, parseCel } from "../../resources/index.js";

export type CelValue = string | bigint | number | boolean | null | readonly CelValue[] | CelObject;
export interface CelObject {
  readonly [field: string]: CelValue;
}

const UNITS: Readonly<Record<string, bigint>> = {
  KiB: 1n << 10n,
  MiB: 1n << 20n,
  GiB: 1n << 30n,
  TiB: 1n << 40n,
  PiB: 1n << 50n,
  EiB: 1n << 60n,
  kB: 1000n,
  MB: 1000n ** 2n,
  GB: 1000n ** 3n,
  TB: 1000n ** 4n,
  PB: 1000n ** 5n,
  EB: 1000n ** 6n,
};

const isObject = (v: CelValue): v is CelObject => typeof v === "object" && v !== null && !Array.isArray(v);

function num(v: CelValue): number {
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return v;
  throw new Error(`CEL: ${String(v)} is not a number`);
}

function equal(a: CelValue, b: CelValue): boolean {
  if ((typeof a === "bigint" || typeof a === "number") && (typeof b === "bigint" || typeof b === "number"))
    return num(a) === num(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equal(x, b[i] as CelValue));
  return a === b;
}

function compare(a: CelValue, b: CelValue): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  const x = num(a);
  const y = num(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function arith(fn: string, a: CelValue, b: CelValue): CelValue {
  if (fn === "_+_" && typeof a === "string" && typeof b === "string") return a + b;
  if (typeof a === "bigint" && typeof b === "bigint") {
    if (fn === "_+_") return a + b;
    if (fn === "_-_") return a - b;
    if (fn === "_*_") return a * b;
    if (b === 0n) throw new Error("CEL: division by zero");
    return fn === "_/_" ? a / b : a % b;
  }
  const x = num(a);
  const y = num(b);
  return fn === "_+_" ? x + y : fn === "_-_" ? x - y : fn === "_*_" ? x * y : fn === "_/_" ? x / y : x % y;
}

function call(e: Extract<CelExpr, { k: "call" }>, vars: CelObject): CelValue {
  const ev = (x: CelExpr): CelValue => evaluate(x, vars);
  const [a, b, c] = e.args;
  switch (e.fn) {
    case "_&&_":
      return ev(a as CelExpr) === true && ev(b as CelExpr) === true;
    case "_||_":
      return ev(a as CelExpr) === true || ev(b as CelExpr) === true;
    case "!_":
      return ev(a as CelExpr) !== true;
    case "-_": {
      const v = ev(a as CelExpr);
      return typeof v === "bigint" ? -v : -num(v);
    }
    case "_?_:_":
      return ev(a as CelExpr) === true ? ev(b as CelExpr) : ev(c as CelExpr);
    case "_==_":
      return equal(ev(a as CelExpr), ev(b as CelExpr));
    case "_!=_":
      return !equal(ev(a as CelExpr), ev(b as CelExpr));
    case "_<_":
      return compare(ev(a as CelExpr), ev(b as CelExpr)) < 0;
    case "_<=_":
      return compare(ev(a as CelExpr), ev(b as CelExpr)) <= 0;
    case "_>_":
      return compare(ev(a as CelExpr), ev(b as CelExpr)) > 0;
    case "_>=_":
      return compare(ev(a as CelExpr), ev(b as CelExpr)) >= 0;
    case "_+_":
    case "_-_":
    case "_*_":
    case "_/_":
    case "_%_":
      return arith(e.fn, ev(a as CelExpr), ev(b as CelExpr));
    case "@in": {
      const item = ev(a as CelExpr);
      const coll = ev(b as CelExpr);
      if (Array.isArray(coll)) return coll.some((x) => equal(x, item));
      return isObject(coll) && typeof item === "string" && Object.hasOwn(coll, item);
    }
    case "_[_]": {
      const coll = ev(a as CelExpr);
      const key = ev(b as CelExpr);
      if (Array.isArray(coll)) return (coll[num(key)] ?? null) as CelValue;
      return isObject(coll) && typeof key === "string" ? (coll[key] ?? null) : null;
    }
    case "size": {
      const v = ev((e.target ?? a) as CelExpr);
      return BigInt(typeof v === "string" || Array.isArray(v) ? v.length : 0);
    }
  }
  const target = e.target ? ev(e.target) : undefined;
  const arg = a ? ev(a) : undefined;
  if (typeof target === "string" && typeof arg === "string") {
    switch (e.fn) {
      case "startsWith":
        return target.startsWith(arg);
      case "endsWith":
        return target.endsWith(arg);
      case "contains":
        return target.includes(arg);
      case "matches":
        return new RegExp(arg).test(target);
    }
  }
  throw new Error(`CEL: unsupported function ${e.fn}`);
}

export function evaluate(e: CelExpr, vars: CelObject): CelValue {
  switch (e.k) {
    case "const":
      return e.c.t === "null" ? null : e.c.v;
    case "ident": {
      const unit = UNITS[e.name];
      if (unit !== undefined) return unit;
      if (!Object.hasOwn(vars, e.name)) throw new Error(`CEL: undeclared reference to '${e.name}'`);
      return vars[e.name] as CelValue;
    }
    case "select": {
      const v = evaluate(e.operand, vars);
      if (!isObject(v)) throw new Error(`CEL: no field ${e.field}`);
      return (v[e.field] ?? null) as CelValue;
    }
    case "list":
      return e.items.map((x) => evaluate(x, vars));
    case "call":
      return call(e, vars);
  }
}

/** Whether a boolean expression holds; an expression that fails to evaluate matches nothing. */
export function celMatches(expression: string, vars: CelObject): boolean {
  try {
    return evaluate(parseCel(expression), vars) === true;
  } catch {
    return false;
  }
}
