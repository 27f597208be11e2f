// What the merge needs to know about a field, looked up once per value: the schema model's
// fieldInfo plus the patch engine's own table (rules.ts).
import type { ConfigPath } from "../document.js";
import type { AtomicRule, FieldType, KeyedList } from "../schema/index.js";
import { fieldInfo } from "../schema/index.js";
import { isUrlField } from "./rules.js";

export interface FieldFacts {
  /** "unknown" when neither the schema nor our table describes the field. */
  readonly type: FieldType | "unknown";
  readonly pointer: boolean;
  readonly mergeReplace: boolean;
  readonly keyedBy?: KeyedList;
  readonly atomic?: AtomicRule;
  readonly args: boolean;
  readonly url: boolean;
}

/** Where field facts come from; tests may give a table of their own. */
export interface ShapeSource {
  field(kind: string, path: ConfigPath): FieldFacts;
}

export const UNKNOWN_FIELD: FieldFacts = {
  type: "unknown",
  pointer: false,
  mergeReplace: false,
  args: false,
  url: false,
};

/** The facts of the schema model (src/config/schema), completed by rules.ts. */
export const schemaShapes: ShapeSource = {
  field(kind, path) {
    let info: ReturnType<typeof fieldInfo>;
    try {
      info = fieldInfo(kind, path);
    } catch {
      info = undefined;
    }
    const url = isUrlField(kind, path);
    if (info === undefined) return url ? { ...UNKNOWN_FIELD, type: "string", url } : UNKNOWN_FIELD;
    return {
      type: info.type,
      pointer: info.pointer,
      mergeReplace: info.mergeReplace,
      ...(info.keyedBy !== undefined ? { keyedBy: info.keyedBy } : {}),
      ...(info.atomic !== undefined ? { atomic: info.atomic } : {}),
      args: info.args === true,
      url,
    };
  },
};
