import { describe, expect, test } from "vitest";
import { diffLines, unifiedDiff } from "./unified.js";

/** Length of the longest common subsequence, by dynamic programming (the reference). */
function lcs(a: readonly string[], b: readonly string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
    }
  }
  return dp[a.length]![b.length]!;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("diffLines", () => {
  test("rebuilds both sides with a shortest edit script", () => {
    const rand = seeded(7);
    for (let round = 0; round < 300; round++) {
      const words = ["a", "b", "c", "d"];
      const pick = (n: number) => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]!);
      const a = pick(Math.floor(rand() * 9));
      const b = pick(Math.floor(rand() * 9));
      const edits = diffLines(a, b);
      expect(edits.filter((e) => e.op !== "+").map((e) => e.line)).toEqual(a);
      expect(edits.filter((e) => e.op !== "-").map((e) => e.line)).toEqual(b);
      expect(edits.filter((e) => e.op === "=").length).toBe(lcs(a, b));
    }
  });
});

/** LCS length with two rolling rows (for inputs too large for a full table). */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Int32Array(b.length + 1);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

describe("diffLines at scale", () => {
  test("two wholly different 20,000-line texts: every line removed, then every line added", () => {
    // A copy of the search state per edit step would need N × D × 4 bytes here (about 13 GB).
    const a = Array.from({ length: 20_000 }, (_, i) => `old ${i}`);
    const b = Array.from({ length: 20_000 }, (_, i) => `new ${i}`);
    const edits = diffLines(a, b);
    expect(edits).toHaveLength(40_000);
    expect(edits.slice(0, 20_000).every((e) => e.op === "-")).toBe(true);
    expect(edits.slice(20_000).every((e) => e.op === "+")).toBe(true);
  });

  test("stays minimal on long inputs over a small alphabet (many edits, many repeats)", () => {
    const rand = seeded(11);
    const pick = (n: number) => Array.from({ length: n }, () => "pqr"[Math.floor(rand() * 3)]!);
    const a = pick(2_000);
    const b = pick(2_500);
    const edits = diffLines(a, b);
    expect(edits.filter((e) => e.op !== "+").map((e) => e.line)).toEqual(a);
    expect(edits.filter((e) => e.op !== "-").map((e) => e.line)).toEqual(b);
    expect(edits.filter((e) => e.op === "=").length).toBe(lcsLength(a, b));
  });
});

describe("unifiedDiff", () => {
  test("equal texts give nothing", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", { fromLabel: "x", toLabel: "y" })).toBe("");
  });

  test("hunks with three lines of context, separate when far apart", () => {
    const from = `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
    const to = from.replace("line 2\n", "line two\n").replace("line 18\n", "");
    expect(unifiedDiff(from, to, { fromLabel: "a.yaml (v1alpha1)", toLabel: "b.yaml (v1alpha1)" })).toBe(
      [
        "--- a.yaml (v1alpha1)",
        "+++ b.yaml (v1alpha1)",
        "@@ -1,5 +1,5 @@",
        " line 1",
        "-line 2",
        "+line two",
        " line 3",
        " line 4",
        " line 5",
        "@@ -15,6 +15,5 @@",
        " line 15",
        " line 16",
        " line 17",
        "-line 18",
        " line 19",
        " line 20",
        "",
      ].join("\n"),
    );
  });

  test("a whole added text", () => {
    expect(unifiedDiff("", "a\nb\n", { fromLabel: "/dev/null", toLabel: "b" })).toBe(
      "--- /dev/null\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n",
    );
  });
});
