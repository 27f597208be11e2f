// A streaming tar writer (POSIX ustar, with a PAX record for names that do not fit) for Copy:
// entries are produced lazily, so a slow reader holds back reading the files themselves.

const BLOCK = 512;

export interface TarEntry {
  /** Name inside the archive (directories end with `/`). */
  readonly name: string;
  readonly kind: "file" | "dir" | "symlink";
  /** Unix permission bits. */
  readonly perm: number;
  readonly size: number;
  readonly mtime: Date;
  readonly link?: string;
  /** The file's bytes (exactly `size` of them). */
  readonly data?: () => AsyncIterable<Uint8Array>;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function put(block: Buffer, offset: number, width: number, text: string): void {
  block.write(text.slice(0, width), offset, width, "utf8");
}

/** Splits a long name into ustar's prefix and name fields, if it can be split. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", name };
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== "/") continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest.length > 0) {
      return { prefix, name: rest };
    }
  }
  return undefined;
}

function header(entry: {
  name: string;
  prefix?: string;
  type: string;
  perm: number;
  size: number;
  mtime: Date;
  link?: string;
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  put(block, 0, 100, entry.name);
  put(block, 100, 8, octal(entry.perm & 0o7777, 8));
  put(block, 108, 8, octal(0, 8));
  put(block, 116, 8, octal(0, 8));
  put(block, 124, 12, octal(entry.size, 12));
  put(block, 136, 12, octal(Math.max(0, Math.floor(entry.mtime.getTime() / 1000)), 12));
  block.fill(0x20, 148, 156);
  put(block, 156, 1, entry.type);
  put(block, 157, 100, entry.link ?? "");
  put(block, 257, 6, "ustar\0");
  put(block, 263, 2, "00");
  put(block, 265, 32, "root");
  put(block, 297, 32, "root");
  put(block, 345, 155, entry.prefix ?? "");
  let sum = 0;
  for (const b of block) sum += b;
  put(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length)
    length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The header blocks of one entry (a PAX header first when names or the link do not fit). */
export function entryHeader(entry: TarEntry): Buffer {
  const type = entry.kind === "dir" ? "5" : entry.kind === "symlink" ? "2" : "0";
  const size = entry.kind === "file" ? entry.size : 0;
  const split = splitName(entry.name);
  const linkFits = entry.link === undefined || Buffer.byteLength(entry.link) <= 100;
  const parts: Buffer[] = [];
  if (!split || !linkFits) {
    const records =
      (split ? "" : paxRecord("path", entry.name)) +
      (linkFits ? "" : paxRecord("linkpath", entry.link ?? ""));
    const body = Buffer.from(records, "utf8");
    parts.push(
      header({ name: "PaxHeaders/entry", type: "x", perm: 0o644, size: body.length, mtime: entry.mtime }),
      body,
      padding(body.length),
    );
  }
  parts.push(
    header({
      name: split ? split.name : entry.name.slice(0, 100),
      prefix: split?.prefix ?? "",
      type,
      perm: entry.perm,
      size,
      mtime: entry.mtime,
      ...(entry.link !== undefined ? { link: linkFits ? entry.link : entry.link.slice(0, 100) } : {}),
    }),
  );
  return Buffer.concat(parts);
}

/** The archive's bytes: each entry's header, data and padding, then two zero blocks. */
export async function* tarStream(
  entries: AsyncIterable<TarEntry> | Iterable<TarEntry>,
): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    yield entryHeader(entry);
    if (entry.kind !== "file" || !entry.data) continue;
    let written = 0;
    for await (const chunk of entry.data()) {
      const room = entry.size - written;
      if (room <= 0) break;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      written += part.length;
      yield part;
    }
    // A file that shrank while archived is padded to the size its header promised.
    if (written < entry.size) yield Buffer.alloc(entry.size - written);
    yield padding(entry.size);
  }
  yield Buffer.alloc(BLOCK * 2);
}
