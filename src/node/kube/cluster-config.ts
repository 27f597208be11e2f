// What the emulated Kubernetes components read from the machine config: the cluster's name,
// endpoint and networks, the components' images (their versions follow the image tags, so
// `upgrade-k8s` changes them by patching the config), the node's labels and taints, and the
// bootstrap token. Both config layouts: the Kube*Config documents of contract 1.14 and later,
// and the v1alpha1 `machine`/`cluster` fields before.
import { legacyDocument, type MachineConfig } from "../machine/config.js";

function at(data: unknown, path: readonly string[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function docData(config: MachineConfig, kind: string): unknown {
  return config.documents.documents.find((d) => d.kind === kind)?.data;
}

function hasDoc(config: MachineConfig, kind: string): boolean {
  return config.documents.documents.some((d) => d.kind === kind);
}

/** A value from the document of `kind` when the config has it, else from the v1alpha1 path. */
function pick(
  config: MachineConfig,
  kind: string,
  docPath: readonly string[],
  legacyPath: readonly string[],
): unknown {
  if (hasDoc(config, kind)) {
    const v = at(docData(config, kind), docPath);
    if (v !== undefined) return v;
  }
  return at(legacyDocument(config)?.data, legacyPath);
}

function text(v: unknown, fallback = ""): string {
  return typeof v === "string" && v !== "" ? v : fallback;
}

function stringMap(v: unknown): Record<string, string> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>))
    out[k] = x === null || x === undefined ? "" : String(x);
  return out;
}

export const DEFAULT_COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.4";
export const DEFAULT_FLANNEL_IMAGE = "ghcr.io/siderolabs/flannel:v0.27.4";
export const DEFAULT_KUBERNETES_VERSION = "v1.37.0";
const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

export interface KubeImages {
  readonly kubelet: string;
  readonly apiServer: string;
  readonly controllerManager: string;
  readonly scheduler: string;
  readonly proxy: string;
  readonly coreDns: string;
  readonly flannel: string;
}

export interface KubeClusterFacts {
  readonly clusterName: string;
  readonly endpoint: string;
  readonly dnsDomain: string;
  readonly podSubnets: readonly string[];
  readonly serviceSubnets: readonly string[];
  readonly images: KubeImages;
  readonly certSans: readonly string[];
  /** `<id>.<secret>` */
  readonly bootstrapToken: string;
  readonly coreDnsEnabled: boolean;
  readonly proxyEnabled: boolean;
  /** `flannel`, `none` or `custom`. */
  readonly cni: string;
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** `key` → `value:Effect` or `Effect`. */
  readonly nodeTaints: Readonly<Record<string, string>>;
}

/** The version in an image reference's tag (`registry.k8s.io/kube-apiserver:v1.37.0` → `v1.37.0`). */
export function imageVersion(image: string, fallback = DEFAULT_KUBERNETES_VERSION): string {
  const tag = /:([^:/@]+)(@.*)?$/.exec(image)?.[1];
  const m = tag ? /^v?(\d+\.\d+\.\d+[^\s]*)$/.exec(tag) : null;
  return m ? `v${m[1]}` : fallback;
}

export function kubeFacts(config: MachineConfig, controlPlane: boolean): KubeClusterFacts {
  const version = imageVersion(
    text(pick(config, "KubeletConfig", ["image"], ["machine", "kubelet", "image"])),
  );
  const withVersion = (repo: string) => `${repo}:${version}`;
  const images: KubeImages = {
    kubelet: text(
      pick(config, "KubeletConfig", ["image"], ["machine", "kubelet", "image"]),
      withVersion("ghcr.io/siderolabs/kubelet"),
    ),
    apiServer: text(
      pick(config, "KubeAPIServerConfig", ["image"], ["cluster", "apiServer", "image"]),
      withVersion("registry.k8s.io/kube-apiserver"),
    ),
    controllerManager: text(
      pick(config, "KubeControllerManagerConfig", ["image"], ["cluster", "controllerManager", "image"]),
      withVersion("registry.k8s.io/kube-controller-manager"),
    ),
    scheduler: text(
      pick(config, "KubeSchedulerConfig", ["image"], ["cluster", "scheduler", "image"]),
      withVersion("registry.k8s.io/kube-scheduler"),
    ),
    proxy: text(
      pick(config, "KubeProxyConfig", ["image"], ["cluster", "proxy", "image"]),
      withVersion("registry.k8s.io/kube-proxy"),
    ),
    coreDns: text(
      pick(config, "KubeCoreDNSConfig", ["image"], ["cluster", "coreDNS", "image"]),
      DEFAULT_COREDNS_IMAGE,
    ),
    flannel: DEFAULT_FLANNEL_IMAGE,
  };
  const labels = stringMap(pick(config, "KubeNodeConfig", ["labels"], ["machine", "nodeLabels"]));
  const taints = stringMap(pick(config, "KubeNodeConfig", ["taints"], ["machine", "nodeTaints"]));
  const legacy = legacyDocument(config)?.data;
  if (controlPlane && !hasDoc(config, "KubeNodeConfig")) {
    labels[CONTROL_PLANE_LABEL] ??= "";
    if (at(legacy, ["cluster", "allowSchedulingOnControlPlanes"]) !== true)
      taints[CONTROL_PLANE_LABEL] ??= "NoSchedule";
  }
  const list = (v: unknown, fallback: string[]): string[] =>
    Array.isArray(v) && v.length > 0 ? v.map(String) : fallback;
  const sans = pick(config, "KubeAPIServerConfig", ["certExtraSANs"], ["cluster", "apiServer", "certSANs"]);
  const cniName = text(at(legacy, ["cluster", "network", "cni", "name"]), "flannel");
  return {
    clusterName: text(
      pick(config, "KubeClusterConfig", ["clusterName"], ["cluster", "clusterName"]),
      "talos",
    ),
    endpoint: text(pick(config, "KubeClusterConfig", ["endpoint"], ["cluster", "controlPlane", "endpoint"])),
    dnsDomain: text(
      pick(config, "KubeNetworkConfig", ["dnsDomain"], ["cluster", "network", "dnsDomain"]),
      "cluster.local",
    ),
    podSubnets: list(
      pick(config, "KubeNetworkConfig", ["podSubnets"], ["cluster", "network", "podSubnets"]),
      ["10.244.0.0/16"],
    ),
    serviceSubnets: list(
      pick(config, "KubeNetworkConfig", ["serviceSubnets"], ["cluster", "network", "serviceSubnets"]),
      ["10.96.0.0/12"],
    ),
    images,
    certSans: Array.isArray(sans) ? sans.map(String) : [],
    bootstrapToken: text(at(legacy, ["cluster", "token"])),
    coreDnsEnabled: hasDoc(config, "KubeCoreDNSConfig")
      ? at(docData(config, "KubeCoreDNSConfig"), ["enabled"]) !== false
      : at(legacy, ["cluster", "coreDNS", "disabled"]) !== true,
    proxyEnabled: at(legacy, ["cluster", "proxy", "disabled"]) !== true,
    cni: hasDoc(config, "KubeFlannelCNIConfig") ? "flannel" : cniName,
    nodeLabels: labels,
    nodeTaints: taints,
  };
}

/** Taints from the config's `key: value:Effect` map. */
export function taintsOf(
  map: Readonly<Record<string, string>>,
): { key: string; value?: string; effect: string }[] {
  return Object.entries(map).map(([key, spec]) => {
    const colon = spec.lastIndexOf(":");
    if (colon < 0) return { key, effect: spec };
    const value = spec.slice(0, colon);
    return value === ""
      ? { key, effect: spec.slice(colon + 1) }
      : { key, value, effect: spec.slice(colon + 1) };
  });
}
