// The progress display of `talosctl support` on a terminal: one bar per source (node or
// cluster), redrawn in place as collectors finish — elapsed time, the bar, the percentage and
// the last collector's name, as talosctl's uiprogress bars show them.
import type { OutputStream } from "../../context.js";

const WIDTH = 20;

interface Bar {
  done: number;
  total: number;
  state: string;
  started: number;
}

export class ProgressBars {
  private readonly bars = new Map<string, Bar>();
  private drawn = 0;

  constructor(
    private readonly out: OutputStream,
    private readonly now: () => Date,
  ) {}

  update(source: string, state: string, total: number): void {
    let bar = this.bars.get(source);
    if (!bar) {
      bar = { done: 0, total, state: "initializing...", started: this.now().getTime() };
      this.bars.set(source, bar);
    }
    bar.state = state;
    bar.done = Math.min(bar.total, bar.done + 1);
    this.draw();
  }

  private line(source: string, bar: Bar): string {
    const fill = bar.total > 0 ? Math.round((bar.done / bar.total) * WIDTH) : WIDTH;
    const body =
      fill >= WIDTH
        ? "=".repeat(WIDTH)
        : `${"=".repeat(Math.max(0, fill - 1))}>${"-".repeat(WIDTH - Math.max(1, fill))}`;
    const pct = bar.total > 0 ? Math.floor((bar.done / bar.total) * 100) : 100;
    const elapsed = `${Math.round((this.now().getTime() - bar.started) / 1000)}s`;
    return `${elapsed.padStart(5)} [${body}] ${String(pct).padStart(3)}% ${source}: ${bar.state}`;
  }

  private draw(): void {
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : "";
    for (const [source, bar] of this.bars) text += `\r\x1b[2K${this.line(source, bar)}\n`;
    this.drawn = this.bars.size;
    this.out.write(text);
  }

  stop(): void {
    if (this.bars.size > 0) this.draw();
  }
}
