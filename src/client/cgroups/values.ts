// cgroup v2 values as talosctl reads them (siderolabs/talos: internal/pkg/cgroups/value.go): a
// number with an optional fixed-point fraction, or `max`, or unset; lists, flat maps and nested
// maps of them; and the methods the column templates call (String, HumanizeIBytes, DivideBy,
// UsecToDuration, Float64).
import { formatGoDuration } from "../../wire/index.js";

export class CgValue {
  constructor(
    readonly val: bigint = 0n,
    readonly frac: number = 0,
    readonly isMax: boolean = false,
    readonly isSet: boolean = false,
  ) {}

  static unset(): CgValue {
    return new CgValue();
  }

  // The Go struct's fields, as templates name them.
  get Val(): bigint {
    return this.val;
  }

  get Frac(): number {
    return this.frac;
  }

  get IsMax(): boolean {
    return this.isMax;
  }

  get IsSet(): boolean {
    return this.isSet;
  }

  String(): string {
    if (!this.isSet) return "unset";
    if (this.isMax) return "max";
    let s = this.val.toString();
    if (this.frac === 0) return s;
    const negative = s.startsWith("-");
    if (negative) s = s.slice(1);
    if (s.length < this.frac + 1) s = "0".repeat(this.frac + 1 - s.length) + s;
    return `${negative ? "-" : ""}${s.slice(0, s.length - this.frac)}.${s.slice(s.length - this.frac)}`;
  }

  HumanizeIBytes(): string {
    if (!this.isSet || this.isMax || this.frac > 0) return this.String();
    return humanizeIBytes(this.val < 0n ? (1n << 64n) + this.val : this.val);
  }

  /** a.DivideBy(b) = a / b * 100, as a value with two decimals. */
  DivideBy(other: CgValue): CgValue {
    if (!this.isSet || !other.isSet) return new CgValue();
    if (other.isMax && !this.isMax) return new CgValue(0n, 2, false, true);
    if (this.isMax && other.isMax) return new CgValue(10000n, 2, false, true);
    if (other.val === 0n || this.isMax) return new CgValue(0n, 0, true, true);
    const ratio = (Number(this.val) / Number(other.val)) * 100 * 100;
    return new CgValue(BigInt(goRound(ratio)), 2, false, true);
  }

  Float64(): number {
    if (!this.isSet) return Number.NaN;
    if (this.isMax) return Number.POSITIVE_INFINITY;
    return Number(this.val) / 10 ** this.frac;
  }

  UsecToDuration(): string {
    if (!this.isSet || this.isMax) return this.String();
    // time.Duration(v) * time.Microsecond, printed as Go prints durations.
    return formatGoDuration(this.val * 1000n);
  }
}

/** Go's math.Round: halves away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const IEC = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/** go-humanize's IBytes: `118 MiB`, `1.5 GiB`, `512 B`. */
export function humanizeIBytes(n: bigint): string {
  if (n < 10n) return `${n} B`;
  const v = Number(n);
  const e = Math.floor(Math.log(v) / Math.log(1024));
  const suffix = IEC[e] ?? "EiB";
  const val = Math.floor((v / 1024 ** e) * 10 + 0.5) / 10;
  return val < 10 ? `${val.toFixed(1)} ${suffix}` : `${val.toFixed(0)} ${suffix}`;
}

/** A value as the cgroup file writes it (`max`, `1234`, `0.50`). */
export function parseValue(s: string): CgValue {
  if (s === "max") return new CgValue(0n, 0, true, true);
  let frac = 0;
  let digits = s;
  const dot = s.indexOf(".");
  if (dot >= 0) {
    frac = s.length - dot - 1;
    digits = s.slice(0, dot) + s.slice(dot + 1);
  }
  if (!/^[+-]?\d+$/.test(digits))
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(digits)}: invalid syntax`);
  return new CgValue(BigInt(digits), frac, false, true);
}

/** A raw (unparsed) value, the first line of its file. */
export class RawValue {
  constructor(readonly text: string) {}

  String(): string {
    return this.text;
  }
}

/** map[string]Value or map[string]map[string]Value: what a missing key reads as. */
export class GoMap<T> {
  constructor(
    readonly entries: Map<string, T>,
    readonly zero: () => T,
  ) {}

  get(key: string): T {
    return this.entries.get(key) ?? this.zero();
  }
}

export type FlatMap = GoMap<CgValue>;
export type NestedKeyed = GoMap<FlatMap>;

export function flatMap(entries = new Map<string, CgValue>()): FlatMap {
  return new GoMap(entries, () => CgValue.unset());
}

export function nestedKeyed(entries = new Map<string, FlatMap>()): NestedKeyed {
  return new GoMap(entries, () => flatMap());
}

function lines(text: string): string[] {
  const out = text.split("\n");
  if (out[out.length - 1] === "") out.pop();
  return out;
}

export function parseNewlineSeparated(text: string): CgValue[] {
  return lines(text).map(parseValue);
}

export function parseSpaceSeparated(text: string): CgValue[] {
  const first = lines(text)[0];
  if (first === undefined) return [];
  return first
    .split(/\s+/)
    .filter((p) => p !== "")
    .map(parseValue);
}

export function parseFlatMap(text: string): FlatMap {
  const m = new Map<string, CgValue>();
  for (const line of lines(text)) {
    const space = line.indexOf(" ");
    if (space < 0) throw new Error("invalid format");
    m.set(line.slice(0, space), parseValue(line.slice(space + 1)));
  }
  return flatMap(m);
}

export function parseNestedKeyed(text: string): NestedKeyed {
  const m = new Map<string, FlatMap>();
  for (const line of lines(text)) {
    const space = line.indexOf(" ");
    if (space < 0) throw new Error("invalid format");
    const inner = new Map<string, CgValue>();
    for (const pair of line
      .slice(space + 1)
      .split(/\s+/)
      .filter((p) => p !== "")) {
      const eq = pair.indexOf("=");
      if (eq < 0) throw new Error("invalid format");
      inner.set(pair.slice(0, eq), parseValue(pair.slice(eq + 1)));
    }
    m.set(line.slice(0, space), flatMap(inner));
  }
  return nestedKeyed(m);
}

export function parseRaw(text: string): RawValue {
  return new RawValue(lines(text)[0] ?? "");
}
