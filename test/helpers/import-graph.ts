// The import graph of the sources and the rules it must keep: which layers may import which,
// and no cycles between files. Imports are read with the TypeScript parser, so every form
// counts: `import ... from`, `export ... from`, side-effect imports, dynamic `import()` and
// `import("...")` types.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

export type ImportKind = "import" | "export" | "dynamic" | "type";

/** One import of one file, resolved to a file path relative to the repository root. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: ImportKind;
  /** The import brings in types only (`import type`, or every named element `type`). */
  readonly typeOnly: boolean;
  readonly line: number;
}

/** Files and their imports (only imports of other files of the repository). */
export type ImportGraph = ReadonlyMap<string, readonly ImportEdge[]>;

/** Every `.ts` file under `dir`, repository-relative with `/` separators, sorted. */
export function listSources(root: string, dir: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (skip(child)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** Resolves a relative specifier the way NodeNext does for our sources (`./x.js` is `./x.ts`). */
function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = path.posix.join(path.posix.dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, `${base}/index.ts`, base];
  for (const c of candidates) {
    if (fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile()) return c;
  }
  // An unresolved import still names its target: the rules judge it by its folder.
  return base.replace(/\.js$/, ".ts");
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import "x"` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || !ts.isNamedImports(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  if (!clause || !ts.isNamedExports(clause)) return false;
  return clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** The imports of one source text. */
export function parseImports(root: string, file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, kind: ImportKind, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const to = resolveSpecifier(root, file, specifier.text);
    if (to === undefined) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    edges.push({ from: file, to, kind, typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, "import", isTypeOnlyImport(node));
    else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, "export", isTypeOnlyExport(node));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, "import", node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], "dynamic", false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, "type", true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The graph of the given files. */
export function buildGraph(root: string, files: readonly string[]): ImportGraph {
  const graph = new Map<string, ImportEdge[]>();
  for (const file of files) {
    graph.set(file, parseImports(root, file, fs.readFileSync(path.join(root, file), "utf8")));
  }
  return graph;
}

/** A forbidden kind of edge, by the folders of its two ends. */
export interface LayerRule {
  readonly name: string;
  readonly forbids: (from: string, to: string) => boolean;
}

const under = (file: string, dir: string): boolean => file === dir || file.startsWith(`${dir}/`);

/** Folders and files both programs may import. */
const SHARED = [
  "src/wire",
  "src/fsutil",
  "src/health",
  "src/pki",
  "src/config",
  "src/clientconfig",
  "src/etcd",
  "src/errors.ts",
  "src/version.ts",
];

/** The layers of the sources: two programs, a client library, and what they share. */
export const LAYER_RULES: readonly LayerRule[] = [
  {
    name: "src/cli is the talosctl program: only src/cli imports it",
    forbids: (from, to) => under(to, "src/cli") && !under(from, "src/cli"),
  },
  {
    name: "src/node (the emulated node) imports neither src/cli nor src/client",
    forbids: (from, to) => under(from, "src/node") && (under(to, "src/cli") || under(to, "src/client")),
  },
  {
    name: "src/client (talosctl's API client) does not import src/node",
    forbids: (from, to) => under(from, "src/client") && under(to, "src/node"),
  },
  {
    name: "the shared layers (src/wire, src/fsutil, src/health, src/pki, src/config, src/clientconfig, src/etcd and the top-level files) import neither program",
    forbids: (from, to) =>
      SHARED.some((dir) => under(from, dir)) &&
      (under(to, "src/cli") || under(to, "src/client") || under(to, "src/node")),
  },
];

/** Every edge a rule forbids, as `from:line -> to (rule)`. */
export function layerViolations(graph: ImportGraph, rules: readonly LayerRule[] = LAYER_RULES): string[] {
  const out: string[] = [];
  for (const edges of graph.values()) {
    for (const e of edges) {
      for (const rule of rules) {
        if (rule.forbids(e.from, e.to)) out.push(`${e.from}:${e.line} -> ${e.to} (${rule.name})`);
      }
    }
  }
  return out;
}

/** Files that import each other around one or more loops, and one such loop. */
export interface ImportCycle {
  /** Every file of the strongly connected component, sorted. */
  readonly files: readonly string[];
  /** A shortest loop through the first file: it starts and ends there. */
  readonly path: readonly string[];
}

/**
 * The import cycles: one per strongly connected component of more than one file (or a file
 * importing itself). Type-only imports count: a cycle through types still ties the two files'
 * designs together, and a narrow interface in a third file breaks it.
 */
export function findCycles(graph: ImportGraph): ImportCycle[] {
  const targets = (file: string): string[] => [
    ...new Set((graph.get(file) ?? []).map((e) => e.to).filter((t) => graph.has(t))),
  ];
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { file: string; next: string[]; i: number }[] = [];
    const enter = (file: string): void => {
      index.set(file, counter);
      low.set(file, counter);
      counter++;
      stack.push(file);
      onStack.add(file);
      work.push({ file, next: targets(file), i: 0 });
    };
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.next.length) {
        const to = frame.next[frame.i++]!;
        if (!index.has(to)) enter(to);
        else if (onStack.has(to)) low.set(frame.file, Math.min(low.get(frame.file)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(frame.file)!));
      if (low.get(frame.file) === index.get(frame.file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.file);
        const selfLoop = component.length === 1 && targets(frame.file).includes(frame.file);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.map((files) => ({ files, path: cyclePath(files, targets) }));
}

/** A shortest cycle through the component's first file, found by breadth-first search. */
function cyclePath(component: readonly string[], targets: (file: string) => string[]): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const to of targets(file)) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = file; at !== start; at = previous.get(at)!) path.unshift(at);
        path.unshift(start);
        return path;
      }
      if (!previous.has(to)) {
        previous.set(to, file);
        queue.push(to);
      }
    }
  }
  return [start, start];
}
