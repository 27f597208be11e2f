// The two protobuf messages etcd keeps in its backend, encoded by hand: mvccpb.KeyValue (the
// values of the "key" bucket) and etcdserverpb.AlarmMember (the keys of the "alarm" bucket).

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function tag(field: number, wire: number): number[] {
  return varint(BigInt((field << 3) | wire));
}

export interface KeyValue {
  readonly key: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  readonly value: Uint8Array;
  readonly lease: number;
}

/** mvccpb.KeyValue in protobuf's binary form (zero fields left out, as Go's encoder does). */
export function encodeKeyValue(kv: KeyValue): Buffer {
  const parts: number[] = [];
  const bytesField = (field: number, b: Uint8Array): void => {
    if (b.length === 0) return;
    parts.push(...tag(field, 2), ...varint(BigInt(b.length)));
    for (const x of b) parts.push(x);
  };
  const intField = (field: number, n: number): void => {
    if (n === 0) return;
    parts.push(...tag(field, 0), ...varint(BigInt(n)));
  };
  bytesField(1, kv.key);
  intField(2, kv.createRevision);
  intField(3, kv.modRevision);
  intField(4, kv.version);
  bytesField(5, kv.value);
  intField(6, kv.lease);
  return Buffer.from(parts);
}

/** Reads mvccpb.KeyValue; throws on malformed input. */
export function decodeKeyValue(bytes: Uint8Array): KeyValue {
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new Error("unexpected EOF");
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error("proto: integer overflow");
    }
  };
  const out: { -readonly [K in keyof KeyValue]: KeyValue[K] } = {
    key: new Uint8Array(),
    createRevision: 0,
    modRevision: 0,
    version: 0,
    value: new Uint8Array(),
    lease: 0,
  };
  while (pos < bytes.length) {
    const t = Number(readVarint());
    const field = t >>> 3;
    const wire = t & 7;
    if (wire === 0) {
      const n = Number(BigInt.asIntN(64, readVarint()));
      if (field === 2) out.createRevision = n;
      else if (field === 3) out.modRevision = n;
      else if (field === 4) out.version = n;
      else if (field === 6) out.lease = n;
    } else if (wire === 2) {
      const len = Number(readVarint());
      if (pos + len > bytes.length) throw new Error("unexpected EOF");
      const b = bytes.subarray(pos, pos + len);
      pos += len;
      if (field === 1) out.key = b;
      else if (field === 5) out.value = b;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`proto: illegal wireType ${wire}`);
    }
  }
  if (pos > bytes.length) throw new Error("unexpected EOF");
  return out;
}

/** etcdserverpb.AlarmMember: member id and alarm type (1 NOSPACE, 2 CORRUPT). */
export function encodeAlarmMember(memberId: bigint, alarm: number): Buffer {
  const parts: number[] = [];
  if (memberId !== 0n) parts.push(...tag(1, 0), ...varint(memberId));
  if (alarm !== 0) parts.push(...tag(2, 0), ...varint(BigInt(alarm)));
  return Buffer.from(parts);
}
