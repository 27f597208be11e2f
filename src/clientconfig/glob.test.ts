import { describe, expect, it } from "vitest";
import { globMatch } from "./glob.js";

describe("globMatch", () => {
  it.each([
    ["*", "anything", true],
    ["*", "", true],
    ["test-*", "test-1", true],
    ["test-*", "prod", false],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["a?c", "a\u00e9c", true],
    ["node[0-9]", "node7", true],
    ["node[0-9]", "nodex", false],
    ["node[!0-9]", "nodex", true],
    ["node[^0-9]", "node7", false],
    ["[]x]", "]", true],
    ["a.b", "a.b", true],
    ["a.b", "axb", false],
    ["a\\*", "a*", true],
    ["a\\*", "ab", false],
    ["a[b", "a[b", true],
    ["prod", "prod-1", false],
    ["(x)+", "(x)+", true],
  ])("%s against %s is %s", (pattern, name, want) => {
    expect(globMatch(pattern, name)).toBe(want);
  });

  it("throws on an impossible class rather than matching wrongly", () => {
    expect(() => globMatch("[z-a]", "b")).toThrow();
  });
});
