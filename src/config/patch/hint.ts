// What to tell a user whose JSON patch meets a multi-document config: which document the
// pointers would have to target, and the strategic merge patch that does the same.
import type { Operation } from "fast-json-patch";
import { encodeYaml } from "../../yaml/index.js";
import { isPlainObject } from "./values.js";

/** Top-level keys of the legacy v1alpha1 document. */
const LEGACY_ROOT_KEYS = new Set(["version", "debug", "persist", "machine", "cluster"]);

export interface StrategicHint {
  /** The strategic merge patch (YAML), or undefined when no operation translates. */
  readonly patch?: string;
  /** Operations that have no strategic equivalent, with why. */
  readonly untranslatable: readonly string[];
}

function tokensOf(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Builds the strategic merge patch equivalent to `operations` on the v1alpha1 document. */
export function strategicEquivalent(operations: readonly Operation[]): StrategicHint {
  const tree: Record<string, unknown> = {};
  const untranslatable: string[] = [];
  operations.forEach((op, i) => {
    const where = `operation #${i + 1} (${op.op} ${op.path})`;
    const tokens = tokensOf(op.path);
    if (tokens.length === 0 || !LEGACY_ROOT_KEYS.has(tokens[0]!)) {
      untranslatable.push(`${where}: no field of the v1alpha1 document`);
      return;
    }
    const listIndex = tokens.findIndex((t) => /^-?\d+$/.test(t));
    switch (op.op) {
      case "add":
      case "replace": {
        const last = tokens[tokens.length - 1]!;
        if (listIndex >= 0 || (last === "-" && op.op !== "add")) {
          untranslatable.push(`${where}: a strategic merge cannot address a list item by position`);
          return;
        }
        if (last === "-") {
          // Appending to a list is what a strategic merge does with a list.
          if (!setAt(tree, tokens.slice(0, -1), [op.value]))
            untranslatable.push(`${where}: conflicts with another operation`);
          return;
        }
        if (op.op === "replace" && Array.isArray(op.value)) {
          untranslatable.push(
            `${where}: a strategic merge appends to lists; delete the list first ($patch: delete) in a separate document`,
          );
          return;
        }
        if (!setAt(tree, tokens, op.value)) untranslatable.push(`${where}: conflicts with another operation`);
        return;
      }
      case "remove":
        if (listIndex >= 0) {
          untranslatable.push(
            `${where}: remove list items with a list-item delete (the item's key and $patch: delete)`,
          );
          return;
        }
        if (!setAt(tree, tokens, { $patch: "delete" }))
          untranslatable.push(`${where}: conflicts with another operation`);
        return;
      default:
        untranslatable.push(`${where}: ${op.op} has no strategic merge equivalent`);
    }
  });
  if (Object.keys(tree).length === 0) return { untranslatable };
  // Written as Talos writes configs, so the hint reads like the config it patches.
  const patch = encodeYaml(tree);
  return { patch, untranslatable };
}

function setAt(tree: Record<string, unknown>, tokens: readonly string[], value: unknown): boolean {
  let node = tree;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    const next = node[t];
    if (next === undefined) node[t] = {};
    else if (!isPlainObject(next) || Object.hasOwn(next, "$patch")) return false;
    node = node[t] as Record<string, unknown>;
  }
  const last = tokens[tokens.length - 1]!;
  if (node[last] !== undefined) return false;
  node[last] = value;
  return true;
}

/** The full message for a JSON patch applied to a multi-document config. */
export function multiDocumentMessage(
  base: string,
  documentCount: number,
  operations: readonly Operation[],
): string {
  const targets = [...new Set(operations.map((op) => tokensOf(op.path)[0] ?? ""))].filter((t) => t !== "");
  const legacy = targets.filter((t) => LEGACY_ROOT_KEYS.has(t));
  const lines = [`${base} (the config has ${documentCount} documents)`];
  if (legacy.length > 0) {
    lines.push(
      `the patch's paths (${legacy.map((t) => `/${t}/...`).join(", ")}) address the v1alpha1 document (the one with machine:/cluster:); write them as a strategic merge patch instead:`,
    );
  } else if (targets.length > 0) {
    lines.push(
      `the patch's paths (${targets.map((t) => `/${t}`).join(", ")}) do not address a field of the v1alpha1 document, the only document a JSON patch could target; write a strategic merge patch naming the document (apiVersion, kind and name) instead`,
    );
  }
  const hint = strategicEquivalent(operations);
  if (hint.patch !== undefined) {
    lines.push(
      ...hint.patch
        .trimEnd()
        .split("\n")
        .map((l) => `    ${l}`),
    );
  }
  for (const u of hint.untranslatable) lines.push(`note: ${u}`);
  return lines.join("\n");
}
