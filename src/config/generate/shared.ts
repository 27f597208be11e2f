// Documents both layouts emit the same way.
import type { RegistryMirror } from "./input.js";

type Data = Record<string, unknown>;

export function hostnameDocument(): Data {
  return { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "stable" };
}

export function kubeSpanDocument(): Data {
  return { apiVersion: "v1alpha1", kind: "KubeSpanConfig", enabled: true };
}

/** One RegistryMirrorConfig per mirrored host, sorted by host. */
export function registryMirrorDocuments(mirrors: readonly RegistryMirror[]): Data[] {
  const byHost = new Map<string, string[]>();
  for (const m of mirrors) byHost.set(m.host, [...(byHost.get(m.host) ?? []), ...m.endpoints]);
  return [...byHost.keys()].sort().map((host) => ({
    apiVersion: "v1alpha1",
    kind: "RegistryMirrorConfig",
    name: host,
    endpoints: byHost.get(host)!.map((url) => ({ url })),
  }));
}
