// Address, prefix, URL and name checks shared by the validation rules.
import { isIP } from "node:net";
import { goQuote } from "./go.js";

export interface Prefix {
  readonly family: 4 | 6;
  readonly bits: number;
  /** The address as a number (IPv4: 32 bits, IPv6: 128 bits). */
  readonly value: bigint;
}

function ipToBigInt(ip: string, family: 4 | 6): bigint {
  if (family === 4) {
    return ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  let text = ip.split("%")[0]!;
  // An IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const n = ipToBigInt(v4[1]!, 4);
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headParts = head === "" || head === undefined ? [] : head.split(":");
  const tailParts = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(Number.parseInt(part, 16)), 0n);
}

export function parseIP(text: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(text);
  if (family === 0) return undefined;
  const f = family as 4 | 6;
  return { family: f, value: ipToBigInt(text, f) };
}

export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > (ip.family === 4 ? 32 : 128)) return undefined;
  return { family: ip.family, bits, value: ip.value };
}

/** An address as netip's String() writes it: IPv6 per RFC 5952, 4-in-6 as ::ffff:a.b.c.d. */
export function formatIP(family: 4 | 6, value: bigint): string {
  const v4 = (v: bigint) => [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)).join(".");
  if (family === 4) return v4(value);
  if (value >> 32n === 0xffffn) return `::ffff:${v4(value & 0xffffffffn)}`;
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The first longest run of two or more zero groups becomes "::".
  let start = -1;
  let len = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > len) {
      start = i;
      len = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(":");
  return start < 0 ? hex(0, 8) : `${hex(0, start)}::${hex(start + len, 8)}`;
}

/** The canonical text of an address (its zone kept), or undefined when it is not one. */
export function canonicalIP(text: string): string | undefined {
  const ip = parseIP(text);
  if (ip === undefined) return undefined;
  const zone = text.indexOf("%");
  return formatIP(ip.family, ip.value) + (zone >= 0 ? text.slice(zone) : "");
}

/** The canonical text of a prefix (address as written, not masked), or undefined. */
export function canonicalPrefix(text: string): string | undefined {
  const p = parsePrefix(text);
  return p === undefined ? undefined : `${formatIP(p.family, p.value)}/${p.bits}`;
}

export function addressBits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** Whether the prefix has no host bits set (10.0.0.0/8, not 10.0.0.1/8). */
export function isMasked(p: Prefix): boolean {
  const hostBits = BigInt(addressBits(p.family) - p.bits);
  return (p.value & ((1n << hostBits) - 1n)) === 0n;
}

/** An IP address or a CIDR prefix. */
export function isIPOrPrefix(text: string): boolean {
  return parseIP(text) !== undefined || parsePrefix(text) !== undefined;
}

/** Go-style URL split: scheme, host (with port), path. Undefined when it is not URL-shaped. */
export function splitURL(
  text: string,
): { scheme: string; host: string; path: string; hasQuery: boolean } | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)([?#].*)?$/.exec(text);
  if (m === null) return undefined;
  const authority = m[2]!;
  const at = authority.lastIndexOf("@");
  return {
    scheme: m[1]!.toLowerCase(),
    host: at >= 0 ? authority.slice(at + 1) : authority,
    path: m[3]!,
    hasQuery: m[4] !== undefined,
  };
}

/** Splits host[:port]; IPv6 hosts must be bracketed. */
export function splitHostPort(hostport: string): { host: string; port?: string; error?: string } {
  if (hostport.startsWith("[")) {
    const end = hostport.indexOf("]");
    if (end < 0) return { host: hostport, error: "missing ']' in host" };
    const host = hostport.slice(1, end);
    const rest = hostport.slice(end + 1);
    if (rest === "") return { host };
    if (!rest.startsWith(":")) return { host, error: "unexpected characters after ']'" };
    return { host, port: rest.slice(1) };
  }
  const colons = hostport.split(":").length - 1;
  if (colons > 1) return { host: hostport, error: "IPv6 addresses MUST be enclosed by square brackets" };
  if (colons === 1) {
    const i = hostport.indexOf(":");
    return { host: hostport.slice(0, i), port: hostport.slice(i + 1) };
  }
  return { host: hostport };
}

/**
 * The checks Talos applies to an endpoint URL's host and port (ValidateEndpointURI of
 * siderolabs/net): IPv6 in brackets, a hostname, a numeric port within 1–65535.
 * Returns an error text or undefined.
 */
export function endpointURIError(text: string): string | undefined {
  const url = splitURL(text);
  if (url === undefined) {
    return text.includes("://") ? "invalid URL" : "hostname must not be blank";
  }
  const hp = splitHostPort(url.host);
  if (hp.error !== undefined) return hp.error;
  if (hp.host === "") return "hostname must not be blank";
  if (hp.port !== undefined) {
    if (!/^\d+$/.test(hp.port)) return "port number must be numeric";
    const port = Number(hp.port);
    if (port < 1 || port > 65535) return "port number must be between 1 and 65535";
  }
  return undefined;
}

const DNS_DOMAIN = /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/;

/** A DNS domain as Talos accepts it for cluster.network.dnsDomain. */
export function isDNSDomain(text: string): boolean {
  return DNS_DOMAIN.test(text) && text.replaceAll(".", "").length <= 255;
}

const HOST_LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** An error for a hostname (RFC 1123 labels, FQDN up to 253 characters), or undefined. */
export function hostnameError(text: string): string | undefined {
  if (text.length > 253) return `hostname "${text}" is longer than 253 characters`;
  const labels = text.replace(/\.$/, "").split(".");
  for (const label of labels) {
    if (!HOST_LABEL.test(label)) return `invalid hostname "${text}"`;
  }
  return undefined;
}

/** Standard base64 (with padding), decoded; undefined when the text is not valid. */
export function decodeStdBase64(text: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return Buffer.from(text, "base64");
}

/** netip's parse error text: `ParseAddr("in"): msg (at "rest")`. */
function addrError(input: string, msg: string, at = ""): string {
  return `ParseAddr(${goQuote(input)}): ${msg}${at !== "" ? ` (at ${goQuote(at)})` : ""}`;
}

/** The dotted quad `s` (the whole input is `input`), or netip's error text. */
function ipv4Fields(input: string, s: string): number[] | string {
  const fields: number[] = [];
  let val = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch >= "0" && ch <= "9") {
      if (digits === 1 && val === 0) return addrError(input, "IPv4 field has octet with leading zero");
      val = val * 10 + Number(ch);
      digits++;
      if (val > 255) return addrError(input, "IPv4 field has value >255");
    } else if (ch === ".") {
      if (i === 0 || i === s.length - 1 || s[i - 1] === ".")
        return addrError(input, "IPv4 field must have at least one digit", s.slice(i));
      if (fields.length === 3) return addrError(input, "IPv4 address too long");
      fields.push(val);
      val = 0;
      digits = 0;
    } else return addrError(input, "unexpected character", s.slice(i));
  }
  if (fields.length < 3) return addrError(input, "IPv4 address too short");
  fields.push(val);
  return fields;
}

/** The IPv6 text `input`, or netip's error text. */
function ipv6Error(input: string): string | undefined {
  let s = input;
  const pct = s.indexOf("%");
  if (pct >= 0) {
    if (pct === s.length - 1) return addrError(input, "zone must be a non-empty string");
    s = s.slice(0, pct);
  }
  let ellipsis = -1;
  if (s.startsWith("::")) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === "") return undefined;
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const digit = Number.parseInt(s[off]!, 16);
      if (Number.isNaN(digit)) break;
      acc = acc * 16 + digit;
      if (off > 3) return addrError(input, "each group must have 4 or less digits", s);
      if (acc > 0xffff) return addrError(input, "IPv6 field has value >=2^16", s);
    }
    if (off === 0) return addrError(input, "each colon-separated field must have at least one digit", s);
    if (s[off] === ".") {
      if (ellipsis < 0 && i !== 12)
        return addrError(input, "embedded IPv4 address must replace the final 2 fields of the address", s);
      if (i + 4 > 16)
        return addrError(input, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
      const v4 = ipv4Fields(input, s);
      if (typeof v4 === "string") return v4;
      s = "";
      i += 4;
      break;
    }
    i += 2;
    s = s.slice(off);
    if (s === "") break;
    if (s[0] !== ":") return addrError(input, "unexpected character, want colon", s);
    if (s.length === 1) return addrError(input, "colon must be followed by more characters", s);
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return addrError(input, "multiple :: in address", s);
      ellipsis = i;
      s = s.slice(1);
      if (s === "") break;
    }
  }
  if (s !== "") return addrError(input, "trailing garbage after address", s);
  if (i < 16 && ellipsis < 0) return addrError(input, "address string too short");
  if (i === 16 && ellipsis >= 0) return addrError(input, "the :: must expand to at least one field of zeros");
  return undefined;
}

/** netip.ParseAddr: undefined when `text` is an address, else Go's error text, word for word. */
export function netipAddrError(text: string): string | undefined {
  for (const ch of text) {
    if (ch === ".") {
      const v4 = ipv4Fields(text, text);
      return typeof v4 === "string" ? v4 : undefined;
    }
    if (ch === ":") return ipv6Error(text);
    if (ch === "%") return addrError(text, "missing IPv6 address");
  }
  return addrError(text, "unable to parse IP");
}

/** netip.ParsePrefix: undefined when `text` is a prefix, else Go's error text, word for word. */
export function netipPrefixError(text: string): string | undefined {
  const fail = (msg: string) => `netip.ParsePrefix(${goQuote(text)}): ${msg}`;
  const slash = text.lastIndexOf("/");
  if (slash < 0) return fail("no '/'");
  const addr = text.slice(0, slash);
  const e = netipAddrError(addr);
  if (e !== undefined) return fail(e);
  const v6 = addr.includes(":");
  if (v6 && addr.includes("%")) return fail("IPv6 zones cannot be present in a prefix");
  const bits = text.slice(slash + 1);
  // strconv.Atoi without a sign or leading zeros; past int64 it fails too.
  if (!/^(0|[1-9]\d{0,18})$/.test(bits) || BigInt(bits) > 0x7fffffffffffffffn)
    return fail(`bad bits after slash: ${goQuote(bits)}`);
  if (Number(bits) > (v6 ? 128 : 32)) return fail("prefix length out of range");
  return undefined;
}
