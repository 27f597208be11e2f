// Rules about the config as a whole (siderolabs/talos: pkg/machinery/config/container/validate.go,
// container.go and container_deps.go): documents against the v1alpha1 settings they replace,
// the runtime mode's needs, and what one document needs from another.
import { type ConfigDocument, documentLabel, LEGACY_KIND, type MachineConfigDocuments } from "../document.js";
import type { Check, KindRules } from "./check.js";
import { get, has, list, str, strs } from "./data.js";
import type { Findings } from "./findings.js";
import { goParseURL, goQuote, goURLPortError } from "./go.js";
import { inContainer, type ValidationMode } from "./modes.js";
import { isControlPlane, machineTypeOf } from "./v1alpha1.js";

/** Kinds only a control plane machine may carry (they implement ControlplaneOnlyConfig). */
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

/** Kinds that configure a network link named by the document (and VethConfig's peer too). */
const LINK_KINDS = [
  "LinkConfig",
  "BondConfig",
  "BridgeConfig",
  "DummyLinkConfig",
  "VLANConfig",
  "VRFConfig",
  "VethConfig",
  "WireguardConfig",
];

/** Each document's conflict rule against the v1alpha1 document: the first conflict, on the document. */
export function checkConflicts(
  config: MachineConfigDocuments,
  rulesOf: (kind: string) => KindRules | undefined,
  checkOf: (doc: ConfigDocument) => Check,
): void {
  const legacy = config.documents.find((d) => d.kind === LEGACY_KIND);
  if (legacy === undefined) return;
  for (const doc of config.documents) {
    const rule = rulesOf(doc.kind)?.conflict;
    if (rule === undefined) continue;
    const c = checkOf(doc);
    const message = rule(legacy.data, c);
    if (message !== undefined) c.error(message);
  }
}

interface HostDNS {
  readonly doc: ConfigDocument;
  readonly enabled: boolean;
  readonly forward: boolean;
}

export function validateContainer(config: MachineConfigDocuments, mode: ValidationMode, f: Findings): void {
  const docs = config.documents;
  const legacy = docs.find((d) => d.kind === LEGACY_KIND);
  const first = (kind: string) => docs.find((d) => d.kind === kind);
  const anchor = legacy ?? docs[0];
  if (anchor === undefined) return;
  const error = (message: string, doc: ConfigDocument = anchor, path: readonly (string | number)[] = []) =>
    f.error(doc, path, message);

  // Host DNS: the ResolverConfig's when it enables it, else the v1alpha1 feature.
  const resolver = first("ResolverConfig");
  let hostDNS: HostDNS | undefined;
  if (resolver !== undefined && get(resolver.data, ["hostDNS", "enabled"]) === true) {
    hostDNS = {
      doc: resolver,
      enabled: true,
      forward: get(resolver.data, ["hostDNS", "forwardKubeDNSToHost"]) === true,
    };
  } else if (legacy !== undefined && has(legacy.data, ["machine", "features", "hostDNS"])) {
    hostDNS = {
      doc: legacy,
      enabled: get(legacy.data, ["machine", "features", "hostDNS", "enabled"]) === true,
      forward: get(legacy.data, ["machine", "features", "hostDNS", "forwardKubeDNSToHost"]) === true,
    };
  }

  if (inContainer(mode)) {
    if (hostDNS === undefined) error("hostDNS config is required in container mode", resolver ?? anchor);
    else {
      if (!hostDNS.enabled) error("hostDNS must be enabled in container mode", hostDNS.doc);
      if (!hostDNS.forward) error("forwardKubeDNSToHost must be enabled in container mode", hostDNS.doc);
    }
  }

  if (resolver !== undefined) {
    const nonDefault = list(resolver.data, ["nameservers"]).some((ns) => {
      // Talos reads the protocol's name case-insensitively.
      const p = str(ns, ["protocol"]).toLowerCase();
      return p !== "" && p !== "do53";
    });
    if (nonDefault && (hostDNS === undefined || !hostDNS.enabled))
      error("hostDNS must be enabled when using non-default DNS protocols", resolver, ["nameservers"]);
  }

  // Discovery needs an identity; v1alpha1's discovery and identity take priority.
  // An endpoint url.Parse refuses yields no legacy discovery service.
  const legacyDiscovery =
    legacy !== undefined &&
    get(legacy.data, ["cluster", "discovery", "enabled"]) === true &&
    get(legacy.data, ["cluster", "discovery", "registries", "service", "disabled"]) !== true &&
    urlParses(str(legacy.data, ["cluster", "discovery", "registries", "service", "endpoint"]));
  const discoveryDocs = docs.filter((d) => d.kind === "DiscoveryServiceConfig");
  const discoveryOn = legacyDiscovery || discoveryDocs.length > 0;
  if (discoveryOn) {
    const legacyID = str(legacy?.data, ["cluster", "id"]);
    const legacySecret = str(legacy?.data, ["cluster", "secret"]);
    const identityDoc = first("DiscoveryIdentityConfig");
    let id: string | undefined;
    let secret: string | undefined;
    if (legacyID !== "" || legacySecret !== "") {
      id = legacyID;
      secret = legacySecret;
    } else if (identityDoc !== undefined) {
      id = str(identityDoc.data, ["clusterID"]);
      secret = str(identityDoc.data, ["clusterSecret"]);
    }
    const at = legacyDiscovery ? anchor : discoveryDocs[0]!;
    if (id === undefined || id === "")
      error(
        "cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
        at,
      );
    if (secret === undefined || secret === "")
      error(
        "cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
        at,
      );
  }

  checkContainerDependencies(docs, f);

  // KubeSpan (the KubeSpanConfig document, else v1alpha1's) needs discovery.
  const kubeSpanDoc = first("KubeSpanConfig");
  const kubeSpanOn =
    kubeSpanDoc !== undefined
      ? get(kubeSpanDoc.data, ["enabled"]) === true
      : legacy !== undefined && get(legacy.data, ["machine", "network", "kubespan", "enabled"]) === true;
  if (kubeSpanOn && !discoveryOn)
    error("KubeSpan requires cluster discovery to be enabled", kubeSpanDoc ?? anchor);

  const cp = isControlPlane(machineTypeOf(legacy));
  if (cp) {
    const apiServerCA =
      first("KubeAPIServerCAConfig") ??
      (legacy !== undefined &&
      (has(legacy.data, ["cluster", "ca"]) || has(legacy.data, ["cluster", "acceptedCAs"]))
        ? legacy
        : undefined);
    if (apiServerCA !== undefined) {
      const legacyEncryption =
        str(legacy?.data, ["cluster", "secretboxEncryptionSecret"]) !== "" ||
        str(legacy?.data, ["cluster", "aescbcEncryptionSecret"]) !== "";
      if (!legacyEncryption && first("KubeEtcdEncryptionConfig") === undefined)
        error(
          "etcd encryption config is required for control plane machines running kube-apiserver",
          apiServerCA,
        );
    }
  }
  const misplaced = docs.filter((d) => CONTROL_PLANE_ONLY_KINDS.includes(d.kind));
  if (misplaced.length > 0 && !cp) {
    const kinds = [...new Set(misplaced.map((d) => d.kind))].sort();
    error(
      `the following document kinds are only allowed on control plane machines: [${kinds.join(" ")}]`,
      misplaced[0],
    );
  }

  // A VethConfig's peer is a link too: no other link document may configure it (documents of the
  // same name are the loader's "conflicting documents").
  const claimed = new Map<string, ConfigDocument>();
  for (const doc of docs) {
    if (!LINK_KINDS.includes(doc.kind)) continue;
    const names = [doc.name ?? ""];
    if (doc.kind === "VethConfig") names.push(str(doc.data, ["peer", "name"]));
    for (const name of names) {
      const owner = claimed.get(name);
      if (owner === undefined) {
        claimed.set(name, doc);
        continue;
      }
      if (owner !== doc && owner.name === name && doc.name === name) continue;
      error(
        `conflicting link configurations: ${documentLabel(owner)} and ${documentLabel(doc)} both configure ${goQuote(name)}`,
        doc,
      );
    }
  }
}

/** Whether url.Parse takes the text: no leading colon, a numeric port after an authority's host. */
function urlParses(text: string): boolean {
  if (text.startsWith(":")) return false;
  return !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) || goURLPortError(goParseURL(text).host) === undefined;
}

/** dependsOn.containers must name configured containers and must not form a cycle. */
function checkContainerDependencies(docs: readonly ConfigDocument[], f: Findings): void {
  const containers = docs.filter((d) => d.kind === "ContainerConfig");
  if (containers.length === 0) return;
  const names = new Set(containers.map((c) => c.name ?? ""));
  const edges = new Map<string, string[]>();
  for (const c of containers) {
    const deps = strs(c.data, ["dependsOn", "containers"]);
    deps.forEach((dep, i) => {
      if (!names.has(dep))
        f.error(
          c,
          ["dependsOn", "containers", i],
          `container ${goQuote(c.name ?? "")} depends on container ${goQuote(dep)}, which is not configured`,
        );
    });
    edges.set(c.name ?? "", deps);
  }
  const permanent = new Set<string>();
  const visiting = new Set<string>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (name: string): void => {
    if (permanent.has(name)) return;
    if (visiting.has(name)) {
      const idx = stack.indexOf(name);
      if (idx >= 0) cycles.push([...stack.slice(idx), name].join(" -> "));
      return;
    }
    visiting.add(name);
    stack.push(name);
    for (const dep of edges.get(name) ?? []) if (names.has(dep)) visit(dep);
    stack.pop();
    visiting.delete(name);
    permanent.add(name);
  };
  for (const name of [...names].sort()) visit(name);
  const unique = [...new Set(cycles.sort())];
  if (unique.length > 0) {
    const first = containers.find((c) => unique[0]!.startsWith(`${c.name} `)) ?? containers[0]!;
    f.error(first, ["dependsOn", "containers"], `container dependsOn cycle detected: ${unique.join(", ")}`);
  }
}
