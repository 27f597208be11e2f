// Merging one talosconfig into another, as `talosctl config merge` does: incoming contexts
// whose names are taken get the first free `<name>-<n>`, and the incoming current context
// becomes current.
import { type ClientConfig, cloneContext, compareNames, hasContext } from "./model.js";

export interface ContextRename {
  from: string;
  to: string;
}

/** Adds `from`'s contexts to `into` (which is changed) and returns the renames made. */
export function mergeClientConfig(into: ClientConfig, from: ClientConfig): ContextRename[] {
  const renames: ContextRename[] = [];
  const mapped = new Map<string, string>();
  // A fixed order, so the same inputs always give the same names.
  for (const name of Object.keys(from.contexts).sort(compareNames)) {
    let target = name;
    for (let i = 1; hasContext(into, target); i++) target = `${name}-${i}`;
    if (target !== name) renames.push({ from: name, to: target });
    mapped.set(name, target);
    into.contexts[target] = cloneContext(from.contexts[name]!);
  }
  // An incoming current context that names none of its own contexts cannot be followed; the
  // current context is then kept rather than left pointing nowhere.
  const current = mapped.get(from.context);
  if (current !== undefined) into.context = current;
  return renames;
}

/** `"a" -> "a-1"`, as talosctl prints a rename. */
export function formatRename(rename: ContextRename): string {
  return `${JSON.stringify(rename.from)} -> ${JSON.stringify(rename.to)}`;
}
