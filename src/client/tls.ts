// TLS material for a connection: mutual TLS from a talosconfig context, or the maintenance
// mode's server-only TLS without verification (optionally pinned by SPKI fingerprint).
import { decodeContextPem, type ResolvedContext } from "../clientconfig/index.js";
import { UserError } from "../errors.js";
import { toTlsKeyPem } from "../pki/index.js";
import type { Fingerprint } from "./fingerprint.js";

export interface TlsCredentials {
  /** Trusted CA certificate(s) (PEM); the system's roots when absent. */
  readonly ca?: string;
  /** Client certificate (PEM). */
  readonly cert?: string;
  /** Client key, already in a PEM label OpenSSL knows. */
  readonly key?: string;
  /** Skip server verification (maintenance mode). */
  readonly insecure?: boolean;
  /** With `insecure`: only servers whose leaf certificate has one of these SPKI hashes. */
  readonly fingerprints?: readonly Fingerprint[];
}

/** The mutual-TLS credentials of a talosconfig context. */
export function credentialsFromContext(context: ResolvedContext): TlsCredentials {
  const ca = decodeContextPem(context, "ca");
  const cert = decodeContextPem(context, "crt");
  const key = decodeContextPem(context, "key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new UserError(
      `context "${context.name}": the client certificate (crt) and key (key) must be set together`,
    );
  }
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key: toTlsKeyPem(key) } : {}),
  };
}

/** Server-only TLS without verification, for nodes in maintenance mode. */
export function maintenanceCredentials(fingerprints: readonly Fingerprint[] = []): TlsCredentials {
  return { insecure: true, fingerprints };
}
