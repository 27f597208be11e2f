// Safe extraction of the .tar.gz stream `talosctl copy` receives. The archive comes from a
// remote machine, so nothing in it may reach outside the destination: absolute names, `..`
// escapes, writes through symbolic links and hard links to outside files are refused. The
// archive is first unpacked into a staging directory beside the destination and moved into
// place only once every entry was accepted, so a refused archive leaves nothing behind.
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { errorMessage, TalosError, UserError } from "../errors.js";

const BLOCK = 512;

export type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface TarHeader {
  readonly name: string;
  readonly type: TarEntryType;
  /** The raw type flag, for messages about entries that are skipped. */
  readonly flag: string;
  readonly mode: number;
  readonly size: number;
  readonly linkName: string;
  readonly mtime: Date;
}

/** Reads exact byte counts from an async byte stream. */
class ByteReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private readonly iterator: AsyncIterator<Uint8Array>;
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.bufferedBytes < n && !this.ended) {
      const r = await this.iterator.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      const b = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      if (b.length > 0) {
        this.buffered.push(b);
        this.bufferedBytes += b.length;
      }
    }
    return this.bufferedBytes >= n;
  }

  private take(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    return out;
  }

  /** Exactly n bytes, or undefined at a clean end of stream; throws on a truncated stream. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) {
      if (this.bufferedBytes === 0) return undefined;
      throw new UserError("the archive from the node is truncated");
    }
    return this.take(n);
  }

  /** Streams n bytes to `sink` in the pieces they arrive in. */
  async pipe(n: number, sink: (chunk: Buffer) => Promise<void>): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.bufferedBytes === 0 && !(await this.fill(1))) {
        throw new UserError("the archive from the node is truncated");
      }
      const piece = this.take(Math.min(left, this.bufferedBytes));
      left -= piece.length;
      await sink(piece);
    }
  }

  async skip(n: number): Promise<void> {
    await this.pipe(n, async () => undefined);
  }
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString("utf8");
}

function octal(block: Buffer, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  // GNU base-256 for values that do not fit in octal digits.
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = cString(block, start, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new UserError(`invalid tar header: bad ${what} field`);
  return Number.parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = octal(block, 148, 8, "checksum");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

function typeOf(flag: string): TarEntryType {
  switch (flag) {
    case "0":
    case "\0":
    case "":
    case "7":
      return "file";
    case "5":
      return "directory";
    case "2":
      return "symlink";
    case "1":
      return "hardlink";
    default:
      return "other";
  }
}

/** PAX extended header records: `<length> <key>=<value>\n`. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const length = Number.parseInt(data.subarray(pos, space).toString("ascii"), 10);
    if (!(length > 0) || pos + length > data.length)
      throw new UserError("invalid tar header: bad PAX record");
    const record = data.subarray(space + 1, pos + length - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return out;
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/** Largest PAX / GNU long-name payload accepted (they only carry names and a few numbers). */
const MAX_META_BYTES = 1024 * 1024;

/**
 * Walks a tar stream: calls `onEntry` with each entry's header and a function that streams
 * its data (call it at most once; data not read is skipped).
 */
export async function readTar(
  source: AsyncIterable<Uint8Array>,
  onEntry: (
    header: TarHeader,
    data: (sink: (chunk: Buffer) => Promise<void>) => Promise<void>,
  ) => Promise<void>,
): Promise<void> {
  const reader = new ByteReader(source);
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await reader.read(BLOCK);
    if (!block || block.every((b) => b === 0)) return;
    if (!checksumOk(block)) throw new UserError("invalid tar header: checksum mismatch");
    const flag = String.fromCharCode(block[156]!);
    let size = octal(block, 124, 12, "size");
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      if (size > MAX_META_BYTES) throw new UserError("invalid tar header: extended header too large");
      const data = size > 0 ? await reader.read(size) : Buffer.alloc(0);
      if (!data) throw new UserError("the archive from the node is truncated");
      await reader.skip(padding(size));
      if (flag === "x") pax = paxRecords(data);
      else if (flag === "L") longName = cString(data, 0, data.length);
      else if (flag === "K") longLink = cString(data, 0, data.length);
      continue;
    }
    const magic = block.subarray(257, 263).toString("latin1");
    const prefix = magic.startsWith("ustar") ? cString(block, 345, 155) : "";
    const baseName = cString(block, 0, 100);
    const name = pax.get("path") ?? longName ?? (prefix !== "" ? `${prefix}/${baseName}` : baseName);
    const linkName = pax.get("linkpath") ?? longLink ?? cString(block, 157, 100);
    const paxSize = pax.get("size");
    if (paxSize !== undefined) size = Number(paxSize);
    const header: TarHeader = {
      name,
      type: typeOf(flag),
      flag,
      mode: octal(block, 100, 8, "mode"),
      size,
      linkName,
      mtime: new Date(Number(pax.get("mtime") ?? octal(block, 136, 12, "mtime")) * 1000),
    };
    pax = new Map();
    longName = undefined;
    longLink = undefined;
    let consumed = false;
    await onEntry(header, async (sink) => {
      if (consumed) throw new TalosError("internal", "tar entry data read twice");
      consumed = true;
      await reader.pipe(size, sink);
    });
    if (!consumed) await reader.skip(size);
    await reader.skip(padding(size));
  }
}

/**
 * The entry's path inside the destination ("a/b/c"), or a refusal when it would land
 * outside it. "." (the archive root itself) comes back as "".
 */
export function safeEntryPath(name: string): string {
  if (name.includes("\0")) throw refusal(name, "the name contains a NUL byte");
  if (name.startsWith("/")) throw refusal(name, "absolute paths are not extracted");
  const normalized = path.posix.normalize(name).replace(/\/+$/, "");
  if (normalized === "..") throw refusal(name, "the path escapes the destination directory");
  if (normalized.startsWith("../")) throw refusal(name, "the path escapes the destination directory");
  return normalized === "." ? "" : normalized;
}

function refusal(name: string, why: string): UserError {
  return new UserError(`refusing to extract ${JSON.stringify(name)}: ${why}`);
}

export interface ExtractResult {
  readonly files: number;
  readonly directories: number;
  readonly symlinks: number;
  /** Entries left out (devices, FIFOs), one line each. */
  readonly skipped: readonly string[];
}

/**
 * Unpacks a gzip-compressed tar stream into `dest` (created when missing; an existing
 * non-directory is an error). Everything is checked and written into a staging directory
 * first; on any refusal or failure nothing reaches `dest`.
 */
export async function extractTarGz(source: AsyncIterable<Uint8Array>, dest: string): Promise<ExtractResult> {
  let target = path.resolve(dest);
  // A symbolic link to a directory is written through (into the directory it names).
  const existing = statOrUndefined(target);
  if ((existing && !existing.isDirectory()) || (!existing && lstatOrUndefined(target))) {
    throw new UserError(`local path ${JSON.stringify(dest)} should be a directory`);
  }
  if (existing) target = fs.realpathSync(target);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.talosctl-copy-`));
  try {
    const gunzip = createGunzip();
    const pumping = pipeline(Readable.from(source, { objectMode: false }), gunzip);
    pumping.catch(() => undefined);
    let result: ExtractResult;
    try {
      result = await extractInto(gunzip, staging);
      await pumping;
    } catch (err) {
      gunzip.destroy();
      if (err instanceof UserError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? "";
      if (code.startsWith("Z_")) {
        throw new UserError(`the archive from the node is not valid gzip: ${errorMessage(err)}`, {
          cause: err,
        });
      }
      throw err;
    }
    if (existing) {
      // Every conflict is found before anything moves: a refusal leaves the destination as it was.
      checkMerge(staging, target, "");
      mergeInto(staging, target, "");
    } else fs.renameSync(staging, target);
    return result;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

async function extractInto(stream: AsyncIterable<Uint8Array>, root: string): Promise<ExtractResult> {
  let files = 0;
  let directories = 0;
  let symlinks = 0;
  const skipped: string[] = [];
  const directoryModes: [string, number][] = [];
  await readTar(stream, async (header, data) => {
    const rel = safeEntryPath(header.name);
    if (rel === "" && header.type === "directory") return;
    if (rel === "") throw refusal(header.name, "the entry has no name");
    const full = path.join(root, rel);
    ensureParents(root, rel, header.name);
    switch (header.type) {
      case "directory": {
        const st = lstatOrUndefined(full);
        if (st && !st.isDirectory()) fs.rmSync(full, { force: true });
        if (!st?.isDirectory()) fs.mkdirSync(full, { mode: 0o700 });
        directoryModes.push([full, (header.mode & 0o777) | 0o700]);
        directories++;
        return;
      }
      case "file": {
        removeNonDirectory(full, header.name);
        await writeFile(full, header.mode, data);
        fs.utimesSync(full, header.mtime, header.mtime);
        files++;
        return;
      }
      case "symlink": {
        if (header.linkName === "") throw refusal(header.name, "the symbolic link has no target");
        removeNonDirectory(full, header.name);
        // A link may point anywhere (it is data); nothing is ever written through one.
        fs.symlinkSync(header.linkName, full);
        symlinks++;
        return;
      }
      case "hardlink": {
        const linkRel = safeEntryPath(header.linkName);
        const source = path.join(root, linkRel);
        const st = lstatOrUndefined(source);
        if (linkRel === "" || !st?.isFile()) {
          throw refusal(
            header.name,
            `the hard link target ${JSON.stringify(header.linkName)} is not a file of the archive`,
          );
        }
        removeNonDirectory(full, header.name);
        fs.linkSync(source, full);
        files++;
        return;
      }
      default:
        skipped.push(`${header.name}: entry type ${JSON.stringify(header.flag)} is not extracted`);
        return;
    }
  });
  // Directory modes last, so a read-only directory does not stop its own contents.
  for (const [dir, mode] of directoryModes.reverse()) fs.chmodSync(dir, mode);
  return { files, directories, symlinks, skipped };
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Creates the entry's parent directories, refusing to pass through a symbolic link. */
function ensureParents(root: string, rel: string, name: string): void {
  const parts = rel.split("/").slice(0, -1);
  let current = root;
  for (const part of parts) {
    current = path.join(current, part);
    const st = lstatOrUndefined(current);
    if (!st) {
      fs.mkdirSync(current, { mode: 0o700 });
      continue;
    }
    if (st.isSymbolicLink()) throw refusal(name, "the path passes through a symbolic link of the archive");
    if (!st.isDirectory())
      throw refusal(name, `${JSON.stringify(path.relative(root, current))} is not a directory`);
  }
}

function removeNonDirectory(full: string, name: string): void {
  const st = lstatOrUndefined(full);
  if (!st) return;
  if (st.isDirectory()) throw refusal(name, "a directory of the archive has the same name");
  fs.unlinkSync(full);
}

async function writeFile(
  full: string,
  mode: number,
  data: (sink: (chunk: Buffer) => Promise<void>) => Promise<void>,
): Promise<void> {
  // O_EXCL|O_NOFOLLOW: the file is new and never a link swapped in under us.
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  const fd = fs.openSync(full, flags, (mode & 0o777) | 0o600);
  const out = fs.createWriteStream(full, { fd });
  try {
    await data(async (chunk) => {
      if (!out.write(chunk)) await once(out, "drain");
    });
  } finally {
    out.end();
    await once(out, "close");
  }
}

/** What a path that is not a regular file or a directory is, in words. */
function kindOf(st: fs.Stats): string {
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.isFIFO()) return "a named pipe (FIFO)";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Refuses a merge that would replace anything but a regular file of the destination: a
 * directory, or a symbolic link, FIFO, device or socket (never replaced, and never written
 * through: a link could lead out of the destination).
 */
function checkMerge(stagingDir: string, destDir: string, rel: string): void {
  for (const name of fs.readdirSync(path.join(stagingDir, rel))) {
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const src = fs.lstatSync(path.join(stagingDir, childRel));
    const to = path.join(destDir, childRel);
    const dst = lstatOrUndefined(to);
    if (!dst) continue;
    if (src.isDirectory() && dst.isDirectory()) {
      checkMerge(stagingDir, destDir, childRel);
      continue;
    }
    if (dst.isDirectory()) {
      throw new UserError(
        `cannot extract ${JSON.stringify(childRel)}: a directory of that name exists in ${destDir}`,
      );
    }
    if (!dst.isFile()) {
      throw new UserError(
        `cannot extract ${JSON.stringify(childRel)}: ${to} is ${kindOf(dst)}, and only regular files are replaced`,
      );
    }
  }
}

/** Moves the staged tree into an existing destination, replacing files, merging directories. */
function mergeInto(stagingDir: string, destDir: string, rel: string): void {
  for (const name of fs.readdirSync(path.join(stagingDir, rel))) {
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const from = path.join(stagingDir, childRel);
    const to = path.join(destDir, childRel);
    const src = fs.lstatSync(from);
    const dst = lstatOrUndefined(to);
    if (src.isDirectory() && dst?.isDirectory()) {
      mergeInto(stagingDir, destDir, childRel);
      continue;
    }
    if (dst?.isDirectory()) {
      throw new UserError(
        `cannot extract ${JSON.stringify(childRel)}: a directory of that name exists in ${destDir}`,
      );
    }
    if (dst) fs.unlinkSync(to);
    fs.renameSync(from, to);
  }
}
