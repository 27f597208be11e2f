// Turns canvases into terminal output. The ANSI renderer sends only the cells that changed
// since the previous frame (cursor moves, colour changes and the new characters, in one
// write), so the screen never flickers; after a resize or an invalidation it repaints all.
// The plain renderer (TERM=dumb, or output that is not a terminal) prints whole frames as
// text with no escape sequences, and only when their text changed.
import type { OutputStream } from "../../context.js";
import { BOLD, type Canvas, REVERSE, type Style, styleColor } from "./canvas.js";

export interface Renderer {
  render(canvas: Canvas): void;
  /** Forgets what is on screen: the next frame is drawn in full. */
  invalidate(): void;
}

const ESC = "\x1b[";

/** SGR for a style, from a reset state (the palette's first 8 colours, gray as bright black). */
function sgr(s: Style): string {
  const codes = ["0"];
  if (s & BOLD) codes.push("1");
  if (s & REVERSE) codes.push("7");
  const color = styleColor(s);
  if (color === 8) codes.push("90");
  else if (color !== 0) codes.push(String(30 + color));
  return `${ESC}${codes.join(";")}m`;
}

/** Unchanged cells shorter than this between two changed runs are resent rather than skipped. */
const MERGE_GAP = 6;

export class AnsiRenderer implements Renderer {
  private previous: Canvas | undefined;

  constructor(
    private readonly out: OutputStream,
    private readonly color = true,
  ) {}

  invalidate(): void {
    this.previous = undefined;
  }

  render(canvas: Canvas): void {
    const prev =
      this.previous && this.previous.width === canvas.width && this.previous.height === canvas.height
        ? this.previous
        : undefined;
    let out = prev ? "" : `${ESC}0m${ESC}H${ESC}2J`;
    let current = -1;
    const w = canvas.width;
    for (let y = 0; y < canvas.height; y++) {
      let x = 0;
      while (x < w) {
        if (prev && !this.differs(prev, canvas, y * w + x)) {
          x++;
          continue;
        }
        // A run of changed cells, extended over short unchanged gaps.
        let end = x + 1;
        let gap = 0;
        while (end < w && gap <= MERGE_GAP) {
          if (!prev || this.differs(prev, canvas, y * w + end)) gap = 0;
          else gap++;
          end++;
        }
        end -= gap;
        // Writing the bottom-right cell would scroll some terminals; it is left alone.
        if (y === canvas.height - 1 && end === w) end = w - 1;
        if (end <= x) break;
        out += `${ESC}${y + 1};${x + 1}H`;
        for (let i = y * w + x; i < y * w + end; i++) {
          const s = this.color ? canvas.styles[i]! : 0;
          if (s !== current) {
            out += sgr(s);
            current = s;
          }
          out += canvas.chars[i];
        }
        x = end;
      }
    }
    if (out !== "") this.out.write(`${out}${ESC}0m`);
    this.previous = copy(canvas);
  }

  private differs(a: Canvas, b: Canvas, i: number): boolean {
    return a.chars[i] !== b.chars[i] || (this.color && a.styles[i] !== b.styles[i]);
  }
}

function copy(c: Canvas): Canvas {
  const out = Object.create(Object.getPrototypeOf(c)) as Canvas;
  Object.assign(out, { width: c.width, height: c.height, chars: [...c.chars], styles: c.styles.slice() });
  return out;
}

export class PlainRenderer implements Renderer {
  private last = "";

  constructor(private readonly out: OutputStream) {}

  invalidate(): void {
    this.last = "";
  }

  render(canvas: Canvas): void {
    const text = canvas.rows().join("\n").replace(/\n+$/, "");
    if (text === this.last) return;
    this.last = text;
    this.out.write(`${text}\n\n`);
  }
}
