// age encryption (age-encryption.org/v1) of a byte stream to X25519 ("age1...") and SSH
// (ssh-ed25519, ssh-rsa) recipients, written with node:crypto: a random file key wrapped for
// each recipient in the header, a header MAC, then the payload in 64 KiB ChaCha20-Poly1305
// chunks. Format facts: the age specification (C2SP age.md) and filippo.io/age.
import {
  createCipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  constants as cryptoConstants,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { TalosError } from "../../errors.js";

const INTRO = "age-encryption.org/v1\n";
const CHUNK = 64 * 1024;
const X25519_SPKI = Buffer.from("302a300506032b656e032100", "hex");
const X25519_PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const P = 2n ** 255n - 19n;

export type AgeRandom = (n: number) => Buffer;

interface Stanza {
  readonly type: string;
  readonly args: readonly string[];
  readonly body: Buffer;
}

export interface AgeRecipient {
  /** The recipient line as given. */
  readonly text: string;
  wrap(fileKey: Buffer, random: AgeRandom): Stanza;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64").replace(/=+$/, "");

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from(info), length));
}

function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

function x25519Public(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([X25519_SPKI, raw]), format: "der", type: "spki" });
}

function x25519Private(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8, raw]), format: "der", type: "pkcs8" });
}

function x25519(scalar: Uint8Array, point: Uint8Array): Buffer {
  const shared = diffieHellman({ privateKey: x25519Private(scalar), publicKey: x25519Public(point) });
  if (shared.every((b) => b === 0)) throw new TalosError("invalid", "age: low order point");
  return shared;
}

function x25519Base(scalar: Uint8Array): Buffer {
  const der = createPublicKey(x25519Private(scalar)).export({ type: "spki", format: "der" });
  return Buffer.from(der.subarray(der.length - 32));
}

/** Generates an X25519 identity: the AGE-SECRET-KEY-1... string and its age1... recipient (tests). */
export function generateX25519Identity(): { secret: Buffer; recipient: string } {
  const { privateKey } = generateKeyPairSync("x25519");
  const der = privateKey.export({ type: "pkcs8", format: "der" });
  const secret = Buffer.from(der.subarray(der.length - 32));
  return { secret, recipient: bech32Encode("age", x25519Base(secret)) };
}

// --- bech32 (BIP 173), as age encodes X25519 keys --------------------------------------------

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

function polymod(values: number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i]!;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

function convertBits(data: Iterable<number>, from: number, to: number, pad: boolean): number[] | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const v of data) {
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    return undefined;
  }
  return out;
}

export function bech32Encode(hrp: string, data: Uint8Array): string {
  const words = convertBits(data, 8, 5, true)!;
  const chk = polymod([...hrpExpand(hrp), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (chk >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => CHARSET[w]).join("")}`;
}

function bech32Decode(text: string): { hrp: string; data: Buffer } | undefined {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return undefined;
  const s = text.toLowerCase();
  const pos = s.lastIndexOf("1");
  if (pos < 1 || pos + 7 > s.length) return undefined;
  const hrp = s.slice(0, pos);
  const words: number[] = [];
  for (const c of s.slice(pos + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) return undefined;
    words.push(v);
  }
  if (polymod([...hrpExpand(hrp), ...words]) !== 1) return undefined;
  const bytes = convertBits(words.slice(0, -6), 5, 8, false);
  return bytes ? { hrp, data: Buffer.from(bytes) } : undefined;
}

// --- recipients ----------------------------------------------------------------------------

function x25519Recipient(text: string): AgeRecipient {
  const decoded = bech32Decode(text);
  if (decoded?.hrp !== "age" || decoded.data.length !== 32) {
    throw new TalosError("invalid", "malformed recipient");
  }
  const pub = decoded.data;
  return {
    text,
    wrap(fileKey, random) {
      const eph = random(32);
      const share = x25519Base(eph);
      const shared = x25519(eph, pub);
      const key = hkdf(shared, Buffer.concat([share, pub]), "age-encryption.org/v1/X25519");
      return { type: "X25519", args: [b64(share)], body: seal(key, Buffer.alloc(12), fileKey) };
    },
  };
}

/** An SSH wire string (uint32 length + bytes) at `off`. */
function sshString(buf: Buffer, off: number): [Buffer, number] {
  if (off + 4 > buf.length) throw new Error("short");
  const len = buf.readUInt32BE(off);
  if (off + 4 + len > buf.length) throw new Error("short");
  return [buf.subarray(off + 4, off + 4 + len), off + 4 + len];
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** An Ed25519 public key (RFC 8032 encoding) as the Curve25519 point age uses: u = (1+y)/(1-y). */
function ed25519ToX25519(pub: Buffer): Buffer {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(pub[i]!);
  y &= (1n << 255n) - 1n;
  const u = (((1n + y) % P) * modPow((1n - y + P) % P, P - 2n, P)) % P;
  const out = Buffer.alloc(32);
  let v = u;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function sshRecipient(text: string): AgeRecipient {
  const fields = text.trim().split(/\s+/);
  const wire = Buffer.from(fields[1] ?? "", "base64");
  let algo: Buffer;
  let off: number;
  try {
    [algo, off] = sshString(wire, 0);
  } catch {
    throw new TalosError("invalid", "malformed SSH recipient");
  }
  const tag = b64(createHash("sha256").update(wire).digest().subarray(0, 4));
  if (fields[0] === "ssh-ed25519" && algo.toString() === "ssh-ed25519") {
    const [pub] = sshString(wire, off);
    if (pub.length !== 32) throw new TalosError("invalid", "malformed SSH recipient");
    const mont = ed25519ToX25519(pub);
    const tweak = hkdf(Buffer.alloc(0), wire, "age-encryption.org/v1/ssh-ed25519");
    return {
      text,
      wrap(fileKey, random) {
        const eph = random(32);
        const share = x25519Base(eph);
        const shared = x25519(tweak, x25519(eph, mont));
        const key = hkdf(shared, Buffer.concat([share, mont]), "age-encryption.org/v1/ssh-ed25519");
        return { type: "ssh-ed25519", args: [tag, b64(share)], body: seal(key, Buffer.alloc(12), fileKey) };
      },
    };
  }
  if (fields[0] === "ssh-rsa" && algo.toString() === "ssh-rsa") {
    const [e, off2] = sshString(wire, off);
    const [n] = sshString(wire, off2);
    const key = createPublicKey({
      key: { kty: "RSA", n: n.toString("base64url"), e: e.toString("base64url") },
      format: "jwk",
    });
    return {
      text,
      wrap(fileKey) {
        const body = publicEncrypt(
          {
            key,
            padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING,
            oaepHash: "sha256",
            oaepLabel: Buffer.from("age-encryption.org/v1/ssh-rsa"),
          },
          fileKey,
        );
        return { type: "ssh-rsa", args: [tag], body };
      },
    };
  }
  throw new TalosError("invalid", `unsupported SSH key type: ${fields[0] ?? ""}`);
}

/** A recipient line: `age1...` or an SSH public key (ssh-ed25519, ssh-rsa). */
export function parseRecipient(line: string): AgeRecipient {
  const text = line.trim();
  try {
    if (text.startsWith("age1")) return x25519Recipient(text);
    if (text.startsWith("ssh-")) return sshRecipient(text);
    throw new TalosError("invalid", "unknown recipient type");
  } catch (err) {
    throw new TalosError(
      "invalid",
      `failed to parse recipient ${JSON.stringify(line)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Wraps a body at 64 columns; the last line is always shorter than 64 (empty if need be). */
function bodyLines(body: Buffer): string {
  const text = b64(body);
  let out = "";
  for (let i = 0; i <= text.length; i += 64) out += `${text.slice(i, i + 64)}\n`;
  return out;
}

/**
 * An encrypting writer: `write` plaintext, `end` to flush the last chunk. Output goes to `sink`
 * as it is produced.
 */
export class AgeEncryptor {
  private readonly payloadKey: Buffer;
  private pending = Buffer.alloc(0);
  private counter = 0n;
  private ended = false;

  constructor(
    recipients: readonly AgeRecipient[],
    private readonly sink: (chunk: Buffer) => void,
    random: AgeRandom = randomBytes,
  ) {
    if (recipients.length === 0) throw new TalosError("invalid", "no recipients to encrypt to");
    const fileKey = random(16);
    let header = INTRO;
    for (const r of recipients) {
      const s = r.wrap(fileKey, random);
      header += `-> ${[s.type, ...s.args].join(" ")}\n${bodyLines(s.body)}`;
    }
    header += "---";
    const mac = createHmac("sha256", hkdf(fileKey, Buffer.alloc(0), "header"))
      .update(header)
      .digest();
    const nonce = random(16);
    this.payloadKey = hkdf(fileKey, nonce, "payload");
    sink(Buffer.concat([Buffer.from(`${header} ${b64(mac)}\n`), nonce]));
  }

  write(data: Uint8Array): void {
    this.pending = Buffer.concat([this.pending, data]);
    // A full chunk is sealed only once more data follows: the last chunk carries the final flag.
    while (this.pending.length > CHUNK) {
      this.sealChunk(this.pending.subarray(0, CHUNK), false);
      this.pending = this.pending.subarray(CHUNK);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.sealChunk(this.pending, true);
    this.pending = Buffer.alloc(0);
  }

  private sealChunk(plain: Uint8Array, last: boolean): void {
    const nonce = Buffer.alloc(12);
    let c = this.counter++;
    for (let i = 10; i >= 0; i--) {
      nonce[i] = Number(c & 0xffn);
      c >>= 8n;
    }
    nonce[11] = last ? 1 : 0;
    this.sink(seal(this.payloadKey, nonce, plain));
  }
}
