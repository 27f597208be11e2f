// Field documentation and examples written as comments by `gen config --with-docs/--with-examples`.
export { childFieldDocs, documentSummary, fieldDoc } from "./lookup.js";
export type { DocTable, FieldDoc, FieldExample, KindDocs } from "./types.js";
