// The typed model of machine-config documents: which kinds exist per version contract, each
// kind's field tree, and the merge facts the schemas cannot express.
export {
  documentKinds,
  documentSchema,
  isNamedKind,
  LATEST_SCHEMA_VERSION,
  nodeAt,
  parseContract,
  SCHEMA_VERSIONS,
  schemaVersionFor,
} from "./model.js";
export { ADDRESS_PATTERNS, fieldInfo, MERGE_RULES, POINTER_FIELDS } from "./rules.js";
export type {
  AtomicRule,
  EnumValue,
  FieldInfo,
  FieldType,
  KeyedList,
  KindSchema,
  MergeRule,
  SchemaContract,
  SchemaNode,
  SchemaVersion,
} from "./types.js";
