import type { JsonObject } from "@bufbuild/protobuf";
import { parseAllDocuments } from "yaml";
import {
  ConfigStatusSpecSchema,
  EndpointSpecSchema,
  ManifestSpecSchema,
  ManifestStatusSpecSchema,
  SecretsStatusSpecSchema,
  SingleManifestSchema,
} from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import { bootstrapManifests } from "../../kube/manifests.js";
import { type Controller, ipText, NS, spec } from "../../resources/index.js";
import { extraManifests } from "./cluster-facts.js";
import {
  CONFIG_STATUS,
  type Ctx,
  controlPlaneOnly,
  ENDPOINT,
  MANIFEST,
  MANIFEST_STATUS,
  netIp,
  SECRETS_STATUS,
  STATIC_POD,
} from "./k8s-common.js";
import { NODE_ADDRESS } from "./network.js";
import { KUBERNETES_DYNAMIC_CERTS } from "./secrets.js";
import { INPUT, type MachineSource } from "./source.js";

/** One manifest's objects from YAML text (empty documents skipped). */
function objectsOf(text: string): JsonObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is JsonObject => o !== null && typeof o === "object" && !Array.isArray(o));
}

export const manifests: Controller<MachineSource> = {
  name: "k8s.ManifestController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const k = controlPlaneOnly(source);
    if (!k) return;
    const items = (objects: readonly unknown[]) =>
      objects.map((o) => spec(SingleManifestSchema, { object: o as JsonObject }));
    for (const m of bootstrapManifests(k.facts)) {
      put(MANIFEST, NS.controlplane, m.id, spec(ManifestSpecSchema, { items: items(m.objects) }));
    }
    for (const m of extraManifests(k.config)) {
      if (m.inline === "") continue;
      let objects: JsonObject[] = [];
      try {
        objects = objectsOf(m.inline);
      } catch {
        continue;
      }
      put(MANIFEST, NS.controlplane, m.name, spec(ManifestSpecSchema, { items: items(objects) }));
    }
  },
};

export const manifestStatus: Controller<MachineSource> = {
  name: "k8s.ManifestApplyController",
  inputs: [INPUT.kubernetes],
  reads: [{ namespace: NS.controlplane, type: MANIFEST.definition.type }],
  run({ source, list, put }) {
    if (!controlPlaneOnly(source) || !source.kubernetes().nodeReady) return;
    const ids = list(NS.controlplane, MANIFEST.definition.type).map((m) => m.id);
    put(
      MANIFEST_STATUS,
      NS.controlplane,
      "manifests",
      spec(ManifestStatusSpecSchema, { manifestsApplied: ids }),
    );
  },
};

export const controlPlaneStatus: Controller<MachineSource> = {
  name: "k8s.KubernetesStatusController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.k8s, type: STATIC_POD.definition.type },
    { namespace: NS.secrets, type: KUBERNETES_DYNAMIC_CERTS.definition.type },
    { namespace: NS.network, type: NODE_ADDRESS.definition.type },
  ],
  run({ source, get, put }: Ctx) {
    const k = controlPlaneOnly(source);
    if (!k) return;
    const certs = get(NS.secrets, KUBERNETES_DYNAMIC_CERTS.definition.type, "k8s-dynamic-certs");
    if (certs) {
      put(
        SECRETS_STATUS,
        NS.controlplane,
        "static-pods",
        spec(SecretsStatusSpecSchema, { ready: true, version: String(certs.version) }),
      );
    }
    const pod = get(NS.k8s, STATIC_POD.definition.type, "kube-apiserver");
    if (pod) {
      put(
        CONFIG_STATUS,
        NS.controlplane,
        "static-pods",
        spec(ConfigStatusSpecSchema, { ready: true, version: String(pod.version) }),
      );
    }
    const current = get(NS.network, NODE_ADDRESS.definition.type, "accumulative")?.spec as
      | { addresses: { ip: Uint8Array }[] }
      | undefined;
    if (current && current.addresses.length > 0) {
      put(
        ENDPOINT,
        NS.controlplane,
        "kube-apiserver",
        spec(EndpointSpecSchema, { addresses: current.addresses.map((a) => netIp(ipText(a.ip))) }),
      );
    }
  },
};
