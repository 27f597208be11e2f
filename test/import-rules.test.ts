// The import rules of the sources: talosctl (src/cli) is imported by nothing else, the node and
// the client never import each other, the shared layer imports neither program, and no two
// files import each other, directly or around a loop (type-only imports included).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  buildGraph,
  findCycles,
  type ImportEdge,
  type ImportGraph,
  layerViolations,
  listSources,
  parseImports,
} from "./helpers/import-graph.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Generated protobuf code imports only itself and is not ours to arrange. */
const sources = listSources(ROOT, "src", (rel) => rel === "src/gen");
const graph = buildGraph(ROOT, sources);

function synthetic(edges: readonly [from: string, to: string][]): ImportGraph {
  const out = new Map<string, ImportEdge[]>();
  for (const [from, to] of edges) {
    if (!out.has(to)) out.set(to, []);
    const list = out.get(from) ?? [];
    list.push({ from, to, kind: "import", typeOnly: false, line: 1 });
    out.set(from, list);
  }
  return out;
}

describe("import rules", () => {
  it("reads the sources", () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources).toContain("src/node/node.ts");
    expect(graph.get("src/cli/main.ts")?.length ?? 0).toBeGreaterThan(0);
  });

  it("keeps the layers apart", () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it("has no import cycles", () => {
    const cycles = findCycles(graph).map(
      (c) =>
        `${c.path.join(" -> ")}${c.files.length > c.path.length - 1 ? ` (with ${c.files.join(", ")})` : ""}`,
    );
    expect(cycles).toEqual([]);
  });
});

describe("the import checker itself", () => {
  it("reads every form of import, with its line and whether it brings in types only", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'import { type C, type D } from "./c.js";',
      'import { type E, f } from "./e.js";',
      'export { g } from "./g.js";',
      'export type { H } from "./h.js";',
      'import "./side.js";',
      'const lazy = () => import("./lazy.js");',
      'let t: typeof import("./t.js");',
      'import fs from "node:fs";',
      'import { x } from "@scope/pkg";',
    ].join("\n");
    const edges = parseImports(ROOT, "src/x/file.ts", text);
    expect(edges.map((e) => [e.to, e.kind, e.typeOnly, e.line])).toEqual([
      ["src/x/a.ts", "import", false, 1],
      ["src/x/b.ts", "import", true, 2],
      ["src/x/c.ts", "import", true, 3],
      ["src/x/e.ts", "import", false, 4],
      ["src/x/g.ts", "export", false, 5],
      ["src/x/h.ts", "export", true, 6],
      ["src/x/side.ts", "import", false, 7],
      ["src/x/lazy.ts", "dynamic", false, 8],
      ["src/x/t.ts", "type", true, 9],
    ]);
  });

  it("resolves a folder import to its index", () => {
    const [edge] = parseImports(ROOT, "src/cli/main.ts", 'import { x } from "../node";');
    expect(edge?.to).toBe("src/node/index.ts");
  });

  it("reports a forbidden edge with the rule it breaks", () => {
    const bad = synthetic([
      ["src/node/a.ts", "src/client/b.ts"],
      ["src/client/c.ts", "src/node/d.ts"],
      ["src/health/e.ts", "src/cli/f.ts"],
      ["src/wire/g.ts", "src/node/h.ts"],
      ["src/health/j.ts", "src/pki/k.ts"],
      ["src/cli/i.ts", "src/client/b.ts"],
    ]);
    const found = layerViolations(bad);
    // src/health -> src/cli breaks two rules: only src/cli imports src/cli, and shared code imports no program.
    expect(found).toHaveLength(5);
    expect(found[0]).toMatch(/^src\/node\/a\.ts:1 -> src\/client\/b\.ts \(src\/node .*\)$/);
    expect(found.join("\n")).toContain("src/client/c.ts:1 -> src/node/d.ts");
    expect(found.join("\n")).toContain("src/health/e.ts:1 -> src/cli/f.ts");
    expect(found.join("\n")).toContain("src/wire/g.ts:1 -> src/node/h.ts");
  });

  it("reports each cycle as a path from a file back to itself", () => {
    const cyclic = synthetic([
      ["src/a.ts", "src/b.ts"],
      ["src/b.ts", "src/c.ts"],
      ["src/c.ts", "src/a.ts"],
      ["src/c.ts", "src/d.ts"],
      ["src/d.ts", "src/e.ts"],
      ["src/e.ts", "src/d.ts"],
      ["src/f.ts", "src/f.ts"],
      ["src/g.ts", "src/a.ts"],
    ]);
    expect(findCycles(cyclic)).toEqual(
      expect.arrayContaining([
        {
          files: ["src/a.ts", "src/b.ts", "src/c.ts"],
          path: ["src/a.ts", "src/b.ts", "src/c.ts", "src/a.ts"],
        },
        { files: ["src/d.ts", "src/e.ts"], path: ["src/d.ts", "src/e.ts", "src/d.ts"] },
        { files: ["src/f.ts"], path: ["src/f.ts", "src/f.ts"] },
      ]),
    );
    expect(findCycles(cyclic)).toHaveLength(3);
    expect(findCycles(synthetic([["src/a.ts", "src/b.ts"]]))).toEqual([]);
  });
});

describe("file sizes that keep the structure readable", () => {
  const lineCount = (rel: string) => fs.readFileSync(path.join(ROOT, rel), "utf8").split("\n").length - 1;

  it("keeps every file of the machine under 400 lines", () => {
    const machine = sources.filter((f) => f.startsWith("src/node/machine/") && !f.endsWith(".test.ts"));
    expect(machine.length).toBeGreaterThan(10);
    const long = machine.map((f) => [f, lineCount(f)] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it("keeps cluster create a thin command", () => {
    expect(lineCount("src/cli/commands/cluster/create.ts")).toBeLessThan(120);
  });
});
