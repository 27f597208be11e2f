// Globally unique, time-sortable ids in the layout of rs/xid, which Talos uses for event ids:
// 12 bytes (4-byte Unix seconds, 3-byte machine id, 2-byte process id, 3-byte counter),
// written as 20 characters of lowercase base32hex without padding.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuv";
const ID_BYTES = 12;
export const XID_LENGTH = 20;

/** Encodes 12 bytes as 20 base32hex characters (big-endian bit order, so ids sort by time). */
export function encodeXid(bytes: Uint8Array): string {
  if (bytes.length !== ID_BYTES) throw new RangeError(`an xid has ${ID_BYTES} bytes, got ${bytes.length}`);
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Decodes an xid; throws with a reason when it is not one. */
export function decodeXid(text: string): Uint8Array {
  if (text.length !== XID_LENGTH) throw new Error("xid: invalid ID");
  const out = new Uint8Array(ID_BYTES);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const v = ALPHABET.indexOf(text[i]!);
    if (v < 0) throw new Error("xid: invalid ID");
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (n < ID_BYTES) out[n++] = (acc >>> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  // The last character carries 4 bits of padding that must be zero.
  if (acc !== 0) throw new Error("xid: invalid ID");
  return out;
}

/** The Unix time (seconds) embedded in an xid. */
export function xidSeconds(text: string): number {
  const b = decodeXid(text);
  return ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
}

export interface XidGenerator {
  next(now?: Date): string;
}

/** A generator with a random machine id and counter start, as rs/xid seeds them. */
export function createXidGenerator(pid = process.pid): XidGenerator {
  const machine = randomBytes(3);
  let counter = randomBytes(3).readUIntBE(0, 3);
  return {
    next(now = new Date()) {
      const b = new Uint8Array(ID_BYTES);
      const secs = Math.floor(now.getTime() / 1000) >>> 0;
      b[0] = secs >>> 24;
      b[1] = (secs >>> 16) & 0xff;
      b[2] = (secs >>> 8) & 0xff;
      b[3] = secs & 0xff;
      b.set(machine, 4);
      b[7] = (pid >>> 8) & 0xff;
      b[8] = pid & 0xff;
      counter = (counter + 1) & 0xffffff;
      b[9] = counter >>> 16;
      b[10] = (counter >>> 8) & 0xff;
      b[11] = counter & 0xff;
      return encodeXid(b);
    },
  };
}
