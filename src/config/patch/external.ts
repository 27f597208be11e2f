// The two places the patch engine depends on other parts of the config code: the strict
// loader (src/config/load), which decides whether text is a strategic patch and whether a
// config loads, and the container encoder (src/config/encode), which writes the result.
import type { MachineConfigDocuments } from "../document.js";
import { encodeMachineConfig } from "../encode/index.js";
import { loadMachineConfig } from "../load/index.js";
import type { PlainDocument } from "./strategic.js";

export interface StrictLoadOptions {
  /** How messages name the source. */
  readonly file?: string;
  /** Patches may carry `$patch: delete` markers. */
  readonly allowPatchDelete?: boolean;
  /** Patches may repeat a document. */
  readonly allowDuplicates?: boolean;
}

/** Loads a config or a patch strictly (unknown keys are errors). */
export function strictLoad(text: string, options: StrictLoadOptions): MachineConfigDocuments {
  return loadMachineConfig(text, options);
}

/** Encodes documents as a config file, as Talos's encoder writes them (without comments). */
export function encodeDocuments(documents: readonly PlainDocument[]): string {
  return encodeMachineConfig(documents.map((d) => ({ kind: d.kind, data: d.data })));
}
