// Extracts the secrets bundle from a controlplane machine config: the legacy fat v1alpha1
// layout (base64 PEMs under machine/cluster) and the multi-document layout of Talos 1.14+
// (raw PEMs in Kube*Config documents, cluster identity in DiscoveryIdentityConfig).
import { LineCounter, parseAllDocuments } from "yaml";
import { errorMessage, UserError } from "../errors.js";
import type { BundleKey, LoadedSecretsBundle } from "./bundle.js";
import type { CertAndKeyPem } from "./ca.js";
import { isStrictBase64 } from "./pem.js";

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Builds a bundle from the parsed documents of a machine config file. Nothing is generated:
 * parts the config does not carry stay empty (validateBundle then names them).
 */
export function bundleFromMachineConfig(documents: readonly unknown[], file: string): LoadedSecretsBundle {
  const fail = (where: string, message: string) => new UserError(`${file}: ${where}: ${message}`);
  const legacy = documents.find((d) => isObj(d) && d.kind === undefined && d.version !== undefined) as
    | Obj
    | undefined;
  const byKind = (kind: string): Obj | undefined =>
    documents.find((d) => isObj(d) && d.kind === kind) as Obj | undefined;

  const machine = objAt(legacy, ["machine"], fail, "machine");
  const cluster = objAt(legacy, ["cluster"], fail, "cluster");
  if (machine?.type === "worker") {
    throw new UserError(
      `${file}: machine.type is "worker": worker configs do not carry the cluster's CA keys, use a controlplane config`,
    );
  }

  // Strings at a path; `where` names the path in errors.
  const str = (root: Obj | undefined, keys: string[], where: string): string => {
    let cur: unknown = root;
    for (const k of keys) {
      if (!isObj(cur)) return "";
      cur = cur[k];
    }
    if (cur === undefined || cur === null) return "";
    if (typeof cur !== "string") throw fail(where, `expected a string, got ${typeof cur}`);
    return cur;
  };
  const b64 = (root: Obj | undefined, keys: string[], where: string): string => {
    const value = str(root, keys, where).trim();
    if (value === "") return "";
    if (!isStrictBase64(value)) throw fail(where, "invalid base64 (expected the base64 of a PEM block)");
    return Buffer.from(value, "base64").toString("utf8");
  };
  // A legacy {crt, key} pair; undefined when the config has no such section.
  const legacyPair = (keys: string[], where: string): CertAndKeyPem | undefined => {
    if (objAt(legacy, keys, fail, where) === undefined) return undefined;
    return {
      crt: b64(legacy, [...keys, "crt"], `${where}.crt`),
      key: b64(legacy, [...keys, "key"], `${where}.key`),
    };
  };
  // A multi-document issuingCA {cert, key} pair of raw PEM strings.
  const issuingCA = (kind: string): CertAndKeyPem | undefined => {
    const doc = byKind(kind);
    const ca = objAt(doc, ["issuingCA"], fail, `${kind}.issuingCA`);
    if (!ca) return undefined;
    return {
      crt: str(ca, ["cert"], `${kind}.issuingCA.cert`),
      key: str(ca, ["key"], `${kind}.issuingCA.key`),
    };
  };

  const serviceAccount = ((): BundleKey | undefined => {
    const doc = byKind("KubeServiceAccountConfig");
    const issuer = objAt(doc, ["issuer"], fail, "KubeServiceAccountConfig.issuer");
    if (issuer) return { key: str(issuer, ["privateKey"], "KubeServiceAccountConfig.issuer.privateKey") };
    if (objAt(legacy, ["cluster", "serviceAccount"], fail, "cluster.serviceAccount") === undefined)
      return undefined;
    return { key: b64(legacy, ["cluster", "serviceAccount", "key"], "cluster.serviceAccount.key") };
  })();

  const identity = byKind("DiscoveryIdentityConfig");
  const clusterId = identity
    ? str(identity, ["clusterID"], "DiscoveryIdentityConfig.clusterID")
    : str(cluster, ["id"], "cluster.id");
  const clusterSecret = identity
    ? str(identity, ["clusterSecret"], "DiscoveryIdentityConfig.clusterSecret")
    : str(cluster, ["secret"], "cluster.secret");

  const encryption = byKind("KubeEtcdEncryptionConfig");
  const secretbox = encryption
    ? secretboxFromEncryptionConfig(encryption)
    : str(cluster, ["secretboxEncryptionSecret"], "cluster.secretboxEncryptionSecret");
  const aescbc = str(cluster, ["aescbcEncryptionSecret"], "cluster.aescbcEncryptionSecret");

  return {
    cluster: { id: clusterId, secret: clusterSecret },
    secrets: {
      bootstrapToken: bootstrapToken(str(cluster, ["token"], "cluster.token")),
      ...(aescbc ? { aescbcEncryptionSecret: aescbc } : {}),
      ...(secretbox ? { secretboxEncryptionSecret: secretbox } : {}),
    },
    trustdInfo: { token: str(machine, ["token"], "machine.token") },
    certs: {
      etcd: legacyPair(["cluster", "etcd", "ca"], "cluster.etcd.ca"),
      k8s: issuingCA("KubeAPIServerCAConfig") ?? legacyPair(["cluster", "ca"], "cluster.ca"),
      k8sAggregator:
        issuingCA("KubeAggregatorCAConfig") ??
        legacyPair(["cluster", "aggregatorCA"], "cluster.aggregatorCA"),
      k8sServiceAccount: serviceAccount,
      os: legacyPair(["machine", "ca"], "machine.ca"),
    },
  };
}

function objAt(
  root: Obj | undefined,
  keys: readonly string[],
  fail: (where: string, message: string) => UserError,
  where: string,
): Obj | undefined {
  let cur: unknown = root;
  for (const k of keys) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  if (cur === undefined || cur === null) return undefined;
  if (!isObj(cur)) throw fail(where, `expected a mapping, got ${Array.isArray(cur) ? "a list" : typeof cur}`);
  return cur;
}

/** Talos rebuilds the token as `<id>.<secret>`; a token that does not split in two is lost. */
function bootstrapToken(token: string): string {
  const parts = token.split(".");
  return parts.length === 2 ? token : "";
}

/**
 * The secretbox secret of an encryption config: from the first `resources[]` entry that covers
 * `secrets`, only when that entry's first provider is secretbox (its first key's secret).
 */
function secretboxFromEncryptionConfig(doc: Obj): string {
  const config = doc.config;
  if (!isObj(config) || !Array.isArray(config.resources)) return "";
  const entry = config.resources.find(
    (r) => isObj(r) && Array.isArray(r.resources) && r.resources.includes("secrets"),
  ) as Obj | undefined;
  if (!entry || !Array.isArray(entry.providers)) return "";
  const first: unknown = entry.providers[0];
  if (!isObj(first) || !isObj(first.secretbox) || !Array.isArray(first.secretbox.keys)) return "";
  const key: unknown = first.secretbox.keys[0];
  return isObj(key) && typeof key.secret === "string" ? key.secret : "";
}

/**
 * Parses a machine config file's YAML (all documents) into plain objects for
 * bundleFromMachineConfig; a syntax error names the file and line.
 */
export function parseMachineConfigDocuments(text: string, file: string): unknown[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    const problem = doc.errors[0];
    if (problem) {
      const line = lineCounter.linePos(problem.pos[0]).line;
      throw new UserError(
        `failed to parse ${file}${line ? ` (line ${line})` : ""}: ${problem.message.split("\n")[0]}`,
      );
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // Aliases are resolved only here (an undefined anchor, an alias bomb).
      throw new UserError(`failed to parse ${file}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}
