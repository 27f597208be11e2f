// ContainerConfig documents projected into ContainerSpecs, as containers.ConfigController does:
// the image named as go-containerregistry names it, mounts read-only unless `rw` is asked for,
// user volumes by their volume id, and the documents' defaults; live with the config.
import { toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  type ContainerSpecSpec,
  ContainerSpecSpecSchema,
} from "../../../gen/resource/definitions/containers/containers_pb.js";
import { createClock } from "../../clock.js";
import { ControllerRuntime, NS, ResourceStore } from "../../resources/index.js";
import { type MachineConfig, parseMachineConfig } from "../config.js";
import { CONTAINER_CONTROLLERS, registryName } from "./containers.js";
import { INPUT, type MachineSource } from "./source.js";

const DIGEST = `sha256:${"a".repeat(64)}`;

const MACHINE = `version: v1alpha1
machine:
  type: worker
  token: abcdef.0123456789abcdef
  ca:
    crt: ""
cluster:
  controlPlane:
    endpoint: https://127.0.0.1:6443
`;

const config = (...docs: string[]): MachineConfig => parseMachineConfig(MACHINE + docs.join(""));

describe("container specs", () => {
  it("name images as go-containerregistry does", () => {
    expect(registryName("alpine")).toBe("index.docker.io/library/alpine:latest");
    expect(registryName("docker.io/grafana/alloy:v1.5.0")).toBe("index.docker.io/grafana/alloy:v1.5.0");
    expect(registryName(`ghcr.io/siderolabs/x:v1@${DIGEST}`)).toBe(`ghcr.io/siderolabs/x@${DIGEST}`);
    expect(registryName("registry.local:5000/a/b")).toBe("registry.local:5000/a/b:latest");
    expect(registryName("Not A Ref")).toBe("Not A Ref");
  });

  it("follow the ContainerConfig documents of the config", () => {
    const store = ResourceStore.forNode(createClock());
    let active = config(`---
apiVersion: v1alpha1
kind: ContainerConfig
name: agent
image: ghcr.io/example/agent:v1@${DIGEST}
args: ["--serve"]
environment: ["A=1"]
runAs:
  uid: 1000
mounts:
  - userVolume: {name: data, destination: /data}
  - hostPath: {source: /var/log, destination: /logs, options: [rw, nosuid]}
  - tmpfs: {destination: /tmp, size: 64MiB, options: [rw]}
security:
  capabilities:
    drop: [NET_RAW]
network:
  mode: host
resources:
  limits: {cpu: 1500m, memory: 256MiB}
dependsOn:
  time: true
  networks: [addresses]
`);
    const rt = new ControllerRuntime(store, { active: () => active } as unknown as MachineSource, [
      ...CONTAINER_CONTROLLERS,
    ]);
    rt.start();
    const r = store.get(NS.containers, "ContainerSpecs.containers.talos.dev", "agent")!;
    expect(r.owner).toBe("containers.ConfigController");
    const s = r.spec as ContainerSpecSpec;
    expect(s.image?.ref).toBe(`ghcr.io/example/agent@${DIGEST}`);
    expect([s.args, s.environment, s.runAs?.uid]).toEqual([["--serve"], ["A=1"], 1000]);
    expect(s.mounts.map((m) => [m.kind, m.volumeId, m.source, m.destination, m.size, m.options])).toEqual([
      ["userVolume", "u-data", "", "/data", 0n, ["ro"]],
      ["hostPath", "", "/var/log", "/logs", 0n, ["nosuid"]],
      ["tmpfs", "", "", "/tmp", 64n * 1024n * 1024n, []],
    ]);
    expect([s.security?.privileged, s.security?.capabilitiesDrop, s.network?.hostNetwork]).toEqual([
      false,
      ["NET_RAW"],
      true,
    ]);
    expect([s.resources?.cpuLimit, s.resources?.memoryLimit]).toEqual([1500n, 256n * 1024n * 1024n]);
    expect([s.dependsOn?.time, s.dependsOn?.networks]).toEqual([true, ["addresses"]]);
    expect(toBinary(ContainerSpecSpecSchema, s).length).toBeGreaterThan(0);

    // Defaults: restricted, no network, no limits; a changed document bumps the version.
    active = config(`---
apiVersion: v1alpha1
kind: ContainerConfig
name: agent
image: alpine
`);
    rt.changed(INPUT.config);
    const again = store.get(NS.containers, "ContainerSpecs.containers.talos.dev", "agent")!;
    expect(again.version).toBe(r.version + 1);
    const d = again.spec as ContainerSpecSpec;
    expect([d.image?.ref, d.security?.privileged, d.network?.hostNetwork, d.resources?.memoryLimit]).toEqual([
      "index.docker.io/library/alpine:latest",
      false,
      false,
      0n,
    ]);

    active = config();
    rt.changed(INPUT.config);
    expect(store.list(NS.containers, "ContainerSpecs.containers.talos.dev")).toEqual([]);
  });
});
