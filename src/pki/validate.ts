// Bundle validation: Talos's checks and messages, all problems at once, in Talos's order;
// then the toolkit's own checks that a pair's key is its certificate's and of a usable kind.
import type { KeyObject } from "node:crypto";
import { errorMessage } from "../errors.js";
import type { LoadedSecretsBundle } from "./bundle.js";
import type { CertAndKeyPem } from "./ca.js";
import type { VersionContract } from "./contract.js";
import { describeKey, type KeyKind, keyKindOf, parsePrivateKeyPem, publicKeyDer } from "./keys.js";
import { parseCertificatePem } from "./x509.js";

/** Key kinds each bundle entry may hold. */
const ALLOWED_KINDS: Readonly<Record<string, readonly KeyKind[]>> = {
  // The Talos API CA issues the admin and node certificates; RSA-4096 leaves would be absurdly slow.
  "certs.os": ["ed25519", "ecdsa"],
  "certs.etcd": ["ecdsa", "rsa"],
  "certs.k8s": ["ecdsa", "rsa"],
  "certs.k8saggregator": ["ecdsa", "rsa"],
  // Kubernetes signs service-account tokens with RSA or ECDSA keys only.
  "certs.k8sserviceaccount.key": ["ecdsa", "rsa"],
};

const KIND_NAMES: Readonly<Record<KeyKind, string>> = { ed25519: "Ed25519", ecdsa: "ECDSA", rsa: "RSA" };

/**
 * Every problem of a loaded bundle, as Talos words them (`cluster.id is required`,
 * `certs.etcd is invalid: failed to parse PEM block`, ...). Empty when the bundle is usable.
 * The contract is accepted for parity with Talos; no check depends on it today.
 */
export function validateBundle(bundle: LoadedSecretsBundle, _contract?: VersionContract): string[] {
  const problems: string[] = [];
  const extra: string[] = [];
  const { cluster, secrets, trustdInfo, certs } = bundle;

  if (!cluster) problems.push("cluster is required");
  else {
    if (!cluster.id) problems.push("cluster.id is required");
    if (!cluster.secret) problems.push("cluster.secret is required");
  }

  if (!secrets) problems.push("secrets is required");
  else {
    if (!secrets.bootstrapToken) problems.push("secrets.bootstraptoken is required");
    const both = "[secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret]";
    if (!secrets.secretboxEncryptionSecret && !secrets.aescbcEncryptionSecret) {
      problems.push(`one of ${both} is required`);
    }
    if (secrets.secretboxEncryptionSecret && secrets.aescbcEncryptionSecret) {
      problems.push(`only one of ${both} is allowed`);
    }
  }

  if (!trustdInfo) problems.push("trustdinfo is required");
  else if (!trustdInfo.token) problems.push("trustdinfo.token is required");

  if (!certs) problems.push("certs is required");
  else {
    checkPair("certs.etcd", certs.etcd, problems, extra);
    checkPair("certs.k8s", certs.k8s, problems, extra);
    checkPair("certs.k8saggregator", certs.k8sAggregator, problems, extra);
    if (!certs.k8sServiceAccount) problems.push("certs.k8sserviceaccount is required");
    else {
      const path = "certs.k8sserviceaccount.key";
      try {
        checkKind(path, parsePrivateKeyPem(certs.k8sServiceAccount.key), extra);
      } catch (err) {
        problems.push(`${path} is invalid: ${errorMessage(err)}`);
      }
    }
    checkPair("certs.os", certs.os, problems, extra);
  }
  return [...problems, ...extra];
}

function checkPair(path: string, pair: CertAndKeyPem | undefined, problems: string[], extra: string[]): void {
  if (!pair) {
    problems.push(`${path} is required`);
    return;
  }
  let key: KeyObject;
  try {
    key = parsePrivateKeyPem(pair.key);
  } catch (err) {
    // A certificate-and-key pair words an unknown label with a colon, unlike a lone key.
    problems.push(
      `${path} is invalid: ${errorMessage(err).replace(/^unsupported key type "/, 'unsupported key type: "')}`,
    );
    return;
  }
  let cert: ReturnType<typeof parseCertificatePem>;
  try {
    cert = parseCertificatePem(pair.crt);
  } catch (err) {
    problems.push(`${path} is invalid: ${errorMessage(err)}`);
    return;
  }
  if (!publicKeyDer(key).equals(publicKeyDer(cert.publicKey))) {
    extra.push(
      `${path}.key: the ${describeKey(key)} private key does not belong to the ${describeKey(cert.publicKey)} certificate in ${path}.crt`,
    );
    return;
  }
  checkKind(`${path}.key`, key, extra, path);
}

function checkKind(path: string, key: KeyObject, extra: string[], kindsOf = path): void {
  const allowed = ALLOWED_KINDS[kindsOf] ?? [];
  const kind = keyKindOf(key);
  if (kind && allowed.includes(kind)) return;
  const wanted = allowed.map((k) => KIND_NAMES[k]).join(" or ");
  extra.push(`${path}: expected an ${wanted} key, got ${describeKey(key)}`);
}
