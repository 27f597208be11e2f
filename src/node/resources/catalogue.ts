// Every resource type a Talos node registers, read from the generated catalogue table, and the
// namespaces with the descriptions Talos registers them with (siderolabs/talos:
// internal/app/machined/pkg/runtime/v1alpha2/v1alpha2_state.go; the `meta` namespace's from
// cosi-project/runtime: pkg/state/registry/namespace.go).
import { CATALOGUE_NAMESPACES, CATALOGUE_ROWS } from "./generated/catalogue.js";

export interface PrintColumn {
  readonly name: string;
  readonly jsonPath: string;
}

/** How a type's spec travels. */
export type SpecForm =
  /** proto_spec encoded with this protobuf message. */
  | { readonly kind: "message"; readonly message: string }
  /** An empty spec struct: proto_spec is empty, yaml_spec `{}`. */
  | { readonly kind: "empty" }
  /** A handle: proto_spec is empty, only yaml_spec is sent. */
  | { readonly kind: "handle" };

export interface CatalogueEntry {
  /** `LinkStatuses.net.talos.dev` */
  readonly type: string;
  /** The ResourceDefinition id: the type, lower-cased. */
  readonly id: string;
  readonly defaultNamespace: string;
  /** Aliases the type declares (COSI adds the automatic ones to `aliases`). */
  readonly declaredAliases: readonly string[];
  /** Served to os:admin only. */
  readonly sensitive: boolean;
  readonly spec: SpecForm;
  readonly printColumns: readonly PrintColumn[];
  readonly displayType: string;
  /** What `get rd` shows as aliases, and the full list talosctl matches names against. */
  readonly aliases: readonly string[];
  readonly allAliases: readonly string[];
  readonly skipAutomaticAliases: boolean;
}

function specForm(text: string): SpecForm {
  if (text === "(empty)") return { kind: "empty" };
  if (text === "(handle)") return { kind: "handle" };
  return { kind: "message", message: text };
}

/** The catalogue, ordered by ResourceDefinition id (as COSI lists them). */
export const CATALOGUE: readonly CatalogueEntry[] = CATALOGUE_ROWS.map(
  ([type, namespace, declared, sensitive, spec, columns, display, aliases, allAliases, skip]) => ({
    type,
    id: type.toLowerCase(),
    defaultNamespace: namespace,
    declaredAliases: declared,
    sensitive: sensitive === 1,
    spec: specForm(spec),
    printColumns: columns.map(([name, jsonPath]) => ({ name, jsonPath })),
    displayType: display,
    aliases,
    allAliases,
    skipAutomaticAliases: skip === 1,
  }),
);

const BY_TYPE: ReadonlyMap<string, CatalogueEntry> = new Map(CATALOGUE.map((e) => [e.type, e]));

/** The catalogue entry of a type (exact spelling); throws for a type Talos does not register. */
export function catalogueEntry(type: string): CatalogueEntry {
  const entry = BY_TYPE.get(type);
  if (!entry) throw new Error(`resource type ${type} is not in Talos's catalogue`);
  return entry;
}

/** Namespaces in the order Talos registers them. */
export const NAMESPACES: readonly string[] = CATALOGUE_NAMESPACES;

/** Each namespace's description, as its Namespace resource carries it. */
export const NAMESPACE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  meta: "Metadata namespace which contains resource and namespace definitions.",
  runtime: "Talos v1alpha1 subsystems glue resources.",
  cluster: "Cluster configuration and discovery resources.",
  "cluster-raw": "Cluster unmerged raw resources.",
  config: "Talos node configuration.",
  etcd: "etcd resources.",
  files: "Files and file-like resources.",
  hardware: "Hardware resources.",
  k8s: "Kubernetes all node types resources.",
  controlplane: "Kubernetes control plane resources.",
  kubespan: "KubeSpan resources.",
  network: "Networking resources.",
  "network-config": "Networking configuration resources.",
  cri: "CRI Seccomp resources.",
  containers: "Talos-managed container resources.",
  secrets: "Resources with secret material.",
  security: "Security resources.",
  perf: "Stats resources.",
  storage: "Storage resources.",
};

/** Namespace names as constants for controllers. */
export const NS = {
  meta: "meta",
  runtime: "runtime",
  cluster: "cluster",
  clusterRaw: "cluster-raw",
  config: "config",
  etcd: "etcd",
  files: "files",
  hardware: "hardware",
  k8s: "k8s",
  controlplane: "controlplane",
  kubespan: "kubespan",
  network: "network",
  networkConfig: "network-config",
  cri: "cri",
  containers: "containers",
  secrets: "secrets",
  security: "security",
  perf: "perf",
  storage: "storage",
} as const;
