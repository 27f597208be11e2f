// Opening, saving and editing the talosconfig on disk. Every save is atomic (0600 file, 0700
// parent); edits go through updateClientConfig, which re-reads the file under a lock so that
// concurrent talosctl processes never lose each other's changes.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";
import {
  type FileLockOptions,
  readError,
  withFileLock,
  writeError,
  writeFileAtomic,
  writeTarget,
} from "../fsutil/index.js";
import { encodeClientConfig, parseClientConfig } from "./codec.js";
import { type ClientConfig, emptyClientConfig, getContext, sortedContextNames } from "./model.js";
import { type ClientConfigOptions, locateClientConfig } from "./paths.js";
import { type ResolvedContext, resolveContext } from "./resolve.js";

export const CONFIG_FILE_MODE = 0o600;
export const CONFIG_DIR_MODE = 0o700;

export interface ClientConfigFile {
  /** The file the config was read from (and is saved to). */
  path: string;
  /** False for the read-only in-pod location. */
  writable: boolean;
  config: ClientConfig;
}

export interface OpenClientConfigOptions extends ClientConfigOptions {
  /**
   * Create an empty config when none exists (default true, as talosctl does: even a failing
   * node command leaves an empty ~/.talos/config behind).
   */
  create?: boolean;
}

/** Locates and reads the talosconfig, creating an empty one when none exists. */
export function openClientConfig(options: OpenClientConfigOptions): ClientConfigFile {
  const location = locateClientConfig(options);
  if (!location.exists) {
    if (options.create === false) {
      return { path: location.path, writable: location.writable, config: emptyClientConfig() };
    }
    createExclusive(location.path, encodeClientConfig(emptyClientConfig()));
  }
  return { path: location.path, writable: location.writable, config: readClientConfigFile(location.path) };
}

/** Reads and parses one talosconfig file; a missing file is an error naming it. */
export function readClientConfigFile(file: string): ClientConfig {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw readError(file, err);
  }
  return parseClientConfig(bytes, file);
}

/** Saves a whole config; prefer updateClientConfig for edits of a shared file. */
export function saveClientConfig(file: ClientConfigFile): void {
  if (!file.writable) throw new UserError(`not allowed to write to config: ${file.path}`);
  writeFileAtomic(file.path, encodeClientConfig(file.config), {
    mode: CONFIG_FILE_MODE,
    mkdirMode: CONFIG_DIR_MODE,
  });
}

export interface UpdateOptions extends ClientConfigOptions {
  lock?: FileLockOptions;
}

export interface UpdateResult<T> {
  path: string;
  value: T;
  /** False when the edit changed nothing and the file was left alone. */
  written: boolean;
}

/**
 * Edits the talosconfig safely: takes the lock beside the file, reads the latest content,
 * applies `mutate` to it, writes the result atomically and releases the lock. A file that
 * would not change is not rewritten. Errors thrown by `mutate` leave the file untouched.
 */
export async function updateClientConfig<T>(
  options: UpdateOptions,
  mutate: (config: ClientConfig, file: string) => T | Promise<T>,
): Promise<UpdateResult<T>> {
  const location = locateClientConfig(options);
  if (!location.writable) throw new UserError(`not allowed to write to config: ${location.path}`);
  let target: ReturnType<typeof writeTarget>;
  try {
    target = writeTarget(location.path);
  } catch (err) {
    throw writeError(location.path, err);
  }
  const file = target.path;
  // A device or a FIFO is written through and holds nothing to lose: no lock file goes beside it
  // (for /dev/null that would be a file in /dev).
  const locked = target.existing === undefined || target.existing.isFile();
  if (locked) ensureParentDir(file);
  const edit = async (): Promise<UpdateResult<T>> => {
    let before: Buffer | undefined;
    try {
      before = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw readError(file, err);
    }
    const config = before === undefined ? emptyClientConfig() : parseClientConfig(before, file);
    const value = await mutate(config, file);
    const after = encodeClientConfig(config);
    if (before?.equals(Buffer.from(after, "utf8"))) return { path: file, value, written: false };
    writeFileAtomic(file, after, { mode: CONFIG_FILE_MODE, mkdirMode: CONFIG_DIR_MODE });
    return { path: file, value, written: true };
  };
  return locked ? withFileLock(file, edit, options.lock) : edit();
}

/**
 * Creates a file only if nothing is there yet, atomically: written aside, then hard-linked into
 * place (a link never replaces an existing file), so a config another process has just created
 * is never clobbered with an empty one.
 */
function createExclusive(link: string, data: string): void {
  // A dangling symlink names the file to create.
  const file = writeTarget(link).path;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  ensureParentDir(file);
  try {
    fs.writeFileSync(tmp, data, { mode: CONFIG_FILE_MODE, flag: "wx" });
    fs.chmodSync(tmp, CONFIG_FILE_MODE);
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw err;
      // A filesystem without hard links: O_EXCL still never replaces an existing file.
      try {
        fs.writeFileSync(file, data, { mode: CONFIG_FILE_MODE, flag: "wx" });
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code !== "EEXIST") throw inner;
      }
    }
  } catch (err) {
    throw writeError(file, err);
  } finally {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Never created (its directory could not be).
    }
  }
}

/** Creates the config's directory (0700) if needed, with an error that names the config. */
function ensureParentDir(file: string): void {
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: CONFIG_DIR_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UserError(`failed to write ${file}: ${dir} is not a directory`, { cause: err });
    }
    throw writeError(file, err);
  }
}

export interface OpenContextOptions extends OpenClientConfigOptions {
  /** The --context value; default: the file's current context. */
  context?: string | undefined;
}

/**
 * Opens the talosconfig and selects the context a node-facing command uses, with the errors of
 * talosctl's client factory (`talosconfig <path> is empty`, `context "x" not found in config`).
 */
export function openContext(options: OpenContextOptions): {
  file: ClientConfigFile;
  context: ResolvedContext;
} {
  const file = openClientConfig(options);
  return { file, context: resolveContext(file.config, options.context, { path: file.path }) };
}

/** Context names for completion: sorted; [] on any problem, and never creates a file. */
export function contextNames(options: ClientConfigOptions): string[] {
  try {
    const file = openClientConfig({ ...options, create: false });
    return sortedContextNames(file.config);
  } catch {
    return [];
  }
}

export interface ContextNodesOptions extends ClientConfigOptions {
  /** The --context value; default: the file's current context. */
  context?: string | undefined;
}

/** The nodes of the chosen (or current) context for completion; [] on any problem. */
export function contextNodes(options: ContextNodesOptions): string[] {
  try {
    const { config } = openClientConfig({ ...options, create: false });
    const ctx = getContext(config, options.context || config.context);
    return ctx?.nodes ? [...ctx.nodes] : [];
  } catch {
    return [];
  }
}
