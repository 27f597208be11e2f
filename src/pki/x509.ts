// X.509 certificates built the way Go's crypto/x509 lays them out for Talos: the TBS structure
// is assembled with @peculiar/asn1-x509 and signed with node:crypto (pure Ed25519, ECDSA with
// the curve's hash, RSA PKCS#1 v1.5 with SHA-512 as Talos's RSA CAs do).
import { createHash, type KeyObject, randomBytes, sign, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { TalosError } from "../errors.js";
import { keyKindOf, PemParseError, publicKeyDer } from "./keys.js";
import { decodePem, encodePem, PEM_LABEL } from "./pem.js";

export const OID = {
  organization: "2.5.4.10",
  commonName: "2.5.4.3",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  ed25519: "1.3.101.112",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  sha384WithRSA: "1.2.840.113549.1.1.12",
  sha512WithRSA: "1.2.840.113549.1.1.13",
  extensionRequest: "1.2.840.113549.1.9.14",
} as const;

/** Key usage bits, numbered as in RFC 5280 (bit 0 = digitalSignature). */
export const KEY_USAGE = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
} as const;

/** Validity of every CA Talos generates: 87600 hours (ten years). */
export const CA_VALIDITY_MS = 87_600 * 3_600_000;

// ---------------------------------------------------------------------------------------------
// Names

export interface NameSpec {
  readonly organizations?: readonly string[];
  readonly commonName?: string;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function attributeValue(value: string): AttributeValue {
  // Go writes a PrintableString when every character allows it, otherwise UTF8String.
  return PRINTABLE.test(value)
    ? new AttributeValue({ printableString: value })
    : new AttributeValue({ utf8String: value });
}

/**
 * Builds a distinguished name as Go's pkix.Name does: all organizations in one multi-valued
 * RDN (a DER SET, so its members are ordered by their encoding), then the common name.
 */
export function buildName(spec: NameSpec): Name {
  const rdns: RelativeDistinguishedName[] = [];
  const orgs = spec.organizations ?? [];
  if (orgs.length > 0) {
    const atvs = orgs
      .map((o) => new AttributeTypeAndValue({ type: OID.organization, value: attributeValue(o) }))
      .map((atv) => ({ atv, der: Buffer.from(AsnConvert.serialize(atv)) }))
      .sort((a, b) => Buffer.compare(a.der, b.der))
      .map((e) => e.atv);
    rdns.push(new RelativeDistinguishedName(atvs));
  }
  if (spec.commonName) {
    rdns.push(
      new RelativeDistinguishedName([
        new AttributeTypeAndValue({ type: OID.commonName, value: attributeValue(spec.commonName) }),
      ]),
    );
  }
  return new Name(rdns);
}

/** Values of one attribute type in a name, in order. */
export function nameValues(name: Name, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of name) {
    for (const atv of rdn) if (atv.type === oid) out.push(atv.value.toString());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Signing

interface SignatureScheme {
  readonly algorithm: AlgorithmIdentifier;
  /** Digest for node's sign(); null for pure Ed25519. */
  readonly hash: string | null;
}

/** The signature algorithm a CA key signs with. */
function signatureScheme(key: KeyObject): SignatureScheme {
  switch (keyKindOf(key)) {
    case "ed25519":
      return { algorithm: new AlgorithmIdentifier({ algorithm: OID.ed25519 }), hash: null };
    case "ecdsa": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === "secp384r1")
        return { algorithm: new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSHA384 }), hash: "sha384" };
      if (curve === "secp521r1")
        return { algorithm: new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSHA512 }), hash: "sha512" };
      return { algorithm: new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSHA256 }), hash: "sha256" };
    }
    case "rsa":
      return {
        algorithm: new AlgorithmIdentifier({ algorithm: OID.sha512WithRSA, parameters: null }),
        hash: "sha512",
      };
    default:
      throw new TalosError("unimplemented", `cannot sign with a ${String(key.asymmetricKeyType)} key`);
  }
}

/** Signs `data` with the key's scheme; returns the algorithm identifier and signature. */
export function signWith(
  key: KeyObject,
  data: Uint8Array,
): { algorithm: AlgorithmIdentifier; signature: Buffer } {
  const scheme = signatureScheme(key);
  return { algorithm: scheme.algorithm, signature: sign(scheme.hash, data, key) };
}

const VERIFY_HASH: Readonly<Record<string, string | null>> = {
  [OID.ed25519]: null,
  [OID.ecdsaWithSHA256]: "sha256",
  [OID.ecdsaWithSHA384]: "sha384",
  [OID.ecdsaWithSHA512]: "sha512",
  [OID.sha256WithRSA]: "sha256",
  [OID.sha384WithRSA]: "sha384",
  [OID.sha512WithRSA]: "sha512",
};

/** Digest for verifying a signature made with `algorithmOid`, or undefined when unsupported. */
export function verifyHash(algorithmOid: string): string | null | undefined {
  return algorithmOid in VERIFY_HASH ? VERIFY_HASH[algorithmOid] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Building

/** A uniformly random serial number in [0, 2^128), DER-encoded as a positive INTEGER body. */
export function newSerialNumber(): Buffer {
  return integerBytes(randomBytes(16));
}

function integerBytes(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const trimmed = unsigned.subarray(i);
  return trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : Buffer.from(trimmed);
}

/** Bytes of an IP address (4 for IPv4 and IPv4-mapped IPv6, else 16), or undefined if invalid. */
export function ipBytes(ip: string): Buffer | undefined {
  const family = isIP(ip);
  if (family === 4) return Buffer.from(ip.split(".").map(Number));
  if (family !== 6) return undefined;
  let text = ip.replace(/%.*$/, "");
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split(".").map(Number);
    text = `${text.slice(0, v4.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  const mapped = out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff;
  return mapped ? Buffer.from(out.subarray(12)) : out;
}

/** Text form of a 4- or 16-byte address (IPv6 uncompressed), as the ASN.1 converter takes it. */
export function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(":");
}

function keyUsageBits(bits: readonly number[]): KeyUsage {
  // Go trims trailing zero bits, so the BIT STRING is as short as the highest bit set.
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = bytes.length * 8 - (highest + 1);
  return new KeyUsage(bytes, unused);
}

function extension(oid: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

export interface CertificateTemplate {
  readonly subject: Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCA: boolean;
  /** Key usage bit numbers (see KEY_USAGE). */
  readonly keyUsage: readonly number[];
  /** Extended key usage OIDs, in order. */
  readonly extKeyUsage: readonly string[];
  /** Subject key identifier to write (Talos's CAs use 20 random bytes); none when undefined. */
  readonly subjectKeyId?: Uint8Array;
  readonly dnsNames?: readonly string[];
  /** IP addresses as 4- or 16-byte buffers. */
  readonly ips?: readonly Uint8Array[];
  readonly serial?: Buffer;
}

export interface Issuer {
  readonly subject: Name;
  readonly key: KeyObject;
  readonly subjectKeyId?: Uint8Array;
}

/**
 * Creates and signs a certificate for `publicKey`. Self-signed when `issuer` is omitted (the
 * template's own subject and `signingKey`). Extensions come in Go's order: key usage, extended
 * key usage, basic constraints, subject key id, authority key id, subject alternative names.
 */
export function createCertificate(
  template: CertificateTemplate,
  publicKey: KeyObject,
  issuer: Issuer,
): { der: Buffer; pem: string } {
  const subjectDer = Buffer.from(AsnConvert.serialize(template.subject));
  const issuerDer = Buffer.from(AsnConvert.serialize(issuer.subject));
  const exts: Extension[] = [];
  if (template.keyUsage.length > 0) exts.push(extension(OID.keyUsage, true, keyUsageBits(template.keyUsage)));
  if (template.extKeyUsage.length > 0) {
    exts.push(extension(OID.extKeyUsage, false, new ExtendedKeyUsage([...template.extKeyUsage])));
  }
  if (template.isCA) exts.push(extension(OID.basicConstraints, true, new BasicConstraints({ cA: true })));
  if (template.subjectKeyId && template.subjectKeyId.length > 0) {
    exts.push(extension(OID.subjectKeyId, false, new SubjectKeyIdentifier(template.subjectKeyId)));
  }
  // Like Go, the authority key id is written only when the issuer is another certificate.
  if (!subjectDer.equals(issuerDer) && issuer.subjectKeyId && issuer.subjectKeyId.length > 0) {
    exts.push(
      extension(
        OID.authorityKeyId,
        false,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(issuer.subjectKeyId) }),
      ),
    );
  }
  const names = [
    ...(template.dnsNames ?? []).map((d) => new GeneralName({ dNSName: d })),
    ...(template.ips ?? []).map((ip) => new GeneralName({ iPAddress: ipText(Buffer.from(ip)) })),
  ];
  if (names.length > 0) {
    // RFC 5280: with an empty subject the alternative names carry the identity and are critical.
    exts.push(
      extension(OID.subjectAltName, template.subject.length === 0, new SubjectAlternativeName(names)),
    );
  }
  const scheme = signatureScheme(issuer.key);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(template.serial ?? newSerialNumber()).buffer,
    signature: scheme.algorithm,
    issuer: issuer.subject,
    validity: new Validity({ notBefore: template.notBefore, notAfter: template.notAfter }),
    subject: template.subject,
    subjectPublicKeyInfo: AsnConvert.parse(publicKeyDer(publicKey), SubjectPublicKeyInfo),
    extensions: exts.length > 0 ? new Extensions(exts) : undefined,
  });
  // Time's constructor picks UTCTime or GeneralizedTime by year as RFC 5280 asks.
  tbs.validity.notBefore = new Time(template.notBefore);
  tbs.validity.notAfter = new Time(template.notAfter);
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign(scheme.hash, tbsDer, issuer.key);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: scheme.algorithm,
    signatureValue: new Uint8Array(signature).buffer,
  });
  const der = Buffer.from(AsnConvert.serialize(cert));
  return { der, pem: encodePem(PEM_LABEL.certificate, der) };
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface ParsedCertificate {
  readonly pem: string;
  readonly der: Buffer;
  /** node's view: subject/issuer strings, fingerprints, verify(), checkIssued(). */
  readonly x509: X509Certificate;
  readonly asn: Certificate;
  readonly subject: Name;
  readonly publicKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCA: boolean;
  readonly subjectKeyId?: Buffer;
  readonly authorityKeyId?: Buffer;
}

/** Reads the first PEM block of `pem` as a certificate (messages in Talos's wording). */
export function parseCertificatePem(pem: string): ParsedCertificate {
  const block = decodePem(pem);
  if (!block) throw new PemParseError("failed to parse PEM block");
  if (block.label !== PEM_LABEL.certificate) {
    throw new PemParseError(
      `failed to parse certificate: PEM block is ${JSON.stringify(block.label)}, not "CERTIFICATE"`,
    );
  }
  return parseCertificateDer(block.der, pem);
}

export function parseCertificateDer(
  der: Buffer,
  pem = encodePem(PEM_LABEL.certificate, der),
): ParsedCertificate {
  let x509: X509Certificate;
  let asn: Certificate;
  try {
    x509 = new X509Certificate(der);
    asn = AsnConvert.parse(der, Certificate);
  } catch {
    throw new PemParseError("failed to parse certificate: x509: malformed certificate");
  }
  const tbs = asn.tbsCertificate;
  let subjectKeyId: Buffer | undefined;
  let authorityKeyId: Buffer | undefined;
  let isCA = false;
  for (const ext of tbs.extensions ?? []) {
    const value = Buffer.from(ext.extnValue.buffer);
    if (ext.extnID === OID.subjectKeyId)
      subjectKeyId = Buffer.from(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
    if (ext.extnID === OID.authorityKeyId) {
      const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
      if (aki.keyIdentifier) authorityKeyId = Buffer.from(aki.keyIdentifier.buffer);
    }
    if (ext.extnID === OID.basicConstraints) isCA = AsnConvert.parse(value, BasicConstraints).cA;
  }
  return {
    pem,
    der,
    x509,
    asn,
    subject: tbs.subject,
    publicKey: x509.publicKey,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    isCA,
    subjectKeyId,
    authorityKeyId,
  };
}

/** `sha256:<hex>` of the certificate's SubjectPublicKeyInfo (the pin `gen ca` writes). */
export function certificateHash(cert: ParsedCertificate): string {
  return `sha256:${createHash("sha256").update(publicKeyDer(cert.publicKey)).digest("hex")}`;
}
