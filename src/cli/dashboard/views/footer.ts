// The bottom line: the nodes (the selected one in red, windowed around it when they do not
// fit), then the screens with their keys, and PAUSED while paused (siderolabs/talos:
// internal/pkg/dashboard/components/footer.go).
import type { Canvas, Rect } from "../terminal/canvas.js";
import { Color, style } from "../terminal/canvas.js";
import { HLINE } from "./widgets.js";

export interface ScreenTab {
  readonly key: string;
  readonly name: string;
}

export interface FooterState {
  readonly nodes: readonly string[];
  readonly selected: number;
  readonly screens: readonly ScreenTab[];
  readonly screen: string;
  readonly paused: boolean;
  /** Nodes that cannot be reached are drawn in gray. */
  readonly down?: ReadonlySet<string>;
}

const NODE_SEP = " | ";
const SCREEN_SEP = " --- ";

/** Columns the node list keeps at least; narrower terminals shorten the other screens' tabs. */
const MIN_NODES_WIDTH = 16;

function tab(s: ScreenTab, f: FooterState, compact: boolean): string {
  if (s.name === f.screen) return `[${s.name}]`;
  return compact ? `[${s.key}]` : `[${s.key}: ${s.name}]`;
}

function screensText(f: FooterState, compact = false): string {
  const parts = f.screens.map((s) => tab(s, f, compact));
  if (f.paused) parts.push("[PAUSED]");
  return parts.join(SCREEN_SEP);
}

/** The [start, end) window of nodes to show in `budget` columns, keeping the selected one. */
export function nodeWindow(names: readonly string[], selected: number, budget: number): [number, number] {
  if (names.length === 0 || budget <= 0) return [0, 0];
  const width = (start: number, end: number): number => {
    let total = 0;
    for (let i = start; i < end; i++) total += (i > start ? NODE_SEP.length : 0) + [...names[i]!].length;
    if (start > 0) total += 2;
    if (end < names.length) total += 2;
    return total;
  };
  let start = selected;
  let end = selected + 1;
  // Grow right, then left, while the window fits.
  for (;;) {
    let grew = false;
    if (end < names.length && width(start, end + 1) <= budget) {
      end++;
      grew = true;
    }
    if (start > 0 && width(start - 1, end) <= budget) {
      start--;
      grew = true;
    }
    if (!grew) break;
  }
  return [start, end];
}

export function drawFooter(canvas: Canvas, r: Rect, f: FooterState): void {
  canvas.fill(r.x, r.y, r.w, 1, HLINE, style(Color.white));
  // Tabs the width cannot hold with the nodes are shortened to their keys (`[F2]`).
  const compact = r.w - 1 - `] --- ${screensText(f)}`.length < MIN_NODES_WIDTH;
  const screens = `] --- ${screensText(f, compact)}`;
  const budget = Math.max(0, r.w - 1 - screens.length);
  const names = f.nodes.map((n) => (n === "" ? "(local)" : n));
  const [start, end] = nodeWindow(names, f.selected, budget);
  let x = r.x;
  x += canvas.text(x, r.y, "[");
  if (start > 0) x += canvas.text(x, r.y, "‹ ");
  for (let i = start; i < end; i++) {
    if (i > start) x += canvas.text(x, r.y, NODE_SEP);
    let name = names[i]!;
    if (end - start === 1)
      name = [...name]
        .slice(0, Math.max(1, budget - (start > 0 ? 2 : 0) - (end < names.length ? 2 : 0)))
        .join("");
    const s = i === f.selected ? style(Color.red) : f.down?.has(f.nodes[i]!) ? style(Color.gray) : 0;
    x += canvas.text(x, r.y, name, s);
  }
  if (end < names.length) x += canvas.text(x, r.y, " ›");
  x += canvas.text(x, r.y, "] --- ");
  f.screens.forEach((s, i) => {
    if (i > 0) x += canvas.text(x, r.y, SCREEN_SEP);
    if (s.name === f.screen) {
      x += canvas.text(x, r.y, "[");
      x += canvas.text(x, r.y, s.name, style(Color.red));
      x += canvas.text(x, r.y, "]");
    } else x += canvas.text(x, r.y, tab(s, f, compact));
  });
  if (f.paused) {
    x += canvas.text(x, r.y, SCREEN_SEP);
    x += canvas.text(x, r.y, "[");
    x += canvas.text(x, r.y, "PAUSED", style(Color.yellow));
    canvas.text(x, r.y, "]");
  }
}
