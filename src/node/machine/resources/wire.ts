// Resources as they travel: cosi.resource.Resource with both proto_spec and yaml_spec filled,
// as Talos's server fills them (talosctl renders from yaml_spec).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  MetadataSchema,
  ResourceSchema,
  SpecSchema,
  type Resource as WireResource,
} from "../../../gen/cosi/resource/resource_pb.js";
import { encodeYaml } from "../../../yaml/index.js";
import type { Resource } from "./store.js";

/** Renders a spec view as go-yaml would (4-space indent, block scalars for multi-line text). */
export function specYaml(view: unknown): string {
  return encodeYaml(view);
}

export function toWireResource(r: Resource): WireResource {
  return create(ResourceSchema, {
    metadata: create(MetadataSchema, {
      namespace: r.namespace,
      type: r.type,
      id: r.id,
      version: String(r.version),
      owner: r.owner,
      phase: r.phase,
      created: timestampFromDate(r.created),
      updated: timestampFromDate(r.updated),
      finalizers: [...r.finalizers],
      labels: { ...r.labels },
      annotations: { ...r.annotations },
    }),
    spec: create(SpecSchema, {
      protoSpec: r.kind.encode(r.spec),
      yamlSpec: specYaml(r.kind.view(r.spec)),
    }),
  });
}

/** A resource carrying only its address (watch tombstones, the BOOTSTRAPPED marker). */
export function tombstone(namespace: string, type: string, id: string): WireResource {
  return create(ResourceSchema, {
    metadata: create(MetadataSchema, { namespace, type, id, version: "", phase: "running" }),
  });
}
