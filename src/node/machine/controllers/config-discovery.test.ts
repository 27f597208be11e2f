// The discovery settings Talos's cluster.ConfigController reads from a v1alpha1 config:
// discovery on or off, and each registry on unless disabled.
import { describe, expect, it } from "vitest";
import { parseMachineConfig } from "../config.js";
import { configDiscovery } from "./config-facts.js";

const config = (discovery: string) =>
  parseMachineConfig(
    `version: v1alpha1\nmachine:\n  type: worker\ncluster:\n  id: Y2x1c3Rlcg==\n  secret: c2VjcmV0\n${discovery}`,
  );

describe("configDiscovery", () => {
  it("turns both registries on with discovery enabled unless each is disabled", () => {
    const on = configDiscovery(config("  discovery:\n    enabled: true\n"));
    expect(on).toMatchObject({ enabled: true, kubernetesRegistry: true });
    expect(on?.services.map((s) => s.endpoint)).toEqual(["https://discovery.talos.dev/"]);
    const off = configDiscovery(
      config(
        "  discovery:\n    enabled: true\n    registries:\n      kubernetes:\n        disabled: true\n      service:\n        disabled: true\n",
      ),
    );
    expect(off).toMatchObject({ enabled: true, kubernetesRegistry: false, services: [] });
  });

  it("turns every registry off with discovery disabled", () => {
    const d = configDiscovery(config("  discovery:\n    enabled: false\n"));
    expect(d).toMatchObject({ enabled: false, kubernetesRegistry: false, services: [] });
    expect(configDiscovery(config(""))).toMatchObject({ enabled: false, kubernetesRegistry: false });
  });
});
