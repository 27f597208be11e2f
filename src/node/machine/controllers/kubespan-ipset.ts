// IP sets as netipx.IPSetBuilder holds them: address ranges merged, with excluded ranges cut out,
// and read back as the fewest prefixes. KubeSpan's peers use them for their allowed IPs.

export interface Range {
  readonly v6: boolean;
  readonly from: bigint;
  readonly to: bigint;
}

const bitsOf = (v6: boolean) => (v6 ? 128 : 32);

function toBig(ip: Uint8Array): bigint {
  let n = 0n;
  for (const b of ip) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBig(n: bigint, v6: boolean): Uint8Array {
  const out = new Uint8Array(v6 ? 16 : 4);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

export function rangeOf(ip: Uint8Array, bits: number): Range | undefined {
  if (ip.length !== 4 && ip.length !== 16) return undefined;
  const v6 = ip.length === 16;
  const host = BigInt(bitsOf(v6) - bits);
  const from = (toBig(ip) >> host) << host;
  return { v6, from, to: from + (1n << host) - 1n };
}

/** Merges ranges (IPv4 first, ascending) and removes the excluded ones, as netipx.IPSetBuilder. */
export function ipSet(add: readonly Range[], remove: readonly Range[]): Range[] {
  const sorted = [...add].sort((a, b) =>
    a.v6 !== b.v6 ? (a.v6 ? 1 : -1) : a.from < b.from ? -1 : a.from > b.from ? 1 : 0,
  );
  const merged: Range[] = [];
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && last.v6 === r.v6 && r.from <= last.to + 1n) {
      merged[merged.length - 1] = { ...last, to: r.to > last.to ? r.to : last.to };
    } else merged.push(r);
  }
  let out = merged;
  for (const x of remove) {
    out = out.flatMap((r) => {
      if (r.v6 !== x.v6 || x.to < r.from || x.from > r.to) return [r];
      const parts: Range[] = [];
      if (x.from > r.from) parts.push({ ...r, to: x.from - 1n });
      if (x.to < r.to) parts.push({ ...r, from: x.to + 1n });
      return parts;
    });
  }
  return out;
}

/** The fewest prefixes covering a range, in order. */
export function rangePrefixes(r: Range): { ip: Uint8Array; bits: number }[] {
  const total = bitsOf(r.v6);
  const out: { ip: Uint8Array; bits: number }[] = [];
  let from = r.from;
  while (from <= r.to) {
    let host = 0;
    while (host < total) {
      const size = 1n << BigInt(host + 1);
      if (from % size !== 0n || from + size - 1n > r.to) break;
      host++;
    }
    out.push({ ip: fromBig(from, r.v6), bits: total - host });
    from += 1n << BigInt(host);
  }
  return out;
}
