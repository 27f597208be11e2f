// The strict machine-config loader (siderolabs/talos: pkg/machinery/config/configloader and its
// internal/decoder): multi-document YAML → typed documents, rejecting unknown keys, wrong types,
// unknown kinds and duplicates, and reporting every problem at once with its file, document, path
// and line:col.
import { readFile, stat } from "node:fs/promises";
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, type Pair, type YAMLMap } from "yaml";
import { errorMessage } from "../../errors.js";
import {
  type ConfigDocument,
  ConfigError,
  type ConfigPath,
  documentLabel,
  LEGACY_KIND,
  type MachineConfigDocuments,
  type SourcePosition,
} from "../document.js";
import { documentSchema, type SchemaContract } from "../schema/index.js";
import { ConfigErrors } from "./config-errors.js";
import {
  DecodeAbort,
  type DecodeContext,
  Decoder,
  type Problem,
  TOO_MANY_PROBLEMS,
  TooManyProblems,
} from "./decode.js";
import { MAX_CONFIG_BYTES, MAX_NESTING_DEPTH, MAX_REPORTED_PROBLEMS, MAX_YAML_ALIASES } from "./limits.js";
import { parseYamlDocuments, YamlBudgetError } from "./parse.js";

export interface LoadOptions {
  /** Names the source in messages. */
  readonly file?: string;
  /** The version contract whose kinds and fields apply; the newest when omitted. */
  readonly contract?: SchemaContract;
  /** Accept `$patch: delete` markers (strategic merge patches only). */
  readonly allowPatchDelete?: boolean;
  /** Accept several documents with the same identity (patches apply them in order). */
  readonly allowDuplicates?: boolean;
  /** Fail when there is no v1alpha1 document (a node's full config needs one). */
  readonly requireV1Alpha1?: boolean;
}

/** Keys whose presence makes a document the legacy v1alpha1 one (its `version` key is not one). */
const LEGACY_MARKERS = ["machine", "cluster", "debug", "persist"];

/**
 * Kinds that may not share a name: assembling the config container refuses them as conflicting
 * documents (siderolabs/talos: pkg/machinery/config/container/container.go).
 */
const CONFLICT_GROUPS: readonly (readonly string[])[] = [
  ["UserVolumeConfig", "ExistingVolumeConfig"],
  ["Layer2VIPConfig", "HCloudVIPConfig"],
  [
    "LinkConfig",
    "BondConfig",
    "BridgeConfig",
    "DummyLinkConfig",
    "VLANConfig",
    "VRFConfig",
    "VethConfig",
    "WireguardConfig",
  ],
];

interface Located {
  readonly label: string;
  readonly problem: Problem;
}

/**
 * Checks the raw input before any parsing: size cap, NUL bytes, UTF-8. Returns the text
 * (a leading byte-order mark removed).
 */
export function decodeConfigText(input: string | Uint8Array, file?: string): string {
  const size = typeof input === "string" ? Buffer.byteLength(input, "utf8") : input.byteLength;
  if (size > MAX_CONFIG_BYTES) {
    throw new ConfigErrors([
      new ConfigError(
        `config is too large: ${size} bytes (the limit is ${MAX_CONFIG_BYTES} bytes)`,
        file ? { file } : {},
      ),
    ]);
  }
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch {
      const at = firstInvalidUtf8(input);
      throw new ConfigErrors([
        new ConfigError(`not a YAML config: invalid UTF-8 at byte offset ${at}`, file ? { file } : {}),
      ]);
    }
  }
  const nul = text.indexOf("\u0000");
  if (nul >= 0) {
    throw new ConfigErrors([
      new ConfigError(
        `not a YAML config: binary data (NUL character at ${offsetToPosition(text, nul)})`,
        file ? { file } : {},
      ),
    ]);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A fast lower-bound estimate of nesting depth: flow brackets (outside quotes and comments)
 * plus compact `- - -` sequence markers. The YAML composer recurses per level, so absurd
 * nesting is refused before parsing rather than discovered by a stack overflow.
 */
export function roughNestingDepth(text: string): number {
  let flow = 0;
  let max = 0;
  let quote = "";
  let comment = false;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") {
      comment = false;
      atLineStart = true;
      continue;
    }
    if (comment) continue;
    if (quote !== "") {
      if (c === quote) quote = "";
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (atLineStart) {
      if (c === " " || c === "\t") continue;
      let dashes = 0;
      while (text[i] === "-" && (text[i + 1] === " " || text[i + 1] === "\t")) {
        dashes++;
        i += 2;
        while (text[i] === " " || text[i] === "\t") i++;
      }
      atLineStart = false;
      if (flow + dashes > max) max = flow + dashes;
      i--;
      continue;
    }
    if (c === "#" && (i === 0 || text[i - 1] === " " || text[i - 1] === "\t")) comment = true;
    else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") {
      flow++;
      if (flow > max) max = flow;
    } else if ((c === "]" || c === "}") && flow > 0) flow--;
  }
  return max;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // Binary search for the shortest failing prefix would be cheaper; inputs that fail are rare.
  let lo = 0;
  let hi = bytes.byteLength;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid + 1), { stream: true });
      // A prefix cut inside a character decodes fine in stream mode; only real errors throw.
      decoder.decode();
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

function offsetToPosition(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return `line ${line}:${offset - lineStart + 1}`;
}

/** First line of a `yaml` error message, without its own position suffix. */
function yamlMessage(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, "").trim();
}

function makePosition(lineCounter: LineCounter): (offset: number) => SourcePosition {
  return (offset) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
}

/** Where a path stands: a mapping key's position, a list item's position. */
function locate(
  doc: Document.Parsed,
  path: ConfigPath,
  position: (offset: number) => SourcePosition,
): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let at: number | undefined = (doc.contents as Node | null)?.range?.[0];
  let hops = 0;
  for (const step of path) {
    while (node !== null && typeof node === "object" && "resolve" in node && !isMap(node) && !isSeq(node)) {
      if (++hops > MAX_YAML_ALIASES) return undefined;
      node = (node as { resolve(d: Document): unknown }).resolve(doc);
    }
    if (typeof step === "string" && isMap(node)) {
      const pair = pairByKey(node, step);
      if (pair === undefined) return undefined;
      at = (pair.key as Node).range?.[0];
      node = pair.value;
    } else if (typeof step === "number" && isSeq(node)) {
      const item = node.items[step];
      if (item === undefined) return undefined;
      at = (item as Node).range?.[0];
      node = item;
    } else {
      return undefined;
    }
  }
  return at === undefined ? undefined : position(at);
}

const keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

/** The pair of a mapping with this key (the first one), through an index built once per mapping. */
function pairByKey(map: YAMLMap, key: string): Pair | undefined {
  let index = keyIndex.get(map);
  if (index === undefined) {
    index = new Map();
    for (const p of map.items) {
      if (!isScalar(p.key)) continue;
      const k = String(p.key.value);
      if (!index.has(k)) index.set(k, p);
    }
    keyIndex.set(map, index);
  }
  return index.get(key);
}

function scalarText(map: Node, key: string): { value: string | undefined; present: boolean; node?: Node } {
  if (!isMap(map)) return { value: undefined, present: false };
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair === undefined) return { value: undefined, present: false };
  const v = pair.value;
  if (isScalar(v) && v.value !== null && typeof v.value !== "object") {
    return { value: String(v.value), present: true, node: v };
  }
  return { value: undefined, present: true, ...(v ? { node: v as Node } : {}) };
}

function hasKey(map: Node, key: string): boolean {
  return isMap(map) && map.items.some((p) => isScalar(p.key) && p.key.value === key);
}

/**
 * Loads a machine config (or a strategic patch) strictly. Throws ConfigErrors listing every
 * problem; returns the documents in file order.
 */
export function loadMachineConfig(
  input: string | Uint8Array,
  options: LoadOptions = {},
): MachineConfigDocuments {
  const file = options.file;
  const text = decodeConfigText(input, file);
  if (roughNestingDepth(text) > MAX_NESTING_DEPTH) {
    throw new ConfigErrors([
      new ConfigError(`YAML nesting is deeper than ${MAX_NESTING_DEPTH} levels`, file ? { file } : {}),
    ]);
  }
  const lineCounter = new LineCounter();
  let parsed: Document.Parsed[];
  try {
    parsed = parseYamlDocuments(text, { lineCounter, keepSourceTokens: true });
  } catch (err) {
    // The parser recurses per nesting level; absurd nesting ends here instead of crashing.
    const detail =
      err instanceof YamlBudgetError
        ? err.message
        : err instanceof RangeError
          ? "YAML nesting is too deep"
          : `cannot parse YAML: ${String(err)}`;
    throw new ConfigErrors([new ConfigError(detail, file ? { file } : {})]);
  }
  const position = makePosition(lineCounter);

  const located: Located[] = [];
  const budget = { aliases: 0, expanded: 0, problems: 0 };
  // Every problem counts against one budget (the decoder's too); past it the load stops.
  const report = (label: string, problem: Problem) => {
    budget.problems += 1;
    if (budget.problems > MAX_REPORTED_PROBLEMS) throw new TooManyProblems();
    located.push({ label, problem });
  };
  const documents: ConfigDocument[] = [];
  const starts: SourcePosition[] = [];
  let aborted = false;

  let currentLabel = "";
  try {
    loadDocuments();
    if (!aborted && located.length === 0) checkContainer(documents, starts, options, report);
  } catch (err) {
    if (!(err instanceof TooManyProblems)) throw err;
    located.push({ label: currentLabel, problem: { path: [], detail: TOO_MANY_PROBLEMS } });
  }

  if (located.length > 0) {
    throw new ConfigErrors(
      located.map(
        ({ label, problem }) =>
          new ConfigError(problem.detail, {
            ...(file ? { file } : {}),
            document: label,
            path: problem.path,
            ...(problem.position ? { position: problem.position } : {}),
          }),
      ),
    );
  }
  return { ...(file ? { file } : {}), documents };

  function loadDocuments(): void {
    parsed.forEach((doc, index) => {
      if (aborted) return;
      currentLabel = `#${index + 1}`;
      const fallbackLabel = `#${index + 1}`;
      if (doc.errors.some((e) => e.message.includes("call stack"))) {
        report(fallbackLabel, {
          path: [],
          detail: `YAML nesting is deeper than ${MAX_NESTING_DEPTH} levels`,
        });
        return;
      }
      if (doc.errors.length > 0) {
        for (const err of doc.errors) {
          const offset = err.pos[0];
          report(fallbackLabel, { path: [], position: position(offset), detail: yamlMessage(err.message) });
        }
        return;
      }
      const root = doc.contents as Node | null;
      if (root === null || (isScalar(root) && root.value === null)) return; // empty documents are skipped
      const start = position(root.range?.[0] ?? 0);
      if (!isMap(root)) {
        report(fallbackLabel, { path: [], position: start, detail: "expected a YAML mapping document" });
        return;
      }

      const problems: Problem[] = [];
      const ctx: DecodeContext = {
        doc,
        position,
        problems,
        allowPatchDelete: options.allowPatchDelete === true,
        budget,
      };
      const decoder = new Decoder(ctx);

      let kind: string;
      let apiVersion: string;
      let label: string;
      const isLegacy = LEGACY_MARKERS.some((k) => hasKey(root, k));
      if (isLegacy) {
        kind = LEGACY_KIND;
        apiVersion = "v1alpha1";
        label = LEGACY_KIND;
      } else {
        const k = scalarText(root, "kind");
        const v = scalarText(root, "apiVersion");
        label = k.value ?? fallbackLabel;
        if (k.value === undefined || v.value === undefined) {
          if (k.value === undefined) {
            report(label, {
              path: k.present ? ["kind"] : [],
              position: k.present ? (locate(doc, ["kind"], position) ?? start) : start,
              detail: k.present ? "kind must be a string" : "missing kind",
            });
          }
          if (v.value === undefined) {
            report(label, {
              path: v.present ? ["apiVersion"] : [],
              position: v.present ? (locate(doc, ["apiVersion"], position) ?? start) : start,
              detail: v.present ? "apiVersion must be a string" : "missing apiVersion",
            });
          }
          return;
        }
        kind = k.value;
        apiVersion = v.value;
      }

      const schema = documentSchema(kind, options.contract);
      if (schema === undefined || (!isLegacy && apiVersion !== schema.apiVersion)) {
        const known = schema !== undefined;
        report(label, {
          path: [known ? "apiVersion" : "kind"],
          position: locate(doc, [known ? "apiVersion" : "kind"], position) ?? start,
          detail: known
            ? `apiVersion "${apiVersion}" is not registered for kind ${kind} (expected ${schema.apiVersion})`
            : `unknown document kind "${kind}" (apiVersion ${apiVersion})`,
        });
        return;
      }

      let name: string | undefined;
      if (schema.named) {
        // A missing or empty name decodes as Go's empty string (each kind's validation words it); a
        // name of the wrong type is the decoder's problem.
        const n = scalarText(root, "name");
        name = n.value;
        label = documentLabel({ kind, ...(name ? { name } : {}) });
      }

      let data: unknown;
      currentLabel = label;
      try {
        data = decoder.decode(root, schema.root, []);
      } catch (err) {
        if (!(err instanceof DecodeAbort)) throw err;
        aborted = true;
        if (err instanceof TooManyProblems) {
          for (const p of problems) located.push({ label, problem: p });
          throw err;
        }
      }
      for (const p of problems) located.push({ label, problem: p });
      if (aborted || problems.length > 0 || data === undefined || data === null) return;

      const record = data as Record<string, unknown>;
      const document: ConfigDocument = {
        apiVersion,
        kind,
        ...(name !== undefined ? { name } : {}),
        data: record,
        position: (path) => locate(doc, path, position),
      };
      documents.push(document);
      starts.push(start);
    });
  }
}

function identity(doc: ConfigDocument): string {
  return doc.kind === LEGACY_KIND
    ? "/v1alpha1"
    : `${doc.apiVersion}/${doc.kind}${doc.name ? `/${doc.name}` : ""}`;
}

/** How Talos names a document in its container errors: `Kind/name`, `Kind/` when unnamed. */
function talosDocumentID(doc: ConfigDocument): string {
  return `${doc.kind}/${doc.name ?? ""}`;
}

function checkContainer(
  documents: readonly ConfigDocument[],
  starts: readonly SourcePosition[],
  options: LoadOptions,
  report: (label: string, problem: Problem) => void,
): void {
  if (documents.length === 0) {
    report("", { path: [], detail: "config not found: no documents" });
    return;
  }
  if (!options.allowDuplicates) {
    const seen = new Map<string, number>();
    documents.forEach((doc, i) => {
      const id = identity(doc);
      const first = seen.get(id);
      if (first === undefined) {
        seen.set(id, i);
        return;
      }
      report(documentLabel(doc), {
        path: [],
        ...(starts[i] ? { position: starts[i] } : {}),
        detail:
          doc.kind === LEGACY_KIND
            ? "duplicate v1alpha1.Config"
            : `duplicate document: ${talosDocumentID(doc)}`,
      });
    });
  }
  // Patches may name a document of each kind; only whole configs must be coherent.
  if (!options.allowDuplicates) {
    for (const group of CONFLICT_GROUPS) {
      const byName = new Map<string, number>();
      documents.forEach((doc, i) => {
        if (!group.includes(doc.kind) || doc.name === undefined) return;
        const other = byName.get(doc.name);
        if (other === undefined) {
          byName.set(doc.name, i);
          return;
        }
        const first = documents[other]!;
        if (first.kind === doc.kind) return; // a plain duplicate, reported above
        report(documentLabel(doc), {
          path: [],
          ...(starts[i] ? { position: starts[i] } : {}),
          detail: `conflicting documents: ${talosDocumentID(first)} and ${talosDocumentID(doc)}`,
        });
      });
    }
  }
  if (options.requireV1Alpha1 && !documents.some((d) => d.kind === LEGACY_KIND)) {
    report(LEGACY_KIND, {
      path: [],
      detail: "the v1alpha1 document (machine and cluster instructions) is missing",
    });
  }
}

/** Reads and loads a config file; a missing or unreadable file is one clear line naming it. */
export async function loadMachineConfigFile(
  path: string,
  options: Omit<LoadOptions, "file"> & { readonly file?: string } = {},
): Promise<MachineConfigDocuments> {
  const shown = options.file ?? path;
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new ConfigErrors([new ConfigError("is a directory, not a config file", { file: shown })]);
    if (info.size > MAX_CONFIG_BYTES) {
      throw new ConfigErrors([
        new ConfigError(`config is too large: ${info.size} bytes (the limit is ${MAX_CONFIG_BYTES} bytes)`, {
          file: shown,
        }),
      ]);
    }
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof ConfigErrors) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : errorMessage(err);
    throw new ConfigErrors([new ConfigError(`cannot read config: ${why}`, { file: shown })]);
  }
  return loadMachineConfig(bytes, { ...options, file: shown });
}
