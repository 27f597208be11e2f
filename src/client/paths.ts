// Paths on a node, for completion of `ls`, `read`, `copy` and `usage`: the entries of the
// directory being typed, directories ending in `/`.
import type { TalosClient } from "./client.js";

/** More entries than this and completion offers nothing (as talosctl). */
export const PATH_COMPLETION_LIMIT = 500;

export async function completeNodePath(
  client: TalosClient,
  node: string,
  toComplete: string,
): Promise<string[]> {
  const slash = toComplete.lastIndexOf("/");
  const dir = slash >= 0 ? toComplete.slice(0, slash + 1) : "/";
  const prefix = slash >= 0 ? dir : "/";
  const out: string[] = [];
  for await (const info of client
    .forNode(node)
    .machine.list({ root: dir, recurse: false, recursionDepth: 1 })) {
    if (info.error !== "" || info.relativeName === "." || info.relativeName === "") continue;
    out.push(`${prefix}${info.relativeName}${info.isDir ? "/" : ""}`);
    if (out.length > PATH_COMPLETION_LIMIT) return [];
  }
  return out.sort();
}
