// How one scalar is written, following the choices go-yaml makes: plain when a YAML reader would
// read the text back as the same string, a literal block for multi-line text, quotes otherwise;
// numbers in Go's formatting.

/** The written form of a scalar on a line: plain, quoted, or the header of a literal block. */
export type ScalarForm =
  | { readonly style: "inline"; readonly text: string }
  | { readonly style: "literal"; readonly header: string; readonly lines: readonly string[] };

/** The words YAML 1.1 read as booleans; go-yaml quotes them although YAML 1.2 does not. */
const OLD_BOOLEANS = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "on",
  "On",
  "ON",
  "off",
  "Off",
  "OFF",
]);

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const BOOLEANS = new Set(["true", "True", "TRUE", "false", "False", "FALSE"]);
const SPECIAL_FLOATS = new Set([
  ".inf",
  ".Inf",
  ".INF",
  "+.inf",
  "+.Inf",
  "+.INF",
  "-.inf",
  "-.Inf",
  "-.INF",
]);
const NANS = new Set([".nan", ".NaN", ".NAN"]);

const DECIMAL_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INTEGER = /^[-+]?(0b[01]+|0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+)$/;
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/;

/**
 * True when a plain scalar with this text would be read as something other than a string
 * (null, a boolean, a number, a timestamp, the merge key), so it must be quoted.
 */
export function resolvesToNonString(text: string): boolean {
  if (NULLS.has(text) || BOOLEANS.has(text) || OLD_BOOLEANS.has(text)) return true;
  if (SPECIAL_FLOATS.has(text) || NANS.has(text) || text === "<<") return true;
  if (BASE60.test(text) || TIMESTAMP.test(text)) return true;
  // go-yaml reads digit-group underscores as part of a number ("1_000").
  const plain = text.replaceAll("_", "");
  if (plain !== "" && /^[-+0-9.]/.test(text) && (INTEGER.test(plain) || DECIMAL_FLOAT.test(plain)))
    return true;
  return false;
}

interface Analysis {
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
  readonly multiline: boolean;
}

const FIRST_CHAR_INDICATORS = new Set([..."#,[]{}&*!|>'\"%@`"]);

function isBreak(ch: string): boolean {
  return ch === "\n" || ch === "\r" || ch === "\u0085" || ch === "\u2028" || ch === "\u2029";
}

function isBlankOrEnd(ch: string | undefined): boolean {
  return ch === undefined || ch === " " || ch === "\t" || isBreak(ch);
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** What a YAML emitter may do with a text (the checks libyaml runs before picking a style). */
/** Text with nothing for analyze() to find: base64 and other word-like values. */
const WORD_LIKE = /^[A-Za-z0-9][A-Za-z0-9+/=]*$/;
const ALL_ALLOWED: Analysis = {
  blockPlainAllowed: true,
  singleQuotedAllowed: true,
  blockAllowed: true,
  multiline: false,
};

function analyze(text: string): Analysis {
  // No indicator, blank, break or special character: every style is allowed. The long base64
  // values (certificates and keys) take this path rather than the walk over each character.
  if (WORD_LIKE.test(text)) return ALL_ALLOWED;
  const chars = [...text];
  let blockIndicators = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let lineBreaks = false;
  let special = false;
  let tabs = false;

  if (text.startsWith("---") || text.startsWith("...")) {
    blockIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const followedByWhitespace = isBlankOrEnd(chars[i + 1]);
    if (i === 0) {
      if (FIRST_CHAR_INDICATORS.has(ch)) {
        blockIndicators = true;
      }
      if ((ch === "?" || ch === ":") && followedByWhitespace) blockIndicators = true;
      if (ch === "-" && followedByWhitespace) {
        blockIndicators = true;
      }
    } else {
      if (ch === ":" && followedByWhitespace) blockIndicators = true;
      if (ch === "#" && precededByWhitespace) {
        blockIndicators = true;
      }
    }
    const cp = ch.codePointAt(0)!;
    if (ch === "\t") tabs = true;
    else if (!isPrintable(cp)) special = true;

    if (ch === " ") {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(ch)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(ch);
  }

  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || tabs || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) blockAllowed = false;
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { blockPlainAllowed, singleQuotedAllowed, blockAllowed, multiline: lineBreaks };
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\0": "\\0",
  "\u0007": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\u000b": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\u001b": "\\e",
  '"': '\\"',
  "\\": "\\\\",
  "\u0085": "\\N",
  "\u00a0": "\\_",
  "\u2028": "\\L",
  "\u2029": "\\P",
};

/**
 * Where a scalar may be folded, as libyaml folds with a line width: at a single space once the
 * line is longer than `width`, continuing on a new line at `indent`. The space is dropped
 * (a reader reads the line break back as one space).
 */
export interface Fold {
  /** The column the scalar's first character is written at. */
  readonly column: number;
  /** Where continuation lines start. */
  readonly indent: number;
  readonly width: number;
}

/** Tracks the line being written so a scalar can be folded where libyaml would fold it. */
class Folder {
  private out = "";
  private column: number;

  constructor(private readonly fold: Fold | undefined) {
    this.column = fold?.column ?? 0;
  }

  put(text: string): void {
    this.out += text;
    this.column += [...text].length;
  }

  /** True when a space at this point should become a line break. */
  wide(): boolean {
    return this.fold !== undefined && this.column > this.fold.width;
  }

  newLine(): void {
    const indent = this.fold?.indent ?? 0;
    this.out += `\n${" ".repeat(indent)}`;
    this.column = indent;
  }

  text(): string {
    return this.out;
  }
}

function escapeChar(ch: string): string | undefined {
  const escaped = ESCAPES[ch];
  if (escaped !== undefined) return escaped;
  const cp = ch.codePointAt(0)!;
  if (isPrintable(cp)) return undefined;
  if (cp <= 0xff) return `\\x${cp.toString(16).toUpperCase().padStart(2, "0")}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return `\\U${cp.toString(16).toUpperCase().padStart(8, "0")}`;
}

/** A double-quoted scalar with YAML escapes (printable non-ASCII text stays as is). */
function doubleQuoted(text: string, fold?: Fold): string {
  const chars = [...text];
  const f = new Folder(fold);
  f.put('"');
  let spaces = false;
  chars.forEach((ch, i) => {
    const escaped = escapeChar(ch);
    if (escaped !== undefined) {
      f.put(escaped);
      spaces = false;
    } else if (ch === " ") {
      if (!spaces && f.wide() && i > 0 && i < chars.length - 1) {
        f.newLine();
        // A space starting the next line would be folded away: escape it.
        if (chars[i + 1] === " ") f.put("\\");
      } else f.put(ch);
      spaces = true;
    } else {
      f.put(ch);
      spaces = false;
    }
  });
  f.put('"');
  return f.text();
}

function singleQuoted(text: string, fold?: Fold): string {
  const chars = [...text];
  const f = new Folder(fold);
  f.put("'");
  let spaces = false;
  chars.forEach((ch, i) => {
    if (ch === " ") {
      if (!spaces && f.wide() && i > 0 && i < chars.length - 1 && chars[i + 1] !== " ") f.newLine();
      else f.put(ch);
      spaces = true;
    } else {
      f.put(ch === "'" ? "''" : ch);
      spaces = false;
    }
  });
  f.put("'");
  return f.text();
}

function plain(text: string, fold?: Fold): string {
  // Folding happens only at spaces.
  if (fold === undefined || !text.includes(" ")) return text;
  const chars = [...text];
  const f = new Folder(fold);
  let spaces = false;
  chars.forEach((ch, i) => {
    if (ch === " ") {
      if (!spaces && f.wide() && chars[i + 1] !== " ") f.newLine();
      else f.put(ch);
      spaces = true;
    } else {
      f.put(ch);
      spaces = false;
    }
  });
  return f.text();
}

/**
 * A literal block (`|`), with the indentation and chomping indicators YAML needs for this text.
 * The indentation indicator (needed when the text starts with a space or a line break) is the
 * offset of the text from its owner's indentation: libyaml writes its indentation width there,
 * which reads back wrongly where the text sits at another offset (in a sequence item).
 */
function literal(text: string, indent: number): ScalarForm {
  let header = "|";
  if (text.startsWith(" ") || isBreak(text[0] ?? "")) header += String(indent);
  if (text === "" || !isBreak(text[text.length - 1]!)) header += "-";
  else if (text.length === 1 || isBreak(text[text.length - 2]!)) header += "+";
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return { style: "literal", header, lines: body.split("\n") };
}

export interface ScalarOptions {
  /** A mapping key, which must fit on one line (default false). */
  readonly key?: boolean;
  /** A literal block's indentation indicator: its text's offset from the owner's indentation (default 4). */
  readonly indent?: number;
  /** Fold long inline text (never a key's) as yaml.v2 does; by default it stays on one line. */
  readonly fold?: Fold;
}

/** How a string value is written. */
export function formatString(text: string, options: ScalarOptions = {}): ScalarForm {
  const analysis = analyze(text);
  const fold = options.key ? undefined : options.fold;
  if (text.includes("\n")) {
    // Only "\n" breaks lines in a literal block for every reader: "\r" would be read as a break,
    // and U+0085, U+2028, U+2029 are breaks to YAML 1.1 readers but text to YAML 1.2 ones.
    if (!options.key && analysis.blockAllowed && !/[\r\u0085\u2028\u2029]/.test(text))
      return literal(text, options.indent ?? 4);
    return { style: "inline", text: doubleQuoted(text, fold) };
  }
  if (resolvesToNonString(text)) return { style: "inline", text: doubleQuoted(text, fold) };
  if (analysis.blockPlainAllowed) return { style: "inline", text: plain(text, fold) };
  if (analysis.singleQuotedAllowed && !analysis.multiline)
    return { style: "inline", text: singleQuoted(text, fold) };
  return { style: "inline", text: doubleQuoted(text, fold) };
}

/** A number as Go writes it: integers in decimal, other values in %g's shortest form. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return ".nan";
  if (value === Number.POSITIVE_INFINITY) return ".inf";
  if (value === Number.NEGATIVE_INFINITY) return "-.inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return BigInt(value).toString();
  // Go's shortest %g switches to exponent form when the decimal exponent is below -4 or
  // at least 6: 1234567.5 is written 1.2345675e+06.
  const [mantissa, expText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? "-" : "+";
    const digits = String(Math.abs(exponent)).padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** Any non-collection value as inline text or a literal block. */
export function formatScalar(value: unknown, options: ScalarOptions = {}): ScalarForm {
  if (value === null || value === undefined) return { style: "inline", text: "null" };
  if (typeof value === "string") return formatString(value, options);
  if (typeof value === "number") return { style: "inline", text: formatNumber(value) };
  if (typeof value === "bigint") return { style: "inline", text: value.toString() };
  if (typeof value === "boolean") return { style: "inline", text: value ? "true" : "false" };
  return formatString(String(value), options);
}
