// File writes that never leave a torn file: write a temporary file beside the target, fsync it,
// rename it over the target, then fsync the directory. Only a regular file (or a new path) is
// replaced so; a device, a FIFO or a terminal is written through as talosctl's os.WriteFile
// writes it (a rename would put a regular file in its place: /dev/null replaced by a file), and a
// symlink is followed to the file it names, which is written instead of the link.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { errorMessage, UserError } from "../errors.js";

export interface WriteFileOptions {
  /** File mode of the result (default 0o644); a file written through keeps its own. */
  mode?: number;
  /** Create missing parent directories with this mode (default: do not create). */
  mkdirMode?: number;
}

/**
 * Whether replaced files are synced to disk before and after the rename. A process that
 * emulates many machines turns it off: its files stand for the machines' disks, a rename keeps
 * them whole on a crash, and one sync stalls every machine the process serves.
 */
let durable = true;

/** Turns syncing of atomic writes on or off for this process (see `durable`). */
export function setDurableWrites(on: boolean): void {
  durable = on;
}

/** Symlinks followed at most (the kernel's own limit is 40). */
const MAX_SYMLINKS = 40;

/**
 * Where a write to `file` lands: the path with every symlink followed (the last one may name a
 * file that does not exist yet), and what is there now.
 */
export function writeTarget(file: string): { path: string; existing?: fs.Stats } {
  let current = path.resolve(file);
  for (let hops = 0; hops <= MAX_SYMLINKS; hops++) {
    let info: fs.Stats;
    try {
      info = fs.lstatSync(current);
    } catch (err) {
      // Missing, or under something that is not a directory: the write itself says which.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return { path: current };
      throw err;
    }
    if (!info.isSymbolicLink()) return { path: current, existing: info };
    // /proc's links (/dev/stdout is /proc/self/fd/1) stand for open files, pipes and terminals
    // rather than paths: writing through the link reaches what they stand for.
    if (current.startsWith("/proc/")) return { path: current, existing: fs.statSync(current) };
    current = path.resolve(path.dirname(current), fs.readlinkSync(current));
  }
  throw Object.assign(new Error("too many levels of symbolic links"), { code: "ELOOP" });
}

/**
 * Writes `data` to `file`: atomically for a regular file or a new path (at the end of any
 * symlinks), through the file for anything else that exists (device, FIFO, terminal).
 */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: WriteFileOptions = {},
): void {
  let target: ReturnType<typeof writeTarget>;
  try {
    target = writeTarget(file);
  } catch (err) {
    throw writeError(file, err);
  }
  const existing = target.existing;
  if (existing?.isDirectory())
    throw writeError(file, Object.assign(new Error("is a directory"), { code: "EISDIR" }));
  // What is not a regular file, and whatever stands behind a /proc link, is written through.
  if (existing !== undefined && (!existing.isFile() || target.path.startsWith("/proc/"))) {
    writeThrough(file, target.path, data);
    return;
  }
  replaceFile(file, target.path, data, options);
}

/** Opens what is there and writes into it, as os.WriteFile does (no rename, no mode change). */
function writeThrough(shown: string, file: string, data: string | Uint8Array): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_TRUNC);
    fs.writeFileSync(fd, data);
  } catch (err) {
    throw writeError(shown, err);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function replaceFile(
  shown: string,
  file: string,
  data: string | Uint8Array,
  options: WriteFileOptions,
): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const mode = options.mode ?? 0o644;
  let fd: number | undefined;
  try {
    if (options.mkdirMode !== undefined) fs.mkdirSync(dir, { recursive: true, mode: options.mkdirMode });
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
    fs.writeFileSync(fd, data);
    fs.fchmodSync(fd, mode);
    if (durable) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was created (e.g. the parent is not a directory)
    }
    throw writeError(shown, err);
  }
  if (durable) syncDir(dir);
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Not every filesystem lets a directory be synced; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Turns a filesystem error into a one-line user error that names the file. */
export function writeError(file: string, err: unknown): UserError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === "EACCES" || e.code === "EPERM"
      ? "permission denied"
      : e.code === "ENOENT"
        ? "no such directory"
        : e.code === "ENOTDIR"
          ? "a parent is not a directory"
          : e.code === "EISDIR"
            ? "is a directory"
            : e.code === "EROFS"
              ? "read-only file system"
              : e.code === "ENOSPC"
                ? "no space left on device"
                : errorMessage(err);
  return new UserError(`failed to write ${file}: ${why}`, { cause: err });
}

export function readError(file: string, err: unknown): UserError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === "ENOENT"
      ? "no such file or directory"
      : e.code === "EACCES" || e.code === "EPERM"
        ? "permission denied"
        : e.code === "EISDIR"
          ? "is a directory"
          : errorMessage(err);
  return new UserError(`failed to read ${file}: ${why}`, { cause: err });
}

export interface WriteOutputOptions extends WriteFileOptions {
  /** Overwrite an existing file. */
  force?: boolean;
}

/**
 * Writes an output file of a `gen` command: refuses to replace an existing file unless
 * forced (talosctl's message), writes atomically.
 */
export function writeOutputFile(
  file: string,
  data: string | Uint8Array,
  options: WriteOutputOptions = {},
): void {
  if (!options.force && fs.existsSync(file)) {
    throw new UserError(`file "${file}" already exists, use --force to overwrite`);
  }
  writeFileAtomic(file, data, options);
}

/** Reads a file as text with a one-line error naming it. */
export function readTextFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw readError(file, err);
  }
}
