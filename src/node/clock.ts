// The node's one source of time. Every delay the emulated machine waits (service start-up,
// health checks, TRY rollback, graceful stops) goes through a Clock, so `--time-scale 100`
// makes the whole machine 100 times faster while timestamps stay real wall-clock time.

/** A pending timer; `cancel()` is safe to call more than once. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock time (never scaled: it ends up in events, certificates and timestamps). */
  now(): Date;
  /** How many times faster than real time the machine runs. */
  readonly scale: number;
  /** Real milliseconds that `ms` machine milliseconds take. */
  real(ms: number): number;
  /** Resolves after `ms` machine milliseconds; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms` machine milliseconds unless cancelled. */
  after(ms: number, fn: () => void): Timer;
}

/** Largest time scale accepted: beyond it timers would round to nothing. */
export const MAX_TIME_SCALE = 100_000;

export function createClock(scale = 1): Clock {
  if (!Number.isFinite(scale) || scale <= 0 || scale > MAX_TIME_SCALE) {
    throw new RangeError(`time scale must be a number in (0, ${MAX_TIME_SCALE}]`);
  }
  const real = (ms: number): number => Math.max(0, ms / scale);
  return {
    scale,
    now: () => new Date(),
    real,
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = (): void => {
          clearTimeout(handle);
          reject(signal?.reason);
        };
        const handle = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, real(ms));
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    after(ms, fn) {
      const handle = setTimeout(fn, real(ms));
      return { cancel: () => clearTimeout(handle) };
    },
  };
}
