// Machine-config patching: loading `-p` values (strategic merge or RFC 6902), applying them in
// order, and Talos's strategic merge rules on plain document data.
export {
  type ApplyOptions,
  applyPatches,
  asMachineConfig,
  type DocumentLike,
  loadConfigText,
  type PatchInput,
  type PatchOutput,
} from "./apply.js";
export { strategicEquivalent } from "./hint.js";
export { jsonToYaml } from "./json-yaml.js";
export { MULTI_DOCUMENT_MESSAGE } from "./json6902.js";
export { type LoadPatchesOptions, loadPatches, PatchLoadError, parsePatch, patchSource } from "./load.js";
export { mergeDocumentData } from "./merge.js";
export { type FieldFacts, type ShapeSource, schemaShapes, UNKNOWN_FIELD } from "./shape.js";
export { applyStrategicPatch, identityOf, type PlainDocument } from "./strategic.js";
export type {
  DeleteSelector,
  JsonPatch,
  Patch,
  PatchDocument,
  StrategicEntry,
  StrategicPatch,
} from "./types.js";
