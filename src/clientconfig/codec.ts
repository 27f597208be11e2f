// Reading and writing the talosconfig YAML. Reading is forgiving where talosctl is (unknown keys
// are ignored, the legacy `target` joins the endpoints, scalars of any type read as their text)
// and strict about shapes, so a broken file fails with one line that says where.
// Writing follows talosctl's layout: go-yaml's 4-space indentation, fields in a fixed order,
// empty optional fields left out, `endpoints` always present, context names sorted.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type ParsedNode,
  parseDocument,
  type YAMLMap,
} from "yaml";
import { UserError } from "../errors.js";
import { compareGoKeys, encodeYaml } from "../yaml/index.js";
import { type ClientConfig, type ClientContext, type ContextAuth, emptyClientConfig } from "./model.js";

/**
 * Parses talosconfig text or bytes. `source` names the file in errors. An empty or
 * whitespace-only file is an empty config (no context, no contexts), as talosctl creates it.
 */
export function parseClientConfig(input: string | Uint8Array, source: string): ClientConfig {
  const fail = (detail: string): UserError =>
    new UserError(`failed to parse talosconfig ${source}: ${detail}`);
  const text = typeof input === "string" ? input : decodeText(input, fail);
  if (text.includes("\u0000")) throw fail("not a YAML text file (it contains binary data)");
  if (text.trim() === "") return emptyClientConfig();

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (node: Node | null | undefined): string => {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = lines.linePos(offset);
    return `line ${line}:${col}`;
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const { line, col } = lines.linePos(firstError.pos[0]);
    const message =
      firstError.code === "MULTIPLE_DOCS" ? "the file holds more than one YAML document" : firstError.message;
    throw fail(`line ${line}:${col}: ${lowerFirst(message)}`);
  }

  const reader = new Reader(doc, at, fail);
  const root = reader.deref(doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) return emptyClientConfig();
  if (!isMap(root)) {
    throw fail(
      `${at(root)}: expected a map with "context" and "contexts" at the top level, got ${describe(root)}`,
    );
  }

  const config = emptyClientConfig();
  for (const pair of root.items) {
    const key = reader.keyText(pair.key);
    const value = reader.deref(pair.value as Node | null);
    if (key === "context") {
      config.context = reader.string(value, pair.key as Node, '"context"');
    } else if (key === "contexts") {
      if (isEmptyNode(value)) continue;
      if (!isMap(value)) {
        throw fail(
          `${at(value ?? (pair.key as Node))}: "contexts" must be a map of context names, got ${describe(value)}`,
        );
      }
      for (const entry of value.items) {
        const name = reader.keyText(entry.key);
        config.contexts[name] = reader.context(
          reader.deref(entry.value as Node | null),
          entry.key as Node,
          name,
        );
      }
    }
    // Other top-level keys are not talosconfig fields; talosctl ignores them too.
  }
  return config;
}

function decodeText(bytes: Uint8Array, fail: (detail: string) => UserError): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw fail("not a YAML text file (it is not valid UTF-8)");
  }
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function isEmptyNode(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

function describe(node: Node | null): string {
  if (node === null) return "nothing";
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "number" || typeof v === "bigint") return `a number (${node.source ?? String(v)})`;
    if (typeof v === "boolean") return `a boolean (${node.source ?? String(v)})`;
    return "a string";
  }
  return "an unsupported value";
}

class Reader {
  constructor(
    private readonly doc: Document.Parsed | Document,
    private readonly at: (node: Node | null | undefined) => string,
    private readonly fail: (detail: string) => UserError,
  ) {}

  deref(node: Node | null | undefined | unknown): Node | null {
    let current = (node ?? null) as Node | null;
    for (let depth = 0; current !== null && isAlias(current) && depth < 16; depth++) {
      current = (current.resolve(this.doc as Document) ?? null) as Node | null;
    }
    return current;
  }

  keyText(key: unknown): string {
    const node = this.deref(key);
    if (node !== null && isScalar(node)) return scalarText(node);
    throw this.fail(`${this.at(node)}: map keys must be plain strings, got ${describe(node)}`);
  }

  /** A string field: any scalar reads as its text; null reads as "". */
  string(node: Node | null, keyNode: Node, what: string): string {
    if (node === null) return "";
    if (isScalar(node)) return scalarText(node);
    throw this.fail(`${this.at(node ?? keyNode)}: ${what} must be a string, got ${describe(node)}`);
  }

  list(node: Node | null, keyNode: Node, what: string): string[] {
    if (isEmptyNode(node)) return [];
    if (!isSeq(node)) {
      throw this.fail(
        `${this.at(node ?? keyNode)}: ${what} must be a list of strings, got ${describe(node)}`,
      );
    }
    return node.items.map((item, i) => {
      const value = this.deref(item);
      if (value !== null && !isScalar(value)) {
        throw this.fail(`${this.at(value)}: ${what} item ${i + 1} must be a string, got ${describe(value)}`);
      }
      return value === null ? "" : scalarText(value);
    });
  }

  map(node: Node | null, keyNode: Node, what: string): YAMLMap | undefined {
    if (isEmptyNode(node)) return undefined;
    if (!isMap(node))
      throw this.fail(`${this.at(node ?? keyNode)}: ${what} must be a map, got ${describe(node)}`);
    return node;
  }

  context(node: Node | null, keyNode: Node, name: string): ClientContext {
    const ctx: ClientContext = { endpoints: [] };
    const where = `context "${name}"`;
    const fields = this.map(node, keyNode, where);
    if (!fields) return ctx;
    let target = "";
    for (const pair of fields.items) {
      const key = this.keyText(pair.key);
      const k = pair.key as Node;
      const value = this.deref(pair.value);
      const what = `${where}: "${key}"`;
      switch (key) {
        case "target":
          target = this.string(value, k, what);
          break;
        case "endpoints":
          ctx.endpoints = this.list(value, k, what);
          break;
        case "nodes": {
          const nodes = this.list(value, k, what);
          if (nodes.length > 0) ctx.nodes = nodes;
          break;
        }
        case "ca":
        case "crt":
        case "key":
        case "cluster": {
          const s = this.string(value, k, what);
          if (s !== "") ctx[key] = s;
          break;
        }
        case "proxy-url": {
          const s = this.string(value, k, what);
          if (s !== "") ctx.proxyUrl = s;
          break;
        }
        case "auth": {
          const auth = this.auth(value, k, where);
          if (auth) ctx.auth = auth;
          break;
        }
        default:
        // Unknown keys are ignored, as talosctl does.
      }
    }
    // The deprecated single `target` predates the endpoint list; it becomes one more endpoint.
    if (target !== "") ctx.endpoints.push(target);
    return ctx;
  }

  private auth(node: Node | null, keyNode: Node, where: string): ContextAuth | undefined {
    const fields = this.map(node, keyNode, `${where}: "auth"`);
    if (!fields) return undefined;
    const auth: ContextAuth = {};
    const field = (map: YAMLMap, name: string, k: Node, what: string): string =>
      this.string(this.deref(map.get(name, true)), k, `${where}: "${what}.${name}"`);
    for (const pair of fields.items) {
      const key = this.keyText(pair.key);
      const value = this.deref(pair.value);
      const k = pair.key as Node;
      if (key === "basic") {
        const basic = this.map(value, k, `${where}: "auth.basic"`);
        if (!basic) continue;
        auth.basic = {
          username: field(basic, "username", k, "auth.basic"),
          password: field(basic, "password", k, "auth.basic"),
        };
      } else if (key === "siderov1") {
        const sidero = this.map(value, k, `${where}: "auth.siderov1"`);
        if (!sidero) continue;
        auth.siderov1 = { identity: field(sidero, "identity", k, "auth.siderov1") };
      }
    }
    return auth.basic || auth.siderov1 ? auth : undefined;
  }
}

/** The text of a scalar: strings as written, other plain scalars (5, true, 1.0) as their source. */
function scalarText(node: ParsedNode | Node): string {
  if (!isScalar(node)) return "";
  const v = node.value;
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  return node.source ?? String(v);
}

/**
 * Encodes a config as talosctl writes it: go-yaml v4's `Marshal` of the config struct
 * (siderolabs/talos: pkg/machinery/client/config/config.go), so the contexts map is in go-yaml's
 * key order.
 */
export function encodeClientConfig(config: ClientConfig): string {
  const names = Object.keys(config.contexts).sort(compareGoKeys("yaml.v3"));
  const contexts = new Map(names.map((name) => [name, encodeContext(config.contexts[name]!)]));
  return encodeYaml({ context: config.context, contexts });
}

function encodeContext(ctx: ClientContext): Record<string, unknown> {
  const out: Record<string, unknown> = { endpoints: [...ctx.endpoints] };
  if (ctx.nodes && ctx.nodes.length > 0) out.nodes = [...ctx.nodes];
  if (ctx.ca) out.ca = ctx.ca;
  if (ctx.crt) out.crt = ctx.crt;
  if (ctx.key) out.key = ctx.key;
  const auth: Record<string, unknown> = {};
  if (ctx.auth?.basic) auth.basic = { username: ctx.auth.basic.username, password: ctx.auth.basic.password };
  if (ctx.auth?.siderov1) auth.siderov1 = { identity: ctx.auth.siderov1.identity };
  if (Object.keys(auth).length > 0) out.auth = auth;
  if (ctx.cluster) out.cluster = ctx.cluster;
  if (ctx.proxyUrl) out["proxy-url"] = ctx.proxyUrl;
  return out;
}
