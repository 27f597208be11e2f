// The one YAML writer: output byte-compatible with go-yaml, for everything a user reads.

// The block emitter itself, for writers that add comments (the machine config encoder).
export { type EmitNode, emitDocument, isPlainObject, type MapEntry, toEmitNode } from "./emitter.js";
export { type EncodeYamlOptions, encodeYaml } from "./encode.js";
export { compareGoKeys, type YamlDialect } from "./keys.js";
