// What a command may touch of the outside world. Commands receive it instead of reaching for
// process globals, so tests can run the real command in-process.
import os from "node:os";

export interface OutputStream {
  write(chunk: string | Uint8Array): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface CliContext {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homedir: string;
  readonly now: () => Date;
  /** Cancelled on the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

export interface CreateProcessContextOptions {
  signal?: AbortSignal;
}

export function createProcessContext(options: CreateProcessContextOptions = {}): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    homedir: os.homedir(),
    now: () => new Date(),
    signal: options.signal ?? new AbortController().signal,
  };
}
