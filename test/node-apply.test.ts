// ApplyConfiguration on a configured talos-node over mTLS: every mode, TRY rollback on a
// scaled clock, dry runs, invalid configs, concurrency and RBAC.
import fs from "node:fs";
import path from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { GetRequestSchema, GetResponseSchema } from "../src/gen/cosi/resource/state_pb.js";
import {
  type ApplyConfiguration,
  ApplyConfigurationRequestSchema,
  ApplyConfigurationResponseSchema,
  ApplyConfigurationRequest_Mode as Mode,
} from "../src/gen/machine/machine_pb.js";
import { tempDir } from "./helpers/cli.js";
import {
  configVariant,
  makeCluster,
  mtlsClient,
  type StartedNode,
  seedState,
  startNode,
  stateConfig,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";
import { absenceWindow } from "./helpers/wait.js";

const APPLY = "/machine.MachineService/ApplyConfiguration";
const GET = "/cosi.resource.State/Get";
/** Machine time runs this much faster than real time in these tests. */
const SCALE = 50;

function applyBody(
  config: string | Uint8Array,
  mode: Mode,
  extra: { dryRun?: boolean; tryMs?: number } = {},
) {
  return toBinary(
    ApplyConfigurationRequestSchema,
    create(ApplyConfigurationRequestSchema, {
      data: typeof config === "string" ? Buffer.from(config) : config,
      mode,
      dryRun: extra.dryRun ?? false,
      ...(extra.tryMs !== undefined ? { tryModeTimeout: durationFromMs(extra.tryMs) } : {}),
    }),
  );
}

let cluster: TestCluster;
let node: StartedNode;
let admin: grpc.Client;

async function apply(
  config: string | Uint8Array,
  mode: Mode,
  extra: { dryRun?: boolean; tryMs?: number; client?: grpc.Client } = {},
): Promise<ApplyConfiguration> {
  const reply = await unaryCall(extra.client ?? admin, APPLY, applyBody(config, mode, extra));
  return fromBinary(ApplyConfigurationResponseSchema, reply).messages[0]!;
}

/** The config text held by MachineConfig resource `id` (v1alpha1 = active, persistent = saved). */
async function machineConfig(id: "v1alpha1" | "persistent", client: grpc.Client = admin): Promise<string> {
  const body = toBinary(
    GetRequestSchema,
    create(GetRequestSchema, { namespace: "config", type: "MachineConfigs.config.talos.dev", id }),
  );
  const res = fromBinary(GetResponseSchema, await unaryCall(client, GET, body));
  return parse(res.resource!.spec!.yamlSpec) as string;
}

beforeAll(async () => {
  cluster = await makeCluster();
  const stateDir = tempDir("talos-node-apply-");
  seedState(stateDir, cluster.controlplane);
  node = await startNode({ stateDir, args: ["--time-scale", String(SCALE)] });
  expect(node.mode()).toBe("configured");
  admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
});

afterAll(async () => {
  await node?.stop();
});

describe("ApplyConfiguration on a configured node", () => {
  it("applies AUTO as NO_REBOOT: persisted and active both replaced", async () => {
    const next = configVariant(cluster.controlplane, "auto");
    const reply = await apply(next, Mode.AUTO);
    expect(reply.mode).toBe(Mode.NO_REBOOT);
    expect(reply.modeDetails).toBe("Applied configuration without a reboot");
    expect(stateConfig(node.stateDir)).toBe(next);
    expect(await machineConfig("v1alpha1")).toBe(next);
    expect(await machineConfig("persistent")).toBe(next);
  });

  it("applies NO_REBOOT", async () => {
    const next = configVariant(cluster.controlplane, "no-reboot");
    expect((await apply(next, Mode.NO_REBOOT)).mode).toBe(Mode.NO_REBOOT);
    expect(stateConfig(node.stateDir)).toBe(next);
    expect(await machineConfig("v1alpha1")).toBe(next);
  });

  it("stages a config: saved, not active", async () => {
    const active = await machineConfig("v1alpha1");
    const next = configVariant(cluster.controlplane, "staged");
    const reply = await apply(next, Mode.STAGED);
    expect(reply.mode).toBe(Mode.STAGED);
    expect(reply.modeDetails).toBe("Staged configuration to be applied after the next reboot");
    expect(stateConfig(node.stateDir)).toBe(next);
    expect(await machineConfig("persistent")).toBe(next);
    expect(await machineConfig("v1alpha1")).toBe(active);
  });

  it("refuses REBOOT outside maintenance", async () => {
    await expect(apply(cluster.controlplane, Mode.REBOOT)).rejects.toMatchObject({
      code: grpc.status.UNIMPLEMENTED,
      details: "the REBOOT mode is not supported, please use AUTO or NO_REBOOT modes instead",
    });
  });

  it("refuses an unknown mode", async () => {
    await expect(apply(cluster.controlplane, 9 as Mode)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "incorrect mode '9' specified for the apply config call",
    });
  });

  it("tries a config and rolls it back; a dry run in between does not keep it", async () => {
    const base = configVariant(cluster.controlplane, "base");
    await apply(base, Mode.NO_REBOOT);
    const tried = configVariant(cluster.controlplane, "tried");
    const reply = await apply(tried, Mode.TRY, { tryMs: 60_000 });
    expect(reply.mode).toBe(Mode.TRY);
    expect(reply.modeDetails).toBe(
      "Applied configuration without a reboot\nThe config is applied in 'try' mode and will be automatically reverted back in 1m0s",
    );
    expect(await machineConfig("v1alpha1")).toBe(tried);
    expect(await machineConfig("persistent")).toBe(base);
    expect(stateConfig(node.stateDir)).toBe(base);

    const dry = await apply(configVariant(cluster.controlplane, "dry"), Mode.AUTO, { dryRun: true });
    expect(dry.modeDetails).toContain("-        variant: tried\n+        variant: dry\n");
    expect(dry.warnings).toEqual([]);

    // 60 s of machine time at SCALE 50 is 1.2 s.
    await expect.poll(() => machineConfig("v1alpha1"), { timeout: 10_000, interval: 200 }).toBe(base);
    expect(stateConfig(node.stateDir)).toBe(base);
  });

  it("keeps a tried config when a later non-TRY apply comes in", async () => {
    const base = await machineConfig("v1alpha1");
    const tried = configVariant(cluster.controlplane, "kept");
    await apply(tried, Mode.TRY, { tryMs: 30_000 });
    await apply(configVariant(cluster.controlplane, "staged-after-try"), Mode.STAGED);
    // The rollback would be due 0.6 s (30 s of machine time) after the TRY; the node's timers
    // run on real time, so by the next call after this window it would have started.
    await absenceWindow(1_500);
    expect(await machineConfig("v1alpha1")).toBe(tried);
    expect(base).not.toBe(tried);
    await apply(base, Mode.NO_REBOOT);
  });

  it("dry-runs with the diff of the active config and changes nothing", async () => {
    const before = stateConfig(node.stateDir);
    const active = await machineConfig("v1alpha1");
    const same = await apply(active, Mode.NO_REBOOT, { dryRun: true });
    expect(same.modeDetails).toBe(
      "Dry run summary:\nApplied configuration without a reboot (skipped in dry-run).\nConfig diff:\n\nNo changes.",
    );
    const staged = await apply(configVariant(cluster.controlplane, "x"), Mode.STAGED, { dryRun: true });
    expect(staged.mode).toBe(Mode.STAGED);
    expect(staged.modeDetails).toMatch(
      /^Dry run summary:\nStaged configuration to be applied after the next reboot \(skipped in dry-run\)\.\nConfig diff:\n\n--- a\n\+\+\+ b\n@@ /,
    );
    expect(stateConfig(node.stateDir)).toBe(before);
    expect(await machineConfig("v1alpha1")).toBe(active);
  });

  it("rejects an invalid config with the loader's location and leaves STATE untouched", async () => {
    const files = () =>
      Object.fromEntries(
        fs
          .readdirSync(node.stateDir)
          .filter((f) => fs.statSync(path.join(node.stateDir, f)).isFile())
          .map((f) => [f, fs.readFileSync(path.join(node.stateDir, f))]),
      );
    const before = files();
    const broken = cluster.controlplane.replace("\nmachine:\n", "\nmachine:\n    bogusField: 1\n");
    const err = await apply(broken, Mode.NO_REBOOT).catch((e: grpc.ServiceError) => e);
    expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect((err as grpc.ServiceError).details).toMatch(
      /document v1alpha1: machine\.bogusField \(line \d+:\d+\): unknown key "bogusField"/,
    );
    expect(files()).toEqual(before);
  });

  it("rejects a config that fails validation with a multi-error text", async () => {
    const noMachine = cluster.controlplane.replace(/\nmachine:\n(?: {4}.*\n)+/, "\n");
    const err = await apply(noMachine, Mode.NO_REBOOT).catch((e: grpc.ServiceError) => e);
    expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect((err as grpc.ServiceError).details).toMatch(/^\d+ errors? occurred:\n\t\* /);
  });

  it("rejects an OS CA whose key does not load", async () => {
    const junk = Buffer.from(
      "-----BEGIN ED25519 PRIVATE KEY-----\nAAAA\n-----END ED25519 PRIVATE KEY-----\n",
    ).toString("base64");
    const broken = cluster.controlplane.replace(/(\n {4}ca:\n {8}crt: \S+\n {8}key: )\S+/, `$1${junk}`);
    expect(broken).not.toBe(cluster.controlplane);
    const err = await apply(broken, Mode.NO_REBOOT).catch((e: grpc.ServiceError) => e);
    expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect((err as grpc.ServiceError).details).toContain("invalid issuing CA (.machine.ca): ");
  });

  it("checks the machine's state: a settled system volume keeps its backing", async () => {
    const etcd = (provisioning: string) =>
      `${cluster.controlplane.replace(/\n*$/, "\n")}---\napiVersion: v1alpha1\nkind: VolumeConfig\nname: ETCD\n${provisioning}`;
    const toPartition = etcd(
      "provisioning:\n  diskSelector:\n    match: 'disk.transport == \"nvme\"'\n  maxSize: 10GiB\n",
    );
    await expect(apply(toPartition, Mode.NO_REBOOT, { dryRun: true })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining(
        'the backing of the "ETCD" system volume cannot be changed after creation (current: directory, requested: partition); migrating an existing system volume to or from a dedicated partition is not supported',
      ),
    });
    const stays = await apply(
      etcd("encryption:\n  provider: luks2\n  keys:\n    - slot: 0\n      tpm: {}\n"),
      Mode.NO_REBOOT,
      {
        dryRun: true,
      },
    );
    expect(stays.modeDetails).toContain("Dry run summary");
  });

  it("warns that PCI driver rebinding needs IOMMU groups the machine has", async () => {
    const rebind = `${cluster.controlplane.replace(/\n*$/, "\n")}---\napiVersion: v1alpha1\nkind: PCIDriverRebindConfig\nname: 0000:04:00.00\ntargetDriver: vfio-pci\n`;
    const reply = await apply(rebind, Mode.NO_REBOOT, { dryRun: true });
    // A bare-metal machine has IOMMU groups: no warning.
    expect(reply.warnings).toEqual([]);
  });

  it("rejects a config without the v1alpha1 document", async () => {
    const onlyDocs = "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: lonely\n";
    await expect(apply(onlyDocs, Mode.NO_REBOOT)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details:
        "the applied machine configuration doesn't contain v1alpha1 config, did you mean to patch the machine config instead?",
    });
  });

  it("rejects undecodable and oversized requests alone", async () => {
    await expect(
      unaryCall(admin, APPLY, new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
    ).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
    });
    const big = new Uint8Array(33 * 1024 * 1024);
    await expect(apply(big, Mode.NO_REBOOT)).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    const again = await apply(await machineConfig("v1alpha1"), Mode.NO_REBOOT, { dryRun: true });
    expect(again.modeDetails).toContain("No changes.");
  });

  it("lets a reader call nothing that changes or reveals the machine", async () => {
    const reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
    for (const method of ["ApplyConfiguration", "Reset", "Upgrade", "Rollback"]) {
      await expect(
        unaryCall(reader, `/machine.MachineService/${method}`, new Uint8Array()),
      ).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
        details: "not authorized",
      });
    }
    await expect(apply(cluster.controlplane, Mode.NO_REBOOT, { client: reader })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: "not authorized",
    });
  });

  describe("with a real-time clock", () => {
    it("runs one apply at a time", async () => {
      // Real time: an apply holds the lock for 300 ms, so the second request surely meets it.
      const stateDir = tempDir("talos-node-concurrent-");
      seedState(stateDir, cluster.controlplane);
      const slow = await startNode({ stateDir });
      const client = mtlsClient(slow.address, cluster.osCa.crt, cluster.admin);
      try {
        const a = configVariant(cluster.controlplane, "concurrent-a");
        const b = configVariant(cluster.controlplane, "concurrent-b");
        const results = await Promise.allSettled([
          apply(a, Mode.NO_REBOOT, { client }),
          apply(b, Mode.NO_REBOOT, { client }),
        ]);
        const ok = results.filter((r) => r.status === "fulfilled");
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(ok).toHaveLength(1);
        expect(failed).toHaveLength(1);
        expect(failed[0]!.reason).toMatchObject({
          code: grpc.status.FAILED_PRECONDITION,
          details: "another apply configuration is already in progress",
        });
        const winner = results[0]!.status === "fulfilled" ? a : b;
        expect(stateConfig(slow.stateDir)).toBe(winner);
        expect(await machineConfig("v1alpha1", client)).toBe(winner);
      } finally {
        await slow.stop();
      }
    });
  });
});
