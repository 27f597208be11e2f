// Drawing primitives shared by the screens: a labelled horizontal rule, text blocks, a
// braille line plot, sparklines and a percentage gauge.
import { type Canvas, Color, type Line, type Rect, span, style } from "../terminal/canvas.js";

export const HLINE = "─";

/** A horizontal rule with a yellow label near its left end (Talos's section titles). */
export function hline(canvas: Canvas, r: Rect, label = ""): void {
  canvas.fill(r.x, r.y, r.w, 1, HLINE, style(Color.white));
  if (label !== "") canvas.text(r.x + 2, r.y, ` ${label} `, style(Color.yellow), Math.max(0, r.w - 2));
}

/** Lines of text inside a rectangle, clipped, with optional padding on top and left. */
export function textBlock(canvas: Canvas, r: Rect, lines: readonly Line[], padTop = 0, padLeft = 0): void {
  const width = Math.max(0, r.w - padLeft);
  for (let i = 0; i < lines.length && i + padTop < r.h; i++) {
    canvas.line(r.x + padLeft, r.y + padTop + i, lines[i]!, width);
  }
}

/** Truncates to a width, marking the cut with "…". */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, Math.max(0, width)).join("");
  return `${chars.slice(0, width - 1).join("")}…`;
}

const BRAILLE_BASE = 0x2800;
/** Dot bits of a braille cell by [column][row from top]. */
const DOTS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/**
 * Braille line plot of several series, newest point at the right edge: two points per cell
 * across, four dot rows per cell down, every series scaled to the largest value shown.
 */
export function braillePlot(
  canvas: Canvas,
  r: Rect,
  series: readonly (readonly number[])[],
  colors: readonly Color[],
  maxValue?: number,
): void {
  if (r.w <= 0 || r.h <= 0) return;
  const cols = r.w * 2;
  const rows = r.h * 4;
  const shown = series.map((s) => s.slice(Math.max(0, s.length - cols)));
  const max = maxValue ?? Math.max(0, ...shown.flat());
  const cells = new Map<number, { bits: number; color: Color }>();
  shown.forEach((data, si) => {
    const offset = cols - data.length;
    let prevY: number | undefined;
    data.forEach((v, i) => {
      const x = offset + i;
      const y = max > 0 ? rows - 1 - Math.round((Math.max(0, v) / max) * (rows - 1)) : rows - 1;
      // Join consecutive points with a vertical run so the line has no gaps.
      const from = prevY === undefined ? y : Math.min(prevY, y);
      const to = prevY === undefined ? y : Math.max(prevY, y);
      for (let yy = from; yy <= to; yy++) {
        const key = Math.floor(yy / 4) * r.w + Math.floor(x / 2);
        const cell = cells.get(key) ?? { bits: 0, color: colors[si] ?? Color.default };
        cell.bits |= DOTS[x % 2]![yy % 4]!;
        cell.color = colors[si] ?? Color.default;
        cells.set(key, cell);
      }
      prevY = y;
    });
  });
  for (const [key, cell] of cells) {
    const cy = Math.floor(key / r.w);
    const cx = key % r.w;
    canvas.text(r.x + cx, r.y + cy, String.fromCharCode(BRAILLE_BASE + cell.bits), style(cell.color));
  }
}

const BARS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/** A sparkline: a title row, then bars of the newest points scaled to the largest shown. */
export function sparkline(canvas: Canvas, r: Rect, title: Line, data: readonly number[], color: Color): void {
  if (r.h <= 0 || r.w <= 0) return;
  canvas.line(r.x, r.y, title, r.w);
  const h = r.h - 1;
  if (h <= 0) return;
  const shown = data.slice(Math.max(0, data.length - r.w));
  const max = Math.max(0, ...shown);
  const offset = r.w - shown.length;
  shown.forEach((v, i) => {
    const eighths = max > 0 ? Math.round((Math.max(0, v) / max) * h * 8) : 0;
    for (let row = 0; row < h; row++) {
      const level = Math.max(0, Math.min(8, eighths - row * 8));
      if (level === 0) continue;
      canvas.text(r.x + offset + i, r.y + r.h - 1 - row, BARS[level]!, style(color));
    }
  });
}

/** A one-row percentage gauge: the filled part in reverse video, the value centred. */
export function gauge(canvas: Canvas, r: Rect, percent: number): void {
  if (r.w <= 0) return;
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((r.w * p) / 100);
  const label = `${p}%`;
  const start = Math.floor((r.w - label.length) / 2);
  for (let i = 0; i < r.w; i++) {
    const ch = i >= start && i < start + label.length ? label[i - start]! : " ";
    canvas.text(
      r.x + i,
      r.y,
      ch,
      i < filled ? style(Color.default, false, true) : style(Color.gray, false, true),
    );
  }
}

export function title(text: string): Line {
  return [span(text, style(Color.default, true))];
}
