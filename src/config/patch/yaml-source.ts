// Multi-document YAML parsing that keeps source positions, for patches and configs whose
// errors must name a line.
import { type Document, isMap, isScalar, LineCounter, type Node } from "yaml";
import { TalosError } from "../../errors.js";
import type { SourcePosition } from "../document.js";
import { firstDuplicateKey, parseYamlDocuments, YamlBudgetError } from "../load/parse.js";

export interface ParsedYaml {
  readonly documents: readonly Document.Parsed[];
  readonly lines: LineCounter;
}

export class YamlSyntaxError extends TalosError {
  override readonly name = "YamlSyntaxError";
  readonly position?: SourcePosition;

  constructor(message: string, position?: SourcePosition) {
    super("invalid", message);
    this.position = position;
  }
}

/** Parses every document of a YAML stream; the first syntax error is thrown as one line. */
export function parseYamlStream(text: string): ParsedYaml {
  const lines = new LineCounter();
  let documents: Document.Parsed[];
  try {
    documents = parseYamlDocuments(text, { lineCounter: lines });
  } catch (err) {
    if (err instanceof YamlBudgetError) throw new YamlSyntaxError(err.message);
    throw err;
  }
  for (const doc of documents) {
    const err = doc.errors[0];
    if (err !== undefined) {
      const pos = lines.linePos(err.pos[0]);
      const firstLine = err.message.split("\n")[0] ?? err.message;
      throw new YamlSyntaxError(firstLine.replace(/ at line \d+, column \d+:?$/, ""), {
        line: pos.line,
        col: pos.col,
      });
    }
    const duplicate = firstDuplicateKey(doc);
    if (duplicate !== undefined)
      throw new YamlSyntaxError("Map keys must be unique", nodePosition(lines, duplicate));
  }
  return { documents, lines };
}

export function nodePosition(lines: LineCounter, node: Node | null | undefined): SourcePosition | undefined {
  const start = node?.range?.[0];
  if (start === undefined) return undefined;
  const pos = lines.linePos(start);
  return { line: pos.line, col: pos.col };
}

/** The text a scalar was written as (Go's yaml.Node.Value), "" for anything else. */
export function scalarText(node: unknown): string {
  if (!isScalar(node)) return "";
  const source = (node as { source?: unknown }).source;
  if (typeof source === "string") return source;
  if (node.value === null || node.value === undefined) return "";
  return String(node.value);
}

/** The written value of a top-level key of a mapping node, "" when absent. */
export function findScalar(node: unknown, key: string): string | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (scalarText(pair.key) === key) return scalarText(pair.value);
  }
  return undefined;
}
