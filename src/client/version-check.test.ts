import { describe, expect, it } from "vitest";
import { compareVersions, formatVersion, parseVersion } from "./version-check.js";

describe("parseVersion", () => {
  it.each([
    ["v1.14.0", "1.14.0"],
    ["1.15.0-alpha.2", "1.15.0-alpha.2"],
    ["v1.13", "1.13.0"],
    ["v2", "2.0.0"],
    ["v1.14.0+build.5", "1.14.0"],
  ])("%s", (text, want) => {
    expect(formatVersion(parseVersion(text)!)).toBe(want);
  });

  it.each(["", "latest", "v1.x", "1.2.3.4", "v1.2.3-"])("rejects %j", (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });
});

describe("compareVersions", () => {
  it("orders releases and pre-releases by semver precedence", () => {
    const ordered = [
      "1.13.9",
      "1.14.0-alpha.1",
      "1.14.0-alpha.2",
      "1.14.0-alpha.10",
      "1.14.0-beta",
      "1.14.0-beta.0",
      "1.14.0",
      "1.14.1",
      "1.15.0",
      "2.0.0",
    ].map((t) => parseVersion(t)!);
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareVersions(ordered[i]!, ordered[j]!)), `${i} vs ${j}`).toBe(Math.sign(i - j));
      }
    }
  });
});
