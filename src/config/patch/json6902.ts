// RFC 6902 patches on a single-document config (siderolabs/talos:
// pkg/machinery/config/configpatcher/json6902.go), with the JSON Patch library Talos uses emulated
// on top of fast-json-patch: negative list indices count from the end, a missing parent or target
// is an error, and the result is written back as yaml.v2 would.
import jsonPatch, { type Operation } from "fast-json-patch";
import { isMap, isScalar, isSeq } from "yaml";
import { errorMessage, TalosError } from "../../errors.js";
import { jsonToYaml } from "./json-yaml.js";
import { parseYamlStream } from "./yaml-source.js";

export const MULTI_DOCUMENT_MESSAGE =
  "JSON6902 patches are not supported for multi-document machine configuration";

/** A JSON patch that could not be applied; the message is Talos's. */
export class JsonPatchApplyError extends TalosError {
  override readonly name = "JsonPatchApplyError";

  constructor(message: string) {
    super("invalid", message);
  }
}

/** Thrown for a config with more than one document, with the data needed to suggest a fix. */
export class MultiDocumentJsonPatchError extends JsonPatchApplyError {
  readonly documentCount: number;

  constructor(documentCount: number) {
    super(MULTI_DOCUMENT_MESSAGE);
    this.documentCount = documentCount;
  }
}

/** Counts the YAML documents of a config, ignoring empty ones (a stray trailing `---`). */
export function countDocuments(text: string): number {
  let parsed: ReturnType<typeof parseYamlStream>;
  try {
    parsed = parseYamlStream(text);
  } catch (err) {
    throw new JsonPatchApplyError(`failure decoding talos machine config: ${errorMessage(err)}`);
  }
  return parsed.documents.filter(
    (d) => !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)),
  ).length;
}

/** Applies operations to the config text; returns the new text. */
export function applyJsonPatch(text: string, operations: readonly Operation[]): string {
  const count = countDocuments(text);
  if (count !== 1) throw new MultiDocumentJsonPatchError(count);
  let doc: unknown;
  try {
    const parsed = parseYamlStream(text);
    const only = parsed.documents.find((d) => isMap(d.contents) || isSeq(d.contents) || isScalar(d.contents));
    doc = only?.toJS({ maxAliasCount: 100 }) ?? null;
  } catch (err) {
    throw new JsonPatchApplyError(`failure converting talos machine config to json: ${errorMessage(err)}`);
  }
  for (const op of operations) {
    try {
      doc = applyOne(doc, op);
    } catch (err) {
      throw new JsonPatchApplyError(
        `failure applying rfc6902 patches to talos machine config: ${describe(err, op)}`,
      );
    }
  }
  return jsonToYaml(doc);
}

class IndexError extends TalosError {
  constructor(message: string) {
    super("out-of-range", message);
  }
}

function applyOne(doc: unknown, op: Operation): unknown {
  const resolved: Operation = { ...op, path: resolvePointer(doc, op.path) };
  if (op.op === "move" || op.op === "copy") {
    (resolved as { from: string }).from = resolvePointer(doc, op.from);
  }
  return jsonPatch.applyOperation(doc, resolved, true, true, true).newDocument;
}

/**
 * Rewrites negative list indices (`/a/-1` is the last item; for `add`, the position before it)
 * to the positive ones fast-json-patch understands.
 */
function resolvePointer(doc: unknown, pointer: string): string {
  if (!/\/-\d+(\/|$)/.test(pointer)) return pointer;
  const tokens = pointer.split("/").slice(1);
  let current: unknown = doc;
  const out: string[] = [];
  for (const token of tokens) {
    let t = token;
    if (Array.isArray(current) && /^-\d+$/.test(token)) {
      const n = current.length + Number(token);
      if (n < 0) throw new IndexError(`Unable to access invalid index: ${token}: invalid index referenced`);
      t = String(n);
    }
    out.push(t);
    const key = t.replace(/~1/g, "/").replace(/~0/g, "~");
    current =
      current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined;
  }
  return `/${out.join("/")}`;
}

function describe(err: unknown, op: Operation): string {
  if (err instanceof IndexError) return err.message;
  const name = (err as { name?: string }).name ?? "";
  const from = (op as { from?: string }).from ?? "";
  switch (name) {
    case "OPERATION_PATH_CANNOT_ADD":
    case "OPERATION_PATH_UNRESOLVABLE":
      if (op.op === "add")
        return `add operation does not apply: doc is missing path: "${op.path}": missing value`;
      if (op.op === "remove")
        return `remove operation does not apply: doc is missing path: "${op.path}": missing value`;
      if (op.op === "replace")
        return `replace operation does not apply: doc is missing key: ${op.path}: missing value`;
      if (op.op === "test") return `testing value ${op.path} failed: test failed`;
      return `${op.op} operation does not apply: doc is missing destination path: ${op.path}: missing value`;
    case "OPERATION_FROM_UNRESOLVABLE":
      return `${op.op} operation does not apply: doc is missing from path: ${from}: missing value`;
    case "TEST_OPERATION_FAILED":
      return `testing value ${op.path} failed: test failed`;
    case "OPERATION_VALUE_OUT_OF_BOUNDS":
    case "OPERATION_PATH_ILLEGAL_ARRAY_INDEX":
      return `Unable to access invalid index: ${op.path.split("/").pop()}: invalid index referenced`;
    case "OPERATION_OP_INVALID":
      return `Unexpected kind: ${op.op}`;
    default: {
      const message = errorMessage(err);
      return message.split("\n")[0] ?? message;
    }
  }
}
