// Talos's file walker (siderolabs/talos: pkg/archiver/walker.go) over the node's root
// filesystem, with its exact semantics, which List and DiskUsage answer with:
// - the root is lstat'ed (a missing root fails the call); a symlink root is resolved and the
//   walk reports the target's paths;
// - entries come in Go's filepath.Walk order (a directory, then its entries in lexical order),
//   symlinks are never followed below the root;
// - the depth limit counts path separators (`/a/b` is one deeper than `/a`, and `/a` is as deep
//   as `/`, so a walk from `/` goes one level further than from `/a`); the root is always
//   entered, and a directory at the limit is reported but not entered;
// - the type filter drops entries before the depth check, so a directory of a filtered-out type
//   is still entered whatever the limit (`list -t f` lists files at every depth);
// - an entry that cannot be read is reported with its error and no relative name.
import path from "node:path";
import { type Entry, PathError, type RootFs } from "./rootfs.js";

export type WalkFileType = "file" | "dir" | "symlink";

export interface WalkerOptions {
  /** -1: no limit; otherwise directories this many separators below the root are not entered. */
  readonly maxDepth: number;
  /** Entries of these types only (all when empty). */
  readonly types?: ReadonlySet<WalkFileType>;
}

export interface WalkerItem {
  /** Absolute path inside the tree (of the resolved root when the root was a symlink). */
  readonly fullPath: string;
  /** Relative to the root (`.` for it, the base name for a file root, "" with an error). */
  readonly relPath: string;
  readonly entry?: Entry;
  readonly error?: string;
}

function separators(p: string): number {
  let n = 0;
  for (const ch of p) if (ch === "/") n++;
  return n;
}

function atMaxDepth(maxDepth: number, root: string, current: string): boolean {
  if (maxDepth < 0 || root === current) return false;
  return separators(current) - separators(root) >= maxDepth;
}

function matches(entry: Entry, types: ReadonlySet<WalkFileType>): boolean {
  if (entry.kind === "file") return types.has("file");
  if (entry.kind === "dir") return types.has("dir");
  if (entry.kind === "symlink") return types.has("symlink");
  return false;
}

/**
 * Starts a walk: checks the root at once (throws the PathError a call fails with), then yields
 * the items as the walk reaches them.
 */
export function talosWalk(fsys: RootFs, root: string, options: WalkerOptions): Iterable<WalkerItem> {
  let components = fsys.resolve(root, { follow: false, op: "lstat" });
  let rootEntry = fsys.entryAt(components, "lstat", root);
  let rootPath = root;
  if (rootEntry.kind === "symlink") {
    components = fsys.resolve(root, { follow: true, op: "lstat" });
    rootPath = `/${components.join("/")}`;
    rootEntry = fsys.entryAt(components, "lstat", rootPath);
  }
  const types = options.types ?? new Set<WalkFileType>();
  const resolvedRoot = rootPath;
  const start = { components, entry: rootEntry };

  function* visit(
    fullPath: string,
    itemComponents: readonly string[],
    entry: Entry,
  ): Generator<WalkerItem, void, undefined> {
    // filepath.Walk reads a directory's names before reporting the directory itself.
    let names: string[] | undefined;
    let readError: string | undefined;
    if (entry.kind === "dir") {
      try {
        names = fsys.children(itemComponents);
      } catch (err) {
        readError = err instanceof PathError ? err.message : String(err);
      }
    }
    const isRoot = fullPath === resolvedRoot;
    if (readError !== undefined) {
      yield { fullPath, relPath: "", error: readError };
      return;
    }
    const relPath = isRoot
      ? entry.kind === "dir"
        ? "."
        : path.posix.basename(fullPath)
      : path.posix.relative(resolvedRoot, fullPath);
    if (types.size > 0 && !matches(entry, types)) {
      // Dropped before the depth check: a directory is still entered.
    } else {
      yield { fullPath, relPath, entry: { ...entry, path: fullPath } };
      if (entry.kind === "dir" && atMaxDepth(options.maxDepth, resolvedRoot, fullPath)) return;
    }
    if (!names) return;
    for (const name of names) {
      const childComponents = [...itemComponents, name];
      const childPath = fullPath === "/" ? `/${name}` : `${fullPath}/${name}`;
      let child: Entry;
      try {
        child = fsys.entryAt(childComponents, "lstat", childPath);
      } catch (err) {
        yield { fullPath: childPath, relPath: "", error: err instanceof Error ? err.message : String(err) };
        continue;
      }
      yield* visit(childPath, childComponents, child);
    }
  }

  return {
    [Symbol.iterator]: () => visit(resolvedRoot, start.components, start.entry),
  };
}
