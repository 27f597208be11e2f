// The COSI resource API as talosctl uses it: resource definitions and alias resolution, get,
// list and watch, and resources turned into the plain data that output formats print.
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { parse as parseYaml } from "yaml";
import { TalosError, UserError } from "../errors.js";
import {
  ResourceDefinitionSpec_Sensitivity,
  ResourceDefinitionSpecSchema,
} from "../gen/cosi/resource/meta/meta_pb.js";
import type { Resource } from "../gen/cosi/resource/resource_pb.js";
import { EventType } from "../gen/cosi/resource/state_pb.js";
import {
  ACTIVE_CONFIG_ID,
  CONFIG_NAMESPACE,
  MACHINE_CONFIG_TYPE,
  META_NAMESPACE,
  RESOURCE_DEFINITION_TYPE,
} from "../wire/index.js";
import type { NodeClient } from "./client.js";
import { RpcError } from "./errors.js";

/** The active config's id, which commands that edit it name. */
export { ACTIVE_CONFIG_ID };

export interface PrintColumn {
  readonly name: string;
  readonly jsonPath: string;
}

export interface ResourceDefinition {
  /** The RD's id (the type, lower-cased). */
  readonly id: string;
  readonly type: string;
  readonly displayType: string;
  readonly defaultNamespace: string;
  readonly aliases: readonly string[];
  readonly allAliases: readonly string[];
  readonly printColumns: readonly PrintColumn[];
  readonly sensitive: boolean;
}

/** Every resource type the node registers. */
export async function listResourceDefinitions(node: NodeClient): Promise<ResourceDefinition[]> {
  const out: ResourceDefinition[] = [];
  for await (const item of node.cosi.list({ namespace: META_NAMESPACE, type: RESOURCE_DEFINITION_TYPE })) {
    if (item.resource) out.push(definitionFrom(item.resource));
  }
  return out;
}

/**
 * A definition from its proto_spec (`cosi.resource.meta.ResourceDefinitionSpec`, which talosctl
 * decodes), or from its yaml_spec when a server sends no proto_spec.
 */
function definitionFrom(resource: Resource): ResourceDefinition {
  const proto = resource.spec?.protoSpec;
  if (proto && proto.length > 0) {
    const rd = fromBinary(ResourceDefinitionSpecSchema, proto);
    return {
      id: resource.metadata?.id ?? rd.resourceType.toLowerCase(),
      type: rd.resourceType,
      displayType: rd.displayType,
      defaultNamespace: rd.defaultNamespace,
      aliases: rd.aliases,
      allAliases: rd.allAliases,
      printColumns: rd.printColumns.map((c) => ({ name: c.name, jsonPath: c.jsonPath })),
      sensitive: rd.sensitivity === ResourceDefinitionSpec_Sensitivity.SENSITIVE,
    };
  }
  const spec = specData(resource);
  const obj = isObject(spec) ? spec : {};
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);
  const type = typeof obj.type === "string" ? obj.type : (resource.metadata?.id ?? "");
  return {
    id: resource.metadata?.id ?? type.toLowerCase(),
    type,
    displayType: typeof obj.displayType === "string" ? obj.displayType : type.split(".")[0]!,
    defaultNamespace: typeof obj.defaultNamespace === "string" ? obj.defaultNamespace : "",
    aliases: strings(obj.aliases),
    allAliases: strings(obj.allAliases),
    printColumns: (Array.isArray(obj.printColumns) ? obj.printColumns : [])
      .filter(isObject)
      .map((c) => ({ name: String(c.name ?? ""), jsonPath: String(c.jsonPath ?? "") })),
    sensitive: obj.sensitivity === "sensitive",
  };
}

/**
 * Finds the definition a `get <type>` argument names: the RD id or any of its aliases,
 * case-insensitively (siderolabs/talos: pkg/machinery/client/resources.go). Like talosctl, a
 * name that matches nothing is a NotFound status and one that matches several types (short
 * aliases such as `ms`) an InvalidArgument status, printed in gRPC's words.
 */
export function resolveResourceKind(
  definitions: readonly ResourceDefinition[],
  name: string,
): ResourceDefinition {
  const wanted = name.toLowerCase();
  const matches = definitions.filter(
    (d) =>
      d.id.toLowerCase() === wanted ||
      d.type.toLowerCase() === wanted ||
      d.allAliases.some((a) => a.toLowerCase() === wanted),
  );
  if (matches.length === 0) {
    throw new RpcError(Code.NotFound, `resource "${name}" is not registered`, {});
  }
  if (matches.length > 1) {
    throw new RpcError(
      Code.InvalidArgument,
      `resource type "${name}" is ambiguous: [${matches.map((m) => m.id).join(" ")}]`,
      {},
    );
  }
  return matches[0]!;
}

/**
 * Resolves the type argument of `edit`/`patch` (aliases as for `get`) and insists on the
 * machine config, the only type those commands change.
 */
export async function requireMachineConfigType(
  node: NodeClient,
  typeArg: string,
): Promise<ResourceDefinition> {
  const definition = resolveResourceKind(await listResourceDefinitions(node), typeArg);
  if (definition.type !== MACHINE_CONFIG_TYPE)
    throw new UserError("only machineconfig resource type is supported");
  return definition;
}

/**
 * The spec as plain data. Talos sends it as YAML (`yaml_spec`); a machine config's spec is one
 * YAML string holding the whole config.
 */
export function specData(resource: Resource): unknown {
  const yamlSpec = resource.spec?.yamlSpec ?? "";
  if (yamlSpec === "") return null;
  try {
    return parseYaml(yamlSpec, { maxAliasCount: 100 }) ?? null;
  } catch {
    // Keep what the node sent rather than fail the whole listing.
    return yamlSpec;
  }
}

/** The machine config text of a MachineConfig resource. */
export function machineConfigText(resource: Resource): string {
  const data = specData(resource);
  if (typeof data === "string") return data;
  const yamlSpec = resource.spec?.yamlSpec ?? "";
  // Older servers sent the config itself as the YAML spec.
  if (yamlSpec !== "") return yamlSpec;
  const proto = resource.spec?.protoSpec;
  if (proto && proto.length > 0) return yamlMarshalledField(proto);
  throw new TalosError("data-loss", "the MachineConfig resource has an empty spec");
}

/** Field 1 (`yaml_marshalled`, bytes) of the MachineConfig protobuf spec. */
function yamlMarshalledField(bytes: Uint8Array): string {
  const reader = new BinaryReader(bytes);
  let text = "";
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === 2) text = new TextDecoder().decode(reader.bytes());
    else reader.skip(wireType);
  }
  return text;
}

/** Reads the active machine config of a node (admin only: the type is sensitive). */
export async function fetchMachineConfig(node: NodeClient, id = ACTIVE_CONFIG_ID): Promise<string> {
  const reply = await node.cosi.get({ namespace: CONFIG_NAMESPACE, type: MACHINE_CONFIG_TYPE, id });
  if (!reply.resource)
    throw new TalosError("not-found", `the node returned no ${MACHINE_CONFIG_TYPE} resource`);
  return machineConfigText(reply.resource);
}

export type WatchEventName = "created" | "updated" | "destroyed";

/** Plain metadata in talosctl's order; labels, annotations and finalizers only when present. */
export function metadataData(resource: Resource): Record<string, unknown> {
  const md = resource.metadata;
  const out: Record<string, unknown> = {
    namespace: md?.namespace ?? "",
    type: md?.type ?? "",
    id: md?.id ?? "",
    version: Number.isNaN(Number(md?.version)) ? (md?.version ?? "") : Number(md?.version ?? 0),
    owner: md?.owner ?? "",
    phase: md?.phase ?? "",
    created: md?.created ? rfc3339(timestampDate(md.created)) : "",
    updated: md?.updated ? rfc3339(timestampDate(md.updated)) : "",
  };
  if (md && Object.keys(md.labels).length > 0) out.labels = { ...md.labels };
  if (md && Object.keys(md.annotations).length > 0) out.annotations = { ...md.annotations };
  if (md && md.finalizers.length > 0) out.finalizers = [...md.finalizers];
  return out;
}

/** The document talosctl prints for a resource: node, (event), metadata, spec. */
export function resourceData(
  node: string,
  resource: Resource,
  event?: WatchEventName,
): Record<string, unknown> {
  return {
    node,
    ...(event !== undefined ? { event } : {}),
    metadata: metadataData(resource),
    spec: specData(resource),
  };
}

/** RFC 3339 at second precision in UTC, as Go prints a time.Time from a protobuf Timestamp. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function eventName(type: EventType): WatchEventName | undefined {
  switch (type) {
    case EventType.CREATED:
      return "created";
    case EventType.UPDATED:
      return "updated";
    case EventType.DESTROYED:
      return "destroyed";
    default:
      return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
