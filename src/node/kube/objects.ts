// Kubernetes objects as the emulated control plane handles them: plain JSON with typed views
// of the parts its components read (metadata, pods, nodes, workloads), and the small helpers
// every component shares (timestamps, names, owner references, label matching).
import { createHash, randomBytes, randomUUID } from "node:crypto";

export type Json = Record<string, unknown>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: Json[];
  [field: string]: unknown;
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string | null;
  lastHeartbeatTime?: string | null;
  lastProbeTime?: string | null;
  [field: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: Json[];
  [field: string]: unknown;
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  containers: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  priorityClassName?: string;
  terminationGracePeriodSeconds?: number;
  volumes?: Json[];
  [field: string]: unknown;
}

export interface Pod extends KObject {
  spec: PodSpec;
  status?: {
    phase?: string;
    conditions?: Condition[];
    hostIP?: string;
    hostIPs?: { ip: string }[];
    podIP?: string;
    podIPs?: { ip: string }[];
    startTime?: string;
    containerStatuses?: Json[];
    qosClass?: string;
    [field: string]: unknown;
  };
}

export interface Node extends KObject {
  spec?: {
    podCIDR?: string;
    podCIDRs?: string[];
    taints?: Taint[];
    unschedulable?: boolean;
    [f: string]: unknown;
  };
  status?: {
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: Record<string, string>;
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    [field: string]: unknown;
  };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

/** A Kubernetes timestamp: RFC 3339 in UTC, whole seconds. */
export function timestamp(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** RFC 3339 with microseconds (Leases' renewTime, managed fields use seconds). */
export function microTimestamp(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}

export function newUid(): string {
  return randomUUID();
}

/** The alphabet of generated name suffixes (no vowels, no confusable digits), as Kubernetes uses. */
const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** A random suffix of `n` characters from Kubernetes's alphabet. */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let out = "";
  for (const b of bytes) out += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length];
  return out;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as Json).filter((k) => (a as Json)[k] !== undefined);
  const kb = Object.keys(b as Json).filter((k) => (b as Json)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Json)[k], (b as Json)[k]));
}

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether a selector (matchLabels and matchExpressions) selects these labels; an empty one selects all. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function controllerOf(obj: KObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller === true);
}

export function ownerReference(owner: KObject, controller = true): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? "v1",
    kind: owner.kind ?? "",
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    ...(controller ? { controller: true, blockOwnerDeletion: true } : {}),
  };
}

export function condition(
  obj: { status?: { conditions?: Condition[] } },
  type: string,
): Condition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** Sets a condition, keeping its transition time when its status does not change. */
export function setCondition(conditions: Condition[], next: Condition, now: string): Condition[] {
  const old = conditions.find((c) => c.type === next.type);
  const merged: Condition = {
    ...next,
    lastTransitionTime: old && old.status === next.status ? (old.lastTransitionTime ?? now) : now,
  };
  const out = conditions.filter((c) => c.type !== next.type);
  const at = conditions.findIndex((c) => c.type === next.type);
  if (at < 0) out.push(merged);
  else out.splice(at, 0, merged);
  return out;
}

export function podReady(pod: Pod): boolean {
  return condition(pod, "Ready")?.status === "True" && pod.metadata.deletionTimestamp === undefined;
}

export function nodeReady(node: Node): boolean {
  return condition(node, "Ready")?.status === "True";
}

/** Whether a pod's tolerations tolerate a taint. */
export function tolerates(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

/** A stable short hash of a value (controllers name ReplicaSets and revisions by their template's hash). */
export function shortHash(text: string): string {
  const digest = createHash("sha256").update(text).digest();
  let out = "";
  for (let i = 0; i < 10; i++) out += SUFFIX_ALPHABET[digest[i]! % SUFFIX_ALPHABET.length];
  return out;
}
