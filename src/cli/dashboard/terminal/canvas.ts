// A grid of cells the views draw into; the renderer turns the difference between two grids
// into terminal output. Every cell is one column wide: text is cleaned of control characters,
// and characters a terminal draws two columns wide are shown as "?", so a grid position is
// always a screen column.

/** Foreground colours (the terminal's own palette, as tview's default theme uses it). */
export const Color = {
  default: 0,
  red: 1,
  green: 2,
  yellow: 3,
  blue: 4,
  magenta: 5,
  cyan: 6,
  white: 7,
  gray: 8,
} as const;
export type Color = (typeof Color)[keyof typeof Color];

/** A style packed in a number: colour in the low 4 bits, then bold and reverse. */
export type Style = number;

export const BOLD = 16;
export const REVERSE = 32;

export function style(color: Color, bold = false, reverse = false): Style {
  return color | (bold ? BOLD : 0) | (reverse ? REVERSE : 0);
}

export function styleColor(s: Style): Color {
  return (s & 15) as Color;
}

/** A run of text in one style. */
export interface Span {
  readonly text: string;
  readonly style: Style;
}

export function span(text: string, s: Style = 0): Span {
  return { text, style: s };
}

/** A line of spans. */
export type Line = readonly Span[];

export function plainText(line: Line): string {
  return line.map((s) => s.text).join("");
}

export function lineWidth(line: Line): number {
  let n = 0;
  for (const s of line) n += [...s.text].length;
  return n;
}

/** East Asian wide and fullwidth ranges, emoji: characters a terminal draws in two columns. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** One printable, one-column character for a code point. */
export function cellChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 32;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return " ";
  // Combining marks and zero-width characters would join the previous cell on screen.
  if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200b || cp === 0x200d || cp === 0xfeff) return " ";
  if (isWide(cp)) return "?";
  return ch;
}

export class Canvas {
  readonly chars: string[];
  readonly styles: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.chars = new Array<string>(width * height).fill(" ");
    this.styles = new Uint8Array(width * height);
  }

  /** Writes text at (x, y), clipped to the canvas and to `maxWidth`; returns the columns used. */
  text(x: number, y: number, text: string, s: Style = 0, maxWidth = Number.POSITIVE_INFINITY): number {
    if (y < 0 || y >= this.height) return 0;
    const limit = Math.min(this.width, x + maxWidth);
    let col = x;
    for (const ch of text) {
      if (col >= limit) break;
      if (col >= 0) {
        const i = y * this.width + col;
        this.chars[i] = cellChar(ch);
        this.styles[i] = s;
      }
      col++;
    }
    return col - x;
  }

  /** Writes a line of spans; returns the columns used. */
  line(x: number, y: number, line: Line, maxWidth = Number.POSITIVE_INFINITY): number {
    let used = 0;
    for (const sp of line) {
      if (used >= maxWidth) break;
      used += this.text(x + used, y, sp.text, sp.style, maxWidth - used);
    }
    return used;
  }

  fill(x: number, y: number, w: number, h: number, ch = " ", s: Style = 0): void {
    for (let row = Math.max(0, y); row < Math.min(this.height, y + h); row++) {
      for (let col = Math.max(0, x); col < Math.min(this.width, x + w); col++) {
        const i = row * this.width + col;
        this.chars[i] = ch;
        this.styles[i] = s;
      }
    }
  }

  /** Sets the style of a cell range, keeping its characters (selection highlight). */
  restyle(x: number, y: number, w: number, s: Style): void {
    if (y < 0 || y >= this.height) return;
    for (let col = Math.max(0, x); col < Math.min(this.width, x + w); col++)
      this.styles[y * this.width + col] = s;
  }

  /** The canvas as plain text rows, trailing spaces removed. */
  rows(): string[] {
    const out: string[] = [];
    for (let y = 0; y < this.height; y++) {
      out.push(
        this.chars
          .slice(y * this.width, (y + 1) * this.width)
          .join("")
          .trimEnd(),
      );
    }
    return out;
  }
}

/** A rectangle of the screen a view draws in. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Splits a length into parts by weights (tview's proportional grid sizes). */
export function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const out = weights.map((w) => Math.floor((total * w) / sum));
  let rest = total - out.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % out.length, rest--) out[i]! += 1;
  return out;
}
