// A real terminal for end-to-end tests of full-screen commands: the program runs in a
// pseudo-terminal (node-pty), and everything it writes goes through a headless xterm, so a
// test reads the screen as a user would see it, sends keys and resizes the window.
import { type IPty, spawn as spawnPty } from "@lydell/node-pty";
import { Terminal } from "@xterm/headless";

export interface PtyOptions {
  readonly cols?: number;
  readonly rows?: number;
  readonly env: Record<string, string | undefined>;
  readonly cwd?: string;
}

export interface PtySession {
  readonly pty: IPty;
  /** Everything the program wrote, as received. */
  readonly raw: () => string;
  /** The visible screen, one string per row (trailing spaces removed). */
  screen(): string[];
  text(): string;
  /** Waits until the screen satisfies `test`; fails with the screen after `timeoutMs`. */
  waitFor(
    test: (text: string, rows: string[]) => boolean,
    timeoutMs?: number,
    what?: string,
  ): Promise<string>;
  waitForText(needle: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Waits until some screen shown since the start (not only the current one) satisfied `test`. */
  waitForSeen(test: (text: string) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Waits until the raw output satisfies `test`. */
  waitForRaw(test: (raw: string) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  write(keys: string): void;
  resize(cols: number, rows: number): void;
  /** Whether the terminal shows the alternate screen (a full-screen program is drawing). */
  alternateScreen(): boolean;
  exited: Promise<{ exitCode: number; signal?: number }>;
  kill(signal?: string): void;
}

export const KEYS = {
  F1: "\x1bOP",
  F2: "\x1bOQ",
  F3: "\x1bOR",
  F4: "\x1bOS",
  tab: "\t",
  backtab: "\x1b[Z",
  ctrlU: "\x15",
  left: "\x1b[D",
  right: "\x1b[C",
  up: "\x1b[A",
  down: "\x1b[B",
  enter: "\r",
  escape: "\x1b",
  ctrlC: "\x03",
  ctrlZ: "\x1a",
} as const;

export function startPty(file: string, args: readonly string[], options: PtyOptions): PtySession {
  const cols = options.cols ?? 100;
  const rows = options.rows ?? 30;
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
  const pty = spawnPty(file, [...args], {
    name: env.TERM ?? "xterm-256color",
    cols,
    rows,
    cwd: options.cwd ?? process.cwd(),
    env,
  });
  let raw = "";
  let pending = Promise.resolve();
  // Every distinct screen shown, so a state that lasted one frame can still be asserted.
  const history: string[] = [];
  pty.onData((d) => {
    raw += d;
    pending = pending.then(
      () =>
        new Promise<void>((resolve) =>
          term.write(d, () => {
            const text = screen().join("\n");
            if (history.at(-1) !== text) history.push(text);
            if (history.length > 5_000) history.splice(0, 1_000);
            resolve();
          }),
        ),
    );
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => {
    pty.onExit((e) => resolve(e));
  });
  const screen = (): string[] => {
    const buffer = term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < term.rows; y++)
      out.push(
        buffer
          .getLine(buffer.viewportY + y)
          ?.translateToString(true)
          .trimEnd() ?? "",
      );
    return out;
  };
  const session: PtySession = {
    pty,
    raw: () => raw,
    screen,
    text: () => screen().join("\n"),
    async waitFor(test, timeoutMs = 20_000, what = "the expected screen") {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await pending;
        const rowsNow = screen();
        const text = rowsNow.join("\n");
        if (test(text, rowsNow)) return text;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    waitForText(needle, timeoutMs) {
      return session.waitFor(
        (t) => (typeof needle === "string" ? t.includes(needle) : needle.test(t)),
        timeoutMs,
        String(needle),
      );
    },
    async waitForSeen(test, timeoutMs = 20_000, what = "the expected screen") {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await pending;
        if (history.some(test)) return;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; screen:\n${screen().join("\n")}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async waitForRaw(test, timeoutMs = 20_000, what = "the expected output") {
      const deadline = Date.now() + timeoutMs;
      while (!test(raw)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; output:\n${raw.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      // The terminal emulator parses what arrived after the raw output has it: let it catch up,
      // so the screen and its modes (alternate screen, cursor) are those of that output.
      await pending;
    },
    write: (keys) => pty.write(keys),
    resize(c, r) {
      pty.resize(c, r);
      term.resize(c, r);
    },
    alternateScreen: () => term.buffer.active.type === "alternate",
    exited,
    kill: (signal) => pty.kill(signal),
  };
  return session;
}
