// secrets.yaml as talosctl reads it (leniently: unknown keys ignored, nothing checked until
// validation); the writer is bundle-encode.ts.
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { UserError } from "../errors.js";
import { readTextFile } from "../fsutil/index.js";
import type { LoadedSecretsBundle, SecretsBundle } from "./bundle.js";
import { REDACTED } from "./bundle-encode.js";
import type { CertAndKeyPem } from "./ca.js";
import type { VersionContract } from "./contract.js";
import { isStrictBase64 } from "./pem.js";
import { validateBundle } from "./validate.js";

export { encodeBundle, REDACTED } from "./bundle-encode.js";

// ---------------------------------------------------------------------------------------------
// Loading

/**
 * Parses bundle YAML. Only the file's shape is checked here (YAML syntax, mappings where
 * mappings belong, base64 of `crt`/`key`); missing parts are left for validateBundle.
 */
export function loadBundle(text: string, file: string): LoadedSecretsBundle {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const problem = doc.errors[0];
  if (problem) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    throw new UserError(
      `failed to parse secrets bundle ${file}${line ? ` (line ${line})` : ""}: ${firstLine(problem.message)}`,
    );
  }
  const at = (path: string, message: string) =>
    new UserError(`invalid secrets bundle ${file}: ${path}: ${message}`);
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) return {};
  if (!isMap(root))
    throw new UserError(`invalid secrets bundle ${file}: expected a mapping at the top level`);

  const mapping = (parent: Node | null | undefined, key: string, path: string): Node | undefined => {
    if (!isMap(parent)) return undefined;
    const node = parent.get(key, true) as Node | undefined;
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return undefined;
    if (!isMap(node)) throw at(path, `expected a mapping, got ${describeNode(node)}`);
    return node;
  };
  const text_ = (parent: Node | undefined, key: string, path: string): string => {
    if (!isMap(parent)) return "";
    const node = parent.get(key, true) as Node | undefined;
    if (node === undefined || node === null) return "";
    if (!isScalar(node)) throw at(path, `expected a string, got ${describeNode(node)}`);
    if (node.value === null) return "";
    // Non-string scalars (a numeric-looking token) are taken as written, like go-yaml does.
    return typeof node.value === "string" ? node.value : (node.source ?? String(node.value));
  };
  const pem = (parent: Node | undefined, key: string, path: string): string => {
    const value = text_(parent, key, path).trim();
    if (value === REDACTED) return value;
    if (!isStrictBase64(value)) throw at(path, "invalid base64 (expected the base64 of a PEM block)");
    return Buffer.from(value, "base64").toString("utf8");
  };
  const pair = (parent: Node | undefined, key: string, path: string): CertAndKeyPem | undefined => {
    const node = mapping(parent, key, path);
    if (!node) return undefined;
    return { crt: pem(node, "crt", `${path}.crt`), key: pem(node, "key", `${path}.key`) };
  };

  const cluster = mapping(root, "cluster", "cluster");
  const secrets = mapping(root, "secrets", "secrets");
  const trustd = mapping(root, "trustdinfo", "trustdinfo");
  const certs = mapping(root, "certs", "certs");
  const sa = mapping(certs, "k8sserviceaccount", "certs.k8sserviceaccount");
  const aescbc = text_(secrets, "aescbcencryptionsecret", "secrets.aescbcencryptionsecret");
  const secretbox = text_(secrets, "secretboxencryptionsecret", "secrets.secretboxencryptionsecret");
  return {
    cluster: cluster && {
      id: text_(cluster, "id", "cluster.id"),
      secret: text_(cluster, "secret", "cluster.secret"),
    },
    secrets: secrets && {
      bootstrapToken: text_(secrets, "bootstraptoken", "secrets.bootstraptoken"),
      ...(aescbc ? { aescbcEncryptionSecret: aescbc } : {}),
      ...(secretbox ? { secretboxEncryptionSecret: secretbox } : {}),
    },
    trustdInfo: trustd && { token: text_(trustd, "token", "trustdinfo.token") },
    certs: certs && {
      etcd: pair(certs, "etcd", "certs.etcd"),
      k8s: pair(certs, "k8s", "certs.k8s"),
      k8sAggregator: pair(certs, "k8saggregator", "certs.k8saggregator"),
      k8sServiceAccount: sa && { key: pem(sa, "key", "certs.k8sserviceaccount.key") },
      os: pair(certs, "os", "certs.os"),
    },
  };
}

function describeNode(node: Node): string {
  if (isSeq(node)) return "a list";
  if (isMap(node)) return "a mapping";
  if (isScalar(node))
    return typeof node.value === "string"
      ? `the string ${JSON.stringify(node.value)}`
      : `${JSON.stringify(node.value)}`;
  return "something else";
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/**
 * Reads, loads and validates a bundle file (what `gen config --with-secrets` needs): one
 * UserError naming the file and every problem found.
 */
export function readSecretsBundleFile(file: string, contract: VersionContract): SecretsBundle {
  const bundle = loadBundle(readTextFile(file), file);
  const problems = validateBundle(bundle, contract);
  if (problems.length > 0) {
    throw new UserError(`invalid secrets bundle ${file}: ${problems.join("; ")}`);
  }
  return bundle as SecretsBundle;
}
