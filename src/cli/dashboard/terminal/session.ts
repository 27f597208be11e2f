// Owning the terminal for a full-screen program: raw input, the alternate screen, a hidden
// cursor, and the promise to give all of it back. `leave()` is idempotent and also runs on
// process exit, on SIGHUP/SIGTERM/SIGQUIT and on an uncaught exception, so the shell never
// gets a terminal left in raw mode.
import type { OutputStream } from "../../context.js";

export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface TerminalOutput extends OutputStream {
  rows?: number;
  on?(event: "resize", listener: () => void): unknown;
  off?(event: "resize", listener: () => void): unknown;
}

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

export interface TerminalSessionOptions {
  readonly input: TerminalInput;
  readonly output: TerminalOutput;
  /** Full-screen control (alternate screen, cursor): off for plain output. */
  readonly fullScreen: boolean;
  readonly onData: (text: string) => void;
  readonly onResize: () => void;
  /** A signal or a lost terminal asked the program to end. */
  readonly onHangup: (reason: string) => void;
}

const ENTER = "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H\x1b[2J";
const LEAVE = "\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l";

export class TerminalSession {
  private active = false;
  private rawSet = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly options: TerminalSessionOptions) {}

  size(): TerminalSize {
    const out = this.options.output;
    return {
      columns: out.columns && out.columns > 0 ? out.columns : 80,
      rows: out.rows && out.rows > 0 ? out.rows : 24,
    };
  }

  enter(): void {
    if (this.active) return;
    this.active = true;
    const { input, output } = this.options;
    if (input.isTTY && typeof input.setRawMode === "function") {
      input.setRawMode(true);
      this.rawSet = true;
    }
    const onData = (chunk: Buffer | string): void => this.options.onData(chunk.toString());
    input.on("data", onData);
    input.resume();
    this.cleanups.push(() => {
      input.off("data", onData);
      input.pause();
    });
    // The terminal going away (a closed pty, a dropped ssh session) ends input.
    const onEnd = (): void => this.options.onHangup("terminal closed");
    input.on("end", onEnd);
    this.cleanups.push(() => input.off("end", onEnd));
    if (output.on) {
      const onResize = (): void => this.options.onResize();
      output.on("resize", onResize);
      this.cleanups.push(() => output.off?.("resize", onResize));
    }
    for (const signal of ["SIGHUP", "SIGTERM", "SIGQUIT"] as const) {
      const handler = (): void => this.options.onHangup(`${signal} received`);
      process.on(signal, handler);
      this.cleanups.push(() => process.off(signal, handler));
    }
    const onExit = (): void => this.leave();
    process.on("exit", onExit);
    this.cleanups.push(() => process.off("exit", onExit));
    const onCrash = (err: unknown): void => {
      this.leave();
      throw err;
    };
    process.on("uncaughtException", onCrash);
    this.cleanups.push(() => process.off("uncaughtException", onCrash));
    if (this.options.fullScreen) output.write(ENTER);
  }

  /** Gives the terminal back: cooked mode, the main screen, a visible cursor. */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    for (const c of this.cleanups.splice(0).reverse()) c();
    if (this.options.fullScreen) {
      try {
        this.options.output.write(LEAVE);
      } catch {
        // the terminal may be gone
      }
    }
    if (this.rawSet) {
      this.rawSet = false;
      try {
        this.options.input.setRawMode?.(false);
      } catch {
        // the terminal may be gone
      }
    }
  }
}
