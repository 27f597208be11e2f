import { describe, expect, it } from "vitest";
import { createClock } from "../../clock.js";
import { ControllerRuntime, NS, ResourceStore } from "../../resources/index.js";
import { type MachineConfig, parseMachineConfig } from "../config.js";
import { BASE_RUNTIME_SPEC_CONFIG, CRI_RUNTIME_SPEC_CONTROLLERS } from "./cri-runtime-spec.js";
import { INPUT, type MachineSource } from "./source.js";

const LEGACY = `version: v1alpha1
machine:
  type: worker
  baseRuntimeSpecOverrides:
    process:
      rlimits:
        - type: RLIMIT_NOFILE
          hard: 1024
          soft: 1024
`;

const DOCUMENT = `version: v1alpha1
machine:
  type: worker
---
apiVersion: v1alpha1
kind: CRIBaseRuntimeSpecConfig
overrides:
  process:
    noNewPrivileges: false
    cwd: /work
`;

describe("base runtime spec configs", () => {
  it("always hold containerd's default spec, and the config's overrides while it has them", () => {
    let config: MachineConfig | undefined;
    const source = { active: () => config } as unknown as MachineSource;
    const store = ResourceStore.forNode(createClock());
    const rt = new ControllerRuntime(store, source, CRI_RUNTIME_SPEC_CONTROLLERS);
    rt.start();
    const type = BASE_RUNTIME_SPEC_CONFIG.definition.type;
    const yaml = (id: string) => {
      const r = store.get(NS.cri, type, id);
      return r ? r.kind.yaml(r.spec) : undefined;
    };
    const byDefault = yaml("default")!;
    // Keys sorted as a Go map writes them; no rlimits (CRI drops containerd's default one).
    expect(byDefault.split("\n").filter((l) => /^\S/.test(l))).toEqual([
      "linux:",
      "mounts:",
      "ociVersion: 1.2.1",
      "process:",
      "root:",
    ]);
    expect(byDefault).toContain("    cgroupsPath: /k8s.io\n");
    expect(byDefault).toContain("            - CAP_NET_BIND_SERVICE\n");
    expect(byDefault).not.toContain("CAP_NET_RAW");
    expect(byDefault).not.toContain("rlimits");
    expect(byDefault).toContain("    noNewPrivileges: true\n");
    expect(yaml("overrides")).toBeUndefined();

    config = parseMachineConfig(LEGACY);
    rt.changed(INPUT.config);
    expect(yaml("overrides")).toBe(
      [
        "process:",
        "    rlimits:",
        "        - hard: 1024",
        "          soft: 1024",
        "          type: RLIMIT_NOFILE",
        "",
      ].join("\n"),
    );
    config = parseMachineConfig(DOCUMENT);
    rt.changed(INPUT.config);
    expect(yaml("overrides")).toBe(
      ["process:", "    cwd: /work", "    noNewPrivileges: false", ""].join("\n"),
    );
    expect(yaml("default")).toBe(byDefault);
    config = parseMachineConfig("version: v1alpha1\nmachine:\n  type: worker\n");
    rt.changed(INPUT.config);
    expect(yaml("overrides")).toBeUndefined();
  });
});
