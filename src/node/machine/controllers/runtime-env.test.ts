import { describe, expect, it } from "vitest";
import { createClock } from "../../clock.js";
import { CPU_COUNT, cpuInfo } from "../../platform/index.js";
import { ControllerRuntime, NS, ResourceStore } from "../../resources/index.js";
import { parseMachineConfig } from "../config.js";
import { CPU_CORE, HARDWARE_CONTROLLERS } from "./hardware.js";
import { ENVIRONMENT, RUNTIME_ENV_CONTROLLERS, TALOS_PATH, UNIQUE_MACHINE_TOKEN } from "./runtime-env.js";
import { RUNTIME_SBOM_CONTROLLERS, SBOM_ITEM } from "./runtime-sbom.js";
import { INPUT, type MachineSource } from "./source.js";

const CONFIG = `version: v1alpha1
machine:
  type: worker
  env:
    https_proxy: http://proxy.example:3128
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://siderolink.example:8099
uniqueToken: from-config
`;

describe("runtime environment, unique token, SBOM and CPU cores", () => {
  it("publishes machined's environment with the config's variables and the unique token META or the config gives", () => {
    const meta = new Map<number, string>();
    const source = {
      active: () => parseMachineConfig(CONFIG),
      meta: () => meta,
    } as unknown as MachineSource;
    const store = ResourceStore.forNode(createClock());
    const rt = new ControllerRuntime(store, source, RUNTIME_ENV_CONTROLLERS);
    rt.start();
    const env = store.get(NS.runtime, ENVIRONMENT.definition.type, "machined")!.spec as {
      variables: string[];
    };
    expect(env.variables).toEqual([
      "HOME=/",
      `PATH=${TALOS_PATH}`,
      "TERM=linux",
      "https_proxy=http://proxy.example:3128",
    ]);
    const token = () =>
      (
        store.get(NS.runtime, UNIQUE_MACHINE_TOKEN.definition.type, "unique-machine-token")!.spec as {
          token: string;
        }
      ).token;
    expect(token()).toBe("from-config");
    meta.set(0x10, "from-meta");
    rt.changed(INPUT.meta);
    expect(token()).toBe("from-meta");
    rt.close();
  });

  it("lists Talos at the node's version in the SBOM and one CPU core per logical CPU of /proc/cpuinfo", () => {
    const source = {
      talosVersion: "v1.13.2",
      platform: { name: "metal", mode: "metal" },
      disks: [],
      machineUuid: "u",
    } as unknown as MachineSource;
    const store = ResourceStore.forNode(createClock());
    const rt = new ControllerRuntime(store, source, [...RUNTIME_SBOM_CONTROLLERS, ...HARDWARE_CONTROLLERS]);
    rt.start();
    const talos = store.get(NS.runtime, SBOM_ITEM.definition.type, "Talos")!;
    expect(talos.kind.yaml(talos.spec)).toBe("name: Talos\nversion: v1.13.2\nlicense: MPL-2.0\n");
    expect(store.list(NS.runtime, SBOM_ITEM.definition.type).map((r) => r.id)).toContain("linux");
    const cores = store.list(NS.hardware, CPU_CORE.definition.type);
    expect(cores).toHaveLength(CPU_COUNT);
    const rows = cpuInfo();
    for (const row of rows) {
      const core = store.get(NS.hardware, CPU_CORE.definition.type, `${row.physicalId}-${row.coreId}`)!;
      expect((core.spec as { logicalCpUs: number[]; modelName: string }).logicalCpUs).toEqual([
        row.processor,
      ]);
      expect((core.spec as { modelName: string }).modelName).toBe(row.modelName);
    }
    rt.close();
  });
});
