import { describe, expect, it } from "vitest";
import { createClock } from "../../clock.js";
import { ControllerRuntime, NS, ResourceStore } from "../../resources/index.js";
import { type MachineConfig, parseMachineConfig } from "../config.js";
import { CRI_REGISTRIES_CONTROLLERS, REGISTRIES_CONFIG } from "./cri-registries.js";
import { INPUT, type MachineSource } from "./source.js";

const CONFIG = `version: v1alpha1
machine:
  type: worker
  registries:
    mirrors:
      docker.io:
        endpoints:
          - https://mirror.example
    config:
      mirror.example:
        auth:
          username: u
          password: p
---
apiVersion: v1alpha1
kind: RegistryMirrorConfig
name: ghcr.io
endpoints:
  - url: https://ghcr-mirror.example
    overridePath: true
skipFallback: true
---
apiVersion: v1alpha1
kind: RegistryTLSConfig
name: ghcr-mirror.example
insecureSkipVerify: true
`;

describe("registries config", () => {
  it("is always there, with the mirrors, auths and TLS settings of the config", () => {
    let config: MachineConfig | undefined;
    const source = { active: () => config } as unknown as MachineSource;
    const store = ResourceStore.forNode(createClock());
    const rt = new ControllerRuntime(store, source, CRI_REGISTRIES_CONTROLLERS);
    rt.start();
    const res = () => store.get(NS.cri, REGISTRIES_CONFIG.definition.type, "registries")!;
    expect(res().kind.yaml(res().spec)).toBe("{}\n");
    config = parseMachineConfig(CONFIG);
    rt.changed(INPUT.config);
    expect(res().kind.yaml(res().spec)).toBe(
      [
        "mirrors:",
        "    docker.io:",
        "        endpoints:",
        "            - endpoint: https://mirror.example",
        "              overridePath: false",
        "    ghcr.io:",
        "        endpoints:",
        "            - endpoint: https://ghcr-mirror.example",
        "              overridePath: true",
        "        skipFallback: true",
        "auths:",
        "    mirror.example:",
        "        username: u",
        "        password: p",
        "tls:",
        "    ghcr-mirror.example:",
        "        insecureSkipVerify: true",
        "",
      ].join("\n"),
    );
    rt.close();
  });
});
