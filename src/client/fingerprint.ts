// Server certificate pinning for maintenance (--insecure) connections: the SHA-256 of the leaf
// certificate's SubjectPublicKeyInfo, written in base64 as Talos prints it on the console.
import { createHash, X509Certificate } from "node:crypto";
import { UserError } from "../errors.js";

/** A pinned fingerprint: the 32 hash bytes. */
export type Fingerprint = Buffer;

/** The SPKI fingerprint of a DER certificate, as base64 (Talos's spelling). */
export function spkiFingerprint(certificateDer: Uint8Array): string {
  const cert = new X509Certificate(certificateDer);
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

/**
 * Reads a --cert-fingerprint value. Base64 (standard or URL-safe) is Talos's form; hex, with or
 * without colons or a `sha256:` prefix, is accepted too since openssl prints that.
 */
export function parseFingerprint(text: string): Fingerprint {
  const s = text.trim().replace(/^sha256:/i, "");
  const hex = s.replace(/:/g, "");
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return Buffer.from(hex, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const bytes = Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (bytes.length === 32) return bytes;
  }
  throw new UserError(
    `--cert-fingerprint: "${text}" is not a certificate fingerprint (base64 or hex SHA-256 of the public key)`,
  );
}

/** True when the certificate's SPKI fingerprint is one of the accepted ones. */
export function matchesFingerprint(certificateDer: Uint8Array, accepted: readonly Fingerprint[]): boolean {
  const actual = Buffer.from(spkiFingerprint(certificateDer), "base64");
  return accepted.some((f) => f.equals(actual));
}
