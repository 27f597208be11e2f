// Counts what open streams keep alive (subscriptions, waiters, timers) by kind, so a test can
// prove that cancelling a call releases everything the call held.

export class LiveSet {
  private readonly counts = new Map<string, number>();

  /** Marks one `kind` as held; the returned function releases it (calling it twice is harmless). */
  hold(kind: string): () => void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.counts.get(kind) ?? 1) - 1;
      if (left === 0) this.counts.delete(kind);
      else this.counts.set(kind, left);
    };
  }

  /** How many of `kind` are held (every kind when omitted). */
  count(kind?: string): number {
    if (kind !== undefined) return this.counts.get(kind) ?? 0;
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
