// PEM checks in Go's terms (encoding/pem block scanning, siderolabs/crypto key types), for the
// certificate and key fields rules look at.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { goDecodeBase64, goQuote, goQuoteList } from "./go.js";

export interface PemBlock {
  readonly type: string;
  readonly der: Buffer;
}

const BEGIN = "-----BEGIN ";
const END = "-----END ";
const DASHES = "-----";

/** encoding/pem's getLine: the line without its end and trailing blanks, and what follows it. */
function pemLine(data: string): [string, string] {
  let i = data.indexOf("\n");
  let j: number;
  if (i < 0) {
    i = data.length;
    j = i;
  } else {
    j = i + 1;
    if (i > 0 && data[i - 1] === "\r") i--;
  }
  return [data.slice(0, i).replace(/[ \t]+$/, ""), data.slice(j)];
}

/**
 * encoding/pem's Decode: the first block of `data` and the text after it. A BEGIN must open a
 * line; a block whose END line or base64 body is wrong is skipped and the search goes on.
 */
function pemDecode(data: string): [PemBlock, string] | undefined {
  let rest = data;
  for (;;) {
    if (rest.startsWith(BEGIN)) rest = rest.slice(BEGIN.length);
    else {
      const at = rest.indexOf(`\n${BEGIN}`);
      if (at < 0) return undefined;
      rest = rest.slice(at + 1 + BEGIN.length);
    }
    let typeLine: string;
    [typeLine, rest] = pemLine(rest);
    if (!typeLine.endsWith(DASHES)) continue;
    const type = typeLine.slice(0, -DASHES.length);
    let headers = 0;
    for (;;) {
      if (rest.length === 0) return undefined;
      const [line, next] = pemLine(rest);
      if (!line.includes(":")) break;
      headers++;
      rest = next;
    }
    let endIndex: number;
    let trailerIndex: number;
    if (headers === 0 && rest.startsWith(END)) {
      endIndex = 0;
      trailerIndex = END.length;
    } else {
      endIndex = rest.indexOf(`\n${END}`);
      trailerIndex = endIndex + 1 + END.length;
    }
    if (endIndex < 0) continue;
    const trailer = rest.slice(trailerIndex);
    const trailerLength = type.length + DASHES.length;
    if (trailer.length < trailerLength) continue;
    if (!trailer.startsWith(type) || trailer.slice(type.length, trailerLength) !== DASHES) continue;
    if (pemLine(trailer.slice(trailerLength))[0] !== "") continue;
    const decoded = goDecodeBase64(rest.slice(0, endIndex).replace(/[ \t]/g, ""));
    if ("error" in decoded) continue;
    return [{ type, der: decoded.bytes }, pemLine(rest.slice(endIndex + END.length))[1]];
  }
}

/** Every block of the text, in order (what repeated pem.Decode calls return). */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  let rest = text;
  for (let block = pemDecode(rest); block !== undefined; block = pemDecode(rest)) {
    out.push(block[0]);
    rest = block[1];
  }
  return out;
}

/** Talos's meta.AssertValidPEM: at least one block, each of an expected type. */
export function assertValidPEM(text: string, ...types: string[]): string | undefined {
  const blocks = pemBlocks(text);
  for (const b of blocks) {
    if (types.length > 0 && !types.includes(b.type)) {
      return `unexpected PEM block type ${goQuote(b.type)}, expected one of ${goQuoteList(types)}`;
    }
  }
  return blocks.length === 0 ? "no PEM blocks found" : undefined;
}

/** A DER reader with golang.org/x/crypto/cryptobyte's rules (definite, minimal lengths). */
class Der {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
    private readonly end = buf.length,
  ) {}

  get empty(): boolean {
    return this.pos >= this.end;
  }

  /** The bytes not read yet. */
  bytes(): Buffer {
    return this.buf.subarray(this.pos, this.end);
  }

  /** The next element's tag, header length and body length, or undefined when malformed. */
  private header(): { tag: number; head: number; len: number } | undefined {
    const b = this.buf;
    let p = this.pos;
    if (this.end - p < 2) return undefined;
    const tag = b[p++]!;
    if ((tag & 0x1f) === 0x1f) return undefined;
    const first = b[p++]!;
    let len = first;
    if (first & 0x80) {
      const n = first & 0x7f;
      if (n === 0 || n > 4 || this.end - p < n) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
      if (len < 128 || b[this.pos + 2] === 0) return undefined;
    }
    if (this.end - p < len) return undefined;
    return { tag, head: p - this.pos, len };
  }

  peekTag(): number | undefined {
    return this.header()?.tag;
  }

  /** Reads an element of `tag`: its body as a reader, or undefined. */
  read(tag: number): Der | undefined {
    const h = this.header();
    if (h === undefined || h.tag !== tag) return undefined;
    const start = this.pos + h.head;
    this.pos = start + h.len;
    return new Der(this.buf, start, start + h.len);
  }

  /** The element's full bytes (header included), or undefined. */
  readElement(tag: number): Buffer | undefined {
    const h = this.header();
    if (h === undefined || h.tag !== tag) return undefined;
    const from = this.pos;
    this.pos += h.head + h.len;
    return this.buf.subarray(from, this.pos);
  }

  /** An INTEGER with minimal encoding; its value when small, or true for a valid large one. */
  readInteger(): number | boolean {
    const body = this.read(0x02);
    if (body === undefined) return false;
    const bytes = this.buf.subarray(body.pos, body.end);
    if (bytes.length === 0) return false;
    if (
      bytes.length > 1 &&
      ((bytes[0] === 0 && !(bytes[1]! & 0x80)) || (bytes[0] === 0xff && bytes[1]! & 0x80))
    )
      return false;
    if (bytes.length > 6) return true;
    let v = bytes.readIntBE(0, bytes.length);
    if (Number.isNaN(v)) v = 0;
    return v;
  }
}

const SEQUENCE = 0x30;

/** crypto/x509 ParseCertificate's structural errors, in the order Go meets them. */
function goParseCertificateError(der: Buffer): string | undefined {
  const all = new Der(der);
  const raw = all.readElement(SEQUENCE);
  if (raw === undefined) return "x509: malformed certificate";
  const input = new Der(raw).read(SEQUENCE);
  if (input === undefined) return "x509: malformed certificate";
  const tbsRaw = input.readElement(SEQUENCE);
  if (tbsRaw === undefined) return "x509: malformed tbs certificate";
  const tbs = new Der(tbsRaw).read(SEQUENCE);
  if (tbs === undefined) return "x509: malformed tbs certificate";
  let version = 0;
  if (tbs.peekTag() === 0xa0) {
    const explicit = tbs.read(0xa0);
    const v = explicit?.readInteger();
    if (typeof v !== "number" || explicit === undefined || !explicit.empty) return "x509: malformed version";
    version = v;
  }
  if (version < 0) return "x509: malformed version";
  if (version + 1 > 3) return "x509: invalid version";
  if (tbs.readInteger() === false) return "x509: malformed serial number";
  const sigAI = tbs.readElement(SEQUENCE);
  if (sigAI === undefined) return "x509: malformed signature algorithm identifier";
  const outerAI = input.readElement(SEQUENCE);
  if (outerAI === undefined) return "x509: malformed algorithm identifier";
  if (!outerAI.equals(sigAI)) return "x509: inner and outer signature algorithm identifiers don't match";
  if (tbs.readElement(SEQUENCE) === undefined) return "x509: malformed issuer";
  if (tbs.read(SEQUENCE) === undefined) return "x509: malformed validity";
  if (tbs.readElement(SEQUENCE) === undefined) return "x509: malformed subject";
  const spkiRaw = tbs.readElement(SEQUENCE);
  const spki = spkiRaw === undefined ? undefined : new Der(spkiRaw).read(SEQUENCE);
  if (spki === undefined) return "x509: malformed spki";
  if (spki.read(SEQUENCE) === undefined) return "x509: malformed public key algorithm identifier";
  if (input.read(0x03) === undefined) return "x509: malformed signature";
  try {
    new X509Certificate(der);
  } catch {
    // A deeper field Go would name; the structure above is sound.
    return "x509: malformed certificate";
  }
  return all.empty ? undefined : "x509: trailing data";
}

/**
 * siderolabs/crypto PEMEncodedCertificateAndKey.GetCert: the first PEM block must hold a
 * certificate crypto/x509 parses.
 */
export function certificateError(text: string): string | undefined {
  const block = pemBlocks(text)[0];
  if (block === undefined) return "failed to parse PEM block";
  const e = goParseCertificateError(block.der);
  return e === undefined ? undefined : `failed to parse certificate: ${e}`;
}

type KeyFormat = "pkcs1" | "sec1" | "pkcs8";

/** The key format a DER body is shaped as: what follows its version number. */
function keyShape(der: Buffer): KeyFormat | undefined {
  const body = new Der(der).read(SEQUENCE);
  if (body === undefined || typeof body.readInteger() !== "number") return undefined;
  switch (body.peekTag()) {
    case 0x02:
      return "pkcs1";
    case 0x04:
      return "sec1";
    case SEQUENCE:
      return "pkcs8";
    default:
      return undefined;
  }
}

function parses(der: Buffer, format: KeyFormat): boolean {
  if (keyShape(der) !== format) return false;
  try {
    createPrivateKey({ key: der, format: "der", type: format });
    return true;
  } catch {
    return false;
  }
}

const OTHER_FORMAT: Readonly<Record<KeyFormat, string>> = {
  pkcs1: "ParsePKCS1PrivateKey",
  sec1: "ParseECPrivateKey",
  pkcs8: "ParsePKCS8PrivateKey",
};

/**
 * crypto/x509's key parsers: a key of another format is named ("use ParsePKCS8PrivateKey
 * instead"); otherwise the ASN.1 decoder's complaint, reduced to its first words.
 */
function goParseKeyError(der: Buffer, format: KeyFormat): string | undefined {
  if (parses(der, format)) return goKeyAlgorithmError(der, format);
  const others: KeyFormat[] =
    format === "pkcs1" ? ["pkcs8", "sec1"] : format === "pkcs8" ? ["pkcs1", "sec1"] : ["pkcs8", "pkcs1"];
  for (const other of others) {
    if (parses(der, other))
      return `x509: failed to parse private key (use ${OTHER_FORMAT[other]} instead for this key format)`;
  }
  const asn1 = new Der(der).read(SEQUENCE) === undefined ? "asn1: structure error" : "asn1: syntax error";
  return format === "sec1" ? `x509: failed to parse EC private key: ${asn1}` : asn1;
}

const OID_RSA = "1.2.840.113549.1.1.1";
const OID_EC = "1.2.840.10045.2.1";
const OID_ED25519 = "1.3.101.112";
const OID_X25519 = "1.3.101.110";
/** The named curves crypto/x509 knows: P-224, P-256, P-384 and P-521. */
const GO_CURVES = ["1.3.132.0.33", "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35"];

/** An OBJECT IDENTIFIER element's dotted text (what Go's %v of an asn1.ObjectIdentifier shows). */
function oidText(element: Buffer | undefined): string | undefined {
  if (element === undefined || element.length < 3 || element[1]! & 0x80) return undefined;
  const arcs: number[] = [];
  let v = 0;
  for (const b of element.subarray(2)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  if (arcs.length === 0) return undefined;
  const first = arcs[0]! < 80 ? Math.floor(arcs[0]! / 40) : 2;
  return [first, arcs[0]! - first * 40, ...arcs.slice(1)].join(".");
}

/**
 * What crypto/x509 refuses among keys Node's parser takes: PKCS#8 algorithms other than RSA,
 * ECDSA, Ed25519 and X25519 (RSA-PSS, Ed448, X448, DSA, DH), and curves other than the NIST ones.
 */
function goKeyAlgorithmError(der: Buffer, format: KeyFormat): string | undefined {
  const UNKNOWN_CURVE = "x509: unknown elliptic curve";
  const body = new Der(der).read(SEQUENCE);
  if (body === undefined || format === "pkcs1") return undefined;
  body.readInteger();
  if (format === "sec1") {
    body.read(0x04);
    const params = body.peekTag() === 0xa0 ? body.read(0xa0) : undefined;
    const curve = oidText(params?.readElement(0x06));
    return curve !== undefined && GO_CURVES.includes(curve) ? undefined : UNKNOWN_CURVE;
  }
  const algorithm = body.read(SEQUENCE);
  const oid = oidText(algorithm?.readElement(0x06));
  if (oid === OID_RSA || oid === OID_ED25519 || oid === OID_X25519) return undefined;
  if (oid !== OID_EC)
    return `x509: PKCS#8 wrapping contained private key with unknown algorithm: ${oid ?? ""}`;
  // The curve named beside the algorithm wins; the embedded key's own is the fallback.
  const named = algorithm?.peekTag() === 0x06 ? oidText(algorithm.readElement(0x06)) : undefined;
  const inner = body.read(0x04);
  const embedded = inner?.bytes();
  const curveError =
    named !== undefined ? (GO_CURVES.includes(named) ? undefined : UNKNOWN_CURVE) : undefined;
  const e =
    curveError ?? (named === undefined && embedded ? goKeyAlgorithmError(embedded, "sec1") : undefined);
  return e === undefined ? undefined : `x509: failed to parse EC private key embedded in PKCS#8: ${e}`;
}

const KEY_PARSERS: Readonly<Record<string, readonly [KeyFormat, string]>> = {
  "RSA PRIVATE KEY": ["pkcs1", "RSA key"],
  "EC PRIVATE KEY": ["sec1", "ECDSA key"],
  "ED25519 PRIVATE KEY": ["pkcs8", "Ed25519 key"],
  "PRIVATE KEY": ["pkcs8", "key"],
};

/**
 * siderolabs/crypto PEMEncodedKey.GetKey (or, for `pair`, PEMEncodedCertificateAndKey.GetKey,
 * which words an unknown type with a colon): the first block must be a private key that parses.
 */
export function privateKeyError(text: string, pair = false): string | undefined {
  const block = pemBlocks(text)[0];
  if (block === undefined) return "failed to parse PEM block";
  const parser = KEY_PARSERS[block.type];
  if (parser === undefined) return `unsupported key type${pair ? ":" : ""} ${goQuote(block.type)}`;
  const e = goParseKeyError(block.der, parser[0]);
  if (e !== undefined) return `failed to parse ${parser[1]}: ${e}`;
  if (block.type === "ED25519 PRIVATE KEY") {
    const key = createPrivateKey({ key: block.der, format: "der", type: "pkcs8" });
    if (key.asymmetricKeyType !== "ed25519") return "failed parsing Ed25519 key, got wrong key type";
  }
  // A lone key (PEMEncodedKey) must also be one it can sign with; a pair's key is not asked.
  if (block.type === "PRIVATE KEY" && !pair) {
    const key = createPrivateKey({ key: block.der, format: "der", type: "pkcs8" });
    if (key.asymmetricKeyType === "x25519") return "unsupported key type *ecdh.PrivateKey";
  }
  return undefined;
}

/** crypto/x509 CertPool.AppendCertsFromPEM: true when at least one certificate was added. */
export function appendsCertificates(text: string): boolean {
  return pemBlocks(text).some((b) => {
    if (b.type !== "CERTIFICATE") return false;
    try {
      new X509Certificate(b.der);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * siderolabs/crypto PEMEncodedCertificateAndKey.GetPrivateKey: the first PEM block read as a
 * PKCS #8 key, whatever its type says.
 */
export function pkcs8PrivateKeyError(text: string): string | undefined {
  const block = pemBlocks(text)[0];
  if (block === undefined) return "failed to parse PEM block";
  const e = goParseKeyError(block.der, "pkcs8");
  return e === undefined ? undefined : `failed to parse key: ${e}`;
}
