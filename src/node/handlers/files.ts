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
  type Entry,
  ESCAPES,
  goFileMode,
  PathError,
  type RootFs,
  type TarEntry,
  tarStream,
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

function fileInfo(item: WalkItem) {
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

function typeOf(e: Entry): ListRequest_Type | undefined {
  if (e.kind === "file") return ListRequest_Type.REGULAR;
  if (e.kind === "dir") return ListRequest_Type.DIRECTORY;
  if (e.kind === "symlink") return ListRequest_Type.SYMLINK;
  return undefined;
}

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
      const maxDepth = req.recurse ? (req.recursionDepth <= 0 ? -1 : req.recursionDepth) : 0;
      const types = new Set(req.types);
      const items = walk(m.rootfs, root, maxDepth);
      await liveStream(m, "list-stream", async () => {
        for (const item of items) {
          if (signal.aborted) return;
          if (item.entry && types.size > 0) {
            const t = typeOf(item.entry);
            if (t === undefined || !types.has(t)) continue;
          }
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
          let items: Iterator<WalkItem>;
          try {
            items = walk(m.rootfs, root, -1)[Symbol.iterator]();
          } catch (err) {
            if (err instanceof PathError && err.code === "ESCAPE") throw err;
            await send(
              create(DiskUsageInfoSchema, {
                name: root,
                relativeName: root,
                error: errorMessage(err),
              }),
            );
            continue;
          }
          await diskUsage(items, req, (info) => send(info), signal);
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

/**
 * du over a walk (which yields a directory before its contents): files are reported as they
 * come (with `all`), each directory after everything below it with its total size.
 */
async function diskUsage(
  items: Iterator<WalkItem>,
  filter: UsageFilter,
  send: (info: ReturnType<typeof create<typeof DiskUsageInfoSchema>>) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const skip = (depth: number, isDir: boolean, size: bigint): boolean =>
    (filter.recursionDepth > 0 && depth >= filter.recursionDepth) ||
    (!isDir && !filter.all) ||
    (filter.threshold > 0n && size < filter.threshold) ||
    (filter.threshold < 0n && size > -filter.threshold);
  // Directories still open, innermost last.
  const open: { item: WalkItem; size: bigint }[] = [];
  const close = async (downTo: number): Promise<void> => {
    while (open.length > 0 && open[open.length - 1]!.item.depth >= downTo) {
      const dir = open.pop()!;
      const parent = open[open.length - 1];
      if (parent) parent.size += dir.size;
      if (!skip(dir.item.depth, true, dir.size)) {
        await send(
          create(DiskUsageInfoSchema, {
            name: dir.item.fullPath,
            relativeName: dir.item.relPath,
            size: dir.size,
          }),
        );
      }
    }
  };
  for (let n = items.next(); !n.done; n = items.next()) {
    if (signal.aborted) return;
    const item = n.value;
    await close(item.depth);
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
    const size = BigInt(Math.max(0, item.entry.size));
    if (item.entry.kind === "dir") {
      open.push({ item, size });
      continue;
    }
    const parent = open[open.length - 1];
    if (parent) parent.size += size;
    if (!skip(item.depth, false, size)) {
      await send(create(DiskUsageInfoSchema, { name: item.fullPath, relativeName: item.relPath, size }));
    }
  }
  await close(0);
}
