// Decodes one YAML node against the config model the way Talos's strict decoder does: unknown
// keys and wrong types are problems, scalars are read as the Go field type would read them.
// Every problem is collected; aliases and nesting are bounded.
import { isIP } from "node:net";
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair, Scalar } from "yaml";
import { TalosError } from "../../errors.js";
import type { ConfigPath, SourcePosition } from "../document.js";
import type { SchemaNode } from "../schema/index.js";
import { ADDRESS_PATTERNS } from "../schema/index.js";
import {
  MAX_ALIAS_EXPANDED_NODES,
  MAX_NESTING_DEPTH,
  MAX_REPORTED_PROBLEMS,
  MAX_YAML_ALIASES,
} from "./limits.js";

/** Stops decoding at once: the input is hostile or broken beyond reporting field by field. */
export class DecodeAbort extends TalosError {
  override readonly name = "DecodeAbort";

  constructor(message: string) {
    super("resource-exhausted", message);
  }
}

/** The detail of the line that ends a report cut at MAX_REPORTED_PROBLEMS. */
export const TOO_MANY_PROBLEMS = `too many problems (more than ${MAX_REPORTED_PROBLEMS}); stopped loading`;

/** Thrown when one more problem would go over MAX_REPORTED_PROBLEMS. */
export class TooManyProblems extends DecodeAbort {
  constructor() {
    super(TOO_MANY_PROBLEMS);
  }
}

export interface Problem {
  readonly path: ConfigPath;
  readonly position?: SourcePosition;
  readonly detail: string;
}

export interface DecodeContext {
  readonly doc: Document.Parsed;
  readonly position: (offset: number) => SourcePosition;
  readonly problems: Problem[];
  readonly allowPatchDelete: boolean;
  /**
   * Alias dereferences and the nodes they added so far, and the problems reported, shared by every
   * document of one config.
   */
  readonly budget: { aliases: number; expanded: number; problems: number };
}

export const PATCH_KEY = "$patch";
const DURATION = /^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$/;
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})+$/;
/** go-yaml reads these as booleans when the target field is a bool. */
const YAML11_BOOLS: ReadonlyMap<string, boolean> = new Map(
  [
    ["y", true],
    ["yes", true],
    ["on", true],
    ["true", true],
    ["n", false],
    ["no", false],
    ["off", false],
    ["false", false],
  ].flatMap(([k, v]) => {
    const word = k as string;
    const upper = word.toUpperCase();
    const title = word[0]!.toUpperCase() + word.slice(1);
    return [...new Set([word, upper, title])].map((w) => [w, v as boolean] as const);
  }),
);

function nodeStart(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

export function describeNode(node: unknown): string {
  if (node === null || node === undefined) return "null";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "boolean") return `a boolean (${String(v)})`;
    if (typeof v === "number" || typeof v === "bigint") return `a number (${String(v)})`;
    return `a string (${JSON.stringify(String(v)).slice(0, 60)})`;
  }
  return "an unsupported node";
}

export class Decoder {
  constructor(private readonly ctx: DecodeContext) {}

  private problem(path: ConfigPath, at: Node | null | undefined, detail: string): void {
    this.ctx.budget.problems += 1;
    if (this.ctx.budget.problems > MAX_REPORTED_PROBLEMS) throw new TooManyProblems();
    const offset = nodeStart(at);
    this.ctx.problems.push({
      path,
      ...(offset === undefined ? {} : { position: this.ctx.position(offset) }),
      detail,
    });
  }

  /** Follows aliases, counting every dereference against the budget. */
  deref(node: unknown, path: ConfigPath): Node | null {
    let current = node;
    while (isAlias(current)) {
      this.ctx.budget.aliases += 1;
      if (this.ctx.budget.aliases > MAX_YAML_ALIASES) {
        this.problem(
          path,
          current,
          `too many YAML alias expansions (more than ${MAX_YAML_ALIASES}); refusing to expand`,
        );
        throw new DecodeAbort("alias budget exceeded");
      }
      const alias: Node = current;
      current = current.resolve(this.ctx.doc);
      if (current === undefined) {
        this.problem(path, alias, "YAML alias refers to an unknown anchor");
        return null;
      }
      this.ctx.budget.expanded += subtreeSize(current as Node);
      if (this.ctx.budget.expanded > MAX_ALIAS_EXPANDED_NODES) {
        this.problem(
          path,
          alias,
          `YAML aliases expand to more than ${MAX_ALIAS_EXPANDED_NODES} nodes; refusing to expand`,
        );
        throw new DecodeAbort("alias expansion budget exceeded");
      }
    }
    return (current ?? null) as Node | null;
  }

  private checkDepth(path: ConfigPath, at: Node): void {
    if (path.length > MAX_NESTING_DEPTH) {
      this.problem(path, at, `nesting deeper than ${MAX_NESTING_DEPTH} levels`);
      throw new DecodeAbort("too deep");
    }
  }

  /** A mapping holding only `$patch: delete` (legal anywhere in a patch). */
  private isDeleteMarker(node: Node | null): boolean {
    if (!this.ctx.allowPatchDelete || !isMap(node) || node.items.length !== 1) return false;
    const pair = node.items[0]!;
    return isScalar(pair.key) && pair.key.value === PATCH_KEY;
  }

  private checkPatchPair(pair: Pair, path: ConfigPath): void {
    const value = this.deref(pair.value, path);
    if (!isScalar(value) || value.value !== "delete") {
      this.problem(path, (value ?? pair.key) as Node, `${PATCH_KEY} only supports the value "delete"`);
    }
  }

  /** Decodes `raw` as `schema`, returning plain data (undefined data is never returned for problems). */
  decode(raw: unknown, schema: SchemaNode, path: ConfigPath): unknown {
    const node = this.deref(raw, path);
    if (node !== null) this.checkDepth(path, node);
    if (this.isDeleteMarker(node)) {
      this.checkPatchPair((node as { items: Pair[] }).items[0]!, [...path, PATCH_KEY]);
      return { [PATCH_KEY]: "delete" };
    }
    // A null is Go's nil / zero value: accepted for every field.
    if (node === null || (isScalar(node) && node.value === null && node.type === Scalar.PLAIN)) return null;
    switch (schema.type) {
      case "object":
        return this.decodeObject(node, schema, path);
      case "map":
        return this.decodeMap(node, schema.values ?? { type: "any" }, path);
      case "array":
        return this.decodeArray(node, schema.items ?? { type: "any" }, path);
      case "unstructured":
        if (!isMap(node)) {
          this.problem(path, node, `expected a mapping, got ${describeNode(node)}`);
          return undefined;
        }
        return this.plain(node, path);
      case "string-or-list":
        if (isSeq(node)) return this.decodeArray(node, { type: "string" }, path);
        return this.decodeScalar(node, { type: "string" }, path);
      case "any":
        return this.plain(node, path);
      default:
        return this.decodeScalar(node, schema, path);
    }
  }

  private decodeObject(node: Node, schema: SchemaNode, path: ConfigPath): unknown {
    if (!isMap(node)) {
      this.problem(path, node, `expected a mapping, got ${describeNode(node)}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    const fields = schema.fields ?? {};
    const seen = new Map<string, Node>();
    for (const pair of node.items) {
      const key = this.keyOf(pair, path);
      if (key === undefined || this.duplicate(seen, key, pair, path)) continue;
      const at = [...path, key];
      if (key === PATCH_KEY && this.ctx.allowPatchDelete) {
        this.checkPatchPair(pair, at);
        out[key] = "delete";
        continue;
      }
      const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (field === undefined) {
        if (schema.open === true) {
          out[key] = this.plain(this.deref(pair.value, at), at);
          continue;
        }
        this.problem(at, pair.key as Node, `unknown key "${key}"`);
        continue;
      }
      const value = this.decode(pair.value, field, at);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  private decodeMap(node: Node, values: SchemaNode, path: ConfigPath): unknown {
    if (!isMap(node)) {
      this.problem(path, node, `expected a mapping, got ${describeNode(node)}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    const seen = new Map<string, Node>();
    for (const pair of node.items) {
      const key = this.keyOf(pair, path);
      if (key === undefined || this.duplicate(seen, key, pair, path)) continue;
      const value = this.decode(pair.value, values, [...path, key]);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  private decodeArray(node: Node, items: SchemaNode, path: ConfigPath): unknown {
    if (!isSeq(node)) {
      this.problem(path, node, `expected a list, got ${describeNode(node)}`);
      return undefined;
    }
    const out: unknown[] = [];
    node.items.forEach((item, i) => {
      const value = this.decode(item, items, [...path, i]);
      out.push(value === undefined ? null : value);
    });
    return out;
  }

  /**
   * Whether `key` was already seen in this mapping (a problem, as go-yaml words it); one set per
   * mapping keeps this linear where comparing with every earlier key would not be.
   */
  private duplicate(seen: Map<string, Node>, key: string, pair: Pair, path: ConfigPath): boolean {
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, pair.key as Node);
      return false;
    }
    const offset = nodeStart(first);
    const line = offset === undefined ? "?" : String(this.ctx.position(offset).line);
    this.problem(
      [...path, key],
      pair.key as Node,
      `mapping key ${JSON.stringify(key)} already defined at line ${line}`,
    );
    return true;
  }

  private keyOf(pair: Pair, path: ConfigPath): string | undefined {
    const key = this.deref(pair.key, path);
    if (!isScalar(key) || key.value === null || typeof key.value === "object") {
      this.problem(path, (key ?? pair.value) as Node, "mapping keys must be strings");
      return undefined;
    }
    return isScalar(key) && key.type === Scalar.PLAIN && key.source !== undefined
      ? String(key.source)
      : String(key.value);
  }

  private decodeScalar(node: Node, schema: SchemaNode, path: ConfigPath): unknown {
    if (!isScalar(node)) {
      this.problem(path, node, `expected ${expected(schema)}, got ${describeNode(node)}`);
      return undefined;
    }
    const plain = node.type === Scalar.PLAIN;
    const source = plain && typeof node.source === "string" ? node.source : undefined;
    const value = node.value;
    switch (schema.type) {
      case "string": {
        // go-yaml stores any scalar's text into a string field.
        const text = typeof value === "string" ? value : (source ?? String(value));
        this.checkFormat(text, schema, path, node);
        return text;
      }
      case "int": {
        const n = readInt(value, source);
        if (n === undefined) {
          this.problem(path, node, `expected an integer, got ${describeNode(node)}`);
          return undefined;
        }
        return n;
      }
      case "number":
        if (typeof value !== "number") {
          this.problem(path, node, `expected a number, got ${describeNode(node)}`);
          return undefined;
        }
        return value;
      case "bool": {
        if (typeof value === "boolean") return value;
        const b = source !== undefined ? YAML11_BOOLS.get(source) : undefined;
        if (b === undefined) {
          this.problem(path, node, `expected a boolean, got ${describeNode(node)}`);
          return undefined;
        }
        return b;
      }
      default:
        // "scalar": any string, number or bool, kept as parsed.
        return typeof value === "bigint" ? Number(value) : value;
    }
  }

  /** Values Talos decodes into typed Go values (durations, netip, MACs) must parse. */
  private checkFormat(text: string, schema: SchemaNode, path: ConfigPath, node: Node): void {
    const pattern = schema.pattern;
    if (pattern === undefined || text === "") return;
    const kind = ADDRESS_PATTERNS.get(pattern);
    let ok = true;
    let what = "";
    if (kind === "ip") {
      ok = isIP(text) !== 0;
      what = "an IP address";
    } else if (kind === "prefix") {
      ok = isPrefix(text);
      what = "a CIDR prefix (address/bits)";
    } else if (kind === "addrport") {
      ok = isAddrPort(text);
      what = "an address:port";
    } else if (pattern.includes("[nuµm]?s|m|h")) {
      ok = DURATION.test(text);
      what = 'a duration (e.g. "30s", "1h30m")';
    } else if (pattern === "^[0-9a-f:]+$" || pattern.includes("[0-9a-fA-F]{2}")) {
      ok = MAC.test(text);
      what = "a hardware address (e.g. 00:11:22:33:44:55)";
    } else {
      return;
    }
    if (!ok) this.problem(path, node, `${JSON.stringify(text)} is not ${what}`);
  }

  /** Free-form data (Unstructured): plain JavaScript values, aliases counted. */
  plain(raw: unknown, path: ConfigPath): unknown {
    const node = this.deref(raw, path);
    if (node === null) return null;
    this.checkDepth(path, node);
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = this.keyOf(pair, path);
        if (key === undefined || this.duplicate(seen, key, pair, path)) continue;
        out[key] = this.plain(pair.value, [...path, key]);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item, i) => this.plain(item, [...path, i]));
    if (isScalar(node)) return typeof node.value === "bigint" ? Number(node.value) : node.value;
    return null;
  }
}

const sizes = new WeakMap<object, number>();

/** Nodes under (and including) `node`, aliases counted as one; computed once per node. */
function subtreeSize(node: Node): number {
  const known = sizes.get(node);
  if (known !== undefined) return known;
  let size = 1;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair)) {
        if (pair.key && typeof pair.key === "object") size += subtreeSize(pair.key as Node);
        if (pair.value && typeof pair.value === "object") size += subtreeSize(pair.value as Node);
      }
    }
  } else if (isSeq(node)) {
    for (const item of node.items) if (item && typeof item === "object") size += subtreeSize(item as Node);
  }
  sizes.set(node, size);
  return size;
}

function expected(schema: SchemaNode): string {
  switch (schema.type) {
    case "string":
      return "a string";
    case "int":
      return "an integer";
    case "number":
      return "a number";
    case "bool":
      return "a boolean";
    default:
      return "a scalar value";
  }
}

/** Integers as go-yaml reads them: decimal, 0x hex, 0o/leading-zero octal, 0b binary, `_` separators. */
function readInt(value: unknown, source: string | undefined): number | undefined {
  if (source !== undefined) {
    const s = source.replaceAll("_", "");
    let m = /^([-+]?)0[oO]?([0-7]+)$/.exec(s);
    if (m !== null) return Number.parseInt(`${m[1]}${m[2]}`, 8);
    m = /^([-+]?)0[bB]([01]+)$/.exec(s);
    if (m !== null) return Number.parseInt(`${m[1]}${m[2]}`, 2);
    m = /^([-+]?)0[xX]([0-9a-fA-F]+)$/.exec(s);
    if (m !== null) return Number.parseInt(`${m[1]}${m[2]}`, 16);
    if (/^[-+]?[0-9]+$/.test(s)) return Number.parseInt(s, 10);
  }
  if (typeof value === "number" && Number.isInteger(value) && source !== undefined) return value;
  return undefined;
}

function isPrefix(text: string): boolean {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return false;
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || ip.includes("%") || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function isAddrPort(text: string): boolean {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (m === null) return false;
  const ip = m[1] ?? m[2] ?? "";
  if (m[1] !== undefined ? isIP(ip) !== 6 : isIP(ip) !== 4) return false;
  return Number(m[3]) <= 65535;
}
