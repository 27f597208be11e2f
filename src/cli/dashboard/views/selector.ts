// The node selector (`n`): every node of the dashboard in a box, with its state at a glance,
// to jump to one with Enter. talosctl has only left/right through the list.
import type { NodeState } from "../model/node-state.js";
import { cpuUsage, memUsage } from "../model/stats.js";
import {
  type Canvas,
  Color,
  type Line,
  REVERSE,
  type Rect,
  type Span,
  span,
  style,
} from "../terminal/canvas.js";
import { NOT_AVAILABLE } from "./format.js";
import { truncate } from "./widgets.js";

export interface NodeSummaryRow {
  readonly node: string;
  readonly hostname: string;
  readonly state: Span;
  readonly stage: string;
  readonly ready: string;
  readonly cpu: string;
  readonly mem: string;
}

export function nodeSummary(state: NodeState): NodeSummaryRow {
  const down = state.reachability === "down";
  return {
    node: state.name,
    hostname: state.hostname ?? NOT_AVAILABLE,
    state:
      state.reachability === "up"
        ? span("up", style(Color.green))
        : down
          ? span("down", style(Color.red))
          : span("connecting", style(Color.yellow)),
    stage: down ? NOT_AVAILABLE : (state.stage ?? NOT_AVAILABLE),
    ready: down || state.ready === undefined ? NOT_AVAILABLE : state.ready ? "yes" : "no",
    cpu: state.sample && !down ? `${(cpuUsage(state.diff, "usage") * 100).toFixed(1)}%` : NOT_AVAILABLE,
    mem: state.sample && !down ? `${(memUsage(state.sample.memory) * 100).toFixed(1)}%` : NOT_AVAILABLE,
  };
}

const HEADERS = ["NODE", "HOSTNAME", "STATE", "STAGE", "READY", "CPU", "MEM"] as const;

/** The rows of the node table, aligned; the first is the header. */
export function nodeTable(states: readonly NodeState[]): Line[] {
  const rows = states.map(nodeSummary);
  const cells = (r: NodeSummaryRow): Span[] => [
    span(r.node),
    span(r.hostname),
    r.state,
    span(r.stage),
    span(r.ready),
    span(r.cpu),
    span(r.mem),
  ];
  const all: Span[][] = [HEADERS.map((h) => span(h, style(Color.default, true))), ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => [...r[i]!.text].length)));
  return all.map((r) =>
    r.flatMap((c, i) => [c, span(i < r.length - 1 ? " ".repeat(widths[i]! - [...c.text].length + 2) : "")]),
  );
}

/** The selector box, centred in `area`, with the highlighted row in reverse video. */
export function drawSelector(
  canvas: Canvas,
  area: Rect,
  states: readonly NodeState[],
  highlighted: number,
): void {
  const lines = nodeTable(states);
  const contentW = Math.max(30, ...lines.map((l) => l.reduce((n, s) => n + [...s.text].length, 0)));
  const w = Math.min(area.w, contentW + 4);
  const visible = Math.max(1, Math.min(lines.length, area.h - 2));
  const h = visible + 2;
  const x = area.x + Math.floor((area.w - w) / 2);
  const y = area.y + Math.floor((area.h - h) / 2);
  const border = style(Color.white);
  canvas.fill(x, y, w, h, " ");
  canvas.text(x, y, `┌${"─".repeat(w - 2)}┐`, border);
  canvas.text(x + 2, y, truncate(" Nodes (Enter: select, Esc: close) ", w - 4), style(Color.yellow));
  for (let i = 1; i < h - 1; i++) {
    canvas.text(x, y + i, "│", border);
    canvas.text(x + w - 1, y + i, "│", border);
  }
  canvas.text(x, y + h - 1, `└${"─".repeat(w - 2)}┘`, border);
  // Header, then a window of node rows that keeps the highlighted one in view.
  canvas.line(x + 2, y + 1, lines[0]!, w - 4);
  const rows = visible - 1;
  const first = Math.max(0, Math.min(highlighted - rows + 1, states.length - rows));
  for (let i = 0; i < rows && first + i < states.length; i++) {
    const index = first + i;
    canvas.line(x + 2, y + 2 + i, lines[index + 1]!, w - 4);
    if (index === highlighted) canvas.restyle(x + 1, y + 2 + i, w - 2, REVERSE);
  }
}
