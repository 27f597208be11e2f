// A bundle seeded from a kubeadm PKI directory (/etc/kubernetes/pki): its Kubernetes, etcd and
// front-proxy CAs and service-account key are kept; everything else is generated.
import fs from "node:fs";
import path from "node:path";
import { errorMessage, UserError } from "../errors.js";
import { readError } from "../fsutil/index.js";
import { type BundleKey, type GenerateBundleOptions, generateBundle, type SecretsBundle } from "./bundle.js";
import type { CertAndKeyPem } from "./ca.js";
import { describeKey, keyKindOf, parsePrivateKeyPem, publicKeyDer } from "./keys.js";
import { parseCertificatePem } from "./x509.js";

export interface KubernetesPkiOptions extends Omit<GenerateBundleOptions, "seed"> {
  /** Used verbatim when given; otherwise one is generated. */
  readonly bootstrapToken?: string;
  /** Base of a relative `dir` (messages keep the path as given). */
  readonly cwd?: string;
}

/** Reads the kubeadm files under `dir` (each parse-checked) and generates the rest. */
export async function bundleFromKubernetesPki(
  dir: string,
  options: KubernetesPkiOptions,
): Promise<SecretsBundle> {
  const { bootstrapToken, cwd, ...generate } = options;
  const files = new PkiFiles(dir, cwd ?? process.cwd());
  let stat: fs.Stats;
  try {
    stat = fs.statSync(files.resolve(""));
  } catch (err) {
    throw readError(dir, err);
  }
  if (!stat.isDirectory()) throw new UserError(`${JSON.stringify(dir)} is not a directory`);

  const k8s = readPair(files, "ca.crt", "ca.key");
  const etcd = readPair(files, path.join("etcd", "ca.crt"), path.join("etcd", "ca.key"));
  const k8sAggregator = readPair(files, "front-proxy-ca.crt", "front-proxy-ca.key");
  const k8sServiceAccount = readServiceAccountKey(files, "sa.key");
  return generateBundle({
    ...generate,
    seed: { k8s, etcd, k8sAggregator, k8sServiceAccount, bootstrapToken },
  });
}

/** Files of the PKI directory: read by resolved path, named in messages as the user gave them. */
class PkiFiles {
  constructor(
    private readonly dir: string,
    private readonly cwd: string,
  ) {}

  resolve(name: string): string {
    return path.resolve(this.cwd, this.dir, name);
  }

  shown(name: string): string {
    return path.join(this.dir, name);
  }

  read(name: string): string {
    try {
      return fs.readFileSync(this.resolve(name), "utf8");
    } catch (err) {
      throw readError(this.shown(name), err);
    }
  }
}

function readPair(files: PkiFiles, crtName: string, keyName: string): CertAndKeyPem {
  const crtFile = files.shown(crtName);
  const keyFile = files.shown(keyName);
  const crt = files.read(crtName);
  const key = files.read(keyName);
  const privateKey = parseOr(keyFile, () => parsePrivateKeyPem(key));
  const cert = parseOr(crtFile, () => parseCertificatePem(crt));
  if (!publicKeyDer(privateKey).equals(publicKeyDer(cert.publicKey))) {
    throw new UserError(`${keyFile}: the private key does not belong to the certificate in ${crtFile}`);
  }
  return { crt, key };
}

function readServiceAccountKey(files: PkiFiles, name: string): BundleKey {
  const file = files.shown(name);
  const key = files.read(name);
  const parsed = parseOr(file, () => parsePrivateKeyPem(key));
  const kind = keyKindOf(parsed);
  if (kind !== "rsa" && kind !== "ecdsa") {
    throw new UserError(`${file}: expected an RSA or ECDSA private key, got ${describeKey(parsed)}`);
  }
  return { key };
}

function parseOr<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UserError(`${file}: ${errorMessage(err)}`, { cause: err });
  }
}
