// IP address and prefix parsing with Go's net/netip rules and error texts (ParseAddr,
// ParsePrefix), which the Network Config form reports as Talos does.

export interface ParsedAddr {
  readonly family: 4 | 6;
  /** The canonical text (netip.Addr.String). */
  readonly text: string;
}

export interface ParsedPrefix {
  readonly addr: ParsedAddr;
  readonly bits: number;
  /** `<addr>/<bits>`, the address not masked (netip.Prefix.String). */
  readonly text: string;
}

/** Go's strconv.Quote for the ASCII text a form holds. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

class AddrError extends Error {}

function addrError(input: string, msg: string, at?: string): AddrError {
  const tail = at !== undefined && at !== "" ? ` (at ${goQuote(at)})` : "";
  return new AddrError(`ParseAddr(${goQuote(input)}): ${msg}${tail}`);
}

function parseV4(input: string, s: string): number[] {
  const fields: number[] = [];
  let val = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch >= "0" && ch <= "9") {
      if (digits === 1 && val === 0) throw addrError(input, "IPv4 field has octet with leading zero");
      val = val * 10 + (ch.charCodeAt(0) - 48);
      digits++;
      if (val > 255) throw addrError(input, "IPv4 field has value >255");
    } else if (ch === ".") {
      if (i === 0 || i === s.length - 1 || s[i - 1] === ".") {
        throw addrError(input, "IPv4 field must have at least one digit", s.slice(i));
      }
      if (fields.length === 3) throw addrError(input, "IPv4 address too long");
      fields.push(val);
      val = 0;
      digits = 0;
    } else {
      throw addrError(input, "unexpected character", s.slice(i));
    }
  }
  if (fields.length < 3) throw addrError(input, "IPv4 address too short");
  fields.push(val);
  return fields;
}

function hexValue(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseV6(input: string): { bytes: number[]; zone: string } {
  let s = input;
  let zone = "";
  const pct = s.indexOf("%");
  if (pct !== -1) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === "") throw addrError(input, "zone must be a non-empty string");
  }
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.startsWith("::")) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === "") return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const v = hexValue(s[off]!);
      if (v < 0) break;
      acc = acc * 16 + v;
      if (acc > 0xffff) throw addrError(input, "IPv6 field has value >=2^16", s);
    }
    if (off === 0) throw addrError(input, "each colon-separated field must have at least one digit", s);
    if (off < s.length && s[off] === ".") {
      if (ellipsis < 0 && i !== 12) {
        throw addrError(input, "embedded IPv4 address must replace the final 2 fields of the address", s);
      }
      if (i + 4 > 16) {
        throw addrError(input, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
      }
      let v4: number[];
      try {
        v4 = parseV4(s, s);
      } catch (e) {
        throw addrError(input, (e as Error).message, s);
      }
      ip.splice(i, 4, ...v4);
      s = "";
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === "") break;
    if (s[0] !== ":") throw addrError(input, "unexpected character, want colon", s);
    if (s.length === 1) throw addrError(input, "colon must be followed by more characters", s);
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) throw addrError(input, "multiple :: in address", s);
      ellipsis = i;
      s = s.slice(1);
      if (s === "") break;
    }
  }
  if (s !== "") throw addrError(input, "trailing garbage after address", s);
  if (i < 16) {
    if (ellipsis < 0) throw addrError(input, "address string too short");
    const n = 16 - i;
    const tail = ip.slice(ellipsis, i);
    for (let j = ellipsis; j < 16; j++) ip[j] = 0;
    tail.forEach((b, j) => {
      ip[ellipsis + n + j] = b;
    });
  } else if (ellipsis >= 0) {
    throw addrError(input, "the :: must expand to at least one field of zeros");
  }
  return { bytes: ip, zone };
}

/** RFC 5952 text of 16 bytes (the longest run of two or more zero groups as `::`). */
function formatV6(bytes: readonly number[], zone: string): string {
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isMapped) return `::ffff:${bytes.slice(12).join(".")}${zone ? `%${zone}` : ""}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (out !== "" && !out.endsWith(":")) out += ":";
    out += groups[i]!.toString(16);
  }
  return `${out}${zone ? `%${zone}` : ""}`;
}

/** netip.ParseAddr: throws Go's error text. */
export function parseAddr(input: string): ParsedAddr {
  for (const ch of input) {
    if (ch === ".") return { family: 4, text: parseV4(input, input).join(".") };
    if (ch === ":") {
      const { bytes, zone } = parseV6(input);
      return { family: 6, text: formatV6(bytes, zone) };
    }
    if (ch === "%") throw addrError(input, "missing IPv6 address");
  }
  throw addrError(input, "unable to parse IP");
}

/** netip.ParsePrefix: throws Go's error text. */
export function parsePrefix(input: string): ParsedPrefix {
  const fail = (msg: string): Error => new Error(`netip.ParsePrefix(${goQuote(input)}): ${msg}`);
  const slash = input.lastIndexOf("/");
  if (slash < 0) throw fail("no '/'");
  let addr: ParsedAddr;
  try {
    addr = parseAddr(input.slice(0, slash));
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (addr.family === 6 && addr.text.includes("%")) throw fail("IPv6 zones cannot be present in a prefix");
  const bitsText = input.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) throw fail(`bad bits after slash: ${goQuote(bitsText)}`);
  const bits = Number(bitsText);
  if (bits > (addr.family === 4 ? 32 : 128)) throw fail("prefix length out of range");
  return { addr, bits, text: `${addr.text}/${bits}` };
}
