// PEM framing as Go's encoding/pem writes and reads it: 64-character base64 lines, a trailing
// newline, and the first block of a text wins (anything around it is ignored).

/** PEM labels the toolkit reads and writes. */
export const PEM_LABEL = {
  certificate: "CERTIFICATE",
  certificateRequest: "CERTIFICATE REQUEST",
  /** Talos's own label for a PKCS#8 Ed25519 key. */
  ed25519PrivateKey: "ED25519 PRIVATE KEY",
  ecPrivateKey: "EC PRIVATE KEY",
  rsaPrivateKey: "RSA PRIVATE KEY",
  pkcs8PrivateKey: "PRIVATE KEY",
  publicKey: "PUBLIC KEY",
} as const;

export interface PemBlock {
  readonly label: string;
  /** RFC 1421 headers (e.g. `Proc-Type` of an encrypted key), in order. */
  readonly headers: readonly (readonly [string, string])[];
  readonly der: Buffer;
}

/** Encodes one block: base64 body wrapped at 64 characters, ending with a newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const body = Buffer.from(der).toString("base64");
  const lines: string[] = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  lines.push(`-----END ${label}-----`, "");
  return lines.join("\n");
}

const BEGIN = /-----BEGIN ([^\r\n]*?)-----[ \t]*\r?\n/g;

/** Strict standard base64 with padding (what Go's StdEncoding accepts, ignoring CR/LF). */
export function isStrictBase64(text: string): boolean {
  const s = text.replace(/[\r\n]/g, "");
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/**
 * Finds the first well-formed PEM block in `text`, or undefined when there is none (Go's
 * pem.Decode returning nil: no BEGIN line, no matching END line, or a body that is not base64).
 */
export function decodePem(text: string): PemBlock | undefined {
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
    const label = m[1]!;
    const start = m.index + m[0].length;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, start);
    if (end < 0) continue;
    const block = parseBody(label, text.slice(start, end));
    if (block) return block;
  }
  return undefined;
}

function parseBody(label: string, body: string): PemBlock | undefined {
  const lines = body.split(/\r?\n/);
  const headers: [string, string][] = [];
  let i = 0;
  // Headers run up to the first blank line, when the first line looks like "Key: value".
  if (lines.length > 0 && /^[A-Za-z0-9-]+:/.test(lines[0]!)) {
    for (; i < lines.length && lines[i]!.trim() !== ""; i++) {
      const colon = lines[i]!.indexOf(":");
      if (colon < 0) return undefined;
      headers.push([lines[i]!.slice(0, colon).trim(), lines[i]!.slice(colon + 1).trim()]);
    }
  }
  const b64 = lines
    .slice(i)
    .map((l) => l.trim())
    .join("");
  if (!isStrictBase64(b64)) return undefined;
  return { label, headers, der: Buffer.from(b64, "base64") };
}

/** Rewrites the label of every block of `pem` from `from` to `to`, leaving the body as is. */
export function relabelPem(pem: string, from: string, to: string): string {
  return pem
    .replaceAll(`-----BEGIN ${from}-----`, `-----BEGIN ${to}-----`)
    .replaceAll(`-----END ${from}-----`, `-----END ${to}-----`);
}
