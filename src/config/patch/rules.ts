// Merge facts the patch engine needs beyond what the schema model's fieldInfo says: which
// fields hold URLs that Talos merges component by component (scheme, host, path, …: what the
// patch URL leaves empty is kept).

/**
 * Fields typed `meta.URL` (new documents) or `*Endpoint` (v1alpha1). Paths use `[]` for
 * "every list item". Read from the Go types (siderolabs/talos: pkg/machinery/config/types/**).
 */
export const URL_FIELDS: readonly { kind: string; path: string }[] = [
  { kind: "v1alpha1", path: "cluster.controlPlane.endpoint" },
  { kind: "v1alpha1", path: "machine.logging.destinations[].endpoint" },
  { kind: "DiscoveryServiceConfig", path: "endpoint" },
  { kind: "KubeClusterConfig", path: "endpoint" },
  { kind: "KubeExternalManifestConfig", path: "url" },
  { kind: "KubeServiceAccountConfig", path: "issuer.issuerURL" },
  { kind: "KmsgLogConfig", path: "url" },
  { kind: "HTTPProbeConfig", path: "url" },
  { kind: "RegistryMirrorConfig", path: "endpoints[].url" },
  { kind: "SideroLinkConfig", path: "apiUrl" },
];

/** `machine.network.interfaces.3.vlans` → `machine.network.interfaces[].vlans` */
export function patternOf(path: readonly (string | number)[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += "[]";
    else out += out === "" ? p : `.${p}`;
  }
  return out;
}

const urlSet = new Set(URL_FIELDS.map((f) => `${f.kind}\u0000${f.path}`));

export function isUrlField(kind: string, path: readonly (string | number)[]): boolean {
  return urlSet.has(`${kind}\u0000${patternOf(path)}`);
}
