// YAML text → parsed documents in time and memory linear in the input, with a budget on the
// tokens a request may make the parser build. The `yaml` library's own duplicate-key check
// compares each key with every earlier key of its mapping (quadratic in the mapping's size), so
// it is off here: the decoder finds duplicates with one set per mapping instead.
import {
  Composer,
  type Document,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  type LineCounter,
  type Node,
  Parser,
} from "yaml";
import { MAX_YAML_TOKENS } from "./limits.js";

export interface ParseYamlOptions {
  readonly lineCounter: LineCounter;
  /** Keep the CST tokens on the nodes (source text of scalars, as the loader reads it). */
  readonly keepSourceTokens?: boolean;
  /** The most lexical tokens accepted; MAX_YAML_TOKENS by default. */
  readonly maxTokens?: number;
}

/** The input holds more tokens than the budget allows; nothing past the budget was parsed. */
export class YamlBudgetError extends Error {
  override readonly name = "YamlBudgetError";
  readonly limit: number;

  constructor(limit: number) {
    super(`config is too complex: more than ${limit} YAML tokens (keys, values, indicators, comments)`);
    this.limit = limit;
  }
}

/**
 * Every document of a YAML stream. The tokens are counted first by the lexer alone (a fraction of
 * the parser's cost, and it holds no token), so a hostile input is refused after at most
 * `maxTokens` tokens of work before the parser builds anything.
 */
export function parseYamlDocuments(text: string, options: ParseYamlOptions): Document.Parsed[] {
  const limit = options.maxTokens ?? MAX_YAML_TOKENS;
  let tokens = 0;
  for (const _lexeme of new Lexer().lex(text)) {
    tokens += 1;
    if (tokens > limit) throw new YamlBudgetError(limit);
  }
  const parser = new Parser(options.lineCounter.addNewLine);
  const composer = new Composer({
    uniqueKeys: false,
    keepSourceTokens: options.keepSourceTokens === true,
    prettyErrors: false,
  });
  return [...composer.compose(parser.parse(text))];
}

/**
 * The first key (in document order) that repeats an earlier key of its mapping, for callers that
 * want the `yaml` library's own duplicate-key error without its quadratic check.
 */
export function firstDuplicateKey(doc: Document.Parsed): Node | undefined {
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) return pair.key as Node;
        seen.add(key);
      }
      for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]!.value, node.items[i]!.key);
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]);
    }
  }
  return undefined;
}
