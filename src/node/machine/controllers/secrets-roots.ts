// The roots a node copies from its config (OS, etcd, Kubernetes, maintenance), the certificate
// SANs derived from its hostname and addresses, and the disk-encryption salt.
import { createHash, createPublicKey } from "node:crypto";
import type { JsonObject } from "@bufbuild/protobuf";
import {
  CertSANSpecSchema,
  EncryptionSaltSpecSchema,
  EtcdRootSpecSchema,
  KubernetesRootSpecSchema,
  MaintenanceRootSpecSchema,
  OSRootSpecSchema,
} from "../../../gen/resource/definitions/secrets/secrets_pb.js";
import { controlPlaneEndpoint, controlPlanePort, kubernetesCa } from "../../cluster/facts.js";
import { type Controller, ipText, NS, spec } from "../../resources/index.js";
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
  serviceAccountIssuer,
  serviceAccountKey,
  talosApiAccessEnabled,
} from "./cluster-facts.js";
import {
  CERT_SAN,
  ENCRYPTION_SALT,
  ETCD_ROOT,
  hostFacts,
  hostReads,
  KUBERNETES_ROOT,
  MAINTENANCE_CN,
  MAINTENANCE_ROOT,
  netIp,
  OS_ROOT,
  once,
  pemCert,
  pemPair,
  selfSignedCa,
  sortSans,
  splitSans,
  url,
} from "./secrets-common.js";
import { INPUT, type MachineSource } from "./source.js";

// ---------------------------------------------------------------------------------------------
// Roots.

export const rootOs: Controller<MachineSource> = {
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

export const rootEtcd: Controller<MachineSource> = {
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

export const rootKubernetes: Controller<MachineSource> = {
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
export const maintenanceRoot: Controller<MachineSource> = {
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

export const apiCertSans: Controller<MachineSource> = {
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

export const kubernetesCertSans: Controller<MachineSource> = {
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

export const maintenanceCertSans: Controller<MachineSource> = {
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

/** The STATE volume's disk-encryption salt, made once per machine (kept with the machine's identity). */
export const encryptionSalt: Controller<MachineSource> = {
  name: "secrets.EncryptionSaltController",
  inputs: [INPUT.boot],
  run({ source, put }) {
    if (!source.mounted()) return;
    const salt = createHash("sha256").update(`encryption-salt:${source.machineUuid}`).digest();
    put(ENCRYPTION_SALT, NS.secrets, "salt", spec(EncryptionSaltSpecSchema, { diskSalt: salt }));
  },
};
