// The Go standard library's parsers as Talos's validation sees them: %q quoting, base64 with Go's
// error offsets, url.Parse's split, netip's address and prefix errors, durations and the
// siderolabs/net endpoint check. Validation messages embed these texts, so they follow Go's words.
import { isIP } from "node:net";

/** Go's %q for a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\u0007":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's %v of a string slice: `[a b c]`. */
export function goList(items: readonly (string | number)[]): string {
  return `[${items.join(" ")}]`;
}

/** Go's %q of a string slice: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(" ")}]`;
}

/**
 * go-multierror's text of a list of errors, as it reads when wrapped into another error
 * (`1 error occurred:\n\t* a\n\n`, `2 errors occurred:\n\t* a\n\t* b\n\n`).
 */
export function goMultiError(messages: readonly string[]): string {
  const head = messages.length === 1 ? "1 error occurred:" : `${messages.length} errors occurred:`;
  return `${head}\n\t${messages.map((m) => `* ${m}`).join("\n\t")}\n\n`;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * base64.StdEncoding.DecodeString: the decoded bytes, or Go's error text
 * (`illegal base64 data at input byte N`).
 */
export function goDecodeBase64(text: string, alphabet = B64): { bytes: Buffer } | { error: string } {
  const corrupt = (at: number) => ({ error: `illegal base64 data at input byte ${at}` });
  const out: number[] = [];
  let si = 0;
  const n = text.length;
  while (si < n) {
    const quantum: number[] = [];
    let dlen = 4;
    let j = 0;
    for (; j < 4; j++) {
      if (si === n) {
        if (j === 0) return { bytes: Buffer.from(out) };
        return corrupt(si - j);
      }
      const ch = text[si]!;
      si++;
      const v = alphabet.indexOf(ch);
      if (v >= 0 && ch !== "") {
        quantum[j] = v;
        continue;
      }
      if (ch === "\n" || ch === "\r") {
        j--;
        continue;
      }
      if (ch !== "=") return corrupt(si - 1);
      // Padding: only after two or three symbols.
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < n && (text[si] === "\n" || text[si] === "\r")) si++;
        if (si === n) return corrupt(n);
        if (text[si] !== "=") return corrupt(si - 1);
        si++;
      }
      while (si < n && (text[si] === "\n" || text[si] === "\r")) si++;
      if (si < n) return corrupt(si);
      dlen = j;
      break;
    }
    const v =
      ((quantum[0] ?? 0) << 18) | ((quantum[1] ?? 0) << 12) | ((quantum[2] ?? 0) << 6) | (quantum[3] ?? 0);
    const bytes = [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (dlen < 4) break;
  }
  return { bytes: Buffer.from(out) };
}

export interface GoURL {
  readonly scheme: string;
  readonly opaque: string;
  /** host[:port] as written (brackets kept). */
  readonly host: string;
  readonly path: string;
}

/** url.Parse's split of a reference (errors are the decoder's; this never fails). */
export function goParseURL(text: string): GoURL {
  let rest = text.split("#")[0]!;
  const q = rest.indexOf("?");
  if (q >= 0) rest = rest.slice(0, q);
  let scheme = "";
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m !== null) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  if (scheme !== "" && !rest.startsWith("/")) return { scheme, opaque: rest, host: "", path: "" };
  if (rest.startsWith("//")) {
    const authority = rest.slice(2);
    const slash = authority.indexOf("/");
    const hostPart = slash >= 0 ? authority.slice(0, slash) : authority;
    const at = hostPart.lastIndexOf("@");
    return {
      scheme,
      opaque: "",
      host: at >= 0 ? hostPart.slice(at + 1) : hostPart,
      path: slash >= 0 ? authority.slice(slash) : "",
    };
  }
  return { scheme, opaque: "", host: "", path: rest };
}

/** url.URL.Hostname(): the host without port and brackets. */
export function goHostname(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end >= 0 ? host.slice(1, end) : host.slice(1);
  }
  const colon = host.lastIndexOf(":");
  return colon >= 0 ? host.slice(0, colon) : host;
}

/** url.URL.Port(): the digits after the last colon of the host, or "". */
export function goPort(host: string): string {
  const colon = host.lastIndexOf(":");
  if (colon < 0) return "";
  if (host.startsWith("[") && host.lastIndexOf("]") > colon) return "";
  const port = host.slice(colon + 1);
  return /^\d*$/.test(port) ? port : "";
}

/** url.Parse's check of what follows the host: `:` and digits only (after `]` for IPv6). */
export function goURLPortError(host: string): string | undefined {
  let at: number;
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) return "missing ']' in host";
    at = close + 1;
  } else {
    at = host.lastIndexOf(":");
    if (at < 0) return undefined;
  }
  const colonPort = host.slice(at);
  return colonPort === "" || /^:\d*$/.test(colonPort)
    ? undefined
    : `invalid port ${goQuote(colonPort)} after host`;
}

/** siderolabs/net ValidateEndpointURI: bracketed IPv6, a host, a port in range. */
export function validateEndpointURI(text: string): string | undefined {
  const u = goParseURL(text);
  const portError = goURLPortError(u.host);
  if (portError !== undefined) return `parse ${goQuote(text)}: ${portError}`;
  if ((u.host.match(/:/g) ?? []).length > 2 && (!u.host.includes("[") || !u.host.includes("]"))) {
    return "IPv6 addresses MUST be enclosed by square brackets";
  }
  if (goHostname(u.host) === "") return "hostname must not be blank";
  const colon = u.host.lastIndexOf(":");
  const port =
    colon >= 0 && !(u.host.startsWith("[") && u.host.lastIndexOf("]") > colon) ? u.host.slice(colon + 1) : "";
  if (port !== "") {
    if (!/^[+-]?\d+$/.test(port)) return "port number must be numeric";
    const n = Number(port);
    if (n < 1 || n > 65535) return "port number must be between 1 and 65535";
  }
  return undefined;
}

/** net.ParseIP: IPv4 dotted quads and IPv6 (no zones). */
export function goParseIP(text: string): boolean {
  return isIP(text) !== 0 && !text.includes("%");
}

/** net.ParseCIDR: an address with a prefix length. */
export function goParseCIDR(text: string): string | undefined {
  const slash = text.indexOf("/");
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const bits = slash >= 0 ? text.slice(slash + 1) : "";
  const family = goParseIP(addr) ? isIP(addr) : 0;
  if (slash < 0 || family === 0 || !/^\d+$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) {
    return `invalid CIDR address: ${text}`;
  }
  return undefined;
}

/** siderolabs/net ParseSubnetOrAddress (v0.4): a netip prefix, or a bare netip address (zones allowed). */
export function isSubnetOrAddress(text: string): boolean {
  return netipParsePrefix(text) === undefined || netipParseAddr(text) === undefined;
}

/** netip.ParseAddr: undefined when valid, else Go's error text. */
export function netipParseAddr(text: string): string | undefined {
  const fail = (msg: string, at?: string) =>
    `ParseAddr(${goQuote(text)}): ${msg}${at !== undefined ? ` (at ${goQuote(at)})` : ""}`;
  if (text === "") return fail("unable to parse IP");
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ".") return ipv4Error(text, fail);
    if (c === ":") {
      if (text.endsWith("%")) return fail("zone must be a non-empty string");
      return isIP(text.split("%")[0]!) === 6 ? undefined : fail("unable to parse IP");
    }
    if (c === "%") return fail("missing IPv6 address");
  }
  return fail("unable to parse IP");
}

function ipv4Error(text: string, fail: (msg: string, at?: string) => string): string | undefined {
  let fields = 0;
  let val = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c >= "0" && c <= "9") {
      if (digits === 1 && val === 0) return fail("IPv4 field has octet with leading zero");
      val = val * 10 + Number(c);
      digits++;
      if (val > 255) return fail("IPv4 field has value >255");
    } else if (c === ".") {
      if (i === 0 || i === text.length - 1 || text[i - 1] === ".")
        return fail("IPv4 field must have at least one digit", text.slice(i));
      if (fields === 3) return fail("IPv4 address too long");
      fields++;
      val = 0;
      digits = 0;
    } else {
      return fail("unexpected character", text.slice(i));
    }
  }
  if (fields < 3) return fail("IPv4 address too short");
  return undefined;
}

/** netip.ParsePrefix: undefined when valid, else Go's error text. */
export function netipParsePrefix(text: string): string | undefined {
  const fail = (msg: string) => `netip.ParsePrefix(${goQuote(text)}): ${msg}`;
  const slash = text.lastIndexOf("/");
  if (slash < 0) return fail("no '/'");
  const addr = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  const addrErr = netipParseAddr(addr);
  if (addrErr !== undefined) return fail(addrErr);
  if (addr.includes("%")) return fail("IPv6 zones cannot be present in a prefix");
  if (!/^\d+$/.test(bits) || (bits.length > 1 && bits.startsWith("0")))
    return fail(`bad bits after slash: ${goQuote(bits)}`);
  if (Number(bits) > (isIP(addr) === 4 ? 32 : 128)) return fail("prefix length out of range");
  return undefined;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration in nanoseconds (a float; precision beyond what rules compare is not needed). */
export function goParseDuration(text: string): number | undefined {
  if (text === "" || text === undefined) return 0;
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s.startsWith("-")) sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return undefined;
  let total = 0;
  const re = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (m === null || m[1] === "" || m[1] === ".") return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** time.Duration's String(): 1h2m3s, 10s, 1.5s, 500ms. */
export function goFormatDuration(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  let v = Math.abs(ns);
  let out: string;
  if (v < 1e9) {
    const [unit, div] = v < 1e3 ? ["ns", 1] : v < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
    out = `${trimFloat(v / (div as number))}${unit}`;
  } else {
    const h = Math.floor(v / 3600e9);
    v -= h * 3600e9;
    const m = Math.floor(v / 60e9);
    v -= m * 60e9;
    const s = trimFloat(v / 1e9);
    out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFloat(n: number): string {
  return Number.parseFloat(n.toFixed(9)).toString();
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1e15,
  pb: 1e15,
  pi: 1024 ** 5,
  pib: 1024 ** 5,
  e: 1e18,
  eb: 1e18,
  ei: 1024 ** 6,
  eib: 1024 ** 6,
};

/** go-humanize ParseBytes: a size like "4GiB", "100 MB", "1,000"; an error text when it is not one. */
export function humanizeParseBytes(s: string): { value: number } | { error: string } {
  let last = 0;
  for (const ch of s) {
    if (!/[0-9.,]/.test(ch)) break;
    last++;
  }
  const num = s.slice(0, last).replaceAll(",", "");
  if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(num))
    return { error: `strconv.ParseFloat: parsing ${goQuote(num)}: invalid syntax` };
  if (!Number.isFinite(Number(num)))
    return { error: `strconv.ParseFloat: parsing ${goQuote(num)}: value out of range` };
  const unit = s.slice(last).trim().toLowerCase();
  const mult = BYTE_UNITS[unit];
  if (mult === undefined) return { error: `unhandled size name: ${unit}` };
  const value = Number(num) * mult;
  // Go compares against math.MaxUint64 as a float64, which rounds up to 2^64.
  if (value >= 2 ** 64) return { error: `too large: ${s}` };
  return { value };
}
