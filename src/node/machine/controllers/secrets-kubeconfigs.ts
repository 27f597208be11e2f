import {
  KubernetesCertsSpecSchema,
  KubernetesDynamicCertsSpecSchema,
} from "../../../gen/resource/definitions/secrets/secrets_pb.js";
import { type Controller, NS, spec } from "../../resources/index.js";
import type { PemPair } from "./cluster-facts.js";
import {
  CERT_SAN,
  certSanOf,
  issue,
  KUBECONFIG_SKEW_MS,
  KUBERNETES_CERTS,
  KUBERNETES_DYNAMIC_CERTS,
  KUBERNETES_ROOT,
  once,
  pemPair,
  timeSynced,
} from "./secrets-common.js";
import { kubernetesRoot } from "./secrets-roots.js";
import { INPUT, type MachineSource } from "./source.js";
import { TIME_STATUS } from "./time.js";

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

export const kubernetesCerts: Controller<MachineSource> = {
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

export const kubernetesDynamicCerts: Controller<MachineSource> = {
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
