// The metal install path: a config with `.machine.install` applied in maintenance runs the
// install sequence, reboots the machine and comes back configured and installed.
import fs from "node:fs";
import path from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ApplyConfigurationRequestSchema,
  ApplyConfigurationRequest_Mode as Mode,
} from "../src/gen/machine/machine_pb.js";
import {
  eventually,
  insecureClient,
  makeCluster,
  mtlsClient,
  startNode,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";

const APPLY = "/machine.MachineService/ApplyConfiguration";

/** The generated config with the legacy install section instead of UnattendedInstallConfig. */
function withMachineInstall(config: string, install: string): string {
  const docs = config.split(/^---\n/m).filter((d) => !d.includes("kind: UnattendedInstallConfig"));
  docs[0] = docs[0]!.replace("\nmachine:\n", `\nmachine:\n    install:\n${install}`);
  return docs.join("---\n");
}

function applyBody(config: string): Uint8Array {
  return toBinary(
    ApplyConfigurationRequestSchema,
    create(ApplyConfigurationRequestSchema, { data: Buffer.from(config), mode: Mode.AUTO }),
  );
}

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await makeCluster("install-cluster");
});

describe("metal install", () => {
  it("refuses an install disk selector that matches no disk", async () => {
    const node = await startNode({ args: ["--time-scale", "50", "--disk", "/dev/vda:8GiB"] });
    try {
      const config = withMachineInstall(
        cluster.controlplane,
        "        diskSelector:\n            size: '>= 1TB'\n",
      );
      await expect(unaryCall(insecureClient(node.address), APPLY, applyBody(config))).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details: expect.stringContaining(
          'no disks matched the expression: disk.size >= 1000000000000u && disk.transport != "" && !disk.readonly && !disk.cdrom',
        ),
      });
    } finally {
      await node.stop();
    }
  });

  it("installs, reboots and comes back configured", async () => {
    const node = await startNode({ args: ["--time-scale", "50"] });
    try {
      const client = insecureClient(node.address);
      const config = withMachineInstall(cluster.controlplane, "        disk: /dev/sda\n");
      await unaryCall(client, APPLY, applyBody(config));
      await node.waitForMode("configured", { fresh: true, timeoutMs: 20_000 });
      await expect.poll(() => node.output(), { timeout: 20_000 }).toContain("rebooting: install finished");
      await expect.poll(() => node.output(), { timeout: 20_000 }).toMatch(/booting \(boot 2, /);
      expect(node.output()).toContain("task install (1/1): starting");
      expect(node.output()).toMatch(/phase kexec \(8\/9\): done/);
      const identity = JSON.parse(fs.readFileSync(path.join(node.stateDir, "node.json"), "utf8")) as {
        installed: boolean;
      };
      expect(identity.installed).toBe(true);
      const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
      await eventually(() => unaryCall(admin, "/machine.MachineService/Version", new Uint8Array()));
    } finally {
      await node.stop();
    }
  });
});
