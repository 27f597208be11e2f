// The patch pipeline (siderolabs/talos: pkg/machinery/config/configpatcher/apply.go): patches apply
// in order to a value that is either the config text (what a JSON patch needs) or its documents
// (what a strategic patch needs), converting between the two only when the next patch needs the
// other form.

import { TalosError } from "../../errors.js";
import { type ConfigDocument, ConfigError, LEGACY_KIND, type MachineConfigDocuments } from "../document.js";
import { encodeDocuments, strictLoad } from "./external.js";
import { multiDocumentMessage } from "./hint.js";
import { applyJsonPatch, JsonPatchApplyError, MultiDocumentJsonPatchError } from "./json6902.js";
import { type ShapeSource, schemaShapes } from "./shape.js";
import { applyStrategicPatch, type PlainDocument, StrategicPatchError } from "./strategic.js";
import type { Patch } from "./types.js";

export interface PatchInput {
  /** The config as text. A leading JSON patch applies to exactly these bytes. */
  readonly text?: string;
  /** Or the config as documents (e.g. freshly generated ones). */
  readonly documents?: readonly DocumentLike[];
  /** How messages name the config. */
  readonly file?: string;
}

/** A document as the loader or the generator hands it over. */
export interface DocumentLike {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string;
  readonly data: Record<string, unknown>;
}

export interface ApplyOptions {
  /** Field facts for the merge; the schema model by default. */
  readonly shapes?: ShapeSource;
}

export interface PatchOutput {
  /**
   * The patched config as text: the input unchanged with no patches, the container encoding
   * after a strategic patch, the sorted two-space YAML of a JSON patch after one.
   */
  readonly text: string;
  /** Which kind of patch ran last. */
  readonly last: "none" | "strategic" | "json6902";
  /** The patched documents (after a JSON patch, the text is loaded to get them). */
  documents(): PlainDocument[];
}

type Working = { form: "text"; text: string } | { form: "documents"; documents: PlainDocument[] };

/** Applies the patches in order. Errors are one-line user errors naming the patch. */
export function applyPatches(
  input: PatchInput,
  patches: readonly Patch[],
  options: ApplyOptions = {},
): PatchOutput {
  const shapes = options.shapes ?? schemaShapes;
  const file = input.file;
  let working: Working;
  if (input.text !== undefined) working = { form: "text", text: input.text };
  else if (input.documents !== undefined)
    working = { form: "documents", documents: input.documents.map(toPlain) };
  else throw new TalosError("internal", "applyPatches needs the config text or its documents");
  let last: PatchOutput["last"] = "none";
  let loadedFrom = file;
  // Messages about the result name it as what it is: the input with these patches applied.
  const applied: string[] = [];
  const patched = () => `${file ?? "config"} patched with ${applied.join(", ")}`;

  for (const patch of patches) {
    if (patch.type === "json6902") {
      const text = working.form === "text" ? working.text : encodeDocuments(working.documents);
      try {
        working = { form: "text", text: applyJsonPatch(text, patch.operations) };
      } catch (err) {
        if (err instanceof MultiDocumentJsonPatchError) {
          throw new ConfigError(multiDocumentMessage(err.message, err.documentCount, patch.operations), {
            file: patch.source,
          });
        }
        if (err instanceof JsonPatchApplyError) throw new ConfigError(err.message, { file: patch.source });
        throw err;
      }
      last = "json6902";
      applied.push(patch.source);
      loadedFrom = patched();
    } else {
      const documents =
        working.form === "documents" ? working.documents : loadPlain(working.text, loadedFrom);
      try {
        working = { form: "documents", documents: applyStrategicPatch(documents, patch, shapes) };
      } catch (err) {
        if (err instanceof StrategicPatchError) {
          throw new ConfigError(err.message, {
            file: patch.source,
            ...(err.path.length > 0 ? { document: err.document, path: err.path } : {}),
          });
        }
        throw err;
      }
      last = "strategic";
      applied.push(patch.source);
    }
  }

  if (working.form === "text") {
    const text = working.text;
    const from = loadedFrom;
    return { text, last, documents: () => loadPlain(text, from) };
  }
  const documents = working.documents;
  const text = encodeDocuments(documents);
  // The patched documents are put back together as a config: duplicates and conflicting
  // documents are refused, as when Talos rebuilds its container.
  strictLoad(text, applied.length > 0 ? { file: patched() } : file !== undefined ? { file } : {});
  return { text, last, documents: () => documents.map((d) => ({ ...d })) };
}

function loadPlain(text: string, file: string | undefined): PlainDocument[] {
  const loaded = strictLoad(text, { ...(file !== undefined ? { file } : {}) });
  return loaded.documents.map(toPlain);
}

export function toPlain(doc: DocumentLike | ConfigDocument): PlainDocument {
  const legacy = doc.kind === LEGACY_KIND;
  return {
    apiVersion: legacy ? "" : doc.apiVersion,
    kind: doc.kind,
    ...(!legacy && doc.name !== undefined && doc.name !== "" ? { name: doc.name } : {}),
    data: doc.data,
  };
}

/** The patched documents as a config, for callers that want the shared document shape. */
export function asMachineConfig(documents: readonly PlainDocument[], file?: string): MachineConfigDocuments {
  return {
    ...(file !== undefined ? { file } : {}),
    documents: documents.map((d) => ({
      apiVersion: d.kind === LEGACY_KIND ? LEGACY_KIND : d.apiVersion,
      kind: d.kind,
      ...(d.name !== undefined ? { name: d.name } : {}),
      data: d.data,
      position: () => undefined,
    })),
  };
}

/** Loads a config strictly (the input of `machineconfig patch` / `diff` must load). */
export function loadConfigText(text: string, file?: string): PlainDocument[] {
  return loadPlain(text, file);
}
