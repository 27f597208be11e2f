import { describe, expect, it } from "vitest";
import { FOLLOWER_STALL_MS, FollowerPositions } from "./followers.js";

describe("FollowerPositions", () => {
  it("reports a follower that still moves and lags more than the limit", () => {
    const f = new FollowerPositions();
    const ac = new AbortController();
    const t = f.track(0, ac.signal);
    expect(f.lagging(100, 50)).toBe(true);
    t.moved(60);
    expect(f.lagging(100, 50)).toBe(false);
    expect(f.lagging(111, 50)).toBe(true);
  });

  it("ignores a follower that has not moved for the stall time", () => {
    const f = new FollowerPositions();
    f.track(0, new AbortController().signal);
    expect(f.lagging(100, 50, performance.now() + FOLLOWER_STALL_MS + 1)).toBe(false);
  });

  it("forgets a follower when its call ends or it is released", () => {
    const f = new FollowerPositions();
    const ac = new AbortController();
    f.track(0, ac.signal);
    const other = f.track(0, new AbortController().signal);
    expect(f.size).toBe(2);
    ac.abort();
    other.release();
    expect(f.size).toBe(0);
    expect(f.lagging(100, 50)).toBe(false);
  });
});
