// Resource definitions: singular names, COSI's automatic aliases, malformed types refused.
import { describe, expect, it } from "vitest";
import { defineResource, singular } from "./definition.js";

describe("resource definitions", () => {
  it("singularizes the plural names resource types use", () => {
    expect(
      [
        "MachineConfigs",
        "MachineStatuses",
        "NodeAddresses",
        "Services",
        "Namespaces",
        "ResourceDefinitions",
        "Policies",
      ].map(singular),
    ).toEqual([
      "MachineConfig",
      "MachineStatus",
      "NodeAddress",
      "Service",
      "Namespace",
      "ResourceDefinition",
      "Policy",
    ]);
  });

  it("adds COSI's automatic aliases", () => {
    expect(
      defineResource({ type: "MachineConfigs.config.talos.dev", defaultNamespace: "config" }),
    ).toMatchObject({
      id: "machineconfigs.config.talos.dev",
      displayType: "MachineConfig",
      aliases: ["machineconfig", "mc", "mcs"],
      allAliases: [
        "machineconfigs",
        "machineconfigs.config",
        "machineconfigs.config.talos",
        "machineconfig",
        "mc",
        "mcs",
      ],
      sensitive: false,
    });
    expect(
      defineResource({
        type: "ResourceDefinitions.meta.cosi.dev",
        defaultNamespace: "meta",
        aliases: ["api-resources"],
      }).aliases,
    ).toEqual(["api-resources", "resourcedefinition", "rd", "rds"]);
    expect(
      defineResource({ type: "Services.v1alpha1.talos.dev", defaultNamespace: "runtime", aliases: ["svc"] })
        .aliases,
    ).toEqual(["svc", "service"]);
    // Capitals ending in S get no extra plural.
    expect(
      defineResource({ type: "EtcdSecrets.secrets.talos.dev", defaultNamespace: "secrets" }).aliases,
    ).toEqual(["etcdsecret", "es"]);
  });

  it("refuses malformed types", () => {
    expect(() => defineResource({ type: "nodots", defaultNamespace: "x" })).toThrow();
    expect(() => defineResource({ type: "lower.talos.dev", defaultNamespace: "x" })).toThrow();
  });
});
