// Waiting for what a test means (a log line, an event, a resource, an RPC answering) with a
// deadline and a failure that names what never came, instead of sleeping and hoping.
import type { Readable } from "node:stream";

export interface WaitOptions {
  /** What is awaited, for the failure message ("the kubelet's restart on the follower"). */
  what: string;
  /** Default 20 s: generous, since only a broken test or product waits that long. */
  timeoutMs?: number;
  /** Default 50 ms between two probes. */
  intervalMs?: number;
  /** More context for the failure message (what the command printed so far, ...). */
  details?: () => string;
}

const DEFAULT_TIMEOUT_MS = 20_000;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Probes until `probe` returns something other than `undefined` or `false` (a probe that throws
 * counts as "not yet") and resolves with it. Fails after the deadline with `what`, the last
 * probe's error and the last value seen.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const last = lastError === undefined ? "" : `; last attempt failed: ${describe(lastError)}`;
      const details = options.details ? `\n${options.details()}` : "";
      throw new Error(
        `timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${options.what}${last}${details}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Resolves with the first match of `pattern` in what `stream` emits from now on (plus `seen`,
 * text it already emitted). Rejects when the stream ends first or at the deadline, with the
 * text received.
 */
export function waitForLine(
  stream: Readable,
  pattern: RegExp,
  options: { what?: string; timeoutMs?: number; seen?: string } = {},
): Promise<RegExpExecArray> {
  const what = options.what ?? String(pattern);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let text = options.seen ?? "";
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = pattern.exec(text);
      if (!m) return false;
      cleanup();
      resolve(m);
      return true;
    };
    const onData = (chunk: string | Buffer): void => {
      text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
      check();
    };
    const onEnd = (): void => {
      if (check()) return;
      cleanup();
      reject(new Error(`the stream ended before ${what}; it printed:\n${text}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the stream printed:\n${text}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("close", onEnd);
    };
    if (check()) return;
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("close", onEnd);
  });
}

/**
 * A fixed pause that is itself the subject of a test: it gives something that must NOT happen
 * (a rollback, a duplicate event) the chance to happen. A loaded machine can only make such a
 * check pass when it should fail, never fail when it should pass; every wait for something
 * that must happen uses `waitFor` instead.
 */
export function absenceWindow(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
