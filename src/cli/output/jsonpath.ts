// A JSONPath template evaluator in the style of kubectl's `-o jsonpath=`: text with {expr}
// blocks, where expr is a path like .spec.items[0].name, [*] wildcards, ..name recursive
// descent, and {range expr}...{end} loops.
import { UserError } from "../../errors.js";

type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "slice"; start?: number; end?: number }
  | { kind: "wildcard" }
  | { kind: "recursive"; name: string }
  | { kind: "filter"; path: Step[]; op?: "==" | "!="; literal?: string | number | boolean };

type Node =
  | { kind: "text"; text: string }
  | { kind: "path"; steps: Step[] }
  | { kind: "range"; steps: Step[]; body: Node[] };

export interface JsonPath {
  readonly expression: string;
  /** Renders the template against a value (already converted to plain JSON data). */
  render(value: unknown): string;
}

export function compileJsonPath(expression: string): JsonPath {
  const nodes = parseTemplate(expression);
  return {
    expression,
    render(value: unknown): string {
      return renderNodes(nodes, value);
    },
  };
}

function fail(expression: string, why: string): never {
  throw new UserError(`invalid jsonpath expression "${expression}": ${why}`);
}

function parseTemplate(expression: string): Node[] {
  // A bare path (no braces) is accepted as if wrapped in {}.
  const src = expression.includes("{") ? expression : `{${expression}}`;
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{", i);
    if (open === -1) {
      stack[stack.length - 1]!.push({ kind: "text", text: unescapeText(src.slice(i)) });
      break;
    }
    if (open > i) stack[stack.length - 1]!.push({ kind: "text", text: unescapeText(src.slice(i, open)) });
    const close = findClose(src, open);
    if (close === -1) fail(expression, "unclosed {");
    const inner = src.slice(open + 1, close).trim();
    if (inner === "end") {
      if (stack.length === 1) fail(expression, "{end} without {range}");
      stack.pop();
    } else if (inner.startsWith("range ")) {
      const node: Node = { kind: "range", steps: parsePath(expression, inner.slice(6).trim()), body: [] };
      stack[stack.length - 1]!.push(node);
      stack.push(node.body);
    } else if (inner.startsWith('"') && inner.endsWith('"') && inner.length >= 2) {
      stack[stack.length - 1]!.push({ kind: "text", text: unescapeText(inner.slice(1, -1)) });
    } else {
      stack[stack.length - 1]!.push({ kind: "path", steps: parsePath(expression, inner) });
    }
    i = close + 1;
  }
  if (stack.length !== 1) fail(expression, "{range} without {end}");
  return root;
}

function findClose(src: string, open: number): number {
  let inQuote = false;
  for (let j = open + 1; j < src.length; j++) {
    const c = src[j];
    if (c === '"') inQuote = !inQuote;
    else if (c === "}" && !inQuote) return j;
  }
  return -1;
}

function unescapeText(s: string): string {
  return s.replace(/\\n/g, "\n").replace(/\\t/g, "\t");
}

function parsePath(expression: string, path: string): Step[] {
  const steps: Step[] = [];
  let p = path.trim();
  if (p.startsWith("$")) p = p.slice(1);
  if (p === "" || p === "@") return steps;
  if (p.startsWith("@")) p = p.slice(1);
  let i = 0;
  const ident = /^[A-Za-z0-9_\-/]+/;
  while (i < p.length) {
    if (p.startsWith("..", i)) {
      i += 2;
      const m = ident.exec(p.slice(i));
      if (!m) fail(expression, `expected a field name after ".." at "${p.slice(i)}"`);
      steps.push({ kind: "recursive", name: m[0] });
      i += m[0].length;
    } else if (p[i] === ".") {
      i += 1;
      if (p[i] === "*") {
        steps.push({ kind: "wildcard" });
        i += 1;
        continue;
      }
      const m = ident.exec(p.slice(i));
      if (!m) {
        if (i >= p.length) break; // trailing "." means the current value
        fail(expression, `expected a field name at "${p.slice(i)}"`);
      }
      steps.push({ kind: "field", name: m[0] });
      i += m[0].length;
    } else if (p[i] === "[") {
      const close = p.indexOf("]", i);
      if (close === -1) fail(expression, "unclosed [");
      const inner = p.slice(i + 1, close).trim();
      if (inner === "*") steps.push({ kind: "wildcard" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else if (/^-?\d*:-?\d*$/.test(inner)) {
        const [a, b] = inner.split(":");
        steps.push({
          kind: "slice",
          ...(a !== "" ? { start: Number(a) } : {}),
          ...(b !== "" ? { end: Number(b) } : {}),
        });
      } else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: "field", name: inner.slice(1, -1) });
      else if (inner.startsWith("?(") && inner.endsWith(")")) steps.push(parseFilter(expression, inner));
      else fail(expression, `unsupported subscript [${inner}]`);
      i = close + 1;
    } else {
      const m = ident.exec(p.slice(i));
      if (!m || steps.length > 0) fail(expression, `unexpected "${p.slice(i)}"`);
      steps.push({ kind: "field", name: m[0] });
      i += m[0].length;
    }
  }
  return steps;
}

/** A filter subscript: `?(@.path)` (the path exists) or `?(@.path == literal)` (or `!=`). */
function parseFilter(expression: string, inner: string): Step {
  const body = inner.slice(2, -1).trim();
  const m = /^(@[^=!]*?)\s*(==|!=)\s*(.+)$/.exec(body);
  if (!m) {
    if (!body.startsWith("@")) fail(expression, `unsupported filter [${inner}]`);
    return { kind: "filter", path: parsePath(expression, body) };
  }
  const raw = m[3]!.trim();
  let literal: string | number | boolean;
  if (/^'.*'$|^".*"$/.test(raw)) literal = raw.slice(1, -1);
  else if (raw === "true" || raw === "false") literal = raw === "true";
  else if (/^-?\d+(\.\d+)?$/.test(raw)) literal = Number(raw);
  else fail(expression, `unsupported filter value ${raw}`);
  return { kind: "filter", path: parsePath(expression, m[1]!), op: m[2] as "==" | "!=", literal };
}

function matches(step: Extract<Step, { kind: "filter" }>, item: unknown): boolean {
  const found = evaluate(step.path, item);
  if (step.op === undefined) return found.length > 0;
  const equal = found.some((v) => v === step.literal);
  return step.op === "==" ? equal : !equal;
}

function evaluate(steps: Step[], value: unknown): unknown[] {
  let current: unknown[] = [value];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      switch (step.kind) {
        case "field":
          if (isObject(v) && step.name in v) next.push(v[step.name]);
          break;
        case "index":
          if (Array.isArray(v)) {
            const idx = step.index < 0 ? v.length + step.index : step.index;
            if (idx >= 0 && idx < v.length) next.push(v[idx]);
          }
          break;
        case "slice":
          if (Array.isArray(v)) next.push(...v.slice(step.start ?? 0, step.end ?? v.length));
          break;
        case "wildcard":
          if (Array.isArray(v)) next.push(...v);
          else if (isObject(v)) next.push(...Object.values(v));
          break;
        case "recursive":
          collectRecursive(v, step.name, next);
          break;
        case "filter":
          for (const item of Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [])
            if (matches(step, item)) next.push(item);
          break;
      }
    }
    current = next;
  }
  return current;
}

function collectRecursive(v: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(v)) {
    for (const item of v) collectRecursive(item, name, out);
  } else if (isObject(v)) {
    if (name in v) out.push(v[name]);
    for (const child of Object.values(v)) collectRecursive(child, name, out);
  }
}

function renderNodes(nodes: Node[], value: unknown): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "path") out += evaluate(node.steps, value).map(formatValue).join(" ");
    else {
      for (const item of evaluate(node.steps, value)) {
        const items = Array.isArray(item) ? item : [item];
        for (const each of items) out += renderNodes(node.body, each);
      }
    }
  }
  return out;
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
