// Rules about the config as a whole (siderolabs/talos: pkg/machinery/config/container/validate.go):
// documents against the v1alpha1 settings they replace, mode requirements, and what needs what.
import type { ConfigDocument, ConfigPath, MachineConfigDocuments } from "../document.js";
import { LEGACY_KIND } from "../document.js";
import { bool, filled, has, list, str, strs } from "./data.js";
import type { Findings } from "./findings.js";
import { inContainer, type ValidationMode } from "./modes.js";
import { isControlPlane, machineTypeOf } from "./v1alpha1.js";

/** Kinds only a control plane machine may carry. */
export const CONTROL_PLANE_ONLY_KINDS: readonly string[] = [
  "KubeAdmissionControlConfig",
  "KubeAggregatorCAConfig",
  "KubeAPIServerConfig",
  "KubeAuditPolicyConfig",
  "KubeAuthenticationConfig",
  "KubeAuthorizerConfig",
  "KubeControllerManagerConfig",
  "KubeCoreDNSConfig",
  "KubeEtcdEncryptionConfig",
  "KubeFlannelCNIConfig",
  "KubeProxyConfig",
  "KubeSchedulerConfig",
  "KubeServiceAccountConfig",
  "KubeTalosAPIAccessConfig",
];

/** A document kind and the v1alpha1 setting it replaces: both at once is an error. */
interface LegacyConflict {
  readonly kind: string;
  /** The v1alpha1 path that must stay empty when the document is present. */
  readonly legacy: ConfigPath;
  /** A field of the document that must be set for the conflict to count (all fields if omitted). */
  readonly field?: ConfigPath;
  readonly message: string;
}

const LEGACY_CONFLICTS: readonly LegacyConflict[] = [
  {
    kind: "KubeClusterConfig",
    legacy: ["cluster", "clusterName"],
    field: ["clusterName"],
    message:
      "cluster name is already set in the v1alpha1 config (.cluster.clusterName). Remove it from v1alpha1 to use KubeClusterConfig",
  },
  {
    kind: "UnattendedInstallConfig",
    legacy: ["machine", "install"],
    message: "UnattendedInstallConfig config is incompatible with v1alpha1 config (.machine.install)",
  },
  {
    kind: "HostnameConfig",
    legacy: ["machine", "network", "hostname"],
    message: "static hostname is already set in v1alpha1 config",
  },
  {
    kind: "KubeletConfig",
    legacy: ["machine", "kubelet"],
    message: "kubelet config is already set in v1alpha1 config (.machine.kubelet)",
  },
  {
    kind: "DiscoveryIdentityConfig",
    legacy: ["cluster", "id"],
    message: "cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config",
  },
  {
    kind: "DiscoveryIdentityConfig",
    legacy: ["cluster", "secret"],
    message: "cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config",
  },
  {
    kind: "DiscoveryServiceConfig",
    legacy: ["cluster", "discovery"],
    message: "discovery service is already configured in .cluster.discovery of the v1alpha1 config",
  },
];

export function validateContainer(config: MachineConfigDocuments, mode: ValidationMode, f: Findings): void {
  const docs = config.documents;
  const legacy = docs.find((d) => d.kind === LEGACY_KIND);
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const first = (kind: string) => docs.find((d) => d.kind === kind);

  // Legacy conflicts (a document vs the same setting in v1alpha1).
  if (legacy !== undefined) {
    const reported = new Set<string>();
    for (const c of LEGACY_CONFLICTS) {
      for (const doc of byKind(c.kind)) {
        if (!filled(legacy.data, c.legacy)) continue;
        if (c.field !== undefined && !filled(doc.data, c.field)) continue;
        const key = `${doc.kind}/${doc.name ?? ""}:${c.message}`;
        if (reported.has(key)) continue;
        reported.add(key);
        f.error(doc, c.field ?? [], c.message);
      }
    }
  }

  // Host DNS: where it is configured (ResolverConfig wins over the legacy feature).
  const resolver = first("ResolverConfig");
  const hostDNSDoc: ConfigDocument | undefined =
    resolver !== undefined && has(resolver.data, ["hostDNS"])
      ? resolver
      : legacy !== undefined && has(legacy.data, ["machine", "features", "hostDNS"])
        ? legacy
        : undefined;
  const hostDNSPath: ConfigPath = hostDNSDoc === resolver ? ["hostDNS"] : ["machine", "features", "hostDNS"];
  const hostDNSEnabled =
    hostDNSDoc !== undefined && bool(hostDNSDoc.data, [...hostDNSPath, "enabled"]) === true;

  if (inContainer(mode)) {
    const anchor = hostDNSDoc ?? resolver ?? legacy ?? docs[0];
    if (anchor !== undefined) {
      if (hostDNSDoc === undefined) f.error(anchor, [], "hostDNS config is required in container mode");
      else if (!hostDNSEnabled)
        f.error(hostDNSDoc, [...hostDNSPath, "enabled"], "hostDNS must be enabled in container mode");
      else if (bool(hostDNSDoc.data, [...hostDNSPath, "forwardKubeDNSToHost"]) !== true) {
        f.error(
          hostDNSDoc,
          [...hostDNSPath, "forwardKubeDNSToHost"],
          "forwardKubeDNSToHost must be enabled in container mode",
        );
      }
    }
  }

  if (resolver !== undefined && !hostDNSEnabled) {
    list(resolver.data, ["nameservers"]).forEach((ns, i) => {
      const protocol = str(ns, ["protocol"]);
      if (protocol !== "" && protocol !== "Do53") {
        f.error(
          resolver,
          ["nameservers", i, "protocol"],
          "hostDNS must be enabled when using non-default DNS protocols",
        );
      }
    });
  }

  // Discovery needs an identity.
  const discoveryService = first("DiscoveryServiceConfig");
  const identity = first("DiscoveryIdentityConfig");
  if (discoveryService !== undefined) {
    const hasID =
      identity !== undefined ? filled(identity.data, ["clusterID"]) : filled(legacy?.data, ["cluster", "id"]);
    const hasSecret =
      identity !== undefined
        ? filled(identity.data, ["clusterSecret"])
        : filled(legacy?.data, ["cluster", "secret"]);
    if (!hasID) {
      f.error(
        discoveryService,
        [],
        "cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
      );
    }
    if (!hasSecret) {
      f.error(
        discoveryService,
        [],
        "cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
      );
    }
  }

  // KubeSpan needs discovery.
  const kubeSpanDoc = first("KubeSpanConfig");
  const kubeSpanOn =
    (kubeSpanDoc !== undefined && bool(kubeSpanDoc.data, ["enabled"]) === true) ||
    (legacy !== undefined && bool(legacy.data, ["machine", "network", "kubespan", "enabled"]) === true);
  const discoveryOn =
    discoveryService !== undefined ||
    (legacy !== undefined && bool(legacy.data, ["cluster", "discovery", "enabled"]) === true);
  if (kubeSpanOn && !discoveryOn) {
    const where = kubeSpanDoc ?? legacy!;
    f.error(
      where,
      where === kubeSpanDoc ? ["enabled"] : ["machine", "network", "kubespan", "enabled"],
      "KubeSpan requires cluster discovery to be enabled",
    );
  }

  // Containers: dependencies must exist and must not form a cycle.
  const containers = byKind("ContainerConfig");
  const names = new Set(containers.map((c) => c.name ?? ""));
  const deps = new Map<string, string[]>();
  for (const c of containers) {
    const list_ = strs(c.data, ["dependsOn", "containers"]);
    deps.set(c.name ?? "", list_);
    list_.forEach((dep, i) => {
      if (!names.has(dep))
        f.error(
          c,
          ["dependsOn", "containers", i],
          `container "${c.name}" depends on unknown container "${dep}"`,
        );
    });
  }
  const state = new Map<string, "visiting" | "done">();
  const cycleAt = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      if (!cycleAt.has(cycle[0]!)) {
        cycleAt.add(cycle[0]!);
        const doc = containers.find((c) => c.name === name)!;
        f.error(doc, ["dependsOn", "containers"], `container dependency cycle: ${cycle.join(" -> ")}`);
      }
      return;
    }
    state.set(name, "visiting");
    for (const dep of deps.get(name) ?? []) if (names.has(dep)) visit(dep, [...trail, name]);
    state.set(name, "done");
  };
  for (const c of containers) visit(c.name ?? "", []);

  // Control plane: API server CA needs etcd encryption; CP-only kinds elsewhere are errors.
  const type = machineTypeOf(legacy);
  if (legacy !== undefined && isControlPlane(type)) {
    const caDoc = first("KubeAPIServerCAConfig");
    if (caDoc !== undefined && first("KubeEtcdEncryptionConfig") === undefined) {
      f.error(
        caDoc,
        [],
        "etcd encryption config is required for control plane machines running kube-apiserver",
      );
    }
  } else if (legacy !== undefined) {
    const misplaced = docs.filter((d) => CONTROL_PLANE_ONLY_KINDS.includes(d.kind));
    if (misplaced.length > 0) {
      const kinds = [...new Set(misplaced.map((d) => d.kind))].sort();
      f.error(
        misplaced[0]!,
        [],
        `the following document kinds are only allowed on control plane machines: [${kinds.join(" ")}]`,
      );
    }
  }
}
