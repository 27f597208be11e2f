// What the secrets controllers share: the resource kinds they write, issuing a certificate
// once per set of inputs (and the CAs and keys it signs with), and the helpers that read the
// node's hostname, addresses and SANs.
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import { NetIPSchema, PEMEncodedCertificateAndKeySchema, URLSchema } from "../../../gen/common/common_pb.js";
import {
  APICertsSpecSchema,
  CertSANSpecSchema,
  EncryptionSaltSpecSchema,
  EtcdCertsSpecSchema,
  EtcdRootSpecSchema,
  KubeletSpecSchema,
  KubernetesCertsSpecSchema,
  KubernetesDynamicCertsSpecSchema,
  KubernetesRootSpecSchema,
  MaintenanceRootSpecSchema,
  OSRootSpecSchema,
  TrustdCertsSpecSchema,
} from "../../../gen/resource/definitions/secrets/secrets_pb.js";
import { type CertificateAuthority, leafKeyKind, loadCertificateAuthority } from "../../../pki/ca.js";
import { encodePrivateKeyPem, RSA_KEY_BITS } from "../../../pki/keys.js";
import { buildName, CA_VALIDITY_MS, createCertificate, ipBytes, KEY_USAGE, OID } from "../../../pki/x509.js";
import {
  type Controller,
  ipText,
  messageKind,
  NS,
  ipBytes as netIpBytes,
  spec,
} from "../../resources/index.js";
import type { PemPair } from "./cluster-facts.js";
import { HOSTNAME_STATUS, NODE_ADDRESS } from "./network.js";
import type { MachineSource } from "./source.js";
import { TIME_STATUS } from "./time.js";

export const OS_ROOT = messageKind("OSRootSecrets.secrets.talos.dev", OSRootSpecSchema);
export const ETCD_ROOT = messageKind("EtcdRootSecrets.secrets.talos.dev", EtcdRootSpecSchema);
export const KUBERNETES_ROOT = messageKind(
  "KubernetesRootSecrets.secrets.talos.dev",
  KubernetesRootSpecSchema,
);
export const MAINTENANCE_ROOT = messageKind(
  "MaintenanceRootSecrets.secrets.talos.dev",
  MaintenanceRootSpecSchema,
);
export const CERT_SAN = messageKind("CertSANs.secrets.talos.dev", CertSANSpecSchema);
export const API_CERTS = messageKind("ApiCertificates.secrets.talos.dev", APICertsSpecSchema);
export const TRUSTD_CERTS = messageKind("TrustdCertificates.secrets.talos.dev", TrustdCertsSpecSchema);
export const ETCD_CERTS = messageKind("EtcdSecrets.secrets.talos.dev", EtcdCertsSpecSchema);
export const KUBELET_SECRETS = messageKind("KubeletSecrets.secrets.talos.dev", KubeletSpecSchema);
export const KUBERNETES_CERTS = messageKind("KubernetesSecrets.secrets.talos.dev", KubernetesCertsSpecSchema);
export const KUBERNETES_DYNAMIC_CERTS = messageKind(
  "KubernetesDynamicCerts.secrets.talos.dev",
  KubernetesDynamicCertsSpecSchema,
);
export const ENCRYPTION_SALT = messageKind("EncryptionSalts.secrets.talos.dev", EncryptionSaltSpecSchema);

/** Talos's default certificate validity (siderolabs/crypto: x509.DefaultCertificateValidityDuration). */
export const CERT_TTL_MS = 365 * 24 * 3_600_000;
/** Kubeconfig client certificates start this far in the past (clock skew between nodes). */
export const KUBECONFIG_SKEW_MS = 10_000;
/** The CN of the maintenance service's server certificate. */
export const MAINTENANCE_CN = "maintenance-service.talos.dev";

// ---------------------------------------------------------------------------------------------
// Issuing, once per input.

/** What each controller issued last, per machine: the inputs it was made from and the result. */
const ISSUED = new WeakMap<MachineSource, Map<string, { key: string; value: unknown }>>();

export function once<T>(source: MachineSource, slot: string, inputs: unknown, make: () => T): T {
  let slots = ISSUED.get(source);
  if (!slots) {
    slots = new Map();
    ISSUED.set(source, slots);
  }
  const key = JSON.stringify(inputs);
  const held = slots.get(slot);
  if (held && held.key === key) return held.value as T;
  const value = make();
  slots.set(slot, { key, value });
  return value;
}

const AUTHORITIES = new Map<string, CertificateAuthority>();

export function authority(ca: PemPair): CertificateAuthority {
  let held = AUTHORITIES.get(ca.crt);
  if (!held) {
    held = loadCertificateAuthority(ca);
    // A handful of clusters at most share a process; keep the parsed CAs small in number.
    if (AUTHORITIES.size > 64) AUTHORITIES.clear();
    AUTHORITIES.set(ca.crt, held);
  }
  return held;
}

export function leafKey(ca: CertificateAuthority): KeyObject {
  switch (leafKeyKind(ca)) {
    case "ed25519":
      return generateKeyPairSync("ed25519").privateKey;
    case "ecdsa":
      return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    case "rsa":
      return generateKeyPairSync("rsa", { modulusLength: RSA_KEY_BITS }).privateKey;
  }
}

export interface LeafOptions {
  readonly commonName?: string;
  readonly organizations?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  readonly server?: boolean;
  readonly client?: boolean;
  readonly keyEncipherment?: boolean;
  readonly ttlMs?: number;
  readonly skewMs?: number;
}

/** A leaf certificate signed by `ca`, with a fresh key of the CA's algorithm. */
export function issue(source: MachineSource, ca: PemPair, o: LeafOptions): PemPair {
  const parent = authority(ca);
  const key = leafKey(parent);
  const now = source.now().getTime();
  const { pem } = createCertificate(
    {
      subject: buildName({
        organizations: o.organizations ? [...o.organizations] : [],
        commonName: o.commonName,
      }),
      notBefore: new Date(now - (o.skewMs ?? 0)),
      notAfter: new Date(now + (o.ttlMs ?? CERT_TTL_MS)),
      isCA: false,
      keyUsage: o.keyEncipherment
        ? [KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment]
        : [KEY_USAGE.digitalSignature],
      extKeyUsage: [...(o.server ? [OID.serverAuth] : []), ...(o.client ? [OID.clientAuth] : [])],
      dnsNames: o.dnsNames ?? [],
      ips: (o.ips ?? []).map((ip) => ipBytes(ip)).filter((b): b is Buffer => b !== undefined),
    },
    key,
    { subject: parent.cert.subject, key: parent.privateKey, subjectKeyId: parent.cert.subjectKeyId },
  );
  return { crt: pem, key: encodePrivateKeyPem(key) };
}

/** A self-signed Ed25519 CA (siderolabs/crypto's default profile). */
export function selfSignedCa(source: MachineSource, organization: string): PemPair {
  const key = generateKeyPairSync("ed25519").privateKey;
  const subject = buildName({ organizations: [organization] });
  const now = source.now().getTime();
  const { pem } = createCertificate(
    {
      subject,
      notBefore: new Date(now),
      notAfter: new Date(now + CA_VALIDITY_MS),
      isCA: true,
      keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign],
      extKeyUsage: [OID.serverAuth, OID.clientAuth],
      subjectKeyId: createHash("sha1").update(source.machineUuid).digest(),
    },
    key,
    { subject, key },
  );
  return { crt: pem, key: encodePrivateKeyPem(key) };
}

// ---------------------------------------------------------------------------------------------
// Spec helpers.

export const pemPair = (p: PemPair) =>
  spec(PEMEncodedCertificateAndKeySchema, { crt: Buffer.from(p.crt), key: Buffer.from(p.key) });
export const pemCert = (crt: string) => ({ crt: Buffer.from(crt) });
export const netIp = (ip: string) => spec(NetIPSchema, { ip: netIpBytes(ip) });
export const url = (text: string) => spec(URLSchema, { fullPath: text });

export function splitSans(names: readonly string[]): { ips: string[]; dnsNames: string[] } {
  const ips: string[] = [];
  const dnsNames: string[] = [];
  for (const n of names) {
    if (n === "") continue;
    if (isIP(n) !== 0) {
      if (!ips.includes(n)) ips.push(n);
    } else {
      const name = n.replace(/\.+$/, "");
      if (name !== "" && !dnsNames.includes(name)) dnsNames.push(name);
    }
  }
  return { ips, dnsNames };
}

/** IPs in netip order (IPv4 before IPv6, then by bytes); names sorted (CertSANSpec.Sort). */
export function sortSans(s: { ips: string[]; dnsNames: string[] }): { ips: string[]; dnsNames: string[] } {
  const bytes = (ip: string) => Buffer.from(netIpBytes(ip));
  return {
    ips: [...s.ips].sort((a, b) => bytes(a).length - bytes(b).length || Buffer.compare(bytes(a), bytes(b))),
    dnsNames: [...s.dnsNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

export interface HostFacts {
  readonly hostname: string;
  readonly fqdn: string;
  readonly addresses: string[];
}

/** The hostname status and the node's accumulated addresses, once both exist. */
export function hostFacts(
  get: Parameters<Controller<MachineSource>["run"]>[0]["get"],
): HostFacts | undefined {
  const h = get(NS.network, HOSTNAME_STATUS.definition.type, "hostname")?.spec as
    | { hostname: string; domainname: string }
    | undefined;
  const a = get(NS.network, NODE_ADDRESS.definition.type, "accumulative")?.spec as
    | { addresses: { ip: Uint8Array }[] }
    | undefined;
  if (!h || !a) return undefined;
  return {
    hostname: h.hostname,
    fqdn: h.domainname ? `${h.hostname}.${h.domainname}` : h.hostname,
    addresses: a.addresses.map((x) => ipText(x.ip)),
  };
}

export function timeSynced(get: Parameters<Controller<MachineSource>["run"]>[0]["get"]): boolean {
  return (
    (get(NS.runtime, TIME_STATUS.definition.type, "node")?.spec as { synced?: boolean })?.synced === true
  );
}

export function certSanOf(get: Parameters<Controller<MachineSource>["run"]>[0]["get"], id: string) {
  const s = get(NS.secrets, CERT_SAN.definition.type, id)?.spec as
    | { iPs: { ip: Uint8Array }[]; dnsNames: string[]; fqdn: string }
    | undefined;
  if (!s) return undefined;
  return { ips: s.iPs.map((x) => ipText(x.ip)), dnsNames: [...s.dnsNames], fqdn: s.fqdn };
}

export const hostReads = [
  { namespace: NS.network, type: HOSTNAME_STATUS.definition.type },
  { namespace: NS.network, type: NODE_ADDRESS.definition.type },
];
