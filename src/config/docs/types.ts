// The shape of the field documentation that `gen config --with-docs/--with-examples` writes as
// YAML comments.

/** One sample value for a field, shown commented out. */
export interface FieldExample {
  /** A short caption shown above the sample. */
  readonly title?: string;
  /** The field's value in the sample. */
  readonly value: unknown;
}

export interface FieldDoc {
  /** One line saying what the field is for. */
  readonly summary: string;
  /** Samples shown when the field is left empty or out. */
  readonly examples?: readonly FieldExample[];
}

/**
 * Field documentation of one document kind, keyed by path pattern: struct fields joined by
 * ".", `[]` after a list field for its items, `*` for any key of a map
 * (`cluster.apiServer.admissionControl[].name`, `machine.registries.mirrors.*.endpoints`).
 */
export type DocTable = Readonly<Record<string, FieldDoc>>;

export interface KindDocs {
  /** What the document is for; written above a multi-document kind's first line. */
  readonly summary?: string;
  readonly fields: DocTable;
}
