// Private keys: generation (Ed25519, ECDSA P-256, RSA) and the PEM encodings Talos uses for
// each, plus the relabelling node's TLS needs for Talos's non-standard Ed25519 label.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { errorMessage, TalosError } from "../errors.js";
import { decodePem, encodePem, PEM_LABEL, relabelPem } from "./pem.js";

const generateKeyPairAsync = promisify(generateKeyPair);

export type KeyKind = "ed25519" | "ecdsa" | "rsa";

/** RSA keys Talos generates (service-account key, RSA CAs and their leaves) are 4096 bits. */
export const RSA_KEY_BITS = 4096;

/** Makes a private key; RSA runs on the libuv pool, so other work proceeds meanwhile. */
export type KeyGenerator = (kind: KeyKind) => Promise<KeyObject>;

export const generatePrivateKey: KeyGenerator = async (kind) => {
  switch (kind) {
    case "ed25519":
      return (await generateKeyPairAsync("ed25519")).privateKey;
    case "ecdsa":
      return (await generateKeyPairAsync("ec", { namedCurve: "prime256v1" })).privateKey;
    case "rsa":
      return (await generateKeyPairAsync("rsa", { modulusLength: RSA_KEY_BITS, publicExponent: 0x10001 }))
        .privateKey;
  }
};

/** The kind of a private or public key, or undefined for algorithms Talos does not use. */
export function keyKindOf(key: KeyObject): KeyKind | undefined {
  switch (key.asymmetricKeyType) {
    case "ed25519":
      return "ed25519";
    case "ec":
      return "ecdsa";
    case "rsa":
      return "rsa";
    default:
      return undefined;
  }
}

/** A short human name of a key's algorithm, for messages ("Ed25519", "ECDSA P-256", "RSA-4096"). */
export function describeKey(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case "ed25519":
      return "Ed25519";
    case "ec":
      return `ECDSA ${curveName(key.asymmetricKeyDetails?.namedCurve)}`;
    case "rsa":
      return `RSA-${key.asymmetricKeyDetails?.modulusLength ?? "?"}`;
    default:
      return String(key.asymmetricKeyType ?? "unknown");
  }
}

function curveName(curve: string | undefined): string {
  switch (curve) {
    case "prime256v1":
      return "P-256";
    case "secp384r1":
      return "P-384";
    case "secp521r1":
      return "P-521";
    default:
      return curve ?? "unknown curve";
  }
}

/**
 * PEM of a private key in Talos's encoding for its kind: Ed25519 as PKCS#8 under
 * `ED25519 PRIVATE KEY`, ECDSA as SEC1 `EC PRIVATE KEY`, RSA as PKCS#1 `RSA PRIVATE KEY`.
 */
export function encodePrivateKeyPem(key: KeyObject): string {
  switch (keyKindOf(key)) {
    case "ed25519":
      return encodePem(PEM_LABEL.ed25519PrivateKey, key.export({ format: "der", type: "pkcs8" }));
    case "ecdsa":
      return encodePem(PEM_LABEL.ecPrivateKey, key.export({ format: "der", type: "sec1" }));
    case "rsa":
      return encodePem(PEM_LABEL.rsaPrivateKey, key.export({ format: "der", type: "pkcs1" }));
    default:
      throw new TalosError("unimplemented", `cannot encode a ${String(key.asymmetricKeyType)} key`);
  }
}

/** Error from reading a key or certificate; the message is Talos's wording. */
export class PemParseError extends TalosError {
  override readonly name = "PemParseError";

  constructor(message: string) {
    super("invalid", message);
  }
}

/**
 * Reads the first PEM block of `pem` as a private key. Accepts Talos's labels and PKCS#8
 * `PRIVATE KEY` holding an RSA, ECDSA or Ed25519 key.
 */
export function parsePrivateKeyPem(pem: string): KeyObject {
  const block = decodePem(pem);
  if (!block) throw new PemParseError("failed to parse PEM block");
  if (block.headers.some(([k]) => k === "Proc-Type" || k === "DEK-Info")) {
    throw new PemParseError("encrypted PEM private keys are not supported");
  }
  switch (block.label) {
    case PEM_LABEL.ed25519PrivateKey: {
      const key = importDer(block.der, "pkcs8", "Ed25519");
      if (key.asymmetricKeyType !== "ed25519") {
        throw new PemParseError("failed parsing Ed25519 key, got wrong key type");
      }
      return key;
    }
    case PEM_LABEL.ecPrivateKey:
      return importDer(block.der, "sec1", "ECDSA");
    case PEM_LABEL.rsaPrivateKey:
      return importDer(block.der, "pkcs1", "RSA");
    case PEM_LABEL.pkcs8PrivateKey: {
      const key = importDer(block.der, "pkcs8", "PKCS#8");
      if (keyKindOf(key) === undefined) {
        throw new PemParseError(`unsupported PKCS#8 key algorithm ${String(key.asymmetricKeyType)}`);
      }
      return key;
    }
    default:
      throw new PemParseError(`unsupported key type ${JSON.stringify(block.label)}`);
  }
}

function importDer(der: Buffer, type: "pkcs8" | "sec1" | "pkcs1", what: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: "der", type });
  } catch (err) {
    throw new PemParseError(`failed to parse ${what} key: ${derReason(err)}`);
  }
}

function derReason(err: unknown): string {
  const message = errorMessage(err);
  // OpenSSL's decoder messages are long and internal; the gist is that the DER is bad.
  return /decod|asn1|DECODER|unsupported/i.test(message) ? "malformed DER" : message;
}

/**
 * The PEM to hand to node's TLS for a key Talos stored: node (OpenSSL) does not know the
 * `ED25519 PRIVATE KEY` label, whose body is plain PKCS#8, so it becomes `PRIVATE KEY`.
 */
export function toTlsKeyPem(pem: string): string {
  return relabelPem(pem, PEM_LABEL.ed25519PrivateKey, PEM_LABEL.pkcs8PrivateKey);
}

/** DER SubjectPublicKeyInfo of a private or public key. */
export function publicKeyDer(key: KeyObject): Buffer {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return pub.export({ format: "der", type: "spki" });
}
