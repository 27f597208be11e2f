// Reading `-p` / `--config-patch` values (siderolabs/talos:
// pkg/machinery/config/configpatcher/load.go): where the patch text comes from, and whether it is a
// strategic merge patch or an RFC 6902 operation list.
import fs from "node:fs";
import path from "node:path";
import type { Operation } from "fast-json-patch";
import { type Document, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { errorMessage, TalosError, UserError } from "../../errors.js";
import { readError } from "../../fsutil/index.js";
import { LEGACY_KIND } from "../document.js";
import { strictLoad } from "./external.js";
import { DeleteStatementError, extractDeletes } from "./extract.js";
import type { Patch, StrategicEntry, StrategicPatch } from "./types.js";
import { isPlainObject } from "./values.js";
import { nodePosition, parseYamlStream, YamlSyntaxError } from "./yaml-source.js";

/** A patch that could not be read or understood; the message names the patch. */
export class PatchLoadError extends UserError {
  /** The file name, or `inline patch #N`. */
  readonly source: string;

  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.source = source;
  }
}

export interface LoadPatchesOptions {
  /** Relative patch file names are resolved against this directory. */
  readonly cwd: string;
  /** Reads a patch file (absolute path); the filesystem by default. */
  readonly readFile?: (file: string) => string;
}

/**
 * Where one `-p` value's text comes from: `@file`; else a value without newline or space that
 * does not start with `[` or `{` is a file name; else the value itself.
 */
export function patchSource(arg: string, position: number): { kind: "file" | "inline"; name: string } {
  if (arg.startsWith("@")) return { kind: "file", name: arg.slice(1) };
  if (!/[\n ]/.test(arg) && !arg.startsWith("[") && !arg.startsWith("{")) return { kind: "file", name: arg };
  return { kind: "inline", name: `inline patch #${position}` };
}

/**
 * Loads every patch argument in order. Adjacent JSON patches are joined into one, as Talos
 * does, so they apply to the same bytes.
 */
export function loadPatches(args: readonly string[], options: LoadPatchesOptions): Patch[] {
  const read = options.readFile ?? defaultRead;
  const out: Patch[] = [];
  args.forEach((arg, i) => {
    const source = patchSource(arg, i + 1);
    let text: string;
    if (source.kind === "file") {
      if (source.name === "") throw new PatchLoadError("@", 'patch file name is empty after "@"');
      const file = path.resolve(options.cwd, source.name);
      try {
        text = read(file);
      } catch (err) {
        const why = readError(file, err).message.replace(/^failed to read .*?: /, "");
        throw new PatchLoadError(source.name, `failed to read patch file "${source.name}": ${why}`, {
          cause: err,
        });
      }
    } else {
      text = arg;
    }
    const patch = parsePatch(text, source.name);
    const previous = out[out.length - 1];
    if (patch.type === "json6902" && previous?.type === "json6902") {
      out[out.length - 1] = {
        type: "json6902",
        source: `${previous.source}, ${patch.source}`,
        operations: [...previous.operations, ...patch.operations],
      };
    } else {
      out.push(patch);
    }
  });
  return out;
}

function defaultRead(file: string): string {
  return fs.readFileSync(file, "utf8");
}

/**
 * Classifies patch text: a strategic merge patch if the strict loader accepts it, else a JSON patch
 * (JSON array or YAML list of operations).
 */
export function parsePatch(text: string, source: string): Patch {
  let strategicError: string;
  try {
    return parseStrategicPatch(text, source);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    strategicError = oneLine(err.message);
  }
  let jsonError: string;
  try {
    return { type: "json6902", source, operations: parseJsonOperations(text) };
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    jsonError = oneLine(err.message);
  }
  try {
    return { type: "json6902", source, operations: parseYamlOperations(text) };
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    // A YAML list that is not a list of operations is meant as a JSON patch: say why it is not one.
    if (err instanceof OperationError) jsonError = oneLine(err.message);
  }
  const looksJson = text.trim().startsWith("[");
  const asStrategic = `not a strategic merge patch: ${strategicError}`;
  const asJson = `not a JSON patch: ${jsonError}`;
  throw new PatchLoadError(
    source,
    `failed to load ${describeSource(source)}: ${looksJson ? `${asJson}; ${asStrategic}` : `${asStrategic}; ${asJson}`}`,
  );
}

function describeSource(source: string): string {
  return source.startsWith("inline patch #") ? source : `patch "${source}"`;
}

function oneLine(message: string): string {
  return message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join("; ");
}

/** Parses a strategic merge patch: deletes taken out, documents in written order. */
export function parseStrategicPatch(text: string, source: string): StrategicPatch {
  let parsed: ReturnType<typeof parseYamlStream>;
  try {
    parsed = parseYamlStream(text);
  } catch (err) {
    if (err instanceof YamlSyntaxError) {
      const at = err.position ? ` (line ${err.position.line})` : "";
      throw new TalosError("invalid", `decode error: ${err.message}${at}`);
    }
    throw err;
  }
  const entries: StrategicEntry[] = [];
  const kept = new Set<number>();
  let mergeDocuments = 0;
  parsed.documents.forEach((doc, index) => {
    const contents = doc.contents;
    const line = nodePosition(parsed.lines, contents)?.line ?? 1;
    let extracted: ReturnType<typeof extractDeletes>;
    try {
      extracted = extractDeletes(doc, index, parsed.lines);
    } catch (err) {
      if (err instanceof DeleteStatementError) {
        throw new TalosError(
          "invalid",
          `error processing patch delete statements at line ${line}: ${err.message}`,
        );
      }
      throw err;
    }
    entries.push(...extracted.selectors);
    if (!extracted.keep || contents === null) return;
    kept.add(index);
    if (isScalar(contents) && contents.value === null) return;
    if (!isMap(contents)) throw new TalosError("invalid", `expected a YAML document at line ${line}`);
    const data = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
    const apiVersion = typeof data.apiVersion === "string" ? data.apiVersion : "";
    const kind = typeof data.kind === "string" && data.kind !== "" ? data.kind : undefined;
    const name = typeof data.name === "string" && data.name !== "" ? data.name : undefined;
    mergeDocuments++;
    const position = nodePosition(parsed.lines, contents);
    entries.push({
      type: "merge",
      apiVersion: kind === undefined ? "" : apiVersion,
      kind: kind ?? LEGACY_KIND,
      ...(kind !== undefined && name !== undefined ? { name } : {}),
      data,
      docIndex: index,
      ...(position !== undefined ? { position } : {}),
    });
  });
  if (entries.length === 0) throw new TalosError("invalid", "config not found");
  if (mergeDocuments === 0) return { type: "strategic", source, entries };
  const typed = checkStrict(
    text,
    parsed.documents.filter((_, i) => kept.has(i)),
  );
  // The loader's data has Go's scalar typing (a number written into a string field is text,
  // `yes` in a bool field is true); use it when it lines up with our documents.
  let next = 0;
  const merged =
    typed.length === mergeDocuments
      ? entries.map((e) => (e.type === "merge" ? { ...e, data: typed[next++]! } : e))
      : entries;
  return { type: "strategic", source, entries: merged };
}

/**
 * Runs the strict loader over the patch and returns the decoded documents left after the
 * deletes. Talos decodes only that remainder, so it decides; when it fails, the whole text's
 * messages are reported because their lines match what the user wrote.
 */
function checkStrict(text: string, remainder: readonly Document.Parsed[]): Record<string, unknown>[] {
  const options = { allowPatchDelete: true, allowDuplicates: true };
  const rest = remainder.map((d) => String(d)).join("---\n");
  let whole: unknown;
  try {
    // The caller names the patch; the loader's messages name the document, path and line.
    strictLoad(text, options);
  } catch (err) {
    whole = err;
  }
  try {
    return strictLoad(rest, options).documents.map((d) => d.data);
  } catch (err) {
    throw whole ?? err;
  }
}

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/** An operation list that is not one; its message says which operation is wrong. */
/** A JSON patch operation that is not well-formed. */
class OperationError extends TalosError {
  constructor(message: string) {
    super("invalid", message);
  }
}

function parseJsonOperations(text: string): Operation[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TalosError("invalid", `invalid JSON: ${errorMessage(err)}`);
  }
  if (!Array.isArray(value)) throw new TalosError("invalid", "a JSON patch is a JSON array of operations");
  return checkOperations(value);
}

function parseYamlOperations(text: string): Operation[] {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) throw new TalosError("invalid", doc.errors[0]!.message);
  const contents = doc.contents;
  // An empty text is an empty list of operations (Talos's yaml.Unmarshal gives a nil slice).
  if (contents === null || (isScalar(contents) && contents.value === null)) return [];
  if (!isSeq(contents)) throw new TalosError("invalid", "not a list");
  return checkOperations(doc.toJS({ maxAliasCount: 100 }) as unknown[]);
}

function checkOperations(list: readonly unknown[]): Operation[] {
  return list.map((op, i) => {
    const where = `operation #${i + 1}`;
    if (!isPlainObject(op)) throw new OperationError(`${where} is not a mapping`);
    if (typeof op.op !== "string") throw new OperationError(`${where} has no "op"`);
    if (!OPS.has(op.op)) throw new OperationError(`${where}: unknown op "${op.op}"`);
    if (typeof op.path !== "string") throw new OperationError(`${where} (${op.op}) has no "path"`);
    if ((op.op === "move" || op.op === "copy") && typeof op.from !== "string") {
      throw new OperationError(`${where} (${op.op}) has no "from"`);
    }
    if ((op.op === "add" || op.op === "replace" || op.op === "test") && !Object.hasOwn(op, "value")) {
      throw new OperationError(`${where} (${op.op}) has no "value"`);
    }
    return op as unknown as Operation;
  });
}
