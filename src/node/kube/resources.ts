// The built-in resource types the emulated API server serves: where each lives in the API
// (group, version, plural), how discovery describes it (kind, short names, verbs, categories,
// subresources) and where its objects are kept in the store.

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** Subresources besides the object itself: `status`, `eviction`, `binding`, `log`, `scale`. */
  readonly subresources?: readonly string[];
  /** Verbs; by default the full set. */
  readonly verbs?: readonly string[];
  /** Whether updates to the object ignore `.status` (it has a status subresource). */
  readonly statusSubresource?: boolean;
}

const ALL_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
] as const;

const core = (
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType => ({
  group: "",
  version: "v1",
  kind,
  plural,
  singular: kind.toLowerCase(),
  namespaced,
  ...extra,
});

const grouped = (
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType => ({ group, version, kind, plural, singular: kind.toLowerCase(), namespaced, ...extra });

export const RESOURCES: readonly ResourceType[] = [
  core("ConfigMap", "configmaps", true, { shortNames: ["cm"] }),
  core("Endpoints", "endpoints", true, { shortNames: ["ep"], singular: "endpoints" }),
  core("Event", "events", true, { shortNames: ["ev"] }),
  core("Namespace", "namespaces", false, {
    shortNames: ["ns"],
    subresources: ["status", "finalize"],
    statusSubresource: true,
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  }),
  core("Node", "nodes", false, { shortNames: ["no"], subresources: ["status"], statusSubresource: true }),
  core("Pod", "pods", true, {
    shortNames: ["po"],
    categories: ["all"],
    subresources: ["status", "eviction", "binding", "log"],
    statusSubresource: true,
  }),
  core("Secret", "secrets", true),
  core("Service", "services", true, {
    shortNames: ["svc"],
    categories: ["all"],
    subresources: ["status"],
    statusSubresource: true,
    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  }),
  core("ServiceAccount", "serviceaccounts", true, { shortNames: ["sa"] }),
  grouped("apps", "v1", "ControllerRevision", "controllerrevisions", true),
  grouped("apps", "v1", "DaemonSet", "daemonsets", true, {
    shortNames: ["ds"],
    categories: ["all"],
    subresources: ["status"],
    statusSubresource: true,
  }),
  grouped("apps", "v1", "Deployment", "deployments", true, {
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: ["status", "scale"],
    statusSubresource: true,
  }),
  grouped("apps", "v1", "ReplicaSet", "replicasets", true, {
    shortNames: ["rs"],
    categories: ["all"],
    subresources: ["status", "scale"],
    statusSubresource: true,
  }),
  grouped("apps", "v1", "StatefulSet", "statefulsets", true, {
    shortNames: ["sts"],
    categories: ["all"],
    subresources: ["status", "scale"],
    statusSubresource: true,
  }),
  grouped("batch", "v1", "Job", "jobs", true, {
    categories: ["all"],
    subresources: ["status"],
    statusSubresource: true,
  }),
  grouped("batch", "v1", "CronJob", "cronjobs", true, {
    shortNames: ["cj"],
    categories: ["all"],
    subresources: ["status"],
    statusSubresource: true,
  }),
  grouped("coordination.k8s.io", "v1", "Lease", "leases", true),
  grouped("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true),
  grouped("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, { shortNames: ["netpol"] }),
  grouped("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, {
    shortNames: ["pdb"],
    subresources: ["status"],
    statusSubresource: true,
  }),
  grouped("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
  grouped("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false),
  grouped("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
  grouped("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true),
  grouped("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, { shortNames: ["pc"] }),
  grouped("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, { shortNames: ["sc"] }),
];

/** The API groups in the order discovery lists them (the legacy core group is served under /api). */
export const GROUP_ORDER: readonly string[] = [
  "apps",
  "events.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "batch",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "networking.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
].filter((g) => RESOURCES.some((r) => r.group === g));

export function verbsOf(r: ResourceType): readonly string[] {
  return r.verbs ?? ALL_VERBS;
}

export function apiVersionOf(r: ResourceType): string {
  return r.group === "" ? r.version : `${r.group}/${r.version}`;
}

/** `pods`, `deployments.apps`: the name RBAC and error messages use with the group. */
export function qualifiedName(r: ResourceType): string {
  return r.group === "" ? r.plural : `${r.plural}.${r.group}`;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceByKind(kind: string, group?: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.kind === kind && (group === undefined || r.group === group));
}

/** Where objects of a type live in the store: `/registry/<plural>/[<namespace>/]<name>`. */
export function storePrefix(r: ResourceType, namespace?: string): string {
  const base = `/registry/${r.group === "" ? "" : `${r.group}/`}${r.plural}/`;
  return r.namespaced && namespace !== undefined ? `${base}${namespace}/` : base;
}

export function storeKey(r: ResourceType, namespace: string | undefined, name: string): string {
  return `${storePrefix(r, r.namespaced ? (namespace ?? "") : undefined)}${name}`;
}

export const POD = resourceByKind("Pod")!;
export const NODE = resourceByKind("Node")!;
export const NAMESPACE = resourceByKind("Namespace")!;
export const SERVICE = resourceByKind("Service")!;
export const ENDPOINTS = resourceByKind("Endpoints")!;
export const ENDPOINT_SLICE = resourceByKind("EndpointSlice")!;
export const EVENT = resourceByKind("Event")!;
export const LEASE = resourceByKind("Lease")!;
export const DAEMON_SET = resourceByKind("DaemonSet")!;
export const DEPLOYMENT = resourceByKind("Deployment")!;
export const REPLICA_SET = resourceByKind("ReplicaSet")!;
export const CONTROLLER_REVISION = resourceByKind("ControllerRevision")!;
export const PDB = resourceByKind("PodDisruptionBudget")!;
export const CONFIG_MAP = resourceByKind("ConfigMap")!;
export const SECRET = resourceByKind("Secret")!;
export const SERVICE_ACCOUNT = resourceByKind("ServiceAccount")!;
export const CLUSTER_ROLE = resourceByKind("ClusterRole")!;
export const CLUSTER_ROLE_BINDING = resourceByKind("ClusterRoleBinding")!;
export const ROLE = resourceByKind("Role")!;
export const ROLE_BINDING = resourceByKind("RoleBinding")!;
export const PRIORITY_CLASS = resourceByKind("PriorityClass")!;
