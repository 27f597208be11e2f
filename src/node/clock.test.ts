import { afterEach, describe, expect, it, vi } from "vitest";
import { createClock } from "./clock.js";

describe("clock", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("scales waits but not wall time", async () => {
    const clock = createClock(1000);
    expect(clock.real(60_000)).toBe(60);
    vi.useFakeTimers();
    let slept = false;
    const sleeping = clock.sleep(10_000).then(() => {
      slept = true;
    });
    // 10 s of machine time are 10 ms of real time.
    await vi.advanceTimersByTimeAsync(9);
    expect(slept).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(slept).toBe(true);
    vi.useRealTimers();
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
  });

  it("cancels timers and aborts sleeps", async () => {
    vi.useFakeTimers();
    const clock = createClock(100);
    let fired = false;
    clock
      .after(100, () => {
        fired = true;
      })
      .cancel();
    const ac = new AbortController();
    const sleeping = clock.sleep(1_000_000, ac.signal);
    ac.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    // Far past the 1 ms the cancelled timer would have taken.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired).toBe(false);
    expect(() => createClock(0)).toThrow();
  });
});
