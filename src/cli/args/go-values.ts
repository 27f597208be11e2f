// Go's text-to-value conversions as pflag applies them to flag values (strconv.ParseBool,
// ParseInt and ParseUint with base 0, ParseFloat, and encoding/csv for slice flags). Each
// failure carries Go's own message, which talosctl prints after `invalid argument ...`.

/** A value that Go would refuse; the message is Go's (`strconv.ParseInt: parsing "x": invalid syntax`). */
export class GoSyntaxError extends Error {
  override readonly name = "GoSyntaxError";
}

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

export function parseGoBool(text: string): boolean {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  throw new GoSyntaxError(`strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`);
}

/** strconv.ParseInt(text, 0, bits): decimal, 0x/0o/0b/0 prefixes, underscores only with a prefix. */
export function parseGoInt(text: string, bits: 8 | 16 | 32 | 64 = 64): bigint {
  const fn = "strconv.ParseInt";
  let s = text;
  let negative = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  const magnitude = parseUnsignedDigits(s, text, fn);
  const value = negative ? -magnitude : magnitude;
  const limit = 1n << BigInt(bits - 1);
  if (value >= limit || value < -limit) {
    throw new GoSyntaxError(`${fn}: parsing ${goQuote(text)}: value out of range`);
  }
  return value;
}

/** strconv.ParseUint(text, 0, bits). */
export function parseGoUint(text: string, bits: 8 | 16 | 32 | 64 = 64): bigint {
  const fn = "strconv.ParseUint";
  const value = parseUnsignedDigits(text, text, fn);
  if (value >= 1n << BigInt(bits)) {
    throw new GoSyntaxError(`${fn}: parsing ${goQuote(text)}: value out of range`);
  }
  return value;
}

function parseUnsignedDigits(s: string, original: string, fn: string): bigint {
  const invalid = (): GoSyntaxError =>
    new GoSyntaxError(`${fn}: parsing ${goQuote(original)}: invalid syntax`);
  if (s === "") throw invalid();
  let base = 10;
  let digits = s;
  let prefixed = false;
  if (s.length > 1 && s[0] === "0") {
    const p = s[1]!.toLowerCase();
    if (p === "x") {
      base = 16;
      digits = s.slice(2);
      prefixed = true;
    } else if (p === "o") {
      base = 8;
      digits = s.slice(2);
      prefixed = true;
    } else if (p === "b") {
      base = 2;
      digits = s.slice(2);
      prefixed = true;
    } else {
      base = 8;
      digits = s.slice(1);
      prefixed = true;
    }
  }
  if (digits.includes("_")) {
    // Underscores may only separate digits, and only when a base prefix was given.
    if (!prefixed || /(^_|__|_$)/.test(digits)) throw invalid();
    digits = digits.replaceAll("_", "");
  }
  if (digits === "") throw invalid();
  const alphabet = "0123456789abcdef".slice(0, base);
  let value = 0n;
  for (const ch of digits.toLowerCase()) {
    const d = alphabet.indexOf(ch);
    if (d < 0) throw invalid();
    value = value * BigInt(base) + BigInt(d);
  }
  return value;
}

/** strconv.ParseFloat(text, 64), for the forms people type (decimal, exponent, inf, nan). */
export function parseGoFloat(text: string): number {
  const s = text.replaceAll("_", "");
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (
    /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ||
    /^[+-]?0x[0-9a-f]+(\.[0-9a-f]*)?(p[+-]?\d+)?$/i.test(s)
  ) {
    const n = Number(s);
    if (!Number.isNaN(n)) {
      if (!Number.isFinite(n)) {
        throw new GoSyntaxError(`strconv.ParseFloat: parsing ${goQuote(text)}: value out of range`);
      }
      return n;
    }
  }
  throw new GoSyntaxError(`strconv.ParseFloat: parsing ${goQuote(text)}: invalid syntax`);
}

/**
 * One line of encoding/csv, as pflag reads a slice flag's value: fields split on commas, a
 * field may be double-quoted (with "" for a quote). An empty text is no fields at all.
 */
export function readCsvLine(text: string): string[] {
  if (text === "") return [];
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length)
          throw new GoSyntaxError(
            `parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`,
          );
        const ch = text[i]!;
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += ch;
        i++;
      }
      if (i < text.length && text[i] !== ",") {
        throw new GoSyntaxError(
          `parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`,
        );
      }
    } else {
      const comma = text.indexOf(",", i);
      const end = comma < 0 ? text.length : comma;
      field = text.slice(i, end);
      if (field.includes('"')) {
        throw new GoSyntaxError(
          `parse error on line 1, column ${i + field.indexOf('"') + 1}: bare " in non-quoted-field`,
        );
      }
      i = end;
    }
    fields.push(field);
    if (i >= text.length) break;
    i++; // the comma
    if (i >= text.length) {
      fields.push("");
      break;
    }
  }
  return fields;
}

/** Writes fields as one csv line (pflag's String() of a slice flag), quoting where csv must. */
export function writeCsvLine(fields: readonly string[]): string {
  return fields
    .map((f) =>
      f === "" || /[",\r\n]/.test(f) || f.startsWith(" ") || f.startsWith("\t")
        ? f === ""
          ? ""
          : `"${f.replaceAll('"', '""')}"`
        : f,
    )
    .join(",");
}

/** Go's %q of a string, for the texts people see (ASCII printable kept, the rest escaped). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
