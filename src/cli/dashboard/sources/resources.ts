// The resources the dashboard watches on every node (siderolabs/talos:
// internal/pkg/dashboard/resourcedata), and how each one's spec lands in the node's state.
// A type the node does not register, or may not show to this client, is simply not there:
// its fields stay empty ("n/a").
import type { NodeState } from "../model/node-state.js";

export interface WatchedResource {
  readonly namespace: string;
  readonly type: string;
  /** One resource (watched by id); otherwise every resource of the type. */
  readonly id?: string;
  /** Applies a resource's spec (undefined: destroyed). */
  apply(state: NodeState, id: string, spec: unknown): void;
  /** Forgets every resource of a watched type (before a new bootstrap replaces them). */
  clear?(state: NodeState): void;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => str(x) ?? "").filter((x) => x !== "") : [];
}

function bool(v: unknown): boolean | undefined {
  return typeof v === "boolean" ? v : undefined;
}

export const WATCHED: readonly WatchedResource[] = [
  {
    namespace: "runtime",
    type: "MachineStatuses.runtime.talos.dev",
    id: "machine",
    apply(s, _id, spec) {
      const o = obj(spec);
      s.stage = spec === undefined ? undefined : str(o.stage);
      const status = obj(o.status);
      s.ready = spec === undefined ? undefined : bool(status.ready);
      s.unmetConditions = Array.isArray(status.unmetConditions)
        ? status.unmetConditions.map((c) => {
            const co = obj(c);
            return `${str(co.name) ?? ""}${co.reason ? `: ${str(co.reason)}` : ""}`;
          })
        : [];
    },
  },
  {
    namespace: "runtime",
    type: "SecurityStates.talos.dev",
    id: "securitystate",
    apply(s, _id, spec) {
      s.secureBoot = spec === undefined ? undefined : bool(obj(spec).secureBoot);
    },
  },
  {
    namespace: "config",
    type: "MachineTypes.config.talos.dev",
    id: "machine-type",
    apply(s, _id, spec) {
      s.machineType = spec === undefined ? undefined : str(spec);
    },
  },
  // KubeletSpec is for os:admin only and KubeletStatus is missing on older nodes: both are
  // watched and whichever answers names the Kubernetes version.
  {
    namespace: "k8s",
    type: "KubeletSpecs.kubernetes.talos.dev",
    id: "kubelet",
    apply(s, _id, spec) {
      s.kubeletImage = spec === undefined ? undefined : str(obj(spec).image);
    },
  },
  {
    namespace: "k8s",
    type: "KubeletStatuses.kubernetes.talos.dev",
    id: "kubelet",
    apply(s, _id, spec) {
      s.kubeletImage = spec === undefined ? undefined : str(obj(spec).image);
    },
  },
  {
    namespace: "network",
    type: "ResolverStatuses.net.talos.dev",
    id: "resolvers",
    apply(s, _id, spec) {
      s.resolvers = spec === undefined ? undefined : strings(obj(spec).dnsServers);
    },
  },
  {
    namespace: "network",
    type: "TimeServerStatuses.net.talos.dev",
    id: "timeservers",
    apply(s, _id, spec) {
      s.timeServers = spec === undefined ? undefined : strings(obj(spec).timeServers);
    },
  },
  {
    namespace: "runtime",
    type: "TimeStatuses.v1alpha1.talos.dev",
    id: "node",
    apply(s, _id, spec) {
      s.timeSynced = spec === undefined ? undefined : bool(obj(spec).synced);
    },
  },
  {
    namespace: "hardware",
    type: "SystemInformations.hardware.talos.dev",
    id: "systeminformation",
    apply(s, _id, spec) {
      s.uuid = spec === undefined ? undefined : str(obj(spec).uuid);
    },
  },
  {
    namespace: "cluster",
    type: "Infos.cluster.talos.dev",
    id: "current",
    apply(s, _id, spec) {
      const name = spec === undefined ? undefined : str(obj(spec).clusterName);
      s.clusterName = name === "" ? undefined : name;
    },
  },
  {
    namespace: "network",
    type: "NetworkStatuses.net.talos.dev",
    id: "status",
    apply(s, _id, spec) {
      s.connectivity = spec === undefined ? undefined : bool(obj(spec).connectivityReady);
    },
  },
  {
    namespace: "network",
    type: "HostnameStatuses.net.talos.dev",
    id: "hostname",
    apply(s, _id, spec) {
      s.hostname = spec === undefined ? undefined : str(obj(spec).hostname);
    },
  },
  {
    namespace: "runtime",
    type: "Versions.runtime.talos.dev",
    id: "version",
    apply(s, _id, spec) {
      const o = obj(spec);
      s.version = spec === undefined ? undefined : str(o.version);
      s.osName = spec === undefined ? undefined : str(o.name) || undefined;
    },
  },
  {
    namespace: "runtime",
    type: "PlatformMetadatas.talos.dev",
    id: "platformmetadata",
    apply(s, _id, spec) {
      s.platform = spec === undefined ? undefined : str(obj(spec).platform);
    },
  },
  {
    namespace: "runtime",
    type: "MetaKeys.runtime.talos.dev",
    apply(s, id, spec) {
      if (spec === undefined) s.metaKeys.delete(id);
      else s.metaKeys.set(id, str(obj(spec).value) ?? "");
    },
    clear: (s) => s.metaKeys.clear(),
  },
  {
    namespace: "k8s",
    type: "StaticPodStatuses.kubernetes.talos.dev",
    apply(s, id, spec) {
      if (spec === undefined) {
        s.staticPods.delete(id);
        return;
      }
      const conditions = obj(obj(spec).podStatus).conditions;
      let ready: boolean | undefined;
      if (Array.isArray(conditions)) {
        for (const c of conditions) {
          const co = obj(c);
          if (co.type === "Ready") ready = co.status === "True";
        }
      }
      s.staticPods.set(id, ready);
    },
    clear: (s) => s.staticPods.clear(),
  },
  {
    namespace: "network",
    type: "RouteStatuses.net.talos.dev",
    apply(s, id, spec) {
      if (spec === undefined) s.routes.delete(id);
      else {
        const o = obj(spec);
        // Talos writes a route's destination under `dst`.
        s.routes.set(id, {
          destination: str(o.dst) ?? str(o.destination) ?? "",
          gateway: str(o.gateway) ?? "",
        });
      }
    },
    clear: (s) => s.routes.clear(),
  },
  {
    namespace: "network",
    type: "LinkStatuses.net.talos.dev",
    apply(s, id, spec) {
      const o = obj(spec);
      const permanent = str(o.permanentAddr) ?? "";
      const physical =
        spec !== undefined &&
        str(o.type) === "ether" &&
        (str(o.kind) ?? "") === "" &&
        permanent !== "" &&
        !/^(00:)*00$/.test(permanent);
      if (physical) s.physicalLinks.add(id);
      else s.physicalLinks.delete(id);
    },
    clear: (s) => s.physicalLinks.clear(),
  },
  {
    namespace: "cluster",
    type: "Members.cluster.talos.dev",
    apply(s, id, spec) {
      if (spec === undefined) s.members.delete(id);
      else {
        const o = obj(spec);
        s.members.set(id, {
          id,
          hostname: str(o.hostname) ?? id,
          addresses: strings(o.addresses),
          machineType: str(o.machineType) ?? "",
        });
      }
    },
    clear: (s) => s.members.clear(),
  },
  {
    namespace: "network",
    type: "NodeAddresses.net.talos.dev",
    apply(s, id, spec) {
      if (spec === undefined) s.nodeAddresses.delete(id);
      else s.nodeAddresses.set(id, strings(obj(spec).addresses));
    },
    clear: (s) => s.nodeAddresses.clear(),
  },
  {
    namespace: "config",
    type: "SiderolinkStatuses.siderolink.talos.dev",
    apply(s, _id, spec) {
      const o = obj(spec);
      s.siderolink =
        spec === undefined ? undefined : { host: str(o.host) ?? "", connected: o.connected === true };
    },
    clear: (s) => {
      s.siderolink = undefined;
    },
  },
  {
    namespace: "runtime",
    type: "Diagnostics.runtime.talos.dev",
    apply(s, id, spec) {
      if (spec === undefined) s.diagnostics.delete(id);
      else s.diagnostics.set(id, str(obj(spec).message) ?? "");
    },
    clear: (s) => s.diagnostics.clear(),
  },
  {
    namespace: "runtime",
    type: "Services.v1alpha1.talos.dev",
    apply(s, id, spec) {
      if (spec === undefined) s.services.delete(id);
      else {
        const o = obj(spec);
        s.services.set(id, {
          running: o.running === true,
          healthy: o.healthy === true,
          unknown: o.unknown === true,
        });
      }
    },
    clear: (s) => s.services.clear(),
  },
];
