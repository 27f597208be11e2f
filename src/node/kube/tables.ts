// Server-side printing: the `Table` kubectl asks for (`Accept: ...;as=Table;g=meta.k8s.io`),
// with the columns and cell texts of k8s.io/kubernetes's pkg/printers/internalversion for the
// types this cluster has, and Name/Created At for the others.
import { condition, type Json, type KObject, type Node, type Pod } from "./objects.js";
import type { ResourceType } from "./resources.js";

interface Column {
  readonly name: string;
  readonly type: "string" | "integer" | "date";
  readonly format?: string;
  readonly description: string;
  readonly priority: number;
}

const col = (name: string, type: Column["type"] = "string", priority = 0, format?: string): Column => ({
  name,
  type,
  ...(format ? { format } : {}),
  description: name,
  priority,
});

const NAME = col("Name", "string", 0, "name");
const AGE = col("Age", "string");

/** Go's duration.HumanDuration: the age kubectl prints. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(s / 3600);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  if (h < 24 * 365 * 8) {
    const days = Math.floor(h / 24);
    const y = Math.floor(days / 365);
    return days % 365 === 0 ? `${y}y` : `${y}y${days % 365}d`;
  }
  return `${Math.floor(h / 24 / 365)}y`;
}

function age(o: KObject, now: Date): string {
  const at = o.metadata.creationTimestamp;
  return at ? humanDuration(now.getTime() - Date.parse(at)) : "<unknown>";
}

const none = (v: string | undefined): string => (v === undefined || v === "" ? "<none>" : v);

function selectorText(sel: unknown): string {
  const labels = ((sel as Json | undefined)?.matchLabels ?? sel ?? {}) as Record<string, string>;
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(",") : "<none>";
}

function templateContainers(o: Json): { names: string; images: string } {
  const spec = ((((o.spec as Json | undefined)?.template as Json | undefined)?.spec ?? {}) as Json) ?? {};
  const containers = (spec.containers ?? []) as Json[];
  return {
    names: containers.map((c) => String(c.name)).join(","),
    images: containers.map((c) => String(c.image)).join(","),
  };
}

function podCells(p: Pod, now: Date): unknown[] {
  const statuses = (p.status?.containerStatuses ?? []) as Json[];
  const total = p.spec.containers.length;
  const ready = statuses.filter((c) => c.ready === true).length;
  const restarts = statuses.reduce(
    (n, c) => n + (typeof c.restartCount === "number" ? c.restartCount : 0),
    0,
  );
  let reason = p.status?.phase ?? "Pending";
  for (const c of statuses) {
    const waiting = (c.state as Json | undefined)?.waiting as Json | undefined;
    if (waiting?.reason) reason = String(waiting.reason);
  }
  if (p.metadata.deletionTimestamp !== undefined) reason = "Terminating";
  else if (p.status?.phase === "Pending" && !p.spec.nodeName) reason = "Pending";
  const node = p.spec.nodeName ?? "<none>";
  return [
    p.metadata.name,
    `${ready}/${total}`,
    reason,
    String(restarts),
    age(p, now),
    none(p.status?.podIP),
    node === "" ? "<none>" : node,
    "<none>",
    "<none>",
  ];
}

function nodeCells(n: Node, now: Date): unknown[] {
  const ready = condition(n, "Ready");
  const statuses = [ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown"];
  if (n.spec?.unschedulable) statuses.push("SchedulingDisabled");
  const roles = Object.keys(n.metadata.labels ?? {})
    .filter((l) => l.startsWith("node-role.kubernetes.io/"))
    .map((l) => l.slice("node-role.kubernetes.io/".length))
    .filter((r) => r !== "");
  const addr = (type: string) => n.status?.addresses?.find((a) => a.type === type)?.address;
  const info = n.status?.nodeInfo ?? {};
  return [
    n.metadata.name,
    statuses.join(","),
    roles.length > 0 ? roles.sort().join(",") : "<none>",
    age(n, now),
    info.kubeletVersion ?? "",
    none(addr("InternalIP")),
    none(addr("ExternalIP")),
    info.osImage ?? "",
    info.kernelVersion ?? "",
    info.containerRuntimeVersion ?? "",
  ];
}

function servicePorts(spec: Json): string {
  const ports = (spec.ports ?? []) as Json[];
  if (ports.length === 0) return "<none>";
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(",");
}

interface Printer {
  readonly columns: readonly Column[];
  cells(o: KObject, now: Date): unknown[];
}

const PRINTERS: Readonly<Record<string, Printer>> = {
  Pod: {
    columns: [
      NAME,
      col("Ready"),
      col("Status"),
      col("Restarts", "string"),
      AGE,
      col("IP", "string", 1),
      col("Node", "string", 1),
      col("Nominated Node", "string", 1),
      col("Readiness Gates", "string", 1),
    ],
    cells: (o, now) => podCells(o as Pod, now),
  },
  Node: {
    columns: [
      NAME,
      col("Status"),
      col("Roles"),
      AGE,
      col("Version"),
      col("Internal-IP", "string", 1),
      col("External-IP", "string", 1),
      col("OS-Image", "string", 1),
      col("Kernel-Version", "string", 1),
      col("Container-Runtime", "string", 1),
    ],
    cells: (o, now) => nodeCells(o as Node, now),
  },
  Namespace: {
    columns: [NAME, col("Status"), AGE],
    cells: (o, now) => [o.metadata.name, ((o as Json).status as Json | undefined)?.phase ?? "", age(o, now)],
  },
  Service: {
    columns: [
      NAME,
      col("Type"),
      col("Cluster-IP"),
      col("External-IP"),
      col("Port(s)"),
      AGE,
      col("Selector", "string", 1),
    ],
    cells: (o, now) => {
      const spec = ((o as Json).spec ?? {}) as Json;
      return [
        o.metadata.name,
        spec.type ?? "ClusterIP",
        spec.clusterIP ?? "<none>",
        "<none>",
        servicePorts(spec),
        age(o, now),
        selectorText(spec.selector),
      ];
    },
  },
  DaemonSet: {
    columns: [
      NAME,
      col("Desired", "integer"),
      col("Current", "integer"),
      col("Ready", "integer"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      col("Node Selector"),
      AGE,
      col("Containers", "string", 1),
      col("Images", "string", 1),
      col("Selector", "string", 1),
    ],
    cells: (o, now) => {
      const s = ((o as Json).status ?? {}) as Json;
      const spec = ((o as Json).spec ?? {}) as Json;
      const nodeSelector = (((spec.template as Json | undefined)?.spec as Json | undefined)?.nodeSelector ??
        {}) as Record<string, string>;
      const c = templateContainers(o as Json);
      return [
        o.metadata.name,
        s.desiredNumberScheduled ?? 0,
        s.currentNumberScheduled ?? 0,
        s.numberReady ?? 0,
        s.updatedNumberScheduled ?? 0,
        s.numberAvailable ?? 0,
        none(
          Object.entries(nodeSelector)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
        ),
        age(o, now),
        c.names,
        c.images,
        selectorText(spec.selector),
      ];
    },
  },
  Deployment: {
    columns: [
      NAME,
      col("Ready"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      AGE,
      col("Containers", "string", 1),
      col("Images", "string", 1),
      col("Selector", "string", 1),
    ],
    cells: (o, now) => {
      const s = ((o as Json).status ?? {}) as Json;
      const spec = ((o as Json).spec ?? {}) as Json;
      const c = templateContainers(o as Json);
      return [
        o.metadata.name,
        `${s.readyReplicas ?? 0}/${spec.replicas ?? 0}`,
        s.updatedReplicas ?? 0,
        s.availableReplicas ?? 0,
        age(o, now),
        c.names,
        c.images,
        selectorText(spec.selector),
      ];
    },
  },
  ReplicaSet: {
    columns: [
      NAME,
      col("Desired", "integer"),
      col("Current", "integer"),
      col("Ready", "integer"),
      AGE,
      col("Containers", "string", 1),
      col("Images", "string", 1),
      col("Selector", "string", 1),
    ],
    cells: (o, now) => {
      const s = ((o as Json).status ?? {}) as Json;
      const spec = ((o as Json).spec ?? {}) as Json;
      const c = templateContainers(o as Json);
      return [
        o.metadata.name,
        spec.replicas ?? 0,
        s.replicas ?? 0,
        s.readyReplicas ?? 0,
        age(o, now),
        c.names,
        c.images,
        selectorText(spec.selector),
      ];
    },
  },
  ConfigMap: {
    columns: [NAME, col("Data", "integer"), AGE],
    cells: (o, now) => [
      o.metadata.name,
      Object.keys(((o as Json).data ?? {}) as Json).length +
        Object.keys(((o as Json).binaryData ?? {}) as Json).length,
      age(o, now),
    ],
  },
  Secret: {
    columns: [NAME, col("Type"), col("Data", "integer"), AGE],
    cells: (o, now) => [
      o.metadata.name,
      (o as Json).type ?? "Opaque",
      Object.keys(((o as Json).data ?? {}) as Json).length,
      age(o, now),
    ],
  },
  ServiceAccount: {
    columns: [NAME, col("Secrets", "integer"), AGE],
    cells: (o, now) => [o.metadata.name, (((o as Json).secrets ?? []) as unknown[]).length, age(o, now)],
  },
  Lease: {
    columns: [NAME, col("Holder"), AGE],
    cells: (o, now) => [
      o.metadata.name,
      (((o as Json).spec ?? {}) as Json).holderIdentity ?? "",
      age(o, now),
    ],
  },
  PodDisruptionBudget: {
    columns: [NAME, col("Min Available"), col("Max Unavailable"), col("Allowed Disruptions", "integer"), AGE],
    cells: (o, now) => {
      const spec = ((o as Json).spec ?? {}) as Json;
      const s = ((o as Json).status ?? {}) as Json;
      return [
        o.metadata.name,
        spec.minAvailable ?? "N/A",
        spec.maxUnavailable ?? "N/A",
        s.disruptionsAllowed ?? 0,
        age(o, now),
      ];
    },
  },
  Endpoints: {
    columns: [NAME, col("Endpoints"), AGE],
    cells: (o, now) => {
      const list: string[] = [];
      for (const s of ((o as Json).subsets ?? []) as Json[]) {
        for (const a of (s.addresses ?? []) as Json[]) {
          for (const p of (s.ports ?? []) as Json[]) list.push(`${a.ip}:${p.port}`);
        }
      }
      const text =
        list.length === 0
          ? "<none>"
          : list.length > 3
            ? `${list.slice(0, 3).join(",")} + ${list.length - 3} more...`
            : list.join(",");
      return [o.metadata.name, text, age(o, now)];
    },
  },
  Event: {
    columns: [col("Last Seen"), col("Type"), col("Reason"), col("Object"), col("Message")],
    cells: (o, now) => {
      const e = o as Json;
      const inv = (e.involvedObject ?? {}) as Json;
      const last = (e.lastTimestamp ?? e.eventTime ?? o.metadata.creationTimestamp) as string | undefined;
      return [
        last ? humanDuration(now.getTime() - Date.parse(last)) : "<unknown>",
        e.type ?? "",
        e.reason ?? "",
        `${String(inv.kind ?? "").toLowerCase()}/${inv.name ?? ""}`,
        String(e.message ?? "").trim(),
      ];
    },
  },
  ClusterRoleBinding: {
    columns: [NAME, col("Role"), AGE],
    cells: (o, now) => {
      const ref = ((o as Json).roleRef ?? {}) as Json;
      return [o.metadata.name, `${ref.kind}/${ref.name}`, age(o, now)];
    },
  },
  RoleBinding: {
    columns: [NAME, col("Role"), AGE],
    cells: (o, now) => {
      const ref = ((o as Json).roleRef ?? {}) as Json;
      return [o.metadata.name, `${ref.kind}/${ref.name}`, age(o, now)];
    },
  },
  PriorityClass: {
    columns: [NAME, col("Value", "integer"), col("Global-Default"), AGE],
    cells: (o, now) => [
      o.metadata.name,
      (o as Json).value ?? 0,
      String((o as Json).globalDefault ?? false),
      age(o, now),
    ],
  },
};

const DEFAULT_PRINTER: Printer = {
  columns: [NAME, col("Created At", "date")],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ""],
};

function partialMetadata(o: KObject): Json {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

/** A Table of objects (rows carry the objects' metadata, or the whole objects when asked). */
export function toTable(
  r: ResourceType,
  objects: readonly KObject[],
  options: {
    now: Date;
    resourceVersion?: string;
    continue?: string;
    includeObject?: string;
    noHeaders?: boolean;
  },
): Json {
  const printer = PRINTERS[r.kind] ?? DEFAULT_PRINTER;
  const include = options.includeObject ?? "Metadata";
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: {
      ...(options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.continue ? { continue: options.continue } : {}),
    },
    ...(options.noHeaders ? {} : { columnDefinitions: printer.columns }),
    rows: objects.map((o) => ({
      cells: printer.cells(o, options.now).map((c) => (c === undefined ? "" : c)),
      ...(include === "None" ? {} : { object: include === "Object" ? o : partialMetadata(o) }),
    })),
  };
}
