// A zip archive writer, as Go's archive/zip writes one with `Create`: each file deflated,
// sizes and CRC in a data descriptor after its data, no modification time, then the central
// directory. Output goes to a sink as each file is added.
import { crc32, deflateRawSync } from "node:zlib";

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DESCRIPTOR = 0x08074b50;
/** Data descriptor follows (0x8), and names are UTF-8 (0x800) when not plain ASCII. */
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const DEFLATE = 8;
/** "Version needed" and "made by": 2.0. */
const VERSION = 20;

interface Entry {
  readonly name: Buffer;
  readonly flags: number;
  readonly crc: number;
  readonly compressed: number;
  readonly size: number;
  readonly offset: number;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: Entry[] = [];
  private closed = false;

  constructor(private readonly sink: (chunk: Buffer) => void) {}

  private emit(chunk: Buffer): void {
    this.sink(chunk);
    this.offset += chunk.length;
  }

  /** Adds a file (path inside the archive, forward slashes). */
  add(name: string, data: Uint8Array): void {
    if (this.closed) throw new Error("zip: write to closed archive");
    const nameBytes = Buffer.from(name);
    const flags = FLAG_DESCRIPTOR | (/^[\x20-\x7e]*$/.test(name) ? 0 : FLAG_UTF8);
    const compressed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(DEFLATE, 8);
    // time, date, crc, sizes: zero here, in the data descriptor instead
    local.writeUInt16LE(nameBytes.length, 26);
    const offset = this.offset;
    this.emit(Buffer.concat([local, nameBytes]));
    this.emit(compressed);
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(DESCRIPTOR, 0);
    desc.writeUInt32LE(crc, 4);
    desc.writeUInt32LE(compressed.length, 8);
    desc.writeUInt32LE(data.length, 12);
    this.emit(desc);
    this.entries.push({
      name: nameBytes,
      flags,
      crc,
      compressed: compressed.length,
      size: data.length,
      offset,
    });
  }

  /** Writes the central directory; nothing can be added afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const start = this.offset;
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(CENTRAL, 0);
      h.writeUInt16LE(VERSION, 4);
      h.writeUInt16LE(VERSION, 6);
      h.writeUInt16LE(e.flags, 8);
      h.writeUInt16LE(DEFLATE, 10);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      // external attributes: a regular file, mode 0644
      h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      h.writeUInt32LE(e.offset, 42);
      this.emit(Buffer.concat([h, e.name]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    this.emit(end);
  }
}
