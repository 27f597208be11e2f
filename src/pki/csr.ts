// Certificate signing requests (`gen csr`) and signing them with a CA (`gen crt`).
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  Attribute,
  Extension,
  Extensions,
  GeneralName,
  type Name,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import { type CertAndKeyPem, type CertificateAuthority, issuerOf, loadCertificateAuthority } from "./ca.js";
import { PemParseError, publicKeyDer } from "./keys.js";
import { decodePem, encodePem, PEM_LABEL } from "./pem.js";
import {
  buildName,
  createCertificate,
  ipBytes,
  ipText,
  KEY_USAGE,
  OID,
  signWith,
  verifyHash,
} from "./x509.js";

export interface CreateCsrOptions {
  readonly key: KeyObject;
  readonly organizations?: readonly string[];
  readonly commonName?: string;
  readonly ips?: readonly string[];
  readonly dnsNames?: readonly string[];
}

/** A PEM `CERTIFICATE REQUEST` signed by `key`, asking for its names in a SAN extension. */
export function createCertificateSigningRequest(options: CreateCsrOptions): string {
  const names = [
    ...(options.dnsNames ?? []).map((d) => new GeneralName({ dNSName: d })),
    ...(options.ips ?? []).map((ip) => {
      const bytes = ipBytes(ip);
      if (!bytes) throw new PemParseError(`invalid IP: ${ip}`);
      return new GeneralName({ iPAddress: ipText(bytes) });
    }),
  ];
  const attributes = new Attributes();
  if (names.length > 0) {
    const san = new Extension({
      extnID: OID.subjectAltName,
      critical: false,
      extnValue: new OctetString(AsnConvert.serialize(new SubjectAlternativeName(names))),
    });
    attributes.push(
      new Attribute({ type: OID.extensionRequest, values: [AsnConvert.serialize(new Extensions([san]))] }),
    );
  }
  const info = new CertificationRequestInfo({
    version: 0,
    subject: buildName({ organizations: options.organizations, commonName: options.commonName }),
    subjectPKInfo: AsnConvert.parse(publicKeyDer(options.key), SubjectPublicKeyInfo),
    attributes,
  });
  const infoDer = Buffer.from(AsnConvert.serialize(info));
  const { algorithm, signature } = signWith(options.key, infoDer);
  const csr = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: algorithm,
    signature: new Uint8Array(signature).buffer,
  });
  return encodePem(PEM_LABEL.certificateRequest, Buffer.from(AsnConvert.serialize(csr)));
}

export interface ParsedCsr {
  readonly subject: Name;
  readonly publicKey: KeyObject;
  readonly dnsNames: string[];
  /** 4- or 16-byte addresses. */
  readonly ips: Buffer[];
}

/** Reads a PEM CSR and checks its signature (Talos refuses to sign a request that fails it). */
export function parseCertificateSigningRequest(pem: string): ParsedCsr {
  const block = decodePem(pem);
  if (!block) throw new PemParseError("failed to parse PEM block");
  if (block.label !== PEM_LABEL.certificateRequest) {
    throw new PemParseError(
      `failed to parse CSR: PEM block is ${JSON.stringify(block.label)}, not "CERTIFICATE REQUEST"`,
    );
  }
  let csr: CertificationRequest;
  try {
    csr = AsnConvert.parse(block.der, CertificationRequest);
  } catch {
    throw new PemParseError("failed to parse CSR: malformed certificate request");
  }
  const info = csr.certificationRequestInfo;
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({
      key: Buffer.from(AsnConvert.serialize(info.subjectPKInfo)),
      format: "der",
      type: "spki",
    });
  } catch {
    throw new PemParseError("failed to parse CSR: unsupported public key");
  }
  const hash = verifyHash(csr.signatureAlgorithm.algorithm);
  const signed = csr.certificationRequestInfoRaw
    ? Buffer.from(csr.certificationRequestInfoRaw)
    : Buffer.from(AsnConvert.serialize(info));
  if (hash === undefined || !verify(hash, signed, publicKey, Buffer.from(csr.signature))) {
    throw new PemParseError("failed verifying CSR signature");
  }
  const dnsNames: string[] = [];
  const ips: Buffer[] = [];
  for (const attr of info.attributes ?? []) {
    if (attr.type !== OID.extensionRequest) continue;
    for (const value of attr.values) {
      for (const ext of AsnConvert.parse(value, Extensions)) {
        if (ext.extnID !== OID.subjectAltName) continue;
        for (const name of AsnConvert.parse(ext.extnValue.buffer, SubjectAlternativeName)) {
          if (name.dNSName !== undefined) dnsNames.push(name.dNSName);
          if (name.iPAddress !== undefined) {
            const bytes = ipBytes(name.iPAddress);
            if (bytes) ips.push(bytes);
          }
        }
      }
    }
  }
  return { subject: info.subject, publicKey, dnsNames, ips };
}

export interface SignCsrOptions {
  readonly ca: CertificateAuthority | CertAndKeyPem;
  readonly csr: string;
  readonly now: Date;
  readonly ttlMs: number;
  /** Also allow serving TLS with it (serverAuth), as trustd's certificates for apid do. */
  readonly serverAuth?: boolean;
}

/**
 * Issues a client certificate for a CSR (what `gen crt` does): the request's subject and
 * addresses, critical digitalSignature, clientAuth, authority key id = the CA's.
 */
export function signCertificateRequest(options: SignCsrOptions): string {
  const ca = "privateKey" in options.ca ? options.ca : loadCertificateAuthority(options.ca);
  const request = parseCertificateSigningRequest(options.csr);
  return createCertificate(
    {
      subject: request.subject,
      notBefore: options.now,
      notAfter: new Date(options.now.getTime() + options.ttlMs),
      isCA: false,
      keyUsage: [KEY_USAGE.digitalSignature],
      extKeyUsage: options.serverAuth ? [OID.serverAuth, OID.clientAuth] : [OID.clientAuth],
      dnsNames: request.dnsNames,
      ips: request.ips,
    },
    request.publicKey,
    issuerOf(ca),
  ).pem;
}
