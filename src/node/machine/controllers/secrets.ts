// The secrets a node derives from its config, as Talos's secrets controllers do (siderolabs/talos:
// internal/app/machined/pkg/controllers/secrets): the roots (OS, etcd, Kubernetes, maintenance)
// copied from the config, the certificate SANs from the node's hostname and addresses, and the
// certificates issued from those roots (API, trustd, etcd, the Kubernetes API server and the
// kubeconfigs of its components). Certificates are issued once per set of inputs and kept, so a
// controller that runs again for an unrelated change writes the same resource.

import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import type { JsonObject } from "@bufbuild/protobuf";
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
import { controlPlaneEndpoint, controlPlanePort, kubernetesCa } from "../../cluster/facts.js";
import {
  type Controller,
  ipText,
  messageKind,
  NS,
  ipBytes as netIpBytes,
  spec,
} from "../../resources/index.js";
import { acceptedCas, certSans, clusterName, isControlPlane, type MachineConfig, osCa } from "../config.js";
import {
  aggregatorCa,
  apiServerCertSans,
  clusterNetwork,
  clusterSecrets,
  etcdCa,
  etcdEncryptionConfig,
  hasClusterSections,
  kubePrismPort,
  kubernetesAcceptedCas,
  machineTokenOf,
  nthAddress,
  type PemPair,
  serviceAccountIssuer,
  serviceAccountKey,
  talosApiAccessEnabled,
} from "./cluster-facts.js";
import { HOSTNAME_STATUS, NODE_ADDRESS } from "./network.js";
import { INPUT, type MachineSource } from "./source.js";
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
const CERT_TTL_MS = 365 * 24 * 3_600_000;
/** Kubeconfig client certificates start this far in the past (clock skew between nodes). */
const KUBECONFIG_SKEW_MS = 10_000;
/** The CN of the maintenance service's server certificate. */
const MAINTENANCE_CN = "maintenance-service.talos.dev";

// ---------------------------------------------------------------------------------------------
// Issuing, once per input.

/** What each controller issued last, per machine: the inputs it was made from and the result. */
const ISSUED = new WeakMap<MachineSource, Map<string, { key: string; value: unknown }>>();

function once<T>(source: MachineSource, slot: string, inputs: unknown, make: () => T): T {
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

function authority(ca: PemPair): CertificateAuthority {
  let held = AUTHORITIES.get(ca.crt);
  if (!held) {
    held = loadCertificateAuthority(ca);
    // A handful of clusters at most share a process; keep the parsed CAs small in number.
    if (AUTHORITIES.size > 64) AUTHORITIES.clear();
    AUTHORITIES.set(ca.crt, held);
  }
  return held;
}

function leafKey(ca: CertificateAuthority): KeyObject {
  switch (leafKeyKind(ca)) {
    case "ed25519":
      return generateKeyPairSync("ed25519").privateKey;
    case "ecdsa":
      return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    case "rsa":
      return generateKeyPairSync("rsa", { modulusLength: RSA_KEY_BITS }).privateKey;
  }
}

interface LeafOptions {
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
function issue(source: MachineSource, ca: PemPair, o: LeafOptions): PemPair {
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
function selfSignedCa(source: MachineSource, organization: string): PemPair {
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

const pemPair = (p: PemPair) =>
  spec(PEMEncodedCertificateAndKeySchema, { crt: Buffer.from(p.crt), key: Buffer.from(p.key) });
const pemCert = (crt: string) => ({ crt: Buffer.from(crt) });
const netIp = (ip: string) => spec(NetIPSchema, { ip: netIpBytes(ip) });
const url = (text: string) => spec(URLSchema, { fullPath: text });

function splitSans(names: readonly string[]): { ips: string[]; dnsNames: string[] } {
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
function sortSans(s: { ips: string[]; dnsNames: string[] }): { ips: string[]; dnsNames: string[] } {
  const bytes = (ip: string) => Buffer.from(netIpBytes(ip));
  return {
    ips: [...s.ips].sort((a, b) => bytes(a).length - bytes(b).length || Buffer.compare(bytes(a), bytes(b))),
    dnsNames: [...s.dnsNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

interface HostFacts {
  readonly hostname: string;
  readonly fqdn: string;
  readonly addresses: string[];
}

/** The hostname status and the node's accumulated addresses, once both exist. */
function hostFacts(get: Parameters<Controller<MachineSource>["run"]>[0]["get"]): HostFacts | undefined {
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

function timeSynced(get: Parameters<Controller<MachineSource>["run"]>[0]["get"]): boolean {
  return (
    (get(NS.runtime, TIME_STATUS.definition.type, "node")?.spec as { synced?: boolean })?.synced === true
  );
}

function certSanOf(get: Parameters<Controller<MachineSource>["run"]>[0]["get"], id: string) {
  const s = get(NS.secrets, CERT_SAN.definition.type, id)?.spec as
    | { iPs: { ip: Uint8Array }[]; dnsNames: string[]; fqdn: string }
    | undefined;
  if (!s) return undefined;
  return { ips: s.iPs.map((x) => ipText(x.ip)), dnsNames: [...s.dnsNames], fqdn: s.fqdn };
}

// ---------------------------------------------------------------------------------------------
// Roots.

const rootOs: Controller<MachineSource> = {
  name: "secrets.RootOSController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const config = source.active();
    if (!hasClusterSections(config)) return;
    const ca = osCa(config);
    const accepted = [...acceptedCas(config), ...(ca.crt !== "" ? [ca.crt] : [])];
    const sans = splitSans(certSans(config));
    if (talosApiAccessEnabled(config)) sans.dnsNames.push("talos", "talos.default");
    put(
      OS_ROOT,
      NS.secrets,
      "os",
      spec(OSRootSpecSchema, {
        ...(ca.crt !== "" && ca.key !== "" ? { issuingCa: pemPair(ca) } : {}),
        acceptedCAs: accepted.map(pemCert),
        certSaniPs: sans.ips.map(netIp),
        certSandnsNames: sans.dnsNames,
        token: machineTokenOf(config),
      }),
    );
  },
};

const rootEtcd: Controller<MachineSource> = {
  name: "secrets.RootEtcdController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const config = source.active();
    if (!hasClusterSections(config) || !isControlPlane(config)) return;
    put(ETCD_ROOT, NS.secrets, "etcd", spec(EtcdRootSpecSchema, { etcdCa: pemPair(etcdCa(config)) }));
  },
};

/** The Kubernetes root: what the control plane's Kubernetes certificates and components derive from. */
export function kubernetesRoot(config: MachineConfig) {
  const endpoint = controlPlaneEndpoint(config);
  const prism = kubePrismPort(config);
  const net = clusterNetwork(config);
  const ca = kubernetesCa(config);
  const agg = aggregatorCa(config);
  const saKey = serviceAccountKey(config);
  const saPublic =
    saKey === "" ? "" : createPublicKey(saKey).export({ type: "spki", format: "pem" }).toString();
  const s = clusterSecrets(config);
  return {
    name: clusterName(config),
    endpoint,
    localEndpoint:
      prism !== undefined ? `https://127.0.0.1:${prism}` : `https://localhost:${controlPlanePort(config)}`,
    certSans: apiServerCertSans(config),
    dnsDomain: net.dnsDomain,
    apiServerIps: net.serviceSubnets.map((c) => nthAddress(c, 1)),
    issuingCa: ca,
    acceptedCas: [...kubernetesAcceptedCas(config), ca.crt],
    aggregatorCa: agg,
    serviceAccountKey: saKey,
    serviceAccountPublic: saPublic,
    issuerUrl: serviceAccountIssuer(config, endpoint),
    etcdEncryption: etcdEncryptionConfig(config),
    secrets: s,
  };
}

const rootKubernetes: Controller<MachineSource> = {
  name: "secrets.RootKubernetesController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const config = source.active();
    if (!hasClusterSections(config) || !isControlPlane(config)) return;
    if (controlPlaneEndpoint(config) === "") return;
    const r = kubernetesRoot(config);
    if (r.issuingCa.crt === "" || r.aggregatorCa.crt === "" || r.serviceAccountKey === "") return;
    put(
      KUBERNETES_ROOT,
      NS.secrets,
      "k8s",
      spec(KubernetesRootSpecSchema, {
        name: r.name,
        endpoint: url(r.endpoint),
        localEndpoint: url(r.localEndpoint),
        certSaNs: r.certSans,
        dnsDomain: r.dnsDomain,
        apiServerIps: r.apiServerIps.map(netIp),
        issuingCa: pemPair(r.issuingCa),
        acceptedCAs: r.acceptedCas.map(pemCert),
        aggregatorCa: pemPair(r.aggregatorCa),
        acceptedAggregatorCAs: r.aggregatorCa.crt !== "" ? [pemCert(r.aggregatorCa.crt)] : [],
        serviceAccount: { key: Buffer.from(r.serviceAccountKey) },
        serviceAccountAcceptedKeys:
          r.serviceAccountPublic !== "" ? [{ key: Buffer.from(r.serviceAccountPublic) }] : [],
        issuerUrl: r.issuerUrl,
        apiAudiences: [r.issuerUrl],
        ...(r.etcdEncryption ? { etcdEncryptionConfig: r.etcdEncryption as JsonObject } : {}),
        aescbcEncryptionSecret: r.secrets.aescbc,
        secretboxEncryptionSecret: r.secrets.secretbox,
        bootstrapTokenId: r.secrets.tokenId,
        bootstrapTokenSecret: r.secrets.tokenSecret,
      }),
    );
  },
};

/** The maintenance service's CA: the one the API served in maintenance mode, else one made at boot. */
const maintenanceRoot: Controller<MachineSource> = {
  name: "secrets.MaintenanceRootController",
  inputs: [INPUT.api],
  run({ source, put }) {
    const served = source.apiIdentity();
    const ca =
      served?.mode === "maintenance" && served.ca
        ? served.ca
        : once(source, "maintenance-root", [], () => selfSignedCa(source, "talos"));
    put(MAINTENANCE_ROOT, NS.secrets, "maintenance", spec(MaintenanceRootSpecSchema, { ca: pemPair(ca) }));
  },
};

// ---------------------------------------------------------------------------------------------
// Certificate SANs.

const hostReads = [
  { namespace: NS.network, type: HOSTNAME_STATUS.definition.type },
  { namespace: NS.network, type: NODE_ADDRESS.definition.type },
];

function putSans(
  put: Parameters<Controller<MachineSource>["run"]>[0]["put"],
  id: string,
  sans: { ips: string[]; dnsNames: string[] },
  fqdn: string,
): void {
  const sorted = sortSans(sans);
  put(
    CERT_SAN,
    NS.secrets,
    id,
    spec(CertSANSpecSchema, { iPs: sorted.ips.map(netIp), dnsNames: sorted.dnsNames, fqdn }),
  );
}

const apiCertSans: Controller<MachineSource> = {
  name: "secrets.APICertSANsController",
  inputs: [],
  reads: [{ namespace: NS.secrets, type: OS_ROOT.definition.type }, ...hostReads],
  run({ get, put }) {
    const root = get(NS.secrets, OS_ROOT.definition.type, "os")?.spec as
      | { certSaniPs: { ip: Uint8Array }[]; certSandnsNames: string[] }
      | undefined;
    const host = hostFacts(get);
    if (!root || !host) return;
    const sans = splitSans([
      ...root.certSaniPs.map((x) => ipText(x.ip)),
      ...host.addresses,
      "127.0.0.1",
      ...root.certSandnsNames,
      host.hostname,
      host.fqdn,
    ]);
    putSans(put, "api", sans, host.fqdn);
  },
};

const kubernetesCertSans: Controller<MachineSource> = {
  name: "secrets.KubernetesCertSANsController",
  inputs: [INPUT.config],
  reads: [{ namespace: NS.secrets, type: KUBERNETES_ROOT.definition.type }, ...hostReads],
  run({ source, get, put }) {
    const config = source.active();
    const host = hostFacts(get);
    if (!get(NS.secrets, KUBERNETES_ROOT.definition.type, "k8s") || !host || !config) return;
    const r = kubernetesRoot(config);
    let endpointHost = "";
    try {
      endpointHost = new URL(r.endpoint).hostname.replace(/^\[(.*)\]$/, "$1");
    } catch {
      endpointHost = "";
    }
    const sans = splitSans([
      endpointHost,
      ...r.certSans,
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      `kubernetes.default.svc.${r.dnsDomain}`,
      "localhost",
      host.hostname,
      host.fqdn,
      ...r.apiServerIps,
      ...host.addresses,
      "127.0.0.1",
    ]);
    putSans(put, "k8s", sans, "");
  },
};

const maintenanceCertSans: Controller<MachineSource> = {
  name: "secrets.MaintenanceCertSANsController",
  inputs: [],
  reads: hostReads,
  run({ get, put }) {
    const host = hostFacts(get);
    if (!host) return;
    const sans = splitSans([...host.addresses, "127.0.0.1", "::1", host.hostname, host.fqdn]);
    putSans(put, "maintenance", sans, MAINTENANCE_CN);
  },
};

// ---------------------------------------------------------------------------------------------
// Certificates.

/** The API's certificates: the one the node serves, and on control planes an impersonator client. */
const apiCerts: Controller<MachineSource> = {
  name: "secrets.APIController",
  inputs: [INPUT.api, INPUT.config],
  reads: [
    { namespace: NS.secrets, type: OS_ROOT.definition.type },
    { namespace: NS.secrets, type: CERT_SAN.definition.type },
  ],
  run({ source, get, put }) {
    const served = source.apiIdentity();
    const config = source.active();
    if (!served) return;
    if (served.mode === "maintenance") {
      put(
        API_CERTS,
        NS.secrets,
        "api",
        spec(APICertsSpecSchema, { server: pemPair(served.cert), skipVerifyingClientCert: true }),
      );
      return;
    }
    if (!config) return;
    const ca = osCa(config);
    if (isControlPlane(config) && ca.key !== "") {
      const fqdn = certSanOf(get, "api")?.fqdn ?? "";
      const client = once(source, "api-client", [ca.crt, fqdn], () =>
        issue(source, ca, { commonName: fqdn, organizations: ["os:impersonator"], client: true }),
      );
      const accepted = [...acceptedCas(config), ca.crt];
      put(
        API_CERTS,
        NS.secrets,
        "api",
        spec(APICertsSpecSchema, {
          acceptedCAs: accepted.map(pemCert),
          server: pemPair(served.cert),
          client: pemPair(client),
        }),
      );
      return;
    }
    put(
      API_CERTS,
      NS.secrets,
      "api",
      spec(APICertsSpecSchema, { acceptedCAs: [pemCert(ca.crt)], server: pemPair(served.cert) }),
    );
  },
};

const trustdCerts: Controller<MachineSource> = {
  name: "secrets.TrustdController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.secrets, type: OS_ROOT.definition.type },
    { namespace: NS.secrets, type: CERT_SAN.definition.type },
  ],
  run({ source, get, put }) {
    const config = source.active();
    if (!config || !isControlPlane(config)) return;
    const ca = osCa(config);
    const sans = certSanOf(get, "api");
    if (ca.key === "" || !sans) return;
    const cert = once(source, "trustd", [ca.crt, sans], () =>
      issue(source, ca, {
        commonName: sans.fqdn,
        dnsNames: sans.dnsNames,
        ips: sans.ips,
        server: true,
        keyEncipherment: true,
      }),
    );
    put(
      TRUSTD_CERTS,
      NS.secrets,
      "trustd",
      spec(TrustdCertsSpecSchema, {
        acceptedCAs: [...acceptedCas(config), ca.crt].map(pemCert),
        server: pemPair(cert),
      }),
    );
  },
};

const etcdCerts: Controller<MachineSource> = {
  name: "secrets.EtcdController",
  inputs: [],
  reads: [
    { namespace: NS.secrets, type: ETCD_ROOT.definition.type },
    { namespace: NS.runtime, type: TIME_STATUS.definition.type },
    ...hostReads,
  ],
  run({ source, get, put }) {
    const root = get(NS.secrets, ETCD_ROOT.definition.type, "etcd")?.spec as
      | { etcdCa?: { crt: Uint8Array; key: Uint8Array } }
      | undefined;
    const host = hostFacts(get);
    if (!root?.etcdCa || !host || !timeSynced(get)) return;
    const ca = { crt: Buffer.from(root.etcdCa.crt).toString(), key: Buffer.from(root.etcdCa.key).toString() };
    if (ca.key === "") return;
    const certs = once(source, "etcd", [ca.crt, host], () => {
      const names = [host.hostname, ...(host.fqdn !== host.hostname ? [host.fqdn] : [])];
      const ttlMs = 87_600 * 3_600_000;
      const common = { server: true, client: true, keyEncipherment: true, ttlMs };
      const client = (cn: string) =>
        issue(source, ca, { commonName: cn, client: true, keyEncipherment: true, ttlMs });
      return {
        etcd: issue(source, ca, {
          ...common,
          commonName: host.hostname,
          dnsNames: [...names, "localhost"],
          ips: [...host.addresses, "127.0.0.1", "::1"],
        }),
        etcdPeer: issue(source, ca, {
          ...common,
          commonName: host.hostname,
          dnsNames: names,
          ips: host.addresses,
        }),
        etcdAdmin: client("talos"),
        etcdApiServer: client("kube-apiserver"),
      };
    });
    put(
      ETCD_CERTS,
      NS.secrets,
      "etcd",
      spec(EtcdCertsSpecSchema, {
        etcd: pemPair(certs.etcd),
        etcdPeer: pemPair(certs.etcdPeer),
        etcdAdmin: pemPair(certs.etcdAdmin),
        etcdApiServer: pemPair(certs.etcdApiServer),
      }),
    );
  },
};

const kubeletSecrets: Controller<MachineSource> = {
  name: "secrets.KubeletController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const config = source.active();
    if (!hasClusterSections(config) || controlPlaneEndpoint(config) === "") return;
    const prism = kubePrismPort(config);
    const endpoint =
      prism !== undefined
        ? `https://127.0.0.1:${prism}`
        : isControlPlane(config)
          ? `https://localhost:${controlPlanePort(config)}`
          : controlPlaneEndpoint(config);
    const ca = kubernetesCa(config);
    const s = clusterSecrets(config);
    put(
      KUBELET_SECRETS,
      NS.secrets,
      "kubelet",
      spec(KubeletSpecSchema, {
        endpoint: url(endpoint),
        acceptedCAs: [...kubernetesAcceptedCas(config), ca.crt].filter((c) => c !== "").map(pemCert),
        bootstrapTokenId: s.tokenId,
        bootstrapTokenSecret: s.tokenSecret,
      }),
    );
  },
};

/** A kubeconfig as client-go's clientcmd writes one (keys sorted, as sigs.k8s.io/yaml does). */
function kubeconfig(o: {
  cluster: string;
  endpoint: string;
  cas: readonly string[];
  user: string;
  context: string;
  cert: PemPair;
}): string {
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const user = `${o.user}@${o.cluster}`;
  const context = `${o.context}@${o.cluster}`;
  return [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${b64(o.cas.join(""))}`,
    `    server: ${o.endpoint}`,
    `  name: ${o.cluster}`,
    "contexts:",
    "- context:",
    `    cluster: ${o.cluster}`,
    "    namespace: default",
    `    user: ${user}`,
    `  name: ${context}`,
    `current-context: ${context}`,
    "kind: Config",
    "preferences: {}",
    "users:",
    `- name: ${user}`,
    "  user:",
    `    client-certificate-data: ${b64(o.cert.crt)}`,
    `    client-key-data: ${b64(o.cert.key)}`,
    "",
  ].join("\n");
}

const kubernetesCerts: Controller<MachineSource> = {
  name: "secrets.KubernetesController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.secrets, type: KUBERNETES_ROOT.definition.type },
    { namespace: NS.runtime, type: TIME_STATUS.definition.type },
  ],
  run({ source, get, put }) {
    const config = source.active();
    if (!config || !get(NS.secrets, KUBERNETES_ROOT.definition.type, "k8s") || !timeSynced(get)) return;
    const r = kubernetesRoot(config);
    if (r.issuingCa.key === "") return;
    const cas = r.acceptedCas.filter((c) => c !== "");
    const made = once(
      source,
      "k8s-certs",
      [r.name, r.endpoint, r.localEndpoint, r.issuingCa.crt, cas],
      () => {
        const client = (cn: string, org: string) =>
          issue(source, r.issuingCa, {
            commonName: cn,
            organizations: [org],
            client: true,
            keyEncipherment: true,
            skewMs: KUBECONFIG_SKEW_MS,
          });
        const one = (user: string, context: string, endpoint: string, cert: PemPair) =>
          kubeconfig({ cluster: r.name, endpoint, cas, user, context, cert });
        const cm = "system:kube-controller-manager";
        const sched = "system:kube-scheduler";
        return {
          controllerManager: one(cm, "default", r.localEndpoint, client(cm, cm)),
          scheduler: one(sched, "default", r.localEndpoint, client(sched, sched)),
          admin: one("admin", "admin", r.endpoint, client("talos:admin", "system:masters")),
          localhostAdmin: one("admin", "admin", r.localEndpoint, client("talos:admin", "system:masters")),
        };
      },
    );
    put(
      KUBERNETES_CERTS,
      NS.secrets,
      "k8s-certs",
      spec(KubernetesCertsSpecSchema, {
        schedulerKubeconfig: made.scheduler,
        controllerManagerKubeconfig: made.controllerManager,
        localhostAdminKubeconfig: made.localhostAdmin,
        adminKubeconfig: made.admin,
      }),
    );
  },
};

const kubernetesDynamicCerts: Controller<MachineSource> = {
  name: "secrets.KubernetesDynamicCertsController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.secrets, type: KUBERNETES_ROOT.definition.type },
    { namespace: NS.secrets, type: CERT_SAN.definition.type },
    { namespace: NS.runtime, type: TIME_STATUS.definition.type },
  ],
  run({ source, get, put }) {
    const config = source.active();
    const sans = certSanOf(get, "k8s");
    if (!config || !get(NS.secrets, KUBERNETES_ROOT.definition.type, "k8s") || !sans || !timeSynced(get))
      return;
    const r = kubernetesRoot(config);
    if (r.issuingCa.key === "" || r.aggregatorCa.key === "") return;
    const made = once(source, "k8s-dynamic", [r.issuingCa.crt, r.aggregatorCa.crt, sans], () => ({
      apiServer: issue(source, r.issuingCa, {
        commonName: "kube-apiserver",
        organizations: ["kube-master"],
        dnsNames: sans.dnsNames,
        ips: sans.ips,
        server: true,
        keyEncipherment: true,
      }),
      kubeletClient: issue(source, r.issuingCa, {
        commonName: "apiserver-kubelet-client",
        organizations: ["system:masters"],
        client: true,
        keyEncipherment: true,
      }),
      frontProxy: issue(source, r.aggregatorCa, {
        commonName: "front-proxy-client",
        client: true,
        keyEncipherment: true,
      }),
    }));
    put(
      KUBERNETES_DYNAMIC_CERTS,
      NS.secrets,
      "k8s-dynamic-certs",
      spec(KubernetesDynamicCertsSpecSchema, {
        apiServer: pemPair(made.apiServer),
        apiServerKubeletClient: pemPair(made.kubeletClient),
        frontProxy: pemPair(made.frontProxy),
      }),
    );
  },
};

/** The STATE volume's disk-encryption salt, made once per machine (kept with the machine's identity). */
const encryptionSalt: Controller<MachineSource> = {
  name: "secrets.EncryptionSaltController",
  inputs: [INPUT.boot],
  run({ source, put }) {
    if (!source.mounted()) return;
    const salt = createHash("sha256").update(`encryption-salt:${source.machineUuid}`).digest();
    put(ENCRYPTION_SALT, NS.secrets, "salt", spec(EncryptionSaltSpecSchema, { diskSalt: salt }));
  },
};

export const SECRETS_CONTROLLERS: readonly Controller<MachineSource>[] = [
  rootOs,
  rootEtcd,
  rootKubernetes,
  maintenanceRoot,
  apiCertSans,
  kubernetesCertSans,
  maintenanceCertSans,
  apiCerts,
  trustdCerts,
  etcdCerts,
  kubeletSecrets,
  kubernetesCerts,
  kubernetesDynamicCerts,
  encryptionSalt,
];
