// The defaults and checks the API server applies to objects it stores, for the fields the
// emulated components and clients read (k8s.io/kubernetes: pkg/apis/*/v1/defaults.go and the
// name rules of pkg/apis/*/validation).
import { isObject, type Json, type KObject } from "./objects.js";
import type { ResourceType } from "./resources.js";
import type { StatusCause } from "./status.js";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** Kinds whose names must be DNS labels rather than subdomains. */
const LABEL_NAMED = new Set(["Namespace", "Service"]);

/** Problems with an object's name, as field causes. */
export function nameCauses(r: ResourceType, name: string | undefined): StatusCause[] {
  if (name === undefined || name === "") {
    return [
      {
        field: "metadata.name",
        reason: "FieldValueRequired",
        message: "Required value: name or generateName is required",
      },
    ];
  }
  if (
    r.kind === "RoleBinding" ||
    r.kind === "ClusterRole" ||
    r.kind === "Role" ||
    r.kind === "ClusterRoleBinding"
  ) {
    // RBAC names are path segments: anything but "/" and "%".
    return /[/%]/.test(name) || name === "." || name === ".."
      ? [{ field: "metadata.name", message: `Invalid value: "${name}": may not contain '/' or '%'` }]
      : [];
  }
  const label = LABEL_NAMED.has(r.kind);
  const ok = label
    ? DNS_LABEL.test(name) && name.length <= 63
    : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  return [
    { field: "metadata.name", message: `Invalid value: "${name}": ${label ? LABEL_MSG : SUBDOMAIN_MSG}` },
  ];
}

function obj(parent: Json, key: string): Json {
  const v = parent[key];
  if (isObject(v)) return v;
  const fresh: Json = {};
  parent[key] = fresh;
  return fresh;
}

function def(target: Json, key: string, value: unknown): void {
  if (target[key] === undefined) target[key] = value;
}

function containerDefaults(c: Json): void {
  def(c, "terminationMessagePath", "/dev/termination-log");
  def(c, "terminationMessagePolicy", "File");
  def(
    c,
    "imagePullPolicy",
    typeof c.image === "string" && c.image.endsWith(":latest") ? "Always" : "IfNotPresent",
  );
  def(c, "resources", {});
  for (const p of (c.ports as Json[] | undefined) ?? []) def(p, "protocol", "TCP");
}

export function podSpecDefaults(spec: Json): void {
  def(spec, "restartPolicy", "Always");
  def(spec, "terminationGracePeriodSeconds", 30);
  def(spec, "dnsPolicy", "ClusterFirst");
  def(spec, "securityContext", {});
  def(spec, "schedulerName", "default-scheduler");
  def(spec, "enableServiceLinks", true);
  def(spec, "preemptionPolicy", "PreemptLowerPriority");
  def(
    spec,
    "priority",
    spec.priorityClassName === "system-node-critical"
      ? 2000001000
      : spec.priorityClassName === "system-cluster-critical"
        ? 2000000000
        : 0,
  );
  if (spec.serviceAccountName !== undefined) def(spec, "serviceAccount", spec.serviceAccountName);
  for (const c of (spec.containers as Json[] | undefined) ?? []) containerDefaults(c);
  for (const c of (spec.initContainers as Json[] | undefined) ?? []) containerDefaults(c);
  if (!Array.isArray(spec.tolerations)) spec.tolerations = [];
  const tolerations = spec.tolerations as Json[];
  // The DefaultTolerationSeconds admission plugin.
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (!tolerations.some((t) => t.key === key || (t.operator === "Exists" && t.key === undefined))) {
      tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
    }
  }
}

function templateDefaults(o: Json): void {
  const template = obj(obj(o, "spec"), "template");
  podSpecDefaults(obj(template, "spec"));
  obj(template, "metadata");
}

/** Fills in what the API server defaults on create. */
export function applyDefaults(r: ResourceType, o: KObject, allocateClusterIp: () => string): void {
  const spec = o as Json;
  switch (r.kind) {
    case "Pod": {
      podSpecDefaults(obj(spec, "spec"));
      const status = obj(spec, "status");
      def(status, "phase", "Pending");
      def(status, "qosClass", "BestEffort");
      break;
    }
    case "Namespace": {
      o.metadata.labels = {
        ...(o.metadata.labels ?? {}),
        "kubernetes.io/metadata.name": o.metadata.name ?? "",
      };
      def(obj(spec, "spec"), "finalizers", ["kubernetes"]);
      def(obj(spec, "status"), "phase", "Active");
      break;
    }
    case "Service": {
      const s = obj(spec, "spec");
      def(s, "type", "ClusterIP");
      def(s, "sessionAffinity", "None");
      def(s, "internalTrafficPolicy", "Cluster");
      def(s, "ipFamilyPolicy", "SingleStack");
      def(s, "ipFamilies", ["IPv4"]);
      if (s.clusterIP === undefined || s.clusterIP === "") s.clusterIP = allocateClusterIp();
      if (s.clusterIP !== "None") def(s, "clusterIPs", [s.clusterIP]);
      for (const p of (s.ports as Json[] | undefined) ?? []) {
        def(p, "protocol", "TCP");
        def(p, "targetPort", p.port);
      }
      def(obj(spec, "status"), "loadBalancer", {});
      break;
    }
    case "DaemonSet": {
      const s = obj(spec, "spec");
      def(s, "revisionHistoryLimit", 10);
      def(s, "updateStrategy", { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      templateDefaults(spec);
      def(spec, "status", {
        currentNumberScheduled: 0,
        numberMisscheduled: 0,
        desiredNumberScheduled: 0,
        numberReady: 0,
      });
      break;
    }
    case "Deployment": {
      const s = obj(spec, "spec");
      def(s, "replicas", 1);
      def(s, "revisionHistoryLimit", 10);
      def(s, "progressDeadlineSeconds", 600);
      def(s, "strategy", {
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
      });
      templateDefaults(spec);
      def(spec, "status", {});
      break;
    }
    case "ReplicaSet":
    case "StatefulSet": {
      def(obj(spec, "spec"), "replicas", 1);
      templateDefaults(spec);
      def(spec, "status", { replicas: 0 });
      break;
    }
    case "Job":
    case "CronJob":
      break;
    case "Secret":
      def(spec, "type", "Opaque");
      break;
    case "PodDisruptionBudget":
      def(spec, "status", { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
      break;
    default:
      break;
  }
}

/** Whether the kind carries `metadata.generation` that grows with each spec change. */
export function tracksGeneration(r: ResourceType): boolean {
  return ![
    "Event",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "EndpointSlice",
    "Lease",
    "Namespace",
    "Node",
    "ServiceAccount",
    "ControllerRevision",
  ].includes(r.kind);
}
