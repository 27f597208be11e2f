// The classic pcap file format (microsecond timestamps, little-endian), as Talos writes a
// capture with gopacket's pcapgo writer: a 24-byte file header, then per packet a 16-byte
// record header and the captured bytes.

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
/** What Talos captures of each frame when the request names no snap length (afpacket's frame size). */
export const DEFAULT_SNAPLEN = 4096;

export function pcapFileHeader(snaplen: number, linkType: number): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, PCAP_MAGIC_MICROS, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linkType, true);
  return b;
}

/** One packet record: the frame cut to `snaplen`, its full length, the capture time. */
export function pcapRecord(frame: Uint8Array, snaplen: number, at: Date): Uint8Array {
  const captured = Math.min(frame.length, snaplen);
  const b = new Uint8Array(16 + captured);
  const v = new DataView(b.buffer);
  const ms = at.getTime();
  const seconds = Math.floor(ms / 1000);
  v.setUint32(0, seconds, true);
  v.setUint32(4, Math.round((ms - seconds * 1000) * 1000), true);
  v.setUint32(8, captured, true);
  v.setUint32(12, frame.length, true);
  b.set(frame.subarray(0, captured), 16);
  return b;
}
