import { describe, expect, it } from "vitest";
import { goDuration } from "./duration.js";

describe("goDuration", () => {
  it("prints durations as Go does", () => {
    expect(goDuration(60_000)).toBe("1m0s");
    expect(goDuration(0)).toBe("0s");
    expect(goDuration(1_500)).toBe("1.5s");
    expect(goDuration(3_723_000)).toBe("1h2m3s");
    expect(goDuration(500)).toBe("500ms");
    expect(goDuration(90 * 60_000)).toBe("1h30m0s");
    expect(goDuration(-2_000)).toBe("-2s");
    expect(goDuration(0.25)).toBe("250µs");
  });
});
