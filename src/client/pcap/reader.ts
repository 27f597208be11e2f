// Reads a pcap stream as it arrives (the bytes of MachineService.PacketCapture): the file
// header, then each complete record; both byte orders and both timestamp resolutions.

export interface PcapHeader {
  readonly littleEndian: boolean;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  readonly nanos: boolean;
  readonly snaplen: number;
  readonly linkType: number;
}

export interface PcapPacket {
  /** Seconds and sub-second part (micro- or nanoseconds, as the header says) since the epoch. */
  readonly seconds: number;
  readonly fraction: number;
  readonly captured: Uint8Array;
  readonly length: number;
}

export class PcapFormatError extends Error {
  override readonly name = "PcapFormatError";
}

const MAGIC_MICROS = 0xa1b2c3d4;
const MAGIC_NANOS = 0xa1b23c4d;
/** Larger records are refused as corrupt (gopacket's limit is the snap length; this is generous). */
const MAX_RECORD = 256 * 1024 * 1024;

export class PcapReader {
  private buffered: Buffer = Buffer.alloc(0);
  header: PcapHeader | undefined;

  /** Adds bytes; returns the packets they complete. */
  push(chunk: Uint8Array): PcapPacket[] {
    this.buffered = this.buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffered, chunk]);
    const out: PcapPacket[] = [];
    if (!this.header) {
      if (this.buffered.length < 24) return out;
      this.header = parseHeader(this.buffered.subarray(0, 24));
      this.buffered = this.buffered.subarray(24);
    }
    const le = this.header.littleEndian;
    while (this.buffered.length >= 16) {
      const b = this.buffered;
      const read = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
      const captured = read(8);
      if (captured > MAX_RECORD) throw new PcapFormatError(`invalid packet capture length ${captured}`);
      if (b.length < 16 + captured) break;
      out.push({
        seconds: read(0),
        fraction: read(4),
        captured: b.subarray(16, 16 + captured),
        length: read(12),
      });
      this.buffered = b.subarray(16 + captured);
    }
    return out;
  }
}

function parseHeader(b: Buffer): PcapHeader {
  const le = b.readUInt32LE(0);
  const be = b.readUInt32BE(0);
  let littleEndian: boolean;
  let nanos: boolean;
  if (le === MAGIC_MICROS || le === MAGIC_NANOS) {
    littleEndian = true;
    nanos = le === MAGIC_NANOS;
  } else if (be === MAGIC_MICROS || be === MAGIC_NANOS) {
    littleEndian = false;
    nanos = be === MAGIC_NANOS;
  } else {
    throw new PcapFormatError(`Unknown magic ${le.toString(16)}`);
  }
  const read = (o: number): number => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  return { littleEndian, nanos, snaplen: read(16), linkType: read(20) & 0x0fffffff };
}
