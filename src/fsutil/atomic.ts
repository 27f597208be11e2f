// File writes that never leave a torn file: write a temporary file beside the target, fsync it,
// rename it over the target, then fsync the directory.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { errorMessage, UserError } from "../errors.js";

export interface WriteFileOptions {
  /** File mode of the result (default 0o644). */
  mode?: number;
  /** Create missing parent directories with this mode (default: do not create). */
  mkdirMode?: number;
}

/** Atomically replaces `file` with `data`. */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: WriteFileOptions = {},
): void {
  const dir = path.dirname(file);
  if (options.mkdirMode !== undefined) fs.mkdirSync(dir, { recursive: true, mode: options.mkdirMode });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const mode = options.mode ?? 0o644;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
    fs.writeFileSync(fd, data);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
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
    throw writeError(file, err);
  }
  syncDir(dir);
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
