// The control plane's components: their configs (API server, controller manager, scheduler,
// admission, audit, authentication, authorization, manifests) and their static pods with the
// statuses the emulated kubelet reports.
import { createHash } from "node:crypto";
import type { JsonObject } from "@bufbuild/protobuf";
import {
  AdmissionControlConfigSpecSchema,
  AdmissionPluginSpecSchema,
  APIServerConfigSpecSchema,
  AuditPolicyConfigSpecSchema,
  AuthenticationConfigSpecSchema,
  AuthorizationAuthorizersSpecSchema,
  AuthorizationConfigSpecSchema,
  BootstrapManifestsConfigSpecSchema,
  ControllerManagerConfigSpecSchema,
  ExtraManifestSchema,
  ExtraManifestsConfigSpecSchema,
  SchedulerConfigSpecSchema,
  StaticPodSpecSchema,
  StaticPodStatusSpecSchema,
} from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import { controlPlanePort } from "../../cluster/facts.js";
import type { KubeClusterFacts } from "../../kube/cluster-config.js";
import { type Controller, NS, spec } from "../../resources/index.js";
import {
  clusterNetwork,
  configDocument,
  extraArgsOf,
  extraManifests,
  kubePrismPort,
  nthAddress,
} from "./cluster-facts.js";
import {
  ADMISSION_CONTROL_CONFIG,
  APISERVER_CONFIG,
  AUDIT_POLICY_CONFIG,
  AUTHENTICATION_CONFIG,
  AUTHORIZATION_CONFIG,
  argValues,
  BOOTSTRAP_MANIFESTS_CONFIG,
  CONTROLLER_MANAGER_CONFIG,
  controlPlaneOnly,
  docStruct,
  EXTRA_MANIFESTS_CONFIG,
  resources,
  SCHEDULER_CONFIG,
  STATIC_POD,
  STATIC_POD_STATUS,
} from "./k8s-common.js";
import { NODENAME } from "./network.js";
import { KUBERNETES_CERTS, KUBERNETES_DYNAMIC_CERTS } from "./secrets.js";
import { INPUT, type MachineSource } from "./source.js";

const FLANNEL_IMAGE = "ghcr.io/siderolabs/flannel:v0.27.4";
const FLANNEL_NETWORK_POLICIES_IMAGE = "registry.k8s.io/networking/kube-network-policies:v0.7.0";
const CONTROL_PLANE = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;

export const controlPlaneConfigs: Controller<MachineSource> = {
  name: "k8s.ControlPlaneController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const k = controlPlaneOnly(source);
    if (!k) return;
    const { config, facts } = k;
    const net = clusterNetwork(config);
    const disabled = (kind: string) =>
      (configDocument(config, kind) as { enabled?: unknown } | undefined)?.enabled === false;
    put(
      APISERVER_CONFIG,
      NS.controlplane,
      "kube-apiserver",
      spec(APIServerConfigSpecSchema, {
        image: facts.images.apiServer,
        controlPlaneEndpoint: facts.endpoint,
        etcdServers: ["https://localhost:2379"],
        localPort: BigInt(controlPlanePort(config)),
        serviceCidRs: [...facts.serviceSubnets],
        extraArgs: argValues(extraArgsOf(config, "KubeAPIServerConfig", ["cluster", "apiServer"])),
        advertisedAddress: "$(POD_IP)",
        resources: resources(),
        useAuthenticationConfig: configDocument(config, "KubeAuthenticationConfig") !== undefined,
      }),
    );
    put(
      CONTROLLER_MANAGER_CONFIG,
      NS.controlplane,
      "kube-controller-manager",
      spec(ControllerManagerConfigSpecSchema, {
        enabled: !disabled("KubeControllerManagerConfig"),
        image: facts.images.controllerManager,
        podCidRs: [...facts.podSubnets],
        serviceCidRs: [...facts.serviceSubnets],
        extraArgs: argValues(
          extraArgsOf(config, "KubeControllerManagerConfig", ["cluster", "controllerManager"]),
        ),
        resources: resources(),
        nodeCidrMaskSizeIPv4: 24n,
        nodeCidrMaskSizeIPv6: 80n,
      }),
    );
    put(
      SCHEDULER_CONFIG,
      NS.controlplane,
      "kube-scheduler",
      spec(SchedulerConfigSpecSchema, {
        enabled: !disabled("KubeSchedulerConfig"),
        image: facts.images.scheduler,
        extraArgs: argValues(extraArgsOf(config, "KubeSchedulerConfig", ["cluster", "scheduler"])),
        resources: resources(),
        config: docStruct(config, "KubeSchedulerConfig", "config") ?? {},
      }),
    );
    const admission = config.documents.documents.filter((d) => d.kind === "KubeAdmissionControlConfig");
    put(
      ADMISSION_CONTROL_CONFIG,
      NS.controlplane,
      "admission-control",
      spec(AdmissionControlConfigSpecSchema, {
        config: admission.map((d) =>
          spec(AdmissionPluginSpecSchema, {
            name: d.name ?? "",
            configuration: ((d.data as Record<string, unknown>).configuration ?? {}) as JsonObject,
          }),
        ),
      }),
    );
    put(
      AUDIT_POLICY_CONFIG,
      NS.controlplane,
      "audit-policy",
      spec(AuditPolicyConfigSpecSchema, {
        config: docStruct(config, "KubeAuditPolicyConfig", "configuration") ?? {
          apiVersion: "audit.k8s.io/v1",
          kind: "Policy",
          rules: [{ level: "Metadata" }],
        },
      }),
    );
    const authn = docStruct(config, "KubeAuthenticationConfig", "configuration");
    if (authn) {
      put(
        AUTHENTICATION_CONFIG,
        NS.controlplane,
        "authentication-config",
        spec(AuthenticationConfigSpecSchema, { config: authn }),
      );
    }
    const authorizers = config.documents.documents.filter((d) => d.kind === "KubeAuthorizerConfig");
    put(
      AUTHORIZATION_CONFIG,
      NS.controlplane,
      "authorization",
      spec(AuthorizationConfigSpecSchema, {
        image: facts.images.apiServer,
        config: (authorizers.length > 0
          ? authorizers.map((d) => ({
              type: String((d.data as { type?: unknown }).type ?? ""),
              name: d.name ?? "",
            }))
          : [
              { type: "Node", name: "node" },
              { type: "RBAC", name: "rbac" },
            ]
        ).map((a) => spec(AuthorizationAuthorizersSpecSchema, { ...a, webhook: {} })),
      }),
    );
    const flannel = facts.cni === "flannel";
    const flannelDoc = configDocument(config, "KubeFlannelCNIConfig") as Record<string, unknown> | undefined;
    const proxyArgs = extraArgsOf(config, "KubeProxyConfig", ["cluster", "proxy"]);
    const proxyConfig = docStruct(config, "KubeProxyConfig", "config") ?? {};
    put(
      BOOTSTRAP_MANIFESTS_CONFIG,
      NS.controlplane,
      "manifests",
      spec(BootstrapManifestsConfigSpecSchema, {
        server: `https://localhost:${controlPlanePort(config)}`,
        clusterDomain: facts.dnsDomain,
        podCidRs: [...facts.podSubnets],
        proxyEnabled: facts.proxyEnabled,
        proxyImage: facts.images.proxy,
        proxyArgs: Object.keys(proxyArgs)
          .sort()
          .map((a) => `--${a}=${proxyArgs[a]!.join(",")}`),
        proxyConfig,
        proxyConfigChecksum: createHash("sha256").update(JSON.stringify(proxyConfig)).digest("hex"),
        proxyResources: resources(),
        coreDnsEnabled: facts.coreDnsEnabled,
        coreDnsImage: facts.images.coreDns,
        dnsServiceIp: nthAddress(net.serviceSubnets.find((c) => !c.includes(":")) ?? "10.96.0.0/12", 10),
        dnsServiceIPv6: ((c) => (c ? nthAddress(c, 10) : ""))(
          net.serviceSubnets.find((s) => s.includes(":")),
        ),
        flannelEnabled: flannel,
        flannelImage: flannel ? FLANNEL_IMAGE : "",
        flannelKubeServiceHost: "127.0.0.1",
        flannelKubeServicePort: String(kubePrismPort(config) ?? controlPlanePort(config)),
        flannelKubeNetworkPoliciesEnabled: flannelDoc?.kubeNetworkPoliciesEnabled === true,
        flannelKubeNetworkPoliciesImage: flannel ? FLANNEL_NETWORK_POLICIES_IMAGE : "",
        flannelBackendType: flannel ? String(flannelDoc?.backendType ?? "vxlan") : "",
        flannelBackendPort: flannel ? Number(flannelDoc?.backendPort ?? 4789) : 0,
        flannelBackendMtu: Number(flannelDoc?.backendMTU ?? 0),
        flannelResources: resources(),
        talosApiServiceEnabled: false,
        cniName: facts.cni,
      }),
    );
    put(
      EXTRA_MANIFESTS_CONFIG,
      NS.controlplane,
      "extra-manifests",
      spec(ExtraManifestsConfigSpecSchema, {
        extraManifests: extraManifests(config).map((m) =>
          spec(ExtraManifestSchema, {
            name: m.name,
            url: m.url,
            priority: m.url !== "" ? "99" : "99",
            extraHeaders: m.headers,
            inlineManifest: m.inline,
          }),
        ),
      }),
    );
  },
};

/** A static pod of a control plane component, as the emulated kubelet runs it. */
function staticPod(
  component: (typeof CONTROL_PLANE)[number],
  facts: KubeClusterFacts,
  version: string,
): JsonObject {
  const image =
    component === "kube-apiserver"
      ? facts.images.apiServer
      : component === "kube-controller-manager"
        ? facts.images.controllerManager
        : facts.images.scheduler;
  const args: Record<(typeof CONTROL_PLANE)[number], string[]> = {
    "kube-apiserver": [
      "--secure-port=6443",
      "--etcd-servers=https://localhost:2379",
      "--authorization-mode=Node,RBAC",
      `--service-cluster-ip-range=${facts.serviceSubnets.join(",")}`,
    ],
    "kube-controller-manager": [
      "--leader-elect=true",
      `--cluster-cidr=${facts.podSubnets.join(",")}`,
      "--allocate-node-cidrs=true",
    ],
    "kube-scheduler": ["--leader-elect=true", "--config=/system/config/kube-scheduler/scheduler-config.yaml"],
  };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      annotations: { "talos.dev/config-version": version, "talos.dev/secrets-version": "1" },
      labels: { "k8s-app": component, tier: "control-plane" },
      name: component,
      namespace: "kube-system",
    },
    spec: {
      containers: [{ command: [`/usr/local/bin/${component}`, ...args[component]], image, name: component }],
      hostNetwork: true,
      priorityClassName: "system-cluster-critical",
      tolerations: [{ operator: "Exists" }],
    },
    status: {},
  };
}

export const staticPods: Controller<MachineSource> = {
  name: "k8s.ControlPlaneStaticPodController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.secrets, type: KUBERNETES_CERTS.definition.type },
    { namespace: NS.secrets, type: KUBERNETES_DYNAMIC_CERTS.definition.type },
    { namespace: NS.controlplane, type: APISERVER_CONFIG.definition.type },
  ],
  run({ source, get, put }) {
    const k = controlPlaneOnly(source);
    if (!k) return;
    if (!get(NS.secrets, KUBERNETES_CERTS.definition.type, "k8s-certs")) return;
    if (!get(NS.secrets, KUBERNETES_DYNAMIC_CERTS.definition.type, "k8s-dynamic-certs")) return;
    const version = String(
      get(NS.controlplane, APISERVER_CONFIG.definition.type, "kube-apiserver")?.version ?? 1,
    );
    for (const component of CONTROL_PLANE) {
      put(
        STATIC_POD,
        NS.k8s,
        component,
        spec(StaticPodSpecSchema, { pod: staticPod(component, k.facts, version) }),
      );
    }
  },
};

export const staticPodStatus: Controller<MachineSource> = {
  name: "k8s.StaticPodStatusController",
  inputs: [INPUT.kubernetes, INPUT.services],
  reads: [
    { namespace: NS.k8s, type: STATIC_POD.definition.type },
    { namespace: NS.k8s, type: NODENAME.definition.type },
  ],
  run({ source, get, list, put }) {
    const nodename = (
      get(NS.k8s, NODENAME.definition.type, "nodename")?.spec as { nodename: string } | undefined
    )?.nodename;
    if (!nodename || !source.kubernetes().staticPodsRunning || !source.serviceRunning("kubelet")) return;
    for (const pod of list(NS.k8s, STATIC_POD.definition.type)) {
      const image = ((pod.spec as { pod?: { spec?: { containers?: { image?: string }[] } } }).pod?.spec
        ?.containers ?? [])[0]?.image;
      put(
        STATIC_POD_STATUS,
        NS.k8s,
        `kube-system/${pod.id}-${nodename}`,
        spec(StaticPodStatusSpecSchema, {
          podStatus: {
            conditions: [
              { status: "True", type: "Initialized" },
              { status: "True", type: "Ready" },
              { status: "True", type: "ContainersReady" },
              { status: "True", type: "PodScheduled" },
            ],
            containerStatuses: [
              { image: image ?? "", name: pod.id, ready: true, restartCount: 0, started: true },
            ],
            phase: "Running",
            qosClass: "Burstable",
          },
        }),
      );
    }
  },
};
