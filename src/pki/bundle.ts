// The secrets bundle (secrets.yaml): the cluster's CAs, keys and tokens, and how a fresh one is
// generated for a version contract.
import { type KeyObject, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type CertAndKeyPem, createCertificateAuthority } from "./ca.js";
import {
  CURRENT_CONTRACT,
  usesRsaServiceAccountKey,
  usesSecretboxEncryption,
  type VersionContract,
} from "./contract.js";
import { encodePrivateKeyPem, generatePrivateKey, type KeyGenerator, type KeyKind } from "./keys.js";

export interface BundleCluster {
  /** 32 random bytes, base64 (standard for new bundles; URL-safe in bundles before Talos 1.14). */
  readonly id: string;
  readonly secret: string;
}

export interface BundleSecrets {
  /** `<6 chars>.<16 chars>` */
  readonly bootstrapToken: string;
  /** Contracts up to 1.2 only. */
  readonly aescbcEncryptionSecret?: string;
  readonly secretboxEncryptionSecret?: string;
}

export interface BundleTrustdInfo {
  readonly token: string;
}

export interface BundleKey {
  readonly key: string;
}

export interface BundleCerts {
  readonly etcd: CertAndKeyPem;
  readonly k8s: CertAndKeyPem;
  readonly k8sAggregator: CertAndKeyPem;
  readonly k8sServiceAccount: BundleKey;
  /** The Talos API CA (Ed25519). */
  readonly os: CertAndKeyPem;
}

/** A complete bundle. Certificates and keys are PEM text (the file stores them base64-encoded). */
export interface SecretsBundle {
  readonly cluster: BundleCluster;
  readonly secrets: BundleSecrets;
  readonly trustdInfo: BundleTrustdInfo;
  readonly certs: BundleCerts;
}

/**
 * A bundle as read from a file before validation: any section may be missing (undefined) and
 * any string empty, as Talos's lenient loader allows.
 */
export interface LoadedSecretsBundle {
  readonly cluster?: BundleCluster;
  readonly secrets?: BundleSecrets;
  readonly trustdInfo?: BundleTrustdInfo;
  readonly certs?: {
    readonly etcd?: CertAndKeyPem;
    readonly k8s?: CertAndKeyPem;
    readonly k8sAggregator?: CertAndKeyPem;
    readonly k8sServiceAccount?: BundleKey;
    readonly os?: CertAndKeyPem;
  };
}

/** Parts supplied from elsewhere (a kubeadm PKI directory); generation fills in the rest. */
export interface BundleSeed {
  readonly etcd?: CertAndKeyPem;
  readonly k8s?: CertAndKeyPem;
  readonly k8sAggregator?: CertAndKeyPem;
  readonly k8sServiceAccount?: BundleKey;
  readonly bootstrapToken?: string;
}

export interface GenerateBundleOptions {
  readonly contract?: VersionContract;
  /** The one instant every CA of the bundle starts at. */
  readonly now: Date;
  /** Key maker (tests inject a fast or cached one). */
  readonly keygen?: KeyGenerator;
  /** Told the wall-clock milliseconds spent generating keys (they are made concurrently). */
  readonly onKeygen?: (ms: number) => void;
  readonly seed?: BundleSeed;
}

/** Generates a bundle for a contract, keeping whatever `seed` already provides. */
export async function generateBundle(options: GenerateBundleOptions): Promise<SecretsBundle> {
  const contract = options.contract ?? CURRENT_CONTRACT;
  const keygen = options.keygen ?? generatePrivateKey;
  const seed = options.seed ?? {};
  const saKind: KeyKind = usesRsaServiceAccountKey(contract) ? "rsa" : "ecdsa";

  // Every key is asked for before any is awaited: node:crypto makes them on the thread pool,
  // RSA-4096 (by far the slowest) off the main thread. Each CA is signed as soon as its own
  // key arrives, so the main thread does the certificate work while the RSA key is made.
  const now = options.now;
  const started = performance.now();
  const ca = (given: CertAndKeyPem | undefined, kind: KeyKind, organization: string | undefined) =>
    given
      ? { key: Promise.resolve(undefined), made: Promise.resolve(given) }
      : startCa(keygen(kind), organization, now);
  const etcd = ca(seed.etcd, "ecdsa", "etcd");
  const k8s = ca(seed.k8s, "ecdsa", "kubernetes");
  // Talos asks for CN "front-proxy" here but its CA builder keeps only organizations.
  const k8sAggregator = ca(seed.k8sAggregator, "ecdsa", undefined);
  const saKey = seed.k8sServiceAccount ? undefined : keygen(saKind);
  const os = ca(undefined, "ed25519", "talos");

  // The moment the last key arrives (the longest one, as they run concurrently).
  const keysMade = options.onKeygen
    ? Promise.all([etcd.key, k8s.key, k8sAggregator.key, saKey, os.key]).then(
        () => performance.now() - started,
      )
    : undefined;
  // A failed key fails the bundle below; this copy of the failure is not the one reported.
  keysMade?.catch(() => {});

  const secretbox = usesSecretboxEncryption(contract);
  const cluster = { id: randomBase64(32), secret: randomBase64(32) };
  const secrets = {
    bootstrapToken: seed.bootstrapToken || generateToken(),
    ...(secretbox
      ? { secretboxEncryptionSecret: randomBase64(32) }
      : { aescbcEncryptionSecret: randomBase64(32) }),
  };
  const trustdInfo = { token: generateToken() };
  const serviceAccount = saKey?.then((key) => ({ key: encodePrivateKeyPem(key) }));
  const [etcdCa, k8sCa, aggregatorCa, saPem, osCa] = await Promise.all([
    etcd.made,
    k8s.made,
    k8sAggregator.made,
    serviceAccount,
    os.made,
  ]);
  if (keysMade) options.onKeygen?.(await keysMade);
  return {
    cluster,
    secrets,
    trustdInfo,
    certs: {
      etcd: etcdCa,
      k8s: k8sCa,
      k8sAggregator: aggregatorCa,
      k8sServiceAccount: seed.k8sServiceAccount ?? saPem!,
      os: osCa,
    },
  };
}

/** A CA signed once its key arrives; `key` settles when the key does. */
function startCa(
  key: Promise<KeyObject>,
  organization: string | undefined,
  now: Date,
): { key: Promise<KeyObject | undefined>; made: Promise<CertAndKeyPem> } {
  const made = key.then(async (k) => {
    const ca = await createCertificateAuthority({ key: k, organization, now });
    return { crt: ca.crt, key: ca.key };
  });
  return { key, made };
}

/** `n` random bytes, standard base64 with padding. */
export function randomBase64(n: number): string {
  return randomBytes(n).toString("base64");
}

const TOKEN_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * A kubeadm-style token `[a-z0-9]{6}.[a-z0-9]{16}`. Bytes of 252 and above are dropped so
 * that `byte % 36` stays uniform.
 */
export function generateToken(): string {
  return `${randomChars(6)}.${randomChars(16)}`;
}

function randomChars(n: number): string {
  let out = "";
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b >= 252) continue;
      out += TOKEN_ALPHABET[b % 36];
      if (out.length === n) break;
    }
  }
  return out;
}
