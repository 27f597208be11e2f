// `dashboard --once`: one snapshot of the Summary screen of every node as plain text, taken
// as soon as each node has answered its first poll, delivered its watched resources and
// replayed its log (or is known to be down), for scripts and bug reports.
import type { TalosClient } from "../../client/index.js";
import { sortNodes } from "./app.js";
import { NodeState } from "./model/node-state.js";
import { startNodeSources } from "./sources/sources.js";
import { Canvas } from "./terminal/canvas.js";
import { headerLine } from "./views/header.js";
import { drawSummary, SUMMARY_TOP_ROWS } from "./views/summary.js";

/** Log lines a snapshot shows under the facts. */
export const ONCE_LOG_LINES = 20;

export interface SnapshotOptions {
  readonly client: TalosClient;
  readonly nodes: readonly string[];
  readonly intervalMs: number;
  readonly width: number;
  /** Longest wait for the nodes before printing what is known. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

function complete(s: NodeState): boolean {
  // Two samples: CPU use is a difference between polls.
  return (
    s.reachability === "down" || ((s.series.get("mem")?.length ?? 0) >= 2 && s.watchesReady && s.logsReady)
  );
}

/** The Summary screen of one node as text lines. */
export function summaryText(state: NodeState, width: number, nowMs: number): string {
  const logLines = Math.min(ONCE_LOG_LINES, Math.max(1, state.logs.length));
  const diagnostics = state.diagnostics.size > 0 ? state.diagnostics.size + 1 : 0;
  const height = 1 + SUMMARY_TOP_ROWS + diagnostics + 1 + logLines;
  const canvas = new Canvas(width, height);
  canvas.line(0, 0, headerLine(state, 0, nowMs), width);
  drawSummary(canvas, { x: 0, y: 1, w: width, h: height - 1 }, state, { scroll: 0 });
  return `${canvas.rows().join("\n")}\n`;
}

export async function snapshot(options: SnapshotOptions): Promise<string> {
  const states = sortNodes(options.nodes).map((n) => new NodeState(n));
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, options.signal]);
  let wake: () => void = () => {};
  const feeds = states.map((state) =>
    startNodeSources(state, {
      client: options.client,
      intervalMs: options.intervalMs,
      signal,
      onChange: () => wake(),
    }),
  );
  const deadline = setTimeout(() => stop.abort(), options.timeoutMs);
  try {
    while (!signal.aborted && !states.every(complete)) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
  } finally {
    clearTimeout(deadline);
    stop.abort();
    await Promise.allSettled(feeds);
  }
  const now = options.now?.() ?? Date.now();
  return states.map((s) => summaryText(s, options.width, now)).join("\n");
}
