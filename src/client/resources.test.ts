import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { MetadataSchema, ResourceSchema, SpecSchema } from "../gen/cosi/resource/resource_pb.js";
import { encodeYaml } from "../yaml/index.js";
import {
  machineConfigText,
  metadataData,
  type ResourceDefinition,
  resolveResourceKind,
  resourceData,
  specData,
} from "./resources.js";

function definition(type: string, allAliases: string[]): ResourceDefinition {
  return {
    id: type.toLowerCase(),
    type,
    displayType: type.split(".")[0]!.replace(/s$/, ""),
    defaultNamespace: "runtime",
    aliases: [],
    allAliases,
    printColumns: [],
    sensitive: false,
  };
}

const DEFS = [
  definition("MachineStatuses.runtime.talos.dev", ["machinestatus", "machinestatuses", "ms", "mss"]),
  definition("MachineConfigs.config.talos.dev", ["machineconfig", "mc", "mcs", "shared"]),
  definition("MountStatuses.runtime.talos.dev", ["mountstatus", "shared"]),
];

describe("resolveResourceKind", () => {
  it.each([
    "ms",
    "MS",
    "machinestatuses",
    "MachineStatuses.runtime.talos.dev",
    "machinestatuses.runtime.talos.dev",
  ])("finds %s", (name) => {
    expect(resolveResourceKind(DEFS, name).type).toBe("MachineStatuses.runtime.talos.dev");
  });

  it("says when nothing or several types match", () => {
    expect(() => resolveResourceKind(DEFS, "nope")).toThrow('resource "nope" is not registered');
    expect(() => resolveResourceKind(DEFS, "shared")).toThrow(
      'resource type "shared" is ambiguous: [machineconfigs.config.talos.dev mountstatuses.runtime.talos.dev]',
    );
  });
});

function resource(yamlSpec: string, extra: { labels?: Record<string, string>; protoSpec?: Uint8Array } = {}) {
  return create(ResourceSchema, {
    metadata: create(MetadataSchema, {
      namespace: "config",
      type: "MachineConfigs.config.talos.dev",
      id: "v1alpha1",
      version: "3",
      owner: "",
      phase: "running",
      created: timestampFromDate(new Date("2026-01-02T03:04:05.678Z")),
      updated: timestampFromDate(new Date("2026-01-02T03:04:06Z")),
      labels: extra.labels ?? {},
    }),
    spec: create(SpecSchema, { yamlSpec, protoSpec: extra.protoSpec ?? new Uint8Array() }),
  });
}

describe("resource data", () => {
  it("lays out node, metadata (RFC 3339, optional maps) and spec", () => {
    const r = resource("stage: running\nready: true\n");
    expect(resourceData("10.5.0.2", r)).toEqual({
      node: "10.5.0.2",
      metadata: {
        namespace: "config",
        type: "MachineConfigs.config.talos.dev",
        id: "v1alpha1",
        version: 3,
        owner: "",
        phase: "running",
        created: "2026-01-02T03:04:05Z",
        updated: "2026-01-02T03:04:06Z",
      },
      spec: { stage: "running", ready: true },
    });
    expect(Object.keys(resourceData("n", r, "updated"))).toEqual(["node", "event", "metadata", "spec"]);
    expect(metadataData(resource("", { labels: { a: "b" } })).labels).toEqual({ a: "b" });
    expect(specData(resource(""))).toBeNull();
  });

  it("reads the machine config from a YAML string spec, a raw spec or the protobuf spec", () => {
    const config = "version: v1alpha1\nmachine:\n    type: worker\n";
    expect(machineConfigText(resource(encodeYaml(config)))).toBe(config);
    expect(machineConfigText(resource(config))).toBe(config);
    const bytes = new TextEncoder().encode(config);
    const proto = new Uint8Array([0x0a, bytes.length, ...bytes]);
    expect(machineConfigText(resource("", { protoSpec: proto }))).toBe(config);
    expect(() => machineConfigText(resource(""))).toThrow("empty spec");
  });
});
