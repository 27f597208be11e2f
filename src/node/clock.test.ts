import { describe, expect, it } from "vitest";
import { createClock } from "./clock.js";

describe("clock", () => {
  it("scales waits but not wall time", async () => {
    const clock = createClock(1000);
    expect(clock.real(60_000)).toBe(60);
    const start = Date.now();
    await clock.sleep(10_000);
    expect(Date.now() - start).toBeLessThan(1_000);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
  });

  it("cancels timers and aborts sleeps", async () => {
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
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    expect(() => createClock(0)).toThrow();
  });
});
