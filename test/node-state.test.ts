// talos-node's STATE directory and process life: flags, restarts, crashes mid-apply, and the
// TRY rollback of a maintenance apply.
import fs from "node:fs";
import path from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ApplyConfigurationRequestSchema,
  ApplyConfigurationResponseSchema,
  ApplyConfigurationRequest_Mode as Mode,
  VersionResponseSchema,
} from "../src/gen/machine/machine_pb.js";
import { runProgram, TALOS_NODE, tempDir } from "./helpers/cli.js";
import {
  configVariant,
  eventually,
  insecureClient,
  makeCluster,
  mtlsClient,
  seedState,
  startNode,
  stateConfig,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";
import { seededRandom } from "./helpers/random.js";

const APPLY = "/machine.MachineService/ApplyConfiguration";
const VERSION = "/machine.MachineService/Version";

function applyBody(config: string, mode: Mode, tryMs?: number): Uint8Array {
  return toBinary(
    ApplyConfigurationRequestSchema,
    create(ApplyConfigurationRequestSchema, {
      data: Buffer.from(config),
      mode,
      ...(tryMs !== undefined ? { tryModeTimeout: durationFromMs(tryMs) } : {}),
    }),
  );
}

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await makeCluster("state-cluster");
});

describe("talos-node flags", () => {
  const cases: [string[], RegExp][] = [
    [[], /^talos-node: --state-dir is required/],
    [["--state-dir", "S", "--listen", "nowhere"], /^talos-node: --listen "nowhere": expected HOST:PORT/],
    [["--state-dir", "S", "--listen", "127.0.0.1:70000"], /^talos-node: --listen "127\.0\.0\.1:70000"/],
    [
      ["--state-dir", "S", "--platform", "aws"],
      /^talos-node: --platform "aws": expected one of metal, container, cloud/,
    ],
    [
      ["--state-dir", "S", "--disk", "/dev/sda"],
      /^talos-node: --disk "\/dev\/sda": expected \/dev\/<name>:<size>/,
    ],
    [
      ["--state-dir", "S", "--disk", "/dev/sda:1GiB", "--disk", "/dev/sda:2GiB"],
      /^talos-node: --disk \/dev\/sda was given more than once/,
    ],
    [["--state-dir", "S", "--time-scale", "0"], /^talos-node: --time-scale "0": expected a number/],
    [
      ["--state-dir", "S", "--talos-version", "1.14"],
      /^talos-node: --talos-version "1\.14": expected vX\.Y\.Z/,
    ],
    [
      ["--state-dir", "S", "--hostname", "bad_name!"],
      /^talos-node: --hostname "bad_name!": not a valid hostname/,
    ],
    [["--state-dir", "S", "--frobnicate"], /^talos-node: unknown flag: --frobnicate/],
    [["--state-dir"], /^talos-node: flag needs an argument: --state-dir/],
  ];
  for (const [args, message] of cases) {
    it(`rejects ${args.join(" ") || "no flags"} with one line`, async () => {
      const cwd = tempDir("talos-node-flags-");
      const res = await runProgram(TALOS_NODE, args, { cwd });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(message);
      expect(res.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(res.stdout).toBe("");
      expect(fs.readdirSync(cwd)).toEqual([]);
    });
  }

  it("prints its usage with --help", async () => {
    const res = await runProgram(TALOS_NODE, ["--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Usage: talos-node --state-dir DIR");
  });

  it("refuses a STATE directory in use by another node and a busy port", async () => {
    const node = await startNode({ args: ["--time-scale", "50"] });
    try {
      const res = await runProgram(TALOS_NODE, ["--state-dir", node.stateDir, "--listen", "127.0.0.1:0"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        /^talos-node: state directory .* is in use by another talos-node \(pid \d+\)\n$/,
      );
      const other = await runProgram(TALOS_NODE, ["--state-dir", tempDir(), "--listen", node.address]);
      expect(other.code).toBe(1);
      expect(other.stderr.trimEnd().split("\n")).toHaveLength(1);
    } finally {
      await node.stop();
    }
    expect(fs.existsSync(path.join(node.stateDir, "talos-node.pid"))).toBe(false);
  });
});

describe("talos-node STATE", () => {
  it("comes back configured after a restart, with a staged config taking effect", async () => {
    const stateDir = tempDir("talos-node-restart-");
    seedState(stateDir, cluster.controlplane);
    const first = await startNode({ stateDir, args: ["--time-scale", "50"] });
    expect(first.mode()).toBe("configured");
    const admin = mtlsClient(first.address, cluster.osCa.crt, cluster.admin);
    const staged = configVariant(cluster.controlplane, "after-restart");
    await unaryCall(admin, APPLY, applyBody(staged, Mode.STAGED));
    await first.stop();
    expect(await first.exited).toBe(0);
    expect(stateConfig(stateDir)).toBe(staged);

    const second = await startNode({ stateDir, args: ["--time-scale", "50"] });
    try {
      expect(second.mode()).toBe("configured");
      const reply = fromBinary(
        VersionResponseSchema,
        await unaryCall(
          mtlsClient(second.address, cluster.osCa.crt, cluster.admin),
          VERSION,
          new Uint8Array(),
        ),
      );
      expect(reply.messages[0]?.features?.rbac).toBe(true);
      expect(second.output()).toContain("booting (boot 2,");
    } finally {
      await second.stop();
    }
  });

  it("removes temporary files a crash left and survives a stale lock", async () => {
    const stateDir = tempDir("talos-node-crash-");
    seedState(stateDir, cluster.controlplane);
    fs.writeFileSync(path.join(stateDir, ".config.yaml.0a1b2c3d4e5f.tmp"), "half a conf");
    fs.writeFileSync(path.join(stateDir, "talos-node.pid"), "999999\n");
    const node = await startNode({ stateDir, args: ["--time-scale", "50"] });
    try {
      expect(fs.readdirSync(stateDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      expect(node.mode()).toBe("configured");
    } finally {
      await node.stop();
    }
  });

  it("boots into maintenance when the saved config does not load", async () => {
    const stateDir = tempDir("talos-node-badstate-");
    seedState(stateDir, "machine: [this is not\n");
    const node = await startNode({ stateDir, args: ["--time-scale", "50"] });
    try {
      expect(node.mode()).toBe("maintenance");
      expect(node.output()).toContain("failed to load saved config:");
    } finally {
      await node.stop();
    }
  });

  it("never leaves a torn config when killed during applies", async () => {
    const stateDir = tempDir("talos-node-kill-");
    seedState(stateDir, cluster.controlplane);
    let current = cluster.controlplane;
    const random = seededRandom("kill timing");
    for (let round = 0; round < 4; round++) {
      // The random moment of the kill is the subject: real time, and the apply holds its lock
      // ~300 ms, so a kill lands before, during or after the write. Any moment must be safe.
      const node = await startNode({ stateDir });
      expect(node.mode()).toBe("configured");
      const next = configVariant(cluster.controlplane, `kill-${round}`);
      const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
      const pending = unaryCall(admin, APPLY, applyBody(next, Mode.NO_REBOOT)).catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 450)));
      await node.kill();
      await pending;
      const saved = stateConfig(stateDir);
      expect([current, next]).toContain(saved);
      current = saved!;
      expect(fs.readdirSync(stateDir).filter((f) => f.endsWith(".tmp")).length).toBeLessThanOrEqual(1);
    }
    const last = await startNode({ stateDir, args: ["--time-scale", "50"] });
    try {
      expect(last.mode()).toBe("configured");
      expect(fs.readdirSync(stateDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      await last.stop();
    }
  });

  it("rolls a TRY apply in maintenance back to maintenance mode", async () => {
    const node = await startNode({ args: ["--time-scale", "50"] });
    try {
      const reply = fromBinary(
        ApplyConfigurationResponseSchema,
        await unaryCall(
          insecureClient(node.address),
          APPLY,
          applyBody(cluster.controlplane, Mode.TRY, 60_000),
        ),
      ).messages[0]!;
      expect(reply.mode).toBe(Mode.TRY);
      await node.waitForMode("configured");
      expect(stateConfig(node.stateDir)).toBeUndefined();
      const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
      await eventually(() => unaryCall(admin, VERSION, new Uint8Array()));
      // 60 s of machine time: 1.2 s.
      await node.waitForMode("maintenance", { fresh: true, timeoutMs: 15_000 });
      await eventually(() => unaryCall(insecureClient(node.address), VERSION, new Uint8Array()));
      expect(node.output()).toContain("rolling back the configuration");
      await expect(unaryCall(admin, VERSION, new Uint8Array())).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    } finally {
      await node.stop();
    }
  });
});
