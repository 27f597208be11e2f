// Kubernetes resources as Talos's k8s controllers publish them (siderolabs/talos:
// internal/app/machined/pkg/controllers/k8s): the kubelet's config and spec, the node's IP,
// labels, annotations and taints, KubePrism, and on control planes the components' configs, the
// static pods (the same images and arguments the emulated kubelet runs as mirror pods) and their
// statuses, and the bootstrap and extra manifests rendered from the config.
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { JsonObject } from "@bufbuild/protobuf";
import { parseAllDocuments } from "yaml";
import { NetIPSchema } from "../../../gen/common/common_pb.js";
import {
  AdmissionControlConfigSpecSchema,
  AdmissionPluginSpecSchema,
  APIServerConfigSpecSchema,
  ArgValuesSchema,
  AuditPolicyConfigSpecSchema,
  AuthenticationConfigSpecSchema,
  AuthorizationAuthorizersSpecSchema,
  AuthorizationConfigSpecSchema,
  BootstrapManifestsConfigSpecSchema,
  ConfigStatusSpecSchema,
  ControllerManagerConfigSpecSchema,
  EndpointSpecSchema,
  ExtraManifestSchema,
  ExtraManifestsConfigSpecSchema,
  KubeletConfigSpecSchema,
  KubeletSpecSpecSchema,
  KubeletStatusSpecSchema,
  KubePrismConfigSpecSchema,
  KubePrismEndpointSchema,
  KubePrismEndpointsSpecSchema,
  KubePrismStatusesSpecSchema,
  ManifestSpecSchema,
  ManifestStatusSpecSchema,
  NodeAnnotationSpecSpecSchema,
  NodeIPConfigSpecSchema,
  NodeIPSpecSchema,
  NodeLabelSpecSpecSchema,
  NodeTaintSpecSpecSchema,
  ResourcesSchema,
  SchedulerConfigSpecSchema,
  SecretsStatusSpecSchema,
  SingleManifestSchema,
  StaticPodServerStatusSpecSchema,
  StaticPodSpecSchema,
  StaticPodStatusSpecSchema,
} from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import { controlPlanePort } from "../../cluster/facts.js";
import { type KubeClusterFacts, kubeFacts, taintsOf } from "../../kube/cluster-config.js";
import { bootstrapManifests } from "../../kube/manifests.js";
import { type Controller, ipBytes, ipText, kindOf, messageKind, NS, spec } from "../../resources/index.js";
import { hasKubernetes, isControlPlane, type MachineConfig } from "../config.js";
import {
  clusterNetwork,
  configDocument,
  diskQuotaSupport,
  extraArgsOf,
  extraManifests,
  kubeletSettings,
  kubePrismPort,
  nodeAnnotations,
  nthAddress,
} from "./cluster-facts.js";
import { NODE_ADDRESS, NODENAME } from "./network.js";
import { KUBERNETES_CERTS, KUBERNETES_DYNAMIC_CERTS } from "./secrets.js";
import { INPUT, type MachineSource } from "./source.js";

export const KUBELET_CONFIG = messageKind("KubeletConfigs.kubernetes.talos.dev", KubeletConfigSpecSchema);
export const KUBELET_SPEC = messageKind("KubeletSpecs.kubernetes.talos.dev", KubeletSpecSpecSchema);
export const KUBELET_STATUS = messageKind("KubeletStatuses.kubernetes.talos.dev", KubeletStatusSpecSchema);
export const KUBELET_LIFECYCLE = kindOf("KubeletLifecycles.kubernetes.talos.dev");
export const NODE_IP_CONFIG = messageKind("NodeIPConfigs.kubernetes.talos.dev", NodeIPConfigSpecSchema);
export const NODE_IP = messageKind("NodeIPs.kubernetes.talos.dev", NodeIPSpecSchema);
export const NODE_LABEL = messageKind("NodeLabelSpecs.k8s.talos.dev", NodeLabelSpecSpecSchema);
export const NODE_TAINT = messageKind("NodeTaintSpecs.k8s.talos.dev", NodeTaintSpecSpecSchema);
export const NODE_ANNOTATION = messageKind("NodeAnnotationSpecs.k8s.talos.dev", NodeAnnotationSpecSpecSchema);
export const KUBEPRISM_CONFIG = messageKind(
  "KubePrismConfigs.kubernetes.talos.dev",
  KubePrismConfigSpecSchema,
);
export const KUBEPRISM_ENDPOINTS = messageKind(
  "KubePrismEndpoints.kubernetes.talos.dev",
  KubePrismEndpointsSpecSchema,
);
export const KUBEPRISM_STATUSES = messageKind(
  "KubePrismStatuses.kubernetes.talos.dev",
  KubePrismStatusesSpecSchema,
);
export const STATIC_POD = messageKind("StaticPods.kubernetes.talos.dev", StaticPodSpecSchema);
export const STATIC_POD_STATUS = messageKind(
  "StaticPodStatuses.kubernetes.talos.dev",
  StaticPodStatusSpecSchema,
);
export const STATIC_POD_SERVER_STATUS = messageKind(
  "StaticPodServerStatuses.kubernetes.talos.dev",
  StaticPodServerStatusSpecSchema,
);
export const APISERVER_CONFIG = messageKind(
  "APIServerConfigs.kubernetes.talos.dev",
  APIServerConfigSpecSchema,
);
export const CONTROLLER_MANAGER_CONFIG = messageKind(
  "ControllerManagerConfigs.kubernetes.talos.dev",
  ControllerManagerConfigSpecSchema,
);
export const SCHEDULER_CONFIG = messageKind(
  "SchedulerConfigs.kubernetes.talos.dev",
  SchedulerConfigSpecSchema,
);
export const ADMISSION_CONTROL_CONFIG = messageKind(
  "AdmissionControlConfigs.kubernetes.talos.dev",
  AdmissionControlConfigSpecSchema,
);
export const AUDIT_POLICY_CONFIG = messageKind(
  "AuditPolicyConfigs.kubernetes.talos.dev",
  AuditPolicyConfigSpecSchema,
);
export const AUTHENTICATION_CONFIG = messageKind(
  "AuthenticationConfigs.kubernetes.talos.dev",
  AuthenticationConfigSpecSchema,
);
export const AUTHORIZATION_CONFIG = messageKind(
  "AuthorizationConfigs.kubernetes.talos.dev",
  AuthorizationConfigSpecSchema,
);
export const BOOTSTRAP_MANIFESTS_CONFIG = messageKind(
  "BootstrapManifestsConfigs.kubernetes.talos.dev",
  BootstrapManifestsConfigSpecSchema,
);
export const EXTRA_MANIFESTS_CONFIG = messageKind(
  "ExtraManifestsConfigs.kubernetes.talos.dev",
  ExtraManifestsConfigSpecSchema,
);
export const MANIFEST = messageKind("Manifests.kubernetes.talos.dev", ManifestSpecSchema);
export const MANIFEST_STATUS = messageKind("ManifestStatuses.kubernetes.talos.dev", ManifestStatusSpecSchema);
export const ENDPOINT = messageKind("Endpoints.kubernetes.talos.dev", EndpointSpecSchema);
export const SECRETS_STATUS = messageKind("SecretStatuses.kubernetes.talos.dev", SecretsStatusSpecSchema);
export const CONFIG_STATUS = messageKind("ConfigStatuses.kubernetes.talos.dev", ConfigStatusSpecSchema);

const FLANNEL_IMAGE = "ghcr.io/siderolabs/flannel:v0.27.4";
const FLANNEL_NETWORK_POLICIES_IMAGE = "registry.k8s.io/networking/kube-network-policies:v0.7.0";
const CONTROL_PLANE = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;

type Ctx = Parameters<Controller<MachineSource>["run"]>[0];

/** The config when it runs Kubernetes, with the facts the emulated Kubernetes uses. */
function kubernetes(source: MachineSource): { config: MachineConfig; facts: KubeClusterFacts } | undefined {
  const config = source.active();
  if (!config || !hasKubernetes(config)) return undefined;
  return { config, facts: kubeFacts(config, isControlPlane(config)) };
}

const argValues = (map: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [k, spec(ArgValuesSchema, { values: v })]));

const netIp = (ip: string) => spec(NetIPSchema, { ip: ipBytes(ip) });

function docStruct(config: MachineConfig, kind: string, key: string): JsonObject | undefined {
  const v = (configDocument(config, kind) as Record<string, unknown> | undefined)?.[key];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Every node: the kubelet and the node's registration.

const kubeletConfig: Controller<MachineSource> = {
  name: "k8s.KubeletConfigController",
  inputs: [INPUT.config],
  reads: [{ namespace: NS.k8s, type: STATIC_POD_SERVER_STATUS.definition.type }],
  run({ source, get, put }) {
    const k = kubernetes(source);
    if (!k) return;
    const kubelet = kubeletSettings(k.config);
    const net = clusterNetwork(k.config);
    const server = get(NS.k8s, STATIC_POD_SERVER_STATUS.definition.type, "static-pod-server-status")?.spec as
      | { url: string }
      | undefined;
    put(
      KUBELET_CONFIG,
      NS.k8s,
      "kubelet",
      spec(KubeletConfigSpecSchema, {
        image: k.facts.images.kubelet,
        clusterDns:
          kubelet.clusterDns.length > 0
            ? kubelet.clusterDns
            : net.serviceSubnets.map((c) => nthAddress(c, 10)),
        clusterDomain: net.dnsDomain,
        extraArgs: argValues(kubelet.extraArgs),
        ...(Object.keys(kubelet.extraConfig).length > 0 ? { extraConfig: kubelet.extraConfig as JsonObject } : {}),
        defaultRuntimeSeccompEnabled: kubelet.defaultRuntimeSeccompProfileEnabled,
        skipNodeRegistration: kubelet.skipNodeRegistration,
        staticPodListUrl: server?.url ?? "",
        disableManifestsDirectory: kubelet.disableManifestsDirectory,
        enableFsQuotaMonitoring: diskQuotaSupport(k.config),
        registerWithTaints: { ...k.facts.nodeTaints },
      }),
    );
  },
};

/** The local server the kubelet reads the static pods from (its port derives from the machine). */
const staticPodServer: Controller<MachineSource> = {
  name: "k8s.StaticPodServerController",
  inputs: [INPUT.config],
  run({ source, put }) {
    if (!kubernetes(source)) return;
    const port = 40_000 + (createHash("sha256").update(source.machineUuid).digest().readUInt16BE(0) % 20_000);
    put(
      STATIC_POD_SERVER_STATUS,
      NS.k8s,
      "static-pod-server-status",
      spec(StaticPodServerStatusSpecSchema, { url: `http://127.0.0.1:${port}` }),
    );
  },
};

const nodeIpConfig: Controller<MachineSource> = {
  name: "k8s.NodeIPConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const k = kubernetes(source);
    if (!k) return;
    const kubelet = kubeletSettings(k.config);
    const net = clusterNetwork(k.config);
    put(
      NODE_IP_CONFIG,
      NS.k8s,
      "kubelet",
      spec(NodeIPConfigSpecSchema, {
        validSubnets: kubelet.validSubnets.length > 0 ? kubelet.validSubnets : ["0.0.0.0/0", "::/0"],
        excludeSubnets: [...kubelet.excludeSubnets, ...net.podSubnets, ...net.serviceSubnets],
      }),
    );
  },
};

/** Whether an address lies in a CIDR (IPv4 and IPv6). */
function inCidr(ip: string, cidr: string): boolean {
  const [base = "", bitsText] = cidr.split("/");
  if (isIP(base) !== isIP(ip)) return false;
  const a = ipBytes(ip);
  const b = ipBytes(base);
  let bits = Number(bitsText ?? a.length * 8);
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

const nodeIp: Controller<MachineSource> = {
  name: "k8s.NodeIPController",
  inputs: [],
  reads: [
    { namespace: NS.k8s, type: NODE_IP_CONFIG.definition.type },
    { namespace: NS.network, type: NODE_ADDRESS.definition.type },
  ],
  run({ get, put }) {
    const cfg = get(NS.k8s, NODE_IP_CONFIG.definition.type, "kubelet")?.spec as
      | { validSubnets: string[]; excludeSubnets: string[] }
      | undefined;
    const current = get(NS.network, NODE_ADDRESS.definition.type, "accumulative")?.spec as
      | { addresses: { ip: Uint8Array }[] }
      | undefined;
    if (!cfg || !current) return;
    const ips = current.addresses
      .map((a) => ipText(a.ip))
      .filter(
        (ip) => cfg.validSubnets.some((c) => inCidr(ip, c)) && !cfg.excludeSubnets.some((c) => inCidr(ip, c)),
      );
    // One address per family, IPv4 first (Talos's pick for the kubelet's --node-ip).
    const picked = [ips.find((ip) => isIP(ip) === 4), ips.find((ip) => isIP(ip) === 6)].filter(
      (ip): ip is string => ip !== undefined,
    );
    if (picked.length === 0) return;
    put(NODE_IP, NS.k8s, "kubelet", spec(NodeIPSpecSchema, { addresses: picked.map(netIp) }));
  },
};

/** The kubelet's KubeletConfiguration as Talos writes it (defaults under the config's extraConfig). */
function kubeletConfiguration(
  cfg: {
    clusterDns: string[];
    clusterDomain: string;
    extraConfig?: JsonObject;
    defaultRuntimeSeccompEnabled: boolean;
    disableManifestsDirectory: boolean;
    staticPodListUrl: string;
    enableFsQuotaMonitoring: boolean;
    skipNodeRegistration: boolean;
    registerWithTaints: Record<string, string>;
  },
  controlPlane: boolean,
  container: boolean,
): JsonObject {
  const extra = (cfg.extraConfig ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...extra };
  const def = (key: string, value: unknown) => {
    if (out[key] === undefined) out[key] = value;
  };
  out.apiVersion = "kubelet.config.k8s.io/v1beta1";
  out.kind = "KubeletConfiguration";
  if (!cfg.disableManifestsDirectory) out.staticPodPath = "/etc/kubernetes/manifests";
  if (cfg.staticPodListUrl !== "") out.staticPodURL = cfg.staticPodListUrl;
  out.port = 10250;
  out.authentication = {
    anonymous: { enabled: false },
    webhook: { cacheTTL: "0s", enabled: !cfg.skipNodeRegistration },
    x509: { clientCAFile: "/system/secrets/kubernetes/kube-apiserver/ca.crt" },
  };
  out.authorization = { mode: cfg.skipNodeRegistration ? "AlwaysAllow" : "Webhook", webhook: {} };
  out.cgroupRoot = "/";
  out.systemCgroups = "/system";
  out.kubeletCgroups = "/podruntime/kubelet";
  out.rotateCertificates = true;
  out.protectKernelDefaults = !container;
  out.containerRuntimeEndpoint = "unix:///run/containerd/containerd.sock";
  if (cfg.defaultRuntimeSeccompEnabled) out.seccompDefault = true;
  if (cfg.enableFsQuotaMonitoring) {
    out.featureGates = {
      LocalStorageCapacityIsolationFSQuotaMonitoring: true,
      ...(out.featureGates as object),
    };
  }
  const taints = taintsOf(cfg.registerWithTaints).sort((a, b) => (a.key < b.key ? -1 : 1));
  if (!cfg.skipNodeRegistration && taints.length > 0) out.registerWithTaints = taints;
  def("address", "0.0.0.0");
  def("oomScoreAdj", -450);
  def("clusterDomain", cfg.clusterDomain);
  def("clusterDNS", cfg.clusterDns);
  def("serializeImagePulls", false);
  def("failSwapOn", false);
  def("systemReserved", {
    cpu: "50m",
    "ephemeral-storage": "256Mi",
    memory: controlPlane ? "512Mi" : "384Mi",
    pid: "100",
  });
  def("logging", { format: "json" });
  def("shutdownGracePeriod", "30s");
  def("shutdownGracePeriodCriticalPods", "10s");
  def("streamingConnectionIdleTimeout", "5m0s");
  def("tlsMinVersion", "VersionTLS13");
  out.resolvConf = "/system/resolved/resolv.conf";
  return out as JsonObject;
}

const kubeletSpec: Controller<MachineSource> = {
  name: "k8s.KubeletSpecController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.k8s, type: KUBELET_CONFIG.definition.type },
    { namespace: NS.k8s, type: NODE_IP.definition.type },
    { namespace: NS.k8s, type: NODENAME.definition.type },
  ],
  run({ source, get, put }) {
    const config = source.active();
    const cfg = get(NS.k8s, KUBELET_CONFIG.definition.type, "kubelet")?.spec as
      | (Parameters<typeof kubeletConfiguration>[0] & {
          image: string;
          extraArgs: Record<string, { values: string[] }>;
        })
      | undefined;
    const nodename = (
      get(NS.k8s, NODENAME.definition.type, "nodename")?.spec as { nodename: string } | undefined
    )?.nodename;
    if (!config || !cfg || nodename === undefined) return;
    const extra = Object.fromEntries(Object.entries(cfg.extraArgs).map(([k, v]) => [k, v.values.join(",")]));
    const expected = extra["hostname-override"] !== undefined ? "" : nodename;
    const args: Record<string, string> = {
      config: "/etc/kubernetes/kubelet.yaml",
      "cert-dir": "/var/lib/kubelet/pki",
      "hostname-override": nodename,
    };
    if (!cfg.skipNodeRegistration) {
      args["bootstrap-kubeconfig"] = "/etc/kubernetes/bootstrap-kubeconfig";
      args.kubeconfig = "/etc/kubernetes/kubeconfig-kubelet";
    }
    if (extra["node-ip"] === undefined) {
      const ips = (
        get(NS.k8s, NODE_IP.definition.type, "kubelet")?.spec as { addresses: { ip: Uint8Array }[] }
      )?.addresses;
      if (!ips) return;
      args["node-ip"] = ips.map((a) => ipText(a.ip)).join(",");
    }
    const denied = new Set([
      "bootstrap-kubeconfig",
      "kubeconfig",
      "container-runtime",
      "container-runtime-endpoint",
      "config",
      "cert-dir",
    ]);
    for (const [k, v] of Object.entries(extra)) if (!denied.has(k)) args[k] = v;
    put(
      KUBELET_SPEC,
      NS.k8s,
      "kubelet",
      spec(KubeletSpecSpecSchema, {
        image: cfg.image,
        args: Object.keys(args)
          .sort()
          .map((k) => `--${k}=${args[k]}`),
        expectedNodename: expected,
        config: kubeletConfiguration(cfg, isControlPlane(config), source.platform.mode === "container"),
      }),
    );
  },
};

/** What the kubelet runs once its service does (the image it was started with). */
const kubeletStatus: Controller<MachineSource> = {
  name: "k8s.KubeletServiceController",
  inputs: [INPUT.services],
  reads: [{ namespace: NS.k8s, type: KUBELET_SPEC.definition.type }],
  run({ source, get, put }) {
    const s = get(NS.k8s, KUBELET_SPEC.definition.type, "kubelet")?.spec as { image: string } | undefined;
    if (!s || !source.serviceRunning("kubelet")) return;
    put(KUBELET_STATUS, NS.k8s, "kubelet", spec(KubeletStatusSpecSchema, { image: s.image }));
    put(KUBELET_LIFECYCLE, NS.k8s, "kubelet", undefined as never);
  },
};

const nodeLabels: Controller<MachineSource> = {
  name: "k8s.NodeLabelsController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const k = kubernetes(source);
    if (!k) return;
    for (const [key, value] of Object.entries(k.facts.nodeLabels)) {
      put(NODE_LABEL, NS.k8s, key, spec(NodeLabelSpecSpecSchema, { key, value }));
    }
    for (const [key, value] of Object.entries(nodeAnnotations(k.config))) {
      put(NODE_ANNOTATION, NS.k8s, key, spec(NodeAnnotationSpecSpecSchema, { key, value }));
    }
  },
};

const nodeTaints: Controller<MachineSource> = {
  name: "k8s.NodeTaintsController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const k = kubernetes(source);
    if (!k) return;
    for (const t of taintsOf(k.facts.nodeTaints)) {
      put(
        NODE_TAINT,
        NS.k8s,
        t.key,
        spec(NodeTaintSpecSpecSchema, { key: t.key, effect: t.effect, value: t.value ?? "" }),
      );
    }
  },
};

/** host and port of the cluster endpoint URL. */
function endpointHostPort(endpoint: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(endpoint);
    return { host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(u.port || 443) };
  } catch {
    return undefined;
  }
}

const kubePrism: Controller<MachineSource> = {
  name: "k8s.KubePrismController",
  inputs: [INPUT.config, INPUT.services],
  run({ source, put }) {
    const k = kubernetes(source);
    const port = k ? kubePrismPort(k.config) : undefined;
    if (!k || port === undefined) return;
    const endpoints = [endpointHostPort(k.facts.endpoint)].filter((e) => e !== undefined);
    if (isControlPlane(k.config)) endpoints.push({ host: "localhost", port: controlPlanePort(k.config) });
    const list = endpoints.map((e) => spec(KubePrismEndpointSchema, { host: e.host, port: e.port }));
    put(KUBEPRISM_ENDPOINTS, NS.k8s, "k8s-cluster", spec(KubePrismEndpointsSpecSchema, { endpoints: list }));
    put(
      KUBEPRISM_CONFIG,
      NS.k8s,
      "k8s-loadbalancer-config",
      spec(KubePrismConfigSpecSchema, { host: "localhost", port: BigInt(port), endpoints: list }),
    );
    put(
      KUBEPRISM_STATUSES,
      NS.k8s,
      "k8s-loadbalancer",
      spec(KubePrismStatusesSpecSchema, { host: `localhost:${port}`, healthy: source.networkReady() }),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Control planes: the components, their static pods and the manifests.

function controlPlaneOnly(
  source: MachineSource,
): { config: MachineConfig; facts: KubeClusterFacts } | undefined {
  const k = kubernetes(source);
  return k && isControlPlane(k.config) ? k : undefined;
}

const resources = () => spec(ResourcesSchema, {});

const controlPlaneConfigs: Controller<MachineSource> = {
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

const staticPods: Controller<MachineSource> = {
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

const staticPodStatus: Controller<MachineSource> = {
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

/** One manifest's objects from YAML text (empty documents skipped). */
function objectsOf(text: string): JsonObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is JsonObject => o !== null && typeof o === "object" && !Array.isArray(o));
}

const manifests: Controller<MachineSource> = {
  name: "k8s.ManifestController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const k = controlPlaneOnly(source);
    if (!k) return;
    const items = (objects: readonly unknown[]) =>
      objects.map((o) => spec(SingleManifestSchema, { object: o as JsonObject }));
    for (const m of bootstrapManifests(k.facts)) {
      put(MANIFEST, NS.controlplane, m.id, spec(ManifestSpecSchema, { items: items(m.objects) }));
    }
    for (const m of extraManifests(k.config)) {
      if (m.inline === "") continue;
      let objects: JsonObject[] = [];
      try {
        objects = objectsOf(m.inline);
      } catch {
        continue;
      }
      put(MANIFEST, NS.controlplane, m.name, spec(ManifestSpecSchema, { items: items(objects) }));
    }
  },
};

const manifestStatus: Controller<MachineSource> = {
  name: "k8s.ManifestApplyController",
  inputs: [INPUT.kubernetes],
  reads: [{ namespace: NS.controlplane, type: MANIFEST.definition.type }],
  run({ source, list, put }) {
    if (!controlPlaneOnly(source) || !source.kubernetes().nodeReady) return;
    const ids = list(NS.controlplane, MANIFEST.definition.type).map((m) => m.id);
    put(
      MANIFEST_STATUS,
      NS.controlplane,
      "manifests",
      spec(ManifestStatusSpecSchema, { manifestsApplied: ids }),
    );
  },
};

const controlPlaneStatus: Controller<MachineSource> = {
  name: "k8s.KubernetesStatusController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.k8s, type: STATIC_POD.definition.type },
    { namespace: NS.secrets, type: KUBERNETES_DYNAMIC_CERTS.definition.type },
    { namespace: NS.network, type: NODE_ADDRESS.definition.type },
  ],
  run({ source, get, put }: Ctx) {
    const k = controlPlaneOnly(source);
    if (!k) return;
    const certs = get(NS.secrets, KUBERNETES_DYNAMIC_CERTS.definition.type, "k8s-dynamic-certs");
    if (certs) {
      put(
        SECRETS_STATUS,
        NS.controlplane,
        "static-pods",
        spec(SecretsStatusSpecSchema, { ready: true, version: String(certs.version) }),
      );
    }
    const pod = get(NS.k8s, STATIC_POD.definition.type, "kube-apiserver");
    if (pod) {
      put(
        CONFIG_STATUS,
        NS.controlplane,
        "static-pods",
        spec(ConfigStatusSpecSchema, { ready: true, version: String(pod.version) }),
      );
    }
    const current = get(NS.network, NODE_ADDRESS.definition.type, "accumulative")?.spec as
      | { addresses: { ip: Uint8Array }[] }
      | undefined;
    if (current && current.addresses.length > 0) {
      put(
        ENDPOINT,
        NS.controlplane,
        "kube-apiserver",
        spec(EndpointSpecSchema, { addresses: current.addresses.map((a) => netIp(ipText(a.ip))) }),
      );
    }
  },
};

export const K8S_CONTROLLERS: readonly Controller<MachineSource>[] = [
  staticPodServer,
  kubeletConfig,
  nodeIpConfig,
  nodeIp,
  kubeletSpec,
  kubeletStatus,
  nodeLabels,
  nodeTaints,
  kubePrism,
  controlPlaneConfigs,
  staticPods,
  staticPodStatus,
  manifests,
  manifestStatus,
  controlPlaneStatus,
];
