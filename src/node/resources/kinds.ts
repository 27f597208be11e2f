// How each registered type's spec travels: proto_spec (the message of the catalogue) and
// yaml_spec (the Go struct as go-yaml writes it), made from one value so the two always agree.
// Every catalogue type has a kind (kindOf); controllers ask for the typed kind of what they own
// (messageKind), and a few types have their own spec forms (the COSI meta types, the machine
// config and machine type, the empty specs, the YAML-only handle).
import {
  create,
  createRegistry,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import {
  file_cosi_resource_meta_meta,
  NamespaceSpecSchema,
  ResourceDefinitionSpec_PrintColumnSchema,
  ResourceDefinitionSpec_Sensitivity,
  ResourceDefinitionSpecSchema,
} from "../../gen/cosi/resource/meta/meta_pb.js";
import {
  file_resource_config_config,
  MachineConfigSpecSchema,
  MachineTypeSpecSchema,
} from "../../gen/resource/config/config_pb.js";
import { file_resource_definitions_block_block } from "../../gen/resource/definitions/block/block_pb.js";
import { file_resource_definitions_cluster_cluster } from "../../gen/resource/definitions/cluster/cluster_pb.js";
import { file_resource_definitions_containers_containers } from "../../gen/resource/definitions/containers/containers_pb.js";
import { file_resource_definitions_cri_cri } from "../../gen/resource/definitions/cri/cri_pb.js";
import { file_resource_definitions_etcd_etcd } from "../../gen/resource/definitions/etcd/etcd_pb.js";
import { file_resource_definitions_extensions_extensions } from "../../gen/resource/definitions/extensions/extensions_pb.js";
import { file_resource_definitions_files_files } from "../../gen/resource/definitions/files/files_pb.js";
import { file_resource_definitions_hardware_hardware } from "../../gen/resource/definitions/hardware/hardware_pb.js";
import { file_resource_definitions_k8s_k8s } from "../../gen/resource/definitions/k8s/k8s_pb.js";
import { file_resource_definitions_kubeaccess_kubeaccess } from "../../gen/resource/definitions/kubeaccess/kubeaccess_pb.js";
import { file_resource_definitions_kubespan_kubespan } from "../../gen/resource/definitions/kubespan/kubespan_pb.js";
import { file_resource_definitions_network_network } from "../../gen/resource/definitions/network/network_pb.js";
import { file_resource_definitions_perf_perf } from "../../gen/resource/definitions/perf/perf_pb.js";
import { file_resource_definitions_runtime_runtime } from "../../gen/resource/definitions/runtime/runtime_pb.js";
import { file_resource_definitions_secrets_secrets } from "../../gen/resource/definitions/secrets/secrets_pb.js";
import { file_resource_definitions_security_security } from "../../gen/resource/definitions/security/security_pb.js";
import { file_resource_definitions_siderolink_siderolink } from "../../gen/resource/definitions/siderolink/siderolink_pb.js";
import { file_resource_definitions_storage_storage } from "../../gen/resource/definitions/storage/storage_pb.js";
import { file_resource_definitions_time_time } from "../../gen/resource/definitions/time/time_pb.js";
import { file_resource_definitions_v1alpha1_v1alpha1 } from "../../gen/resource/definitions/v1alpha1/v1alpha1_pb.js";
import {
  DeviceConfigSpecSpecSchema,
  file_resource_network_device_config,
} from "../../gen/resource/network/device_config_pb.js";
import { MACHINE_CONFIG_TYPE, RESOURCE_DEFINITION_TYPE } from "../../wire/index.js";
import { CATALOGUE, type CatalogueEntry, catalogueEntry } from "./catalogue.js";
import { messageView } from "./spec-yaml.js";
import { specYaml } from "./yaml.js";

/** A registered type's definition: its catalogue entry (what `get rd` shows). */
export type ResourceDefinition = CatalogueEntry;

/** How one resource type travels. */
export interface ResourceKind<S = unknown> {
  readonly definition: ResourceDefinition;
  /** proto_spec. */
  encode(spec: S): Uint8Array;
  /** yaml_spec. */
  yaml(spec: S): string;
}

export const NAMESPACE_TYPE = "Namespaces.meta.cosi.dev";

/** Every spec message of the contract, by full name. */
const MESSAGES = createRegistry(
  file_cosi_resource_meta_meta,
  file_resource_config_config,
  file_resource_network_device_config,
  file_resource_definitions_block_block,
  file_resource_definitions_cluster_cluster,
  file_resource_definitions_containers_containers,
  file_resource_definitions_cri_cri,
  file_resource_definitions_etcd_etcd,
  file_resource_definitions_extensions_extensions,
  file_resource_definitions_files_files,
  file_resource_definitions_hardware_hardware,
  file_resource_definitions_k8s_k8s,
  file_resource_definitions_kubeaccess_kubeaccess,
  file_resource_definitions_kubespan_kubespan,
  file_resource_definitions_network_network,
  file_resource_definitions_perf_perf,
  file_resource_definitions_runtime_runtime,
  file_resource_definitions_secrets_secrets,
  file_resource_definitions_security_security,
  file_resource_definitions_siderolink_siderolink,
  file_resource_definitions_storage_storage,
  file_resource_definitions_time_time,
  file_resource_definitions_v1alpha1_v1alpha1,
);

/** The generated message of a spec message name (tests decode proto_spec with it). */
export function specMessage(name: string): DescMessage | undefined {
  return MESSAGES.getMessage(name);
}

const EMPTY = new Uint8Array();
const KINDS = new Map<string, ResourceKind<never>>();

function remember<S>(kind: ResourceKind<S>): ResourceKind<S> {
  KINDS.set(kind.definition.type, kind as ResourceKind<never>);
  return kind;
}

/**
 * The kind of a type whose spec is a protobuf message: specs are values of the generated
 * message; the message must be the catalogue's spec message of the type.
 */
export function messageKind<D extends DescMessage>(type: string, schema: D): ResourceKind<MessageShape<D>> {
  const existing = KINDS.get(type);
  if (existing) return existing as unknown as ResourceKind<MessageShape<D>>;
  const definition = catalogueEntry(type);
  if (definition.spec.kind !== "message" || definition.spec.message !== schema.typeName) {
    throw new Error(`${type} carries ${JSON.stringify(definition.spec)}, not ${schema.typeName}`);
  }
  return remember<MessageShape<D>>({
    definition,
    encode: (spec) => toBinary(schema, spec),
    yaml: (spec) => specYaml(messageView(schema, spec)),
  });
}

/** A spec value of a message kind, from its init shape. */
export function spec<D extends DescMessage>(schema: D, init?: MessageInitShape<D>): MessageShape<D> {
  return create(schema, init);
}

/** Types whose spec is an empty struct: proto_spec empty, yaml_spec `{}`. */
function emptyKind(definition: ResourceDefinition): ResourceKind<null> {
  return remember<null>({ definition, encode: () => EMPTY, yaml: () => "{}\n" });
}

/** A handle: only yaml_spec is sent (the spec is plain data). */
function handleKind(definition: ResourceDefinition): ResourceKind<unknown> {
  return remember<unknown>({ definition, encode: () => EMPTY, yaml: (s) => specYaml(s ?? {}) });
}

// ---------------------------------------------------------------------------------------------
// COSI meta types (cosi-project/runtime: pkg/resource/meta).

const RD_WIRE = new WeakMap<ResourceDefinition, { proto: Uint8Array; yaml: string }>();

/** The ResourceDefinition spec of a type as COSI writes it (cached: definitions never change). */
function definitionWire(rd: ResourceDefinition): { proto: Uint8Array; yaml: string } {
  let wire = RD_WIRE.get(rd);
  if (wire) return wire;
  const proto = toBinary(
    ResourceDefinitionSpecSchema,
    create(ResourceDefinitionSpecSchema, {
      resourceType: rd.type,
      displayType: rd.displayType,
      defaultNamespace: rd.defaultNamespace,
      aliases: [...rd.aliases],
      allAliases: [...rd.allAliases],
      printColumns: rd.printColumns.map((c) =>
        create(ResourceDefinitionSpec_PrintColumnSchema, { name: c.name, jsonPath: c.jsonPath }),
      ),
      sensitivity: rd.sensitive
        ? ResourceDefinitionSpec_Sensitivity.SENSITIVE
        : ResourceDefinitionSpec_Sensitivity.NON_SENSITIVE,
    }),
  );
  const yaml = specYaml({
    type: rd.type,
    displayType: rd.displayType,
    defaultNamespace: rd.defaultNamespace,
    aliases: [...rd.aliases],
    allAliases: [...rd.allAliases],
    ...(rd.skipAutomaticAliases ? { skipAutomaticAliases: true } : {}),
    printColumns: rd.printColumns.map((c) => ({ name: c.name, jsonPath: c.jsonPath })),
    ...(rd.sensitive ? { sensitivity: "sensitive" } : {}),
  });
  wire = { proto, yaml };
  RD_WIRE.set(rd, wire);
  return wire;
}

export const definitionKind: ResourceKind<ResourceDefinition> = remember({
  definition: catalogueEntry(RESOURCE_DEFINITION_TYPE),
  encode: (rd) => definitionWire(rd).proto,
  yaml: (rd) => definitionWire(rd).yaml,
});

export const namespaceKind: ResourceKind<{ readonly description: string }> = remember({
  definition: catalogueEntry(NAMESPACE_TYPE),
  encode: (s) => toBinary(NamespaceSpecSchema, create(NamespaceSpecSchema, { description: s.description })),
  yaml: (s) => specYaml({ description: s.description }),
});

// ---------------------------------------------------------------------------------------------
// Specs carried as YAML (siderolabs/talos: pkg/machinery/resources/config, network/device_config.go).

/** The machine config: the whole multi-document text as applied; yaml_spec is that text as one string. */
export const machineConfigKind: ResourceKind<string> = remember({
  definition: catalogueEntry(MACHINE_CONFIG_TYPE),
  encode: (text) =>
    toBinary(MachineConfigSpecSchema, create(MachineConfigSpecSchema, { yamlMarshalled: Buffer.from(text) })),
  yaml: (text) => specYaml(text),
});

/** Annotation telling clients the yaml_spec is a YAML string holding the config. */
export const MACHINE_CONFIG_ANNOTATIONS: Readonly<Record<string, string>> = { "talos.dev/yaml-spec": "1" };

export type MachineTypeName = "unknown" | "init" | "controlplane" | "worker";
const MACHINE_TYPE_NUMBER: Readonly<Record<MachineTypeName, number>> = {
  unknown: 0,
  init: 1,
  controlplane: 2,
  worker: 3,
};

export const machineTypeKind: ResourceKind<MachineTypeName> = remember({
  definition: catalogueEntry("MachineTypes.config.talos.dev"),
  encode: (t) =>
    toBinary(MachineTypeSpecSchema, create(MachineTypeSpecSchema, { machineType: MACHINE_TYPE_NUMBER[t] })),
  yaml: (t) => specYaml(t),
});

/** Device configs of the legacy network section, each as its YAML text. */
export const deviceConfigKind: ResourceKind<string> = remember({
  definition: catalogueEntry("DeviceConfigSpecs.net.talos.dev"),
  encode: (text) =>
    toBinary(
      DeviceConfigSpecSpecSchema,
      create(DeviceConfigSpecSpecSchema, { yamlMarshalled: Buffer.from(text) }),
    ),
  yaml: (text) => specYaml(text),
});

/**
 * The kind of any catalogue type: the ones above, a message kind whose specs are values of the
 * catalogue's message, or an empty or handle kind.
 */
export function kindOf(type: string): ResourceKind<never> {
  const existing = KINDS.get(type);
  if (existing) return existing;
  const definition = catalogueEntry(type);
  switch (definition.spec.kind) {
    case "empty":
      return emptyKind(definition) as ResourceKind<never>;
    case "handle":
      return handleKind(definition) as ResourceKind<never>;
    case "message": {
      const schema = specMessage(definition.spec.message);
      if (!schema) throw new Error(`${type}: spec message ${definition.spec.message} is not generated`);
      return messageKind(type, schema) as unknown as ResourceKind<never>;
    }
  }
}

/** Every catalogue type's kind, in catalogue order. */
export function allKinds(): ResourceKind<never>[] {
  return CATALOGUE.map((e) => kindOf(e.type));
}
