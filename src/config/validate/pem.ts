// PEM checks in Go's terms (encoding/pem block scanning, siderolabs/crypto key types), for the
// certificate and key fields rules look at.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { goQuote, goQuoteList } from "./go.js";

export interface PemBlock {
  readonly type: string;
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([^\r\n]*?)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every well-formed PEM block of the text, in order (what repeated pem.Decode calls return). */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2]!
      .split(/\r?\n/)
      .filter((line) => !/^[\w-]+:/.test(line))
      .join("")
      .replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) continue;
    out.push({ type: m[1]!, der: Buffer.from(body, "base64") });
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

/** Parses the first certificate; an error text when it does not parse. */
export function certificateError(text: string): string | undefined {
  const block = pemBlocks(text)[0];
  if (block === undefined) return "failed to parse PEM block";
  try {
    new X509Certificate(block.der);
    return undefined;
  } catch {
    return "x509: malformed certificate";
  }
}

const KEY_TYPES: Readonly<Record<string, string>> = {
  "RSA PRIVATE KEY": "RSA",
  "EC PRIVATE KEY": "EC",
  "ED25519 PRIVATE KEY": "Ed25519",
  "PRIVATE KEY": "PKCS8",
};

/** siderolabs/crypto PEMEncodedKey.GetKey: the first block must be a private key that parses. */
export function privateKeyError(text: string): string | undefined {
  const block = pemBlocks(text)[0];
  if (block === undefined) return "failed to parse PEM block";
  const what = KEY_TYPES[block.type];
  if (what === undefined) return `unsupported key type ${goQuote(block.type)}`;
  try {
    const format =
      block.type === "RSA PRIVATE KEY" ? "pkcs1" : block.type === "EC PRIVATE KEY" ? "sec1" : "pkcs8";
    createPrivateKey({ key: block.der, format: "der", type: format });
    return undefined;
  } catch {
    return `failed to parse ${what} key`;
  }
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
