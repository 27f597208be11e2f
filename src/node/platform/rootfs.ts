// The node's own root filesystem: a real directory tree inside the STATE directory
// (`<state>/rootfs`), created at the first boot and completed on later ones. Every path a
// client names is resolved inside that tree as if it were `/`: `..` never climbs above it
// (a path that tries is refused), symlinks are followed component by component with absolute
// targets taken relative to the tree (a chroot's view), and a chain of more than 40 links is
// a loop. Some files are "live": their bytes come from the machine when read (/proc, the
// hostname, the machine config), so they always agree with the API.
import fs from "node:fs";
import path from "node:path";
import { errorMessage } from "../../errors.js";
import { GO_FILE_MODE } from "../../wire/index.js";

export const ROOTFS_DIR = "rootfs";
/** Links followed while resolving one path before it counts as a loop (Linux's limit). */
export const MAX_SYMLINK_HOPS = 40;

/** A failure phrased as Go's *PathError: `<op> <path>: <reason>`. */
export class PathError extends Error {
  override readonly name = "PathError";

  constructor(
    readonly op: string,
    readonly path: string,
    readonly reason: string,
    readonly code: "ENOENT" | "ENOTDIR" | "ELOOP" | "ESCAPE" | "EACCES" | "EISDIR" | "EIO",
  ) {
    super(`${op} ${path}: ${reason}`);
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "not a directory",
  ELOOP: "too many levels of symbolic links",
  EACCES: "permission denied",
  EISDIR: "is a directory",
};

export const ESCAPES = "path escapes from parent";

function hostError(op: string, p: string, err: unknown): PathError {
  const code = (err as NodeJS.ErrnoException).code ?? "EIO";
  const known = REASONS[code];
  return new PathError(op, p, known ?? errorMessage(err), (known ? code : "EIO") as PathError["code"]);
}

/** Bytes of a live file, computed when read. */
export type LiveSource = () => string | Uint8Array;

export interface LiveFile {
  readonly source: LiveSource;
  /** Files the kernel reports with size 0 although they have content (/proc). */
  readonly zeroSize?: boolean;
}

/** What `lstat` reports for an entry of the tree. */
export interface Entry {
  /** Absolute path inside the tree (`/etc/hostname`). */
  readonly path: string;
  readonly name: string;
  readonly kind: "file" | "dir" | "symlink" | "other";
  readonly size: number;
  /** Unix permission bits. */
  readonly perm: number;
  readonly mtime: Date;
  /** Symlink target as stored. */
  readonly link?: string;
  readonly live?: LiveFile;
}

/** Splits a path into components, applying `.` and `..`; undefined when `..` climbs above `/`. */
export function cleanComponents(p: string, base: readonly string[] = []): string[] | undefined {
  const out = p.startsWith("/") ? [] : [...base];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out;
}

function join(components: readonly string[]): string {
  return `/${components.join("/")}`;
}

export class RootFs {
  private readonly live = new Map<string, LiveFile>();
  /** Trees the machine keeps on disk, brought up to date before a path near them is read. */
  private readonly synced: { readonly prefix: readonly string[]; readonly sync: () => void }[] = [];

  constructor(readonly dir: string) {}

  /** Calls `sync` before any path at, under or above `prefix` is resolved or listed. */
  onAccess(prefix: string, sync: () => void): void {
    this.synced.push({ prefix: cleanComponents(prefix) ?? [], sync });
  }

  private touch(components: readonly string[]): void {
    for (const { prefix, sync } of this.synced) {
      const n = Math.min(prefix.length, components.length);
      let related = true;
      for (let i = 0; i < n && related; i++) related = prefix[i] === components[i];
      if (related) sync();
    }
  }

  /** Registers a live file (its placeholder must exist in the tree to be listed). */
  setLive(p: string, file: LiveFile): void {
    this.live.set(p, file);
  }

  liveFile(p: string): LiveFile | undefined {
    return this.live.get(p);
  }

  private host(components: readonly string[]): string {
    return path.join(this.dir, ...components);
  }

  /**
   * Resolves a client path to components inside the tree. Symlinks in the middle are always
   * followed; the last component only when `follow` is set. `op` names the failing call in
   * errors (`stat`, `lstat`, `open`).
   */
  resolve(p: string, options: { follow: boolean; op: string }): string[] {
    const start = cleanComponents(p.startsWith("/") ? p : `/${p}`);
    if (start === undefined) throw new PathError(options.op, p, ESCAPES, "ESCAPE");
    if (this.synced.length > 0) this.touch(start);
    let pending = start;
    let done: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const [head, ...rest] = pending as [string, ...string[]];
      const candidate = [...done, head];
      let st: fs.Stats;
      try {
        st = fs.lstatSync(this.host(candidate));
      } catch (err) {
        throw hostError(options.op, p, err);
      }
      const last = rest.length === 0;
      if (st.isSymbolicLink() && (!last || options.follow)) {
        if (++hops > MAX_SYMLINK_HOPS) throw new PathError(options.op, p, REASONS.ELOOP!, "ELOOP");
        const target = fs.readlinkSync(this.host(candidate));
        const next = cleanComponents(target, done);
        if (next === undefined) throw new PathError(options.op, p, ESCAPES, "ESCAPE");
        // Restart from what the link names; the rest of the path follows it.
        done = [];
        pending = [...next, ...rest];
        continue;
      }
      if (!last && !st.isDirectory()) throw new PathError(options.op, p, REASONS.ENOTDIR!, "ENOTDIR");
      done = candidate;
      pending = rest;
    }
    return done;
  }

  /** The entry at resolved components (without following a final symlink). */
  entryAt(components: readonly string[], op = "lstat", shown?: string): Entry {
    const virtual = join(components);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.host(components));
    } catch (err) {
      throw hostError(op, shown ?? virtual, err);
    }
    const live = this.live.get(virtual);
    const kind = st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
    let size = kind === "dir" ? 4096 : st.size;
    if (live && kind === "file") size = live.zeroSize ? 0 : Buffer.byteLength(contentOf(live));
    return {
      path: virtual,
      name: components[components.length - 1] ?? "/",
      kind,
      size,
      perm: st.mode & 0o7777,
      mtime: st.mtime,
      ...(kind === "symlink" ? { link: fs.readlinkSync(this.host(components)) } : {}),
      ...(live && kind === "file" ? { live } : {}),
    };
  }

  /** Lstat by client path (the final symlink is not followed). */
  lstat(p: string, op = "lstat"): Entry {
    return this.entryAt(this.resolve(p, { follow: false, op }), op, p);
  }

  /** Stat by client path (symlinks followed). */
  stat(p: string, op = "stat"): Entry {
    return this.entryAt(this.resolve(p, { follow: true, op }), op, p);
  }

  /** Directory entries in lexical order (as Go's walk visits them). */
  children(components: readonly string[]): string[] {
    if (this.synced.length > 0) this.touch(components);
    try {
      return fs.readdirSync(this.host(components)).sort();
    } catch (err) {
      throw hostError("open", join(components), err);
    }
  }

  /** Reads a regular file's bytes (live files from their source). */
  async *readChunks(entry: Entry, chunkBytes: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    if (entry.live) {
      const data = contentBytes(entry.live);
      for (let i = 0; i < data.length && !signal.aborted; i += chunkBytes) {
        yield data.subarray(i, i + chunkBytes);
      }
      return;
    }
    const handle = await fs.promises
      .open(this.host(cleanComponents(entry.path) ?? []), "r")
      .catch((err: unknown) => {
        throw hostError("open", entry.path, err);
      });
    try {
      const buffer = Buffer.allocUnsafe(chunkBytes);
      while (!signal.aborted) {
        const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
        if (bytesRead === 0) return;
        yield Buffer.from(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }
}

function contentOf(live: LiveFile): string | Uint8Array {
  return live.source();
}

export function contentBytes(live: LiveFile): Uint8Array {
  const c = contentOf(live);
  return typeof c === "string" ? Buffer.from(c, "utf8") : c;
}

/** Go's os.FileMode bits for an entry (type bits high, permissions low), as FileInfo.mode carries them. */
export function goFileMode(entry: Entry): number {
  let mode = entry.perm & 0o777;
  if (entry.perm & 0o4000) mode += GO_FILE_MODE.setuid;
  if (entry.perm & 0o2000) mode += GO_FILE_MODE.setgid;
  if (entry.perm & 0o1000) mode += GO_FILE_MODE.sticky;
  if (entry.kind === "dir") mode += GO_FILE_MODE.dir;
  else if (entry.kind === "symlink") mode += GO_FILE_MODE.symlink;
  else if (entry.kind === "other") mode += GO_FILE_MODE.irregular;
  return mode;
}

export interface WalkItem {
  /** Absolute path inside the tree. */
  readonly fullPath: string;
  /** Path relative to the walk's root (`.` for the root itself, the base name for a file root). */
  readonly relPath: string;
  readonly entry?: Entry;
  readonly error?: string;
  /** Depth below the root (the root is 0). */
  readonly depth: number;
}

/**
 * Walks the tree from `root` (client path) in lexical order, not following symlinks below
 * the root, descending into directories while `maxDepth` allows (-1 = no limit, 0 = only the
 * root's entries). The root is checked at once (a missing or refused root throws here);
 * errors of entries below it are yielded as items.
 */
export function walk(fsys: RootFs, root: string, maxDepth: number): Iterable<WalkItem> {
  // The root must exist (followed, as os.Stat does); the walk itself starts with lstat.
  fsys.stat(root, "stat");
  const rootComponents = fsys.resolve(root, { follow: false, op: "lstat" });
  const shownRoot = join(cleanComponents(root.startsWith("/") ? root : `/${root}`) ?? []);
  // Like Go's walk, a symlink as the root is reported as the link itself, not walked through.
  const rootEntry = fsys.entryAt(rootComponents, "lstat", shownRoot);
  return (function* () {
    const rel = rootEntry.kind === "dir" ? "." : path.posix.basename(shownRoot);
    yield { fullPath: shownRoot, relPath: rel, entry: { ...rootEntry, path: shownRoot }, depth: 0 };
    if (rootEntry.kind === "dir") yield* walkDir(fsys, rootComponents, shownRoot, "", 1, maxDepth);
  })();
}

function* walkDir(
  fsys: RootFs,
  components: readonly string[],
  shown: string,
  rel: string,
  depth: number,
  maxDepth: number,
): Generator<WalkItem> {
  let names: string[];
  try {
    names = fsys.children(components);
  } catch (err) {
    yield { fullPath: shown, relPath: rel || ".", depth: depth - 1, error: (err as Error).message };
    return;
  }
  for (const name of names) {
    const childComponents = [...components, name];
    const fullPath = shown === "/" ? `/${name}` : `${shown}/${name}`;
    const relPath = rel ? `${rel}/${name}` : name;
    let entry: Entry;
    try {
      entry = fsys.entryAt(childComponents, "lstat", fullPath);
    } catch (err) {
      yield { fullPath, relPath, depth, error: (err as Error).message };
      continue;
    }
    yield { fullPath, relPath, entry: { ...entry, path: fullPath }, depth };
    if (entry.kind === "dir" && (maxDepth < 0 || depth < maxDepth)) {
      yield* walkDir(fsys, childComponents, fullPath, relPath, depth + 1, maxDepth);
    }
  }
}
