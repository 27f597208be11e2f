// The API's TLS identity. In maintenance mode a per-boot self-signed CA issues the server
// certificate and clients are not asked for one; once configured, the config's OS CA issues
// it and clients must present a certificate from that CA (or an accepted CA).
import { createHash, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import * as grpc from "@grpc/grpc-js";
import {
  type CertAndKeyPem,
  createCertificateAuthority,
  issueServerCertificate,
  loadCertificateAuthority,
  toTlsKeyPem,
} from "../../pki/index.js";

/** Server certificates are re-issued every boot; a year keeps a long-running node valid. */
const SERVER_CERT_TTL_MS = 365 * 24 * 3_600_000;
/** Backdating tolerates clients whose clock is slightly behind. */
const BACKDATE_MS = 5 * 60_000;

export interface MaintenanceTls {
  readonly mode: "maintenance";
  readonly cert: CertAndKeyPem;
  /** SPKI fingerprint of the server certificate, as `--cert-fingerprint` takes it. */
  readonly fingerprint: string;
}

export interface ConfiguredTls {
  readonly mode: "configured";
  readonly cert: CertAndKeyPem;
  /** PEM bundle of the CAs client certificates may chain to. */
  readonly trust: string;
  /** Identifies what the identity was made from, to tell whether a config change needs a new one. */
  readonly source: string;
  /** Set when the config had no OS CA key and the certificate could not come from the OS CA. */
  readonly warning?: string;
}

export type TlsIdentity = MaintenanceTls | ConfiguredTls;

/** Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo (Talos's SPKI fingerprint). */
export function spkiFingerprint(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

function splitSans(names: readonly string[]): { ips: string[]; dnsNames: string[] } {
  const ips = new Set<string>();
  const dnsNames = new Set<string>();
  for (const n of names) {
    if (n === "") continue;
    if (isIP(n)) ips.add(n);
    else dnsNames.add(n);
  }
  return { ips: [...ips], dnsNames: [...dnsNames] };
}

export async function maintenanceTls(
  addresses: readonly string[],
  hostname: string,
  now: Date,
): Promise<MaintenanceTls> {
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const ca = await createCertificateAuthority({ organization: "talos", keyKind: "ed25519", now: notBefore });
  const sans = splitSans([...addresses, hostname]);
  const cert = await issueServerCertificate({
    ca,
    ...sans,
    ttlMs: SERVER_CERT_TTL_MS,
    now: notBefore,
  });
  return { mode: "maintenance", cert, fingerprint: spkiFingerprint(cert.crt) };
}

export interface ConfiguredTlsInput {
  readonly osCa: { readonly crt: string; readonly key: string };
  readonly acceptedCas: readonly string[];
  readonly addresses: readonly string[];
  readonly certSans: readonly string[];
  readonly hostname: string;
  readonly now: Date;
}

/** What a configured identity depends on; equal sources need no new certificate. */
export function configuredSource(input: Omit<ConfiguredTlsInput, "now">): string {
  return JSON.stringify([
    input.osCa.crt,
    input.osCa.key,
    input.acceptedCas,
    input.addresses,
    input.certSans,
    input.hostname,
  ]);
}

export async function configuredTls(input: ConfiguredTlsInput): Promise<ConfiguredTls> {
  const notBefore = new Date(input.now.getTime() - BACKDATE_MS);
  const sans = splitSans([
    ...input.addresses,
    "127.0.0.1",
    "::1",
    "localhost",
    input.hostname,
    ...input.certSans,
  ]);
  const trust = [input.osCa.crt, ...input.acceptedCas].filter((p) => p !== "").join("\n");
  const source = configuredSource(input);
  if (input.osCa.key === "") {
    // Workers receive their API certificate from a control plane's trustd, which this
    // emulation does not run: the certificate then comes from a node-local CA.
    const local = await createCertificateAuthority({
      organization: "talos",
      keyKind: "ed25519",
      now: notBefore,
    });
    const cert = await issueServerCertificate({
      ca: local,
      ...sans,
      ttlMs: SERVER_CERT_TTL_MS,
      now: notBefore,
    });
    return {
      mode: "configured",
      cert,
      trust,
      source,
      warning:
        "machine.ca.key is empty: the API server certificate is issued by a node-local CA, so clients verifying the OS CA will not trust it",
    };
  }
  const ca = loadCertificateAuthority(input.osCa);
  const cert = await issueServerCertificate({ ca, ...sans, ttlMs: SERVER_CERT_TTL_MS, now: notBefore });
  return { mode: "configured", cert, trust, source };
}

/**
 * Server credentials whose certificate and trusted CAs can be replaced while the server runs:
 * new connections get the new ones, open connections keep what they were verified with (as
 * Talos's apid swaps its certificates when the OS CA or the accepted CAs change).
 */
export class ReplaceableCredentials extends grpc.ServerCredentials {
  constructor(private identity: TlsIdentity) {
    // As grpc-js's createSsl: clients are asked for a certificate once configured; Node's ciphers.
    super({ requestCert: identity.mode !== "maintenance" }, contextOptions(identity));
  }

  get mode(): TlsIdentity["mode"] {
    return this.identity.mode;
  }

  /** Serves `identity` from now on (only within the same mode: whether clients are asked for a certificate is fixed). */
  replace(identity: TlsIdentity): void {
    this.identity = identity;
    this.updateSecureContextOptions(contextOptions(identity));
  }

  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

function contextOptions(identity: TlsIdentity): { ca: Buffer; cert: Buffer[]; key: Buffer[] } {
  return {
    // No client certificate is asked for in maintenance mode, so the CA list is never used; given
    // none, grpc-js would parse the system's root store into every server's TLS context (about
    // 0.1 s of CPU each, which adds up with --emulate).
    ca: Buffer.from(identity.mode === "maintenance" ? identity.cert.crt : identity.trust),
    cert: [Buffer.from(identity.cert.crt)],
    key: [Buffer.from(toTlsKeyPem(identity.cert.key))],
  };
}

/** grpc-js credentials for an identity. */
export function serverCredentials(identity: TlsIdentity): ReplaceableCredentials {
  return new ReplaceableCredentials(identity);
}
