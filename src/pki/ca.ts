// Certificate authorities (Talos's CA profile) and the leaf certificates they issue: the admin
// client certificate of talosconfig and the node's server certificates.
import { type KeyObject, randomBytes } from "node:crypto";
import {
  encodePrivateKeyPem,
  generatePrivateKey,
  type KeyGenerator,
  type KeyKind,
  keyKindOf,
  PemParseError,
  parsePrivateKeyPem,
  publicKeyDer,
} from "./keys.js";
import {
  buildName,
  CA_VALIDITY_MS,
  createCertificate,
  ipBytes,
  KEY_USAGE,
  OID,
  type ParsedCertificate,
  parseCertificatePem,
} from "./x509.js";

/** Validity of the admin client certificate `gen config` writes into talosconfig: 8760 hours. */
export const ADMIN_CERTIFICATE_VALIDITY_MS = 8_760 * 3_600_000;

/** A certificate with its private key, both as PEM text (the shape of every bundle entry). */
export interface CertAndKeyPem {
  readonly crt: string;
  readonly key: string;
}

export interface CertificateAuthority extends CertAndKeyPem {
  readonly cert: ParsedCertificate;
  readonly privateKey: KeyObject;
}

export interface CreateCertificateAuthorityOptions {
  /** Subject `O=`; omitted or empty gives an empty subject (Talos's aggregator CA). */
  readonly organization?: string;
  /** Key algorithm when `key` is not given (default Ed25519). */
  readonly keyKind?: KeyKind;
  /** A key made beforehand (lets a caller generate several keys concurrently). */
  readonly key?: KeyObject;
  readonly keygen?: KeyGenerator;
  readonly now: Date;
  /** Default 87600 hours. */
  readonly ttlMs?: number;
  readonly ips?: readonly string[];
  readonly dnsNames?: readonly string[];
}

/**
 * A self-signed CA with Talos's profile: random 128-bit serial, subject `O=<org>` only,
 * critical CA:TRUE, critical digitalSignature+keyCertSign, serverAuth+clientAuth, a random
 * 20-byte subject key id and no authority key id.
 */
export async function createCertificateAuthority(
  options: CreateCertificateAuthorityOptions,
): Promise<CertificateAuthority> {
  const key = options.key ?? (await (options.keygen ?? generatePrivateKey)(options.keyKind ?? "ed25519"));
  return selfSign(key, options);
}

function selfSign(key: KeyObject, options: CreateCertificateAuthorityOptions): CertificateAuthority {
  const subject = buildName({ organizations: options.organization ? [options.organization] : [] });
  const subjectKeyId = randomBytes(20);
  const { pem } = createCertificate(
    {
      subject,
      notBefore: options.now,
      notAfter: new Date(options.now.getTime() + (options.ttlMs ?? CA_VALIDITY_MS)),
      isCA: true,
      keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign],
      extKeyUsage: [OID.serverAuth, OID.clientAuth],
      subjectKeyId,
      dnsNames: options.dnsNames,
      ips: (options.ips ?? []).map(requireIp),
    },
    key,
    { subject, key },
  );
  const keyPem = encodePrivateKeyPem(key);
  // Parsing the certificate back costs more than making it; only issuing leaves needs it.
  let parsed: ParsedCertificate | undefined;
  return {
    crt: pem,
    key: keyPem,
    get cert(): ParsedCertificate {
      parsed ??= parseCertificatePem(pem);
      return parsed;
    },
    privateKey: key,
  };
}

function requireIp(ip: string): Buffer {
  const bytes = ipBytes(ip);
  if (!bytes) throw new PemParseError(`invalid IP: ${ip}`);
  return bytes;
}

/**
 * Reads a CA from its PEM pair (key first, as Talos validates). Throws PemParseError with
 * Talos's wording, or when the key is not the certificate's.
 */
export function loadCertificateAuthority(pair: CertAndKeyPem): CertificateAuthority {
  const privateKey = parsePrivateKeyPem(pair.key);
  const cert = parseCertificatePem(pair.crt);
  if (!publicKeyDer(privateKey).equals(publicKeyDer(cert.publicKey))) {
    throw new PemParseError("the private key does not belong to the certificate");
  }
  return { crt: pair.crt, key: pair.key, cert, privateKey };
}

function asAuthority(ca: CertificateAuthority | CertAndKeyPem): CertificateAuthority {
  return "cert" in ca && "privateKey" in ca ? ca : loadCertificateAuthority(ca);
}

/** The leaf key algorithm for a CA: the CA's own (RSA leaves are RSA-4096). */
export function leafKeyKind(ca: CertificateAuthority): KeyKind {
  const kind = keyKindOf(ca.privateKey);
  if (!kind) throw new PemParseError(`unsupported CA key ${String(ca.privateKey.asymmetricKeyType)}`);
  return kind;
}

export interface IssueClientCertificateOptions {
  readonly ca: CertificateAuthority | CertAndKeyPem;
  /** Subject organizations; sorted and de-duplicated. */
  readonly roles: readonly string[];
  readonly ttlMs: number;
  readonly now: Date;
  readonly keygen?: KeyGenerator;
  /** Subject common name (Kubernetes reads the user from it); none by default. */
  readonly commonName?: string;
}

/**
 * A client certificate for the Talos API (talosconfig's admin certificate): a fresh key of the
 * CA's algorithm, subject `O=<role>` per role and no CN, critical digitalSignature, clientAuth
 * only, no basic constraints, authority key id = the CA's subject key id.
 */
export async function issueClientCertificate(options: IssueClientCertificateOptions): Promise<CertAndKeyPem> {
  const ca = asAuthority(options.ca);
  const key = await (options.keygen ?? generatePrivateKey)(leafKeyKind(ca));
  const roles = [...new Set(options.roles)].sort();
  const { pem } = createCertificate(
    {
      subject: buildName({ organizations: roles, commonName: options.commonName }),
      notBefore: options.now,
      notAfter: new Date(options.now.getTime() + options.ttlMs),
      isCA: false,
      keyUsage: [KEY_USAGE.digitalSignature],
      extKeyUsage: [OID.clientAuth],
    },
    key,
    issuerOf(ca),
  );
  return { crt: pem, key: encodePrivateKeyPem(key) };
}

export interface IssueServerCertificateOptions {
  readonly ca: CertificateAuthority | CertAndKeyPem;
  readonly dnsNames: readonly string[];
  readonly ips: readonly string[];
  readonly ttlMs: number;
  readonly now: Date;
  readonly commonName?: string;
  readonly organizations?: readonly string[];
  readonly keygen?: KeyGenerator;
  /** Use this key instead of generating one. */
  readonly key?: KeyObject;
}

/** A TLS server certificate (serverAuth) for the given names and addresses. */
export async function issueServerCertificate(options: IssueServerCertificateOptions): Promise<CertAndKeyPem> {
  const ca = asAuthority(options.ca);
  const key = options.key ?? (await (options.keygen ?? generatePrivateKey)(leafKeyKind(ca)));
  const { pem } = createCertificate(
    {
      subject: buildName({ organizations: options.organizations, commonName: options.commonName }),
      notBefore: options.now,
      notAfter: new Date(options.now.getTime() + options.ttlMs),
      isCA: false,
      keyUsage: [KEY_USAGE.digitalSignature],
      extKeyUsage: [OID.serverAuth],
      dnsNames: options.dnsNames,
      ips: options.ips.map(requireIp),
    },
    key,
    issuerOf(ca),
  );
  return { crt: pem, key: encodePrivateKeyPem(key) };
}

export function issuerOf(ca: CertificateAuthority): {
  subject: ParsedCertificate["subject"];
  key: KeyObject;
  subjectKeyId?: Buffer;
} {
  return { subject: ca.cert.subject, key: ca.privateKey, subjectKeyId: ca.cert.subjectKeyId };
}
