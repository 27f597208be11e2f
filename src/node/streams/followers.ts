// Where the followers of a ring stand, for the test burst: a paced burst holds back while a
// follower that is still reading lags more than a share of the ring, so a follower slowed by a
// busy machine (not stalled) receives everything, and a follower that stopped reading does not
// hold the burst for longer than a few seconds.

/** A follower that has not moved for this long counts as stalled and no longer holds a burst. */
export const FOLLOWER_STALL_MS = 2_000;

interface Follower {
  position: number;
  movedAt: number;
}

export class FollowerPositions {
  private readonly followers = new Set<Follower>();

  /** Tracks a follower from `position` until `signal` aborts (or `release` is called). */
  track(position: number, signal: AbortSignal): { moved(position: number): void; release(): void } {
    const follower: Follower = { position, movedAt: performance.now() };
    this.followers.add(follower);
    const release = (): void => {
      this.followers.delete(follower);
      signal.removeEventListener("abort", release);
    };
    if (signal.aborted) release();
    else signal.addEventListener("abort", release, { once: true });
    return {
      moved: (p) => {
        follower.position = p;
        follower.movedAt = performance.now();
      },
      release,
    };
  }

  /** Whether a follower that moved recently is more than `limit` behind `end`. */
  lagging(end: number, limit: number, now = performance.now()): boolean {
    for (const f of this.followers) {
      if (now - f.movedAt <= FOLLOWER_STALL_MS && end - f.position > limit) return true;
    }
    return false;
  }

  get size(): number {
    return this.followers.size;
  }
}
