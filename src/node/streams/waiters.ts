// A set of parked readers woken together by the next write. A reader whose call is cancelled
// leaves the set at once, so nothing stays parked until a write that may never come.

export class Waiters {
  private parked = new Set<() => void>();

  /** How many readers are parked now. */
  get size(): number {
    return this.parked.size;
  }

  /** Resolves at the next `wake()` or when `signal` aborts (never rejects). */
  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.parked.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.parked.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  wake(): void {
    if (this.parked.size === 0) return;
    const woken = this.parked;
    this.parked = new Set();
    for (const done of woken) done();
  }
}
