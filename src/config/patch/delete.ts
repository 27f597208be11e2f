// Applies one `$patch: delete` selector to a document's plain data (siderolabs/talos:
// pkg/machinery/config/configloader/internal/decoder/delete.go), with Talos's messages: a struct
// field is zeroed (no error when already empty), a map key must exist, a list item is found by its
// first written key.

import { TalosError } from "../../errors.js";
import type { ConfigPath } from "../document.js";
import type { ShapeSource } from "./shape.js";
import type { DeleteSelector } from "./types.js";
import { isPlainObject } from "./values.js";

export class DeleteError extends TalosError {
  override readonly name = "DeleteError";

  constructor(message: string) {
    super("invalid", message);
  }
}

const LOOKUP_FAILED = "lookup failed";

/** The selector's path does not lead anywhere in the document. */
class Lookup extends TalosError {
  constructor(message: string) {
    super("not-found", message);
  }
}

/**
 * Removes what the selector names from `data` (mutated in place). The selector's path is
 * non-empty; whole-document deletes are the caller's business.
 */
export function applyDelete(
  data: Record<string, unknown>,
  selector: DeleteSelector,
  kind: string,
  shapes: ShapeSource,
): void {
  try {
    deleteAt(data, selector, kind, shapes);
  } catch (err) {
    if (!(err instanceof Lookup)) throw err;
    const p = selector.path.join(".");
    const detail = `failed to delete path '${p}': ${err.message}`;
    if (selector.name !== undefined && selector.name !== "") {
      throw new DeleteError(
        `named patch delete: document ${selector.apiVersion}/${selector.kind}: ${detail}`,
      );
    }
    throw new DeleteError(
      `patch delete: path '${p}' in document '${selector.apiVersion}/${selector.kind}': ${detail}`,
    );
  }
}

function deleteAt(
  data: Record<string, unknown>,
  selector: DeleteSelector,
  kind: string,
  shapes: ShapeSource,
): void {
  const path = selector.path;
  let current: unknown = data;
  const typed: (string | number)[] = [];
  // What holds the next segment: the document root is a struct when the schema knows the kind.
  let containerType: string = shapes.field(kind, []).type === "object" ? "object" : "unknown";
  let insideFreeForm = false;

  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;

    if (segment.startsWith("[")) {
      if (!last) throw new Lookup("searching for complex paths in slices is not supported");
      if (!Array.isArray(current)) throw new Lookup(LOOKUP_FAILED);
      removeListItem(current, selector, insideFreeForm, shapes, kind, typed);
      return;
    }

    if (!isPlainObject(current)) throw new Lookup(LOOKUP_FAILED);
    const facts = shapes.field(kind, [...typed, segment]);
    const isMapLike = containerType === "map" || containerType === "unstructured" || insideFreeForm;

    if (last) {
      if (!Object.hasOwn(current, segment)) {
        // A missing map key is an error; a struct field that is already empty is not, unless
        // the struct has no field of that name at all.
        if (isMapLike) throw new Lookup(LOOKUP_FAILED);
        if (facts.type === "unknown" && containerType === "object") throw new Lookup(LOOKUP_FAILED);
      }
      delete current[segment];
      return;
    }

    const next = current[segment];
    if (next === undefined || next === null) {
      // A non-pointer struct is there even when not written; deleting inside it is a no-op.
      if (!isMapLike && facts.type === "object" && !facts.pointer && restIsStructFields(path, i + 1)) return;
      throw new Lookup(LOOKUP_FAILED);
    }
    if (facts.type === "unstructured" || facts.type === "any") insideFreeForm = true;
    containerType = facts.type;
    typed.push(segment);
    current = next;
  }
}

function restIsStructFields(path: readonly string[], from: number): boolean {
  return path.slice(from).every((p) => !p.startsWith("["));
}

/** Removes the first struct item whose field `key` prints as `value`. */
function removeListItem(
  list: unknown[],
  selector: DeleteSelector,
  insideFreeForm: boolean,
  shapes: ShapeSource,
  kind: string,
  listPath: ConfigPath,
): void {
  const key = selector.key;
  if (key === undefined) throw new Lookup("searching for non-integer keys in slices is not supported");
  // Items of free-form objects and of typed maps are maps, which Talos skips.
  if (insideFreeForm) throw new Lookup(LOOKUP_FAILED);
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isPlainObject(item)) continue;
    const itemType = shapes.field(kind, [...listPath, i]).type;
    if (itemType === "map" || itemType === "unstructured") continue;
    if (!Object.hasOwn(item, key)) continue;
    if (printed(item[key]) !== selector.value) continue;
    list.splice(i, 1);
    return;
  }
  throw new Lookup(LOOKUP_FAILED);
}

function printed(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}
