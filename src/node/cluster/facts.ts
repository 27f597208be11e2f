// What cluster formation reads from the machine config: the cluster's identity, its
// Kubernetes endpoint and CA — from the multi-document config when it has the documents,
// else from the legacy v1alpha1 fields.
import { legacyDocument, type MachineConfig } from "../machine/config.js";

function at(data: unknown, keys: readonly string[]): unknown {
  let cur = data;
  for (const k of keys) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function docStr(config: MachineConfig, kind: string, keys: readonly string[]): string {
  const doc = config.documents.documents.find((d) => d.kind === kind);
  const v = at(doc?.data, keys);
  return typeof v === "string" ? v : "";
}

function legacyStr(config: MachineConfig, keys: readonly string[]): string {
  const v = at(legacyDocument(config)?.data, keys);
  return typeof v === "string" ? v : "";
}

const pemFromBase64 = (v: string): string => (v === "" ? "" : Buffer.from(v, "base64").toString("utf8"));

/** The discovery key shared by every node of the cluster (`DiscoveryIdentityConfig.clusterID`, `.cluster.id`). */
export function clusterId(config: MachineConfig): string {
  return docStr(config, "DiscoveryIdentityConfig", ["clusterID"]) || legacyStr(config, ["cluster", "id"]);
}

/** The Kubernetes API endpoint. */
export function controlPlaneEndpoint(config: MachineConfig): string {
  return (
    docStr(config, "KubeClusterConfig", ["endpoint"]) ||
    legacyStr(config, ["cluster", "controlPlane", "endpoint"])
  );
}

/** The API server's port: the endpoint's, else 6443. */
export function controlPlanePort(config: MachineConfig): number {
  const port = /:(\d+)\/?$/.exec(controlPlaneEndpoint(config))?.[1];
  return port ? Number(port) : 6443;
}

/** The Kubernetes CA, PEM; the key only on control planes. */
export function kubernetesCa(config: MachineConfig): { crt: string; key: string } {
  const crt = docStr(config, "KubeAPIServerCAConfig", ["issuingCA", "cert"]);
  if (crt !== "") return { crt, key: docStr(config, "KubeAPIServerCAConfig", ["issuingCA", "key"]) };
  return {
    crt: pemFromBase64(legacyStr(config, ["cluster", "ca", "crt"])),
    key: pemFromBase64(legacyStr(config, ["cluster", "ca", "key"])),
  };
}
