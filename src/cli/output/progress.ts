// Live progress of per-node work (the --wait tracker, upgrade's pull and install): on a
// terminal one status line per node, redrawn in place with a spinner and colours; with
// --progress plain the whole block again whenever it changes; elsewhere one plain line per
// update, the node in Go's quotes as talosctl's tracker prints it (`"10.5.0.2": post check
// passed`); with -o json one JSON object per update on stdout.
import { goQuote } from "../../wire/index.js";
import type { OutputStream } from "../context.js";

export type ProgressState = "running" | "succeeded" | "failed";

export interface ProgressUpdate {
  readonly node: string;
  readonly state: ProgressState;
  readonly message: string;
  /** Fine-grained progress (layer bytes): drawn live, not printed as lines. */
  readonly transient?: boolean;
  /**
   * A step the command reports itself (upgrade's pull and install, the drain), printed as
   * talosctl's reporter prints it without a terminal: `<node>: <message>`, the node unquoted.
   * Updates of the tracker that follows each node quote it.
   */
  readonly step?: boolean;
}

export const PROGRESS_MODES = ["auto", "plain"] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export interface ProgressOptions {
  readonly stderr: OutputStream;
  readonly stdout: OutputStream;
  readonly nodes: readonly string[];
  /** `auto`: redraw in place on a terminal; `plain`: no colours or cursor movement. */
  readonly mode: ProgressMode;
  /** NDJSON on stdout instead of text on stderr. */
  readonly json: boolean;
  readonly now?: () => Date;
}

export interface Progress {
  update(update: ProgressUpdate): void;
  /** Draws the final state and stops redrawing. */
  close(): void;
}

/** How often the live block is redrawn (the spinner's pace). */
export const REDRAW_INTERVAL_MS = 100;

const SPINNER = ["◰", "◳", "◲", "◱"];
const COLOR: Readonly<Record<ProgressState, string>> = {
  running: "\x1b[33m",
  succeeded: "\x1b[32m",
  failed: "\x1b[31m",
};
const RESET = "\x1b[0m";
const UP_AND_CLEAR = "\x1b[1A\x1b[2K";
const DEFAULT_COLUMNS = 80;

/** The line cut to `width` characters (an ellipsis marks the cut). */
function fitToWidth(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(1, width - 1)).join("")}…`;
}

export function createProgress(options: ProgressOptions): Progress {
  if (options.json) return jsonProgress(options);
  if (options.stderr.isTTY !== true) return lineProgress(options);
  return blockProgress(options, options.mode === "auto");
}

function jsonProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => new Date());
  return {
    update(u) {
      if (u.transient) return;
      options.stdout.write(
        `${JSON.stringify({ node: u.node, state: u.state, message: u.message, time: now().toISOString() })}\n`,
      );
    },
    close() {},
  };
}

function lineProgress(options: ProgressOptions): Progress {
  const last = new Map<string, string>();
  return {
    update(u) {
      if (u.transient) return;
      const text = clean(u.message);
      if (last.get(u.node) === text) return;
      last.set(u.node, text);
      options.stderr.write(`${u.step ? u.node : goQuote(u.node)}: ${text}\n`);
    },
    close() {},
  };
}

/** Tabs as spaces and no line breaks, so a message stays one terminal line. */
function clean(message: string): string {
  return message
    .replace(/\t/g, "    ")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

function blockProgress(options: ProgressOptions, live: boolean): Progress {
  const nodes = [...options.nodes].sort();
  const states = new Map<string, { state: ProgressState; message: string }>(
    nodes.map((n) => [n, { state: "running" as ProgressState, message: "" }]),
  );
  let spin = 0;
  let drawnRows = 0;
  let lastText = "";
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const overall = (): ProgressState => {
    const all = [...states.values()];
    if (all.some((s) => s.state === "failed")) return "failed";
    if (all.some((s) => s.state === "running")) return "running";
    return "succeeded";
  };

  const lines = (): string[] => [
    `watching nodes: [${nodes.join(" ")}]`,
    ...nodes.map((n) => `    * ${n}: ${states.get(n)!.message}`),
  ];

  const draw = (final: boolean): void => {
    const state = overall();
    const body = lines();
    if (!live) {
      const text = body.join("\n");
      if (text === lastText) return;
      lastText = text;
      options.stderr.write(`${text}\n`);
      return;
    }
    // Each line is cut to the terminal's width, so a frame is exactly one row per line and
    // erasing it never reaches above it (a terminal that reports no width counts as 80).
    const columns = options.stderr.columns;
    const width = columns !== undefined && columns > 0 ? columns : DEFAULT_COLUMNS;
    const spinner = state === "succeeded" ? "" : `${SPINNER[spin++ % SPINNER.length]} `;
    // The final frame is never erased: it keeps whole lines (a full error message).
    const shown = body.map((l, i) => {
      const line = i === 0 ? spinner + l : l;
      return final ? line : fitToWidth(line, width - 1);
    });
    let out = UP_AND_CLEAR.repeat(drawnRows);
    out += `${COLOR[state]}${shown.join("\n")}${RESET}\n`;
    options.stderr.write(out);
    // A final frame stays; a running one is erased before the next.
    drawnRows = final ? 0 : shown.length;
  };

  if (live) {
    timer = setInterval(() => draw(false), REDRAW_INTERVAL_MS);
    timer.unref();
  }

  return {
    update(u) {
      if (closed) return;
      if (!live && u.transient) return;
      states.set(u.node, { state: u.state, message: clean(u.message) });
      if (!live) draw(false);
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      draw(true);
    },
  };
}
