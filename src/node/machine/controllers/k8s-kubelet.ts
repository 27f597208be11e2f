// The controllers of every Kubernetes node: the kubelet's config, spec and status, the static
// pod server, the node's IP, labels, annotations and taints, and KubePrism.
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { JsonObject } from "@bufbuild/protobuf";
import {
  KubeletConfigSpecSchema,
  KubeletSpecSpecSchema,
  KubeletStatusSpecSchema,
  KubePrismConfigSpecSchema,
  KubePrismEndpointSchema,
  KubePrismEndpointsSpecSchema,
  KubePrismStatusesSpecSchema,
  NodeAnnotationSpecSpecSchema,
  NodeIPConfigSpecSchema,
  NodeIPSpecSchema,
  NodeLabelSpecSpecSchema,
  NodeTaintSpecSpecSchema,
  StaticPodServerStatusSpecSchema,
} from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import { controlPlanePort } from "../../cluster/facts.js";
import { taintsOf } from "../../kube/cluster-config.js";
import { type Controller, ipBytes, ipText, NS, spec } from "../../resources/index.js";
import { isControlPlane } from "../config.js";
import {
  clusterNetwork,
  diskQuotaSupport,
  kubeletSettings,
  kubePrismPort,
  nodeAnnotations,
  nthAddress,
} from "./cluster-facts.js";
import {
  argValues,
  KUBELET_CONFIG,
  KUBELET_LIFECYCLE,
  KUBELET_SPEC,
  KUBELET_STATUS,
  KUBEPRISM_CONFIG,
  KUBEPRISM_ENDPOINTS,
  KUBEPRISM_STATUSES,
  kubernetes,
  NODE_ANNOTATION,
  NODE_IP,
  NODE_IP_CONFIG,
  NODE_LABEL,
  NODE_TAINT,
  netIp,
  STATIC_POD_SERVER_STATUS,
} from "./k8s-common.js";
import { NODE_ADDRESS, NODENAME } from "./network.js";
import { INPUT, type MachineSource } from "./source.js";

export const kubeletConfig: Controller<MachineSource> = {
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
        ...(Object.keys(kubelet.extraConfig).length > 0
          ? { extraConfig: kubelet.extraConfig as JsonObject }
          : {}),
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
export const staticPodServer: Controller<MachineSource> = {
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

export const nodeIpConfig: Controller<MachineSource> = {
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

export const nodeIp: Controller<MachineSource> = {
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

export const kubeletSpec: Controller<MachineSource> = {
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
export const kubeletStatus: Controller<MachineSource> = {
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

export const nodeLabels: Controller<MachineSource> = {
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

export const nodeTaints: Controller<MachineSource> = {
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

export const kubePrism: Controller<MachineSource> = {
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
