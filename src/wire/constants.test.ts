import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { API_PORT, MAX_MESSAGE_BYTES, TRUSTD_PORT, trustdPortFor } from "./constants.js";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Source files outside this folder that must name the ports through it (tests may spell them out). */
function sourcesOutsideWire(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(SRC, full).split(path.sep).join("/");
      if (entry.isDirectory()) {
        if (rel !== "wire" && rel !== "gen") walk(full);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        out.push(full);
      }
    }
  };
  walk(SRC);
  return out;
}

/** `file:line` of every line that spells out the API or trustd port. */
function portLiterals(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      if (/(?<![\d.])5000[01](?![\d])/.test(line))
        found.push(`${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe("wire constants", () => {
  it("are Talos's", () => {
    expect(API_PORT).toBe(50000);
    expect(TRUSTD_PORT).toBe(50001);
    expect(trustdPortFor(API_PORT)).toBe(TRUSTD_PORT);
    expect(trustdPortFor(40000)).toBe(40001);
    expect(MAX_MESSAGE_BYTES).toBe(33554432);
  });

  it("are the only place the ports are spelled out in the sources", () => {
    const files = sourcesOutsideWire();
    expect(files.length).toBeGreaterThan(100);
    expect(portLiterals(files)).toEqual([]);
  });

  it("finds a port literal where one is written", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "port-literal-"));
    try {
      const file = path.join(dir, "x.ts");
      fs.writeFileSync(
        file,
        'const a = 1;\nconst listen = "0.0.0.0:50000";\nconst b = 150000;\nconst c = 500001;\n',
      );
      expect(portLiterals([file]).map((l) => l.replace(/^.*x\.ts/, "x.ts"))).toEqual([
        'x.ts:2: const listen = "0.0.0.0:50000";',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
