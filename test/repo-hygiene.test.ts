// The tracked tree holds no leftovers of a merge: a conflict marker in a README, a bench or a
// source file would otherwise go unnoticed by the type-checker and the linter.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SKIP = new Set(["node_modules", "dist", ".git", "coverage"]);
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|json|md|txt|yaml|yml|proto|sh|bash|zsh|fish)$/;

function textFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) textFiles(full, out);
    else if (entry.isFile() && TEXT.test(entry.name)) out.push(full);
  }
  return out;
}

describe("repository hygiene", () => {
  it("has no merge conflict markers in any text file", () => {
    const files = textFiles(ROOT);
    expect(files.length).toBeGreaterThan(100);
    const marked: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      const m = /^(<{7}|>{7}) \S/m.exec(text);
      if (m) marked.push(`${path.relative(ROOT, file)}:${text.slice(0, m.index).split("\n").length}`);
    }
    expect(marked).toEqual([]);
  });
});
