// Progress of the health checks as talosctl shows it: on a terminal one live line per check
// (a spinner while it runs, overwritten with its outcome), otherwise plain lines.
import { type CheckUpdate, updateLine } from "../../health/index.js";

export interface ReporterStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const SPIN_MS = 100;

export interface CheckReporter {
  update(u: CheckUpdate): void;
  /** A line printed as is (e.g. `discovered nodes: ...`). */
  line(text: string): void;
  stop(): void;
}

export function createCheckReporter(out: ReporterStream): CheckReporter {
  if (!out.isTTY) {
    return {
      update: (u) => {
        out.write(`${updateLine(u)}\n`);
      },
      line: (text) => {
        out.write(`${text}\n`);
      },
      stop: () => undefined,
    };
  }
  let current: CheckUpdate | undefined;
  let frame = 0;
  const draw = (): void => {
    if (!current) return;
    const mark =
      current.status === "ok"
        ? "\x1b[32m✓\x1b[0m"
        : current.status === "skip"
          ? "-"
          : FRAMES[frame % FRAMES.length]!;
    const text = updateLine(current);
    const colored = current.status === "failing" ? `\x1b[33m${text}\x1b[0m` : text;
    out.write(`\r\x1b[K${mark} ${colored}`);
  };
  const timer = setInterval(() => {
    frame++;
    draw();
  }, SPIN_MS);
  timer.unref?.();
  return {
    update: (u) => {
      if (current && current.check !== u.check) out.write("\n");
      current = u;
      draw();
      if (u.status === "ok" || u.status === "skip") {
        out.write("\n");
        current = undefined;
      }
    },
    line: (text) => {
      if (current) out.write("\n");
      out.write(`${text}\n`);
      current = undefined;
    },
    stop: () => {
      clearInterval(timer);
      if (current) out.write("\n");
      current = undefined;
    },
  };
}
