// The shape of one generated catalogue row (kept compact: the table is part of every bundle).

/**
 * `[type, defaultNamespace, declaredAliases, sensitive (1/0), spec, printColumns ([name, jsonPath]),
 * displayType, rdAliases, rdAllAliases, skipAutomaticAliases (1/0)]`. `spec` is the protobuf
 * message of proto_spec, `(empty)` for an empty spec struct, or `(handle)` for a resource whose
 * proto_spec is empty and whose yaml_spec alone carries the spec.
 */
export type CatalogueRow = readonly [
  type: string,
  namespace: string,
  aliases: readonly string[],
  sensitive: 0 | 1,
  spec: string,
  columns: readonly (readonly [name: string, jsonPath: string])[],
  display: string,
  rdAliases: readonly string[],
  rdAllAliases: readonly string[],
  skipAutomaticAliases: 0 | 1,
];
