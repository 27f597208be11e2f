// Files of the node's root filesystem: List (a walk with depth and type filters), Read (one
// regular file), Copy (a .tar.gz of a path) and DiskUsage (du-style sizes). A path that climbs
// above `/` (directly or through a symlink) is refused before anything is streamed; other
// failures follow Talos (an error status, a FileInfo/DiskUsageInfo carrying the error, or for
// Copy a last message whose metadata carries it).
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { create } from "@bufbuild/protobuf";
import { errorMessage } from "../../errors.js";
import { DataSchema, MetadataSchema } from "../../gen/common/common_pb.js";
import {
  DiskUsageInfoSchema,
  FileInfoSchema,
  ListRequest_Type,
  MachineService,
} from "../../gen/machine/machine_pb.js";
import {
  cleanComponents,
  contentBytes,
  ESCAPES,
  goFileMode,
  PathError,
  type RootFs,
  type TarEntry,
  talosWalk,
  tarStream,
  type WalkerItem,
  type WalkFileType,
  type WalkItem,
  walk,
} from "../platform/index.js";
import {
  callSignal,
  DATA_CHUNK_BYTES,
  type HandlerEntry,
  liveStream,
  type NodeRuntime,
  serverStream,
} from "./define.js";

/** Bytes Talos reads to size a file whose stat says 0 (like /proc files) before archiving it. */
const ZERO_SIZE_PROBE = 4096;

/** `/` prefixed and without one trailing slash, as Talos normalises List and DiskUsage roots. */
export function normaliseRoot(p: string): string {
  let root = p.startsWith("/") ? p : `/${p}`;
  if (root.endsWith("/")) root = root.slice(0, -1);
  return root === "" ? "/" : root;
}

/** Refuses a path whose `..` components climb above the root. */
function refuseEscape(op: string, p: string): void {
  if (cleanComponents(p.startsWith("/") ? p : `/${p}`) === undefined)
    throw new PathError(op, p, ESCAPES, "ESCAPE");
}

/** Go's filepath.Clean for the absolute-path check of Copy. */
function goClean(p: string): string {
  if (p === "") return ".";
  const abs = p.startsWith("/");
  const parts: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (part === ".." && abs) continue;
    else parts.push(part);
  }
  const joined = parts.join("/");
  return abs ? `/${joined}` : joined || ".";
}

/** go-multierror's list format. */
export function multiError(errors: readonly string[]): string {
  const head = errors.length === 1 ? "1 error occurred:" : `${errors.length} errors occurred:`;
  return `${head}\n${errors.map((e) => `\t* ${e}`).join("\n")}\n\n`;
}

function fileInfo(item: WalkItem | WalkerItem) {
  if (item.error !== undefined || !item.entry) {
    return create(FileInfoSchema, {
      name: item.fullPath,
      relativeName: item.relPath,
      error: item.error ?? "",
    });
  }
  const e = item.entry;
  return create(FileInfoSchema, {
    name: item.fullPath,
    relativeName: item.relPath,
    size: BigInt(e.size),
    mode: goFileMode(e),
    modified: BigInt(Math.floor(e.mtime.getTime() / 1000)),
    isDir: e.kind === "dir",
    link: e.link ?? "",
    uid: 0,
    gid: 0,
  });
}

const WALK_TYPES: ReadonlyMap<ListRequest_Type, WalkFileType> = new Map([
  [ListRequest_Type.REGULAR, "file"],
  [ListRequest_Type.DIRECTORY, "dir"],
  [ListRequest_Type.SYMLINK, "symlink"],
]);

/** The archive entries of a walk, skipping (and noting) what cannot be archived. */
async function* tarEntries(
  fsys: RootFs,
  items: Iterable<WalkItem>,
  errors: string[],
  signal: AbortSignal,
): AsyncGenerator<TarEntry> {
  for (const item of items) {
    if (signal.aborted) return;
    if (item.error !== undefined || !item.entry) {
      errors.push(`skipping "${item.fullPath}": ${item.error ?? "unknown error"}`);
      continue;
    }
    const e = item.entry;
    if (e.kind === "other") {
      errors.push(`skipping "${item.fullPath}": archive/tar: unsupported file mode`);
      continue;
    }
    const base = { perm: e.perm, mtime: e.mtime };
    if (e.kind === "dir") {
      yield { ...base, name: `${item.relPath}/`, kind: "dir", size: 0 };
    } else if (e.kind === "symlink") {
      yield { ...base, name: item.relPath, kind: "symlink", size: 0, link: e.link ?? "" };
    } else if (e.live && e.size === 0) {
      // Like Talos: a file reporting size 0 is probed; small content is archived, larger is left empty.
      const bytes = contentBytes(e.live);
      const fits = bytes.length < ZERO_SIZE_PROBE;
      yield {
        ...base,
        name: item.relPath,
        kind: "file",
        size: fits ? bytes.length : 0,
        data: async function* () {
          if (fits) yield bytes;
        },
      };
    } else {
      yield {
        ...base,
        name: item.relPath,
        kind: "file",
        size: e.size,
        data: () => fsys.readChunks(e, 64 * 1024, signal),
      };
    }
  }
}

export function fileHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    serverStream(MachineService.method.list, async (req, caller, send) => {
      const m = rt.machine;
      const signal = callSignal(caller, m);
      refuseEscape("lstat", req.root);
      const root = normaliseRoot(req.root);
      // As Talos: without `recurse` only the root's entries; a depth of 0 with it means no limit.
      const maxDepth = req.recurse ? (req.recursionDepth === 0 ? -1 : req.recursionDepth) : 0;
      const types = new Set<WalkFileType>();
      for (const t of req.types) {
        const w = WALK_TYPES.get(t);
        if (w) types.add(w);
      }
      const items = talosWalk(m.rootfs, root, { maxDepth, types });
      await liveStream(m, "list-stream", async () => {
        for (const item of items) {
          if (signal.aborted) return;
          await send(fileInfo(item));
        }
      });
    }),

    serverStream(MachineService.method.read, async (req, caller, send) => {
      const m = rt.machine;
      const signal = callSignal(caller, m);
      if (req.path === "") throw new PathError("stat", "", "no such file or directory", "ENOENT");
      refuseEscape("stat", req.path);
      const entry = m.rootfs.stat(req.path, "stat");
      if (entry.kind !== "file") throw new Error("path must be a regular file");
      await liveStream(m, "read-stream", async () => {
        for await (const bytes of m.rootfs.readChunks(entry, DATA_CHUNK_BYTES, signal)) {
          await send(create(DataSchema, { bytes }));
        }
      });
    }),

    serverStream(MachineService.method.copy, async (req, caller, send) => {
      const m = rt.machine;
      const signal = callSignal(caller, m);
      refuseEscape("lstat", req.rootPath);
      const path = goClean(req.rootPath);
      if (!path.startsWith("/")) throw new Error(`path is not absolute ${path}`);
      const errors: string[] = [];
      let items: Iterable<WalkItem>;
      try {
        items = walk(m.rootfs, path, -1);
      } catch (err) {
        if (err instanceof PathError && err.code !== "ESCAPE" && err.code !== "ELOOP") {
          await send(create(DataSchema, { metadata: create(MetadataSchema, { error: err.message }) }));
          return;
        }
        throw err;
      }
      const gzip = createGzip();
      const source = Readable.from(tarStream(tarEntries(m.rootfs, items, errors, signal)));
      source.on("error", (err) => gzip.destroy(err));
      source.pipe(gzip);
      await liveStream(m, "copy-stream", async () => {
        try {
          let pending: Buffer = Buffer.alloc(0);
          for await (const chunk of gzip as AsyncIterable<Buffer>) {
            pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
            while (pending.length >= DATA_CHUNK_BYTES) {
              await send(create(DataSchema, { bytes: pending.subarray(0, DATA_CHUNK_BYTES) }));
              pending = pending.subarray(DATA_CHUNK_BYTES);
            }
          }
          if (pending.length > 0) await send(create(DataSchema, { bytes: pending }));
        } finally {
          source.destroy();
          gzip.destroy();
        }
        if (errors.length > 0) {
          await send(create(DataSchema, { metadata: create(MetadataSchema, { error: multiError(errors) }) }));
        }
      });
    }),

    serverStream(MachineService.method.diskUsage, async (req, caller, send) => {
      const m = rt.machine;
      const signal = callSignal(caller, m);
      for (const p of req.paths) refuseEscape("lstat", p);
      await liveStream(m, "usage-stream", async () => {
        for (const raw of req.paths) {
          if (signal.aborted) return;
          const root = normaliseRoot(raw);
          let items: Iterable<WalkerItem>;
          try {
            items = talosWalk(m.rootfs, root, { maxDepth: -1 });
          } catch (err) {
            if (err instanceof PathError && err.code === "ESCAPE") throw err;
            await send(
              create(DiskUsageInfoSchema, { name: root, relativeName: root, error: errorMessage(err) }),
            );
            continue;
          }
          await diskUsage(root, items, req, (info) => send(info), signal);
        }
      });
    }),
  ];
}

interface UsageFilter {
  readonly recursionDepth: number;
  readonly all: boolean;
  readonly threshold: bigint;
}

interface UsageEntry {
  readonly name: string;
  readonly relativeName: string;
  size: bigint;
}

/** Go's filepath.Dir of an absolute path. */
function goDir(p: string): string {
  const i = p.lastIndexOf("/");
  if (i < 0) return ".";
  const d = p.slice(0, i);
  return d === "" ? "/" : d.replace(/\/+$/, "") || "/";
}

const trimSlashes = (p: string): string => p.replace(/\/+$/, "");

function separators(p: string): number {
  let n = 0;
  for (const ch of p) if (ch === "/") n++;
  return n;
}

/**
 * du as Talos computes it (siderolabs/talos: internal/app/machined/internal/server/v1alpha1,
 * DiskUsage): files are sent as the walk reaches them (with `all`), each directory once the walk
 * has left it, with the sizes of everything below it added, and the root last. Depths count
 * separators below the requested path, so from `/` the top-level directories are at depth 0;
 * the client asks for its --depth plus one. A directory the walk leaves for a sibling at the
 * same depth without a file between is never reported, as on Talos.
 */
async function diskUsage(
  path: string,
  items: Iterable<WalkerItem>,
  filter: UsageFilter,
  send: (info: ReturnType<typeof create<typeof DiskUsageInfoSchema>>) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const folders = new Map<string, UsageEntry>();
  const sendSize = async (info: UsageEntry, depth: number, isDir: boolean): Promise<void> => {
    const parent = folders.get(trimSlashes(goDir(info.name)));
    if (parent) parent.size += info.size;
    const skip =
      (depth >= filter.recursionDepth && filter.recursionDepth > 0) ||
      (!isDir && !filter.all) ||
      (filter.threshold > 0n && info.size < filter.threshold) ||
      (filter.threshold < 0n && info.size > -filter.threshold);
    if (skip) return;
    await send(
      create(DiskUsageInfoSchema, { name: info.name, relativeName: info.relativeName, size: info.size }),
    );
  };
  const rootDepth = separators(path);
  let depth = 0;
  let prefix = path;
  // Sends the directories being left, up to the one the next entry is in.
  const flushFolders = async (from: string, next: string): Promise<void> => {
    let p = from;
    while (!next.startsWith(p)) {
      const folder = folders.get(p);
      if (folder) {
        await sendSize(folder, separators(p) - rootDepth, true);
        folders.delete(p);
      }
      p = trimSlashes(goDir(p));
    }
  };
  for (const item of items) {
    if (signal.aborted) return;
    if (item.error !== undefined || !item.entry) {
      await send(
        create(DiskUsageInfoSchema, {
          name: item.fullPath,
          relativeName: item.relPath,
          error: item.error ?? "",
        }),
      );
      continue;
    }
    const currentDepth = separators(item.fullPath) - rootDepth;
    // The kernel's /proc/kcore reports the address space, not bytes on a disk.
    const size = item.fullPath === "/proc/kcore" ? 0n : BigInt(Math.max(0, item.entry.size));
    const isDir = item.entry.kind === "dir";
    const entry: UsageEntry = { name: item.fullPath, relativeName: item.relPath, size };
    if (isDir) folders.set(trimSlashes(item.fullPath), entry);
    else await sendSize(entry, currentDepth, false);
    if (currentDepth < depth) {
      await flushFolders(prefix, item.fullPath);
      prefix = item.fullPath;
    }
    if (isDir) prefix = item.fullPath;
    depth = currentDepth;
  }
  if (path !== "") {
    const p = trimSlashes(path);
    const root = folders.get(p);
    if (root) {
      await flushFolders(prefix, p);
      await sendSize(root, 0, true);
    }
  }
}
