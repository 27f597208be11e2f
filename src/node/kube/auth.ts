// Who a request is and what it may do. Authentication as Talos configures kube-apiserver:
// client certificates from the cluster's Kubernetes CA (user = CN, groups = O), bootstrap
// tokens (`<id>.<secret>` from the `bootstrap-token-<id>` Secrets), and anonymous requests
// only for the health paths. Authorization is RBAC over the Roles, ClusterRoles and their
// bindings in the store; `system:masters` may do anything.
import type { TLSSocket } from "node:tls";
import type { Json, KObject } from "./objects.js";
import { CLUSTER_ROLE, CLUSTER_ROLE_BINDING, ROLE, ROLE_BINDING, SECRET } from "./resources.js";
import { KubeStatusError } from "./status.js";
import type { KubeStorage } from "./storage.js";

export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

export const ANONYMOUS: UserInfo = { name: "system:anonymous", groups: ["system:unauthenticated"] };

/** Paths anonymous requests may reach (Talos's KubeAuthenticationConfig). */
export const ANONYMOUS_PATHS = new Set(["/livez", "/readyz", "/healthz"]);

/**
 * The user of a request, or undefined for an anonymous one. Throws 401 for a client
 * certificate the CA did not sign, or a token no Secret stands for.
 */
export async function authenticate(
  socket: TLSSocket,
  authorization: string | undefined,
  storage: KubeStorage,
): Promise<UserInfo | undefined> {
  const cert = socket.getPeerCertificate?.();
  if (cert && Object.keys(cert).length > 0) {
    if (!socket.authorized) throw unauthorized();
    const subject = typeof cert.subject === "object" ? cert.subject : undefined;
    const cn = subject?.CN;
    const o = subject?.O;
    const name = Array.isArray(cn) ? (cn[0] ?? "") : (cn ?? "");
    const groups = Array.isArray(o) ? o : o !== undefined ? [o] : [];
    return { name, groups: [...groups, "system:authenticated"] };
  }
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) throw unauthorized();
    const user = await bootstrapTokenUser(m[1]!, storage);
    if (!user) throw unauthorized();
    return user;
  }
  return undefined;
}

function unauthorized(): KubeStatusError {
  return new KubeStatusError(401, "Unauthorized", "Unauthorized");
}

async function bootstrapTokenUser(token: string, storage: KubeStorage): Promise<UserInfo | undefined> {
  const m = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(token);
  if (!m) return undefined;
  const secret = await storage.get(SECRET, "kube-system", `bootstrap-token-${m[1]}`);
  if (!secret || (secret as Json).type !== "bootstrap.kubernetes.io/token") return undefined;
  const data = ((secret as Json).data ?? {}) as Record<string, string>;
  const field = (k: string): string => Buffer.from(data[k] ?? "", "base64").toString("utf8");
  if (field("token-id") !== m[1] || field("token-secret") !== m[2]) return undefined;
  if (field("usage-bootstrap-authentication") !== "true") return undefined;
  const extra = field("auth-extra-groups")
    .split(",")
    .map((g) => g.trim())
    .filter((g) => g !== "");
  return {
    name: `system:bootstrap:${m[1]}`,
    groups: ["system:bootstrappers", ...extra, "system:authenticated"],
  };
}

/** What a request asks to do, as RBAC sees it. */
export interface Attributes {
  readonly verb: string;
  readonly group?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** For requests that are not about a resource. */
  readonly path?: string;
}

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  const verbs = rule.verbs ?? [];
  if (!verbs.includes("*") && !verbs.includes(a.verb)) return false;
  if (a.path !== undefined) {
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === "*" || u === a.path || (u.endsWith("*") && a.path!.startsWith(u.slice(0, -1))),
    );
  }
  const groups = rule.apiGroups ?? [];
  if (!groups.includes("*") && !groups.includes(a.group ?? "")) return false;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? "");
  const resources = rule.resources ?? [];
  const resOk = resources.some(
    (r) =>
      r === "*" ||
      r === resource ||
      (a.subresource && r === `*/${a.subresource}`) ||
      (r.endsWith("/*") && resource.startsWith(r.slice(0, -1))),
  );
  if (!resOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

function subjectMatches(binding: KObject, user: UserInfo): boolean {
  const subjects = ((binding as Json).subjects ?? []) as { kind: string; name: string; namespace?: string }[];
  return subjects.some((s) => {
    if (s.kind === "User") return s.name === user.name;
    if (s.kind === "Group") return user.groups.includes(s.name);
    if (s.kind === "ServiceAccount") return user.name === `system:serviceaccount:${s.namespace}:${s.name}`;
    return false;
  });
}

/** Whether RBAC lets the user do it. */
export async function authorize(user: UserInfo, a: Attributes, storage: KubeStorage): Promise<boolean> {
  if (user.groups.includes("system:masters")) return true;
  const rulesOf = async (ref: { kind: string; name: string }, namespace?: string): Promise<PolicyRule[]> => {
    const role =
      ref.kind === "ClusterRole"
        ? await storage.get(CLUSTER_ROLE, undefined, ref.name)
        : await storage.get(ROLE, namespace, ref.name);
    return ((role as Json | undefined)?.rules ?? []) as PolicyRule[];
  };
  for (const b of (await storage.list(CLUSTER_ROLE_BINDING, undefined)).items) {
    if (!subjectMatches(b, user)) continue;
    const rules = await rulesOf((b as Json).roleRef as { kind: string; name: string });
    if (rules.some((r) => ruleAllows(r, a))) return true;
  }
  if (a.namespace !== undefined && a.path === undefined) {
    for (const b of (await storage.list(ROLE_BINDING, a.namespace)).items) {
      if (!subjectMatches(b, user)) continue;
      const rules = await rulesOf((b as Json).roleRef as { kind: string; name: string }, a.namespace);
      if (rules.some((r) => ruleAllows(r, a))) return true;
    }
  }
  return false;
}

/** The 403 the API server answers, in its words. */
export function forbidden(user: UserInfo, a: Attributes): KubeStatusError {
  if (a.path !== undefined) {
    return new KubeStatusError(
      403,
      "Forbidden",
      `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"`,
      {},
    );
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? "");
  const where = a.namespace !== undefined ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  const subject =
    a.name !== undefined
      ? `${a.resource}${a.group ? `.${a.group}` : ""} "${a.name}"`
      : `${a.resource}${a.group ? `.${a.group}` : ""}`;
  return new KubeStatusError(
    403,
    "Forbidden",
    `${subject} is forbidden: User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group ?? ""}" ${where}`,
    {
      ...(a.name !== undefined ? { name: a.name } : {}),
      ...(a.group ? { group: a.group } : {}),
      kind: a.resource ?? "",
    },
  );
}

/** The default roles and bindings kube-apiserver's RBAC bootstrap creates, as far as this cluster uses them. */
export function defaultRbac(): { roles: KObject[]; bindings: KObject[] } {
  const role = (name: string, rules: PolicyRule[]): KObject => ({
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    rules,
  });
  const binding = (name: string, role: string, groups: string[]): KObject => ({
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: groups.map((g) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: g })),
  });
  const read = ["get", "list", "watch"];
  return {
    roles: [
      role("cluster-admin", [
        { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
        { nonResourceURLs: ["*"], verbs: ["*"] },
      ]),
      role("admin", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
      role("edit", [
        {
          apiGroups: ["", "apps", "batch", "policy", "networking.k8s.io", "coordination.k8s.io"],
          resources: ["*"],
          verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        },
      ]),
      role("view", [
        {
          apiGroups: ["", "apps", "batch", "policy", "networking.k8s.io", "discovery.k8s.io"],
          resources: [
            "pods",
            "pods/log",
            "services",
            "endpoints",
            "configmaps",
            "serviceaccounts",
            "events",
            "namespaces",
            "daemonsets",
            "deployments",
            "replicasets",
            "statefulsets",
            "jobs",
            "cronjobs",
            "poddisruptionbudgets",
            "networkpolicies",
            "endpointslices",
          ],
          verbs: read,
        },
      ]),
      role("system:discovery", [
        {
          nonResourceURLs: [
            "/api",
            "/api/*",
            "/apis",
            "/apis/*",
            "/healthz",
            "/livez",
            "/openapi",
            "/openapi/*",
            "/readyz",
            "/version",
            "/version/",
          ],
          verbs: ["get"],
        },
      ]),
      role("system:public-info-viewer", [
        { nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] },
      ]),
      role("system:basic-user", [
        {
          apiGroups: ["authorization.k8s.io"],
          resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
          verbs: ["create"],
        },
        { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
      ]),
      role("system:node-bootstrapper", [
        {
          apiGroups: ["certificates.k8s.io"],
          resources: ["certificatesigningrequests"],
          verbs: ["create", "get", "list", "watch"],
        },
      ]),
      role("system:node", [
        {
          apiGroups: [""],
          resources: ["nodes", "nodes/status", "pods", "pods/status", "events"],
          verbs: ["*"],
        },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["*"] },
      ]),
    ],
    bindings: [
      binding("cluster-admin", "cluster-admin", ["system:masters"]),
      binding("system:discovery", "system:discovery", ["system:authenticated"]),
      binding("system:basic-user", "system:basic-user", ["system:authenticated"]),
      binding("system:public-info-viewer", "system:public-info-viewer", [
        "system:authenticated",
        "system:unauthenticated",
      ]),
    ],
  };
}
