import {
  APICertsSpecSchema,
  EtcdCertsSpecSchema,
  KubeletSpecSchema,
  TrustdCertsSpecSchema,
} from "../../../gen/resource/definitions/secrets/secrets_pb.js";
import { controlPlaneEndpoint, controlPlanePort, kubernetesCa } from "../../cluster/facts.js";
import { type Controller, NS, spec } from "../../resources/index.js";
import { acceptedCas, isControlPlane, osCa } from "../config.js";
import { clusterSecrets, hasClusterSections, kubePrismPort, kubernetesAcceptedCas } from "./cluster-facts.js";
import {
  API_CERTS,
  CERT_SAN,
  certSanOf,
  ETCD_CERTS,
  ETCD_ROOT,
  hostFacts,
  hostReads,
  issue,
  KUBELET_SECRETS,
  OS_ROOT,
  once,
  pemCert,
  pemPair,
  TRUSTD_CERTS,
  timeSynced,
  url,
} from "./secrets-common.js";
import { INPUT, type MachineSource } from "./source.js";
import { TIME_STATUS } from "./time.js";

/** The API's certificates: the one the node serves, and on control planes an impersonator client. */
export const apiCerts: Controller<MachineSource> = {
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

export const trustdCerts: Controller<MachineSource> = {
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

export const etcdCerts: Controller<MachineSource> = {
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

export const kubeletSecrets: Controller<MachineSource> = {
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
