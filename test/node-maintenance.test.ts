// A fresh talos-node in maintenance mode, its first config applied over insecure TLS, and the
// switch to mutual TLS from the config's OS CA.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApplyConfigurationRequestSchema,
  ApplyConfigurationResponseSchema,
  HostnameResponseSchema,
  ApplyConfigurationRequest_Mode as Mode,
  VersionResponseSchema,
} from "../src/gen/machine/machine_pb.js";
import { TALOS_VERSION } from "../src/version.js";
import {
  eventually,
  insecureClient,
  makeCluster,
  mtlsClient,
  type StartedNode,
  startNode,
  stateConfig,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";

const VERSION = "/machine.MachineService/Version";
const APPLY = "/machine.MachineService/ApplyConfiguration";

function applyBody(config: string, mode: Mode, extra: { dryRun?: boolean; tryMs?: number } = {}): Uint8Array {
  return toBinary(
    ApplyConfigurationRequestSchema,
    create(ApplyConfigurationRequestSchema, {
      data: Buffer.from(config),
      mode,
      dryRun: extra.dryRun ?? false,
      ...(extra.tryMs !== undefined ? { tryModeTimeout: durationFromMs(extra.tryMs) } : {}),
    }),
  );
}

let cluster: TestCluster;
let node: StartedNode;

beforeAll(async () => {
  cluster = await makeCluster();
  node = await startNode({ args: ["--time-scale", "50"] });
});

afterAll(async () => {
  await node?.stop();
});

describe("talos-node maintenance mode", () => {
  it("prints the ready line and the maintenance hints with the SPKI fingerprint", async () => {
    expect(node.mode()).toBe("maintenance");
    // The hints go to the log (stderr), which may come in after the ready line (stdout).
    await node.waitForOutput(`talosctl apply-config --insecure --nodes ${node.address} --file <config.yaml>`);
    const out = node.output();
    expect(out).toMatch(/talos-node: listening on 127\.0\.0\.1:\d+ \(maintenance\)/);
    expect(out).toContain("this machine is reachable at:");
    expect(out).toMatch(/server certificate issued\t\{"fingerprint": "[A-Za-z0-9+/]{43}="\}/);
    expect(out).toContain(`talosctl apply-config --insecure --nodes ${node.address} --file <config.yaml>`);
  });

  it("answers Version to an insecure client without rbac features", async () => {
    const reply = fromBinary(
      VersionResponseSchema,
      await unaryCall(insecureClient(node.address), VERSION, new Uint8Array()),
    );
    const v = reply.messages[0]!;
    expect(v.version?.tag).toBe(TALOS_VERSION);
    expect(v.platform).toMatchObject({ name: "metal", mode: "metal" });
    expect(v.features).toBeUndefined();
  });

  it("refuses admin-only calls from maintenance clients", async () => {
    const client = insecureClient(node.address);
    for (const method of ["Reboot", "Reset", "Upgrade", "Kubeconfig"]) {
      await expect(
        unaryCall(client, `/machine.MachineService/${method}`, new Uint8Array()),
      ).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
        details: "not authorized",
      });
    }
  });

  it("accepts a partial config and stays in maintenance", async () => {
    const client = insecureClient(node.address);
    const partial = "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: early-name\n";
    const reply = fromBinary(
      ApplyConfigurationResponseSchema,
      await unaryCall(client, APPLY, applyBody(partial, Mode.AUTO)),
    ).messages[0]!;
    expect(reply.mode).toBe(Mode.NO_REBOOT);
    const hostname = fromBinary(
      HostnameResponseSchema,
      await unaryCall(client, "/machine.MachineService/Hostname", new Uint8Array()),
    );
    expect(hostname.messages[0]?.hostname).toBe("early-name");
    expect(node.mode()).toBe("maintenance");
    expect(stateConfig(node.stateDir)).toBe(partial);
  });

  it("dry-runs against an empty config, then applies and switches to mTLS", async () => {
    const client = insecureClient(node.address);
    const dry = fromBinary(
      ApplyConfigurationResponseSchema,
      await unaryCall(client, APPLY, applyBody(cluster.controlplane, Mode.AUTO, { dryRun: true })),
    ).messages[0]!;
    expect(dry.mode).toBe(Mode.NO_REBOOT);
    expect(dry.modeDetails).toMatch(
      /^Dry run summary:\nApplied configuration without a reboot \(skipped in dry-run\)\.\nConfig diff:\n\n--- a\n\+\+\+ b\n@@ -0,0 \+1,\d+ @@\n\+version: v1alpha1\n/,
    );
    expect(node.mode()).toBe("maintenance");

    const applied = fromBinary(
      ApplyConfigurationResponseSchema,
      await unaryCall(client, APPLY, applyBody(cluster.controlplane, Mode.REBOOT)),
    ).messages[0]!;
    expect(applied.mode).toBe(Mode.NO_REBOOT);
    expect(applied.modeDetails).toBe("Applied configuration without a reboot");

    await node.waitForMode("configured");
    const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
    const reply = fromBinary(
      VersionResponseSchema,
      await eventually(() => unaryCall(admin, VERSION, new Uint8Array())),
    );
    expect(reply.messages[0]?.features?.rbac).toBe(true);

    // The maintenance client no longer gets through: the server now demands a certificate.
    await expect(unaryCall(insecureClient(node.address), VERSION, new Uint8Array())).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
  });
});
