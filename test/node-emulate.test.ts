// talos-node --emulate: several nodes in one process, each with its own address, STATE
// directory, certificates and machine, booting into maintenance (or configured from STATE).
import fs from "node:fs";
import path from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostnameResponseSchema, VersionResponseSchema } from "../src/gen/machine/machine_pb.js";
import { runProgram, TALOS_NODE, tempDir } from "./helpers/cli.js";
import { cidrAddresses, type EmulatedNodes, startEmulated } from "./helpers/emulate.js";
import { insecureClient, unaryCall } from "./helpers/node.js";
import { freeLoopbackCidr } from "./helpers/random.js";

describe("talos-node --emulate", () => {
  let nodes: EmulatedNodes;

  beforeAll(async () => {
    nodes = await startEmulated({ count: 3 });
  }, 60_000);

  afterAll(async () => {
    await nodes?.stop();
  });

  it("serves every node on its own address with its own identity and STATE directory", async () => {
    const hostnames = new Set<string>();
    for (const address of nodes.addresses) {
      const client = insecureClient(`${address}:${nodes.port}`);
      try {
        const version = fromBinary(
          VersionResponseSchema,
          await unaryCall(client, "/machine.MachineService/Version", new Uint8Array()),
        );
        expect(version.messages[0]?.version?.tag).toMatch(/^v\d+\.\d+\.\d+/);
        const hostname = fromBinary(
          HostnameResponseSchema,
          await unaryCall(client, "/machine.MachineService/Hostname", new Uint8Array()),
        );
        hostnames.add(hostname.messages[0]!.hostname);
      } finally {
        client.close();
      }
      expect(fs.existsSync(path.join(nodes.stateDir, address))).toBe(true);
    }
    expect(hostnames.size).toBe(3);
    expect(nodes.output()).toContain(
      `talos-node: listening on ${nodes.addresses[2]}:${nodes.port} (maintenance)`,
    );
    // Each node's log line names its address.
    expect(nodes.output()).toContain(`[${nodes.addresses[1]}] `);
  });

  it("stops every node on SIGTERM", async () => {
    const other = await startEmulated({ count: 2 });
    await other.stop();
    expect(await other.exited).toBe(0);
    for (const address of other.addresses) {
      expect(fs.existsSync(path.join(other.stateDir, address, "talos-node.pid"))).toBe(false);
    }
  });
});

/** The processes whose parent is `pid` and whose command line has `needle`. */
function childrenOf(pid: number, needle: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (ppid === pid && cmdline.includes(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(process.platform === "linux")("talos-node --emulate --processes", () => {
  it("serves its nodes from several processes, and a SIGTERM to the first stops them all", async () => {
    const nodes = await startEmulated({ count: 4, args: ["--processes", "2"] });
    try {
      const shards = childrenOf(nodes.child.pid!, "--emulate-shard");
      expect(shards).toHaveLength(1);
      const hostnames = new Set<string>();
      for (const address of nodes.addresses) {
        const client = insecureClient(`${address}:${nodes.port}`);
        try {
          const hostname = fromBinary(
            HostnameResponseSchema,
            await unaryCall(client, "/machine.MachineService/Hostname", new Uint8Array()),
          );
          hostnames.add(hostname.messages[0]!.hostname);
        } finally {
          client.close();
        }
      }
      expect(hostnames.size).toBe(4);
      await nodes.stop();
      expect(await nodes.exited).toBe(0);
      expect(running(shards[0]!)).toBe(false);
    } finally {
      await nodes.stop();
    }
  }, 90_000);

  it("stops the other processes' nodes when the first is killed", async () => {
    const nodes = await startEmulated({ count: 2, args: ["--processes", "2"] });
    const shards = childrenOf(nodes.child.pid!, "--emulate-shard");
    expect(shards).toHaveLength(1);
    await nodes.kill();
    await expect.poll(() => running(shards[0]!), { timeout: 30_000, interval: 100 }).toBe(false);
  }, 90_000);
});

describe("talos-node --emulate errors", () => {
  it("names the address it cannot listen on and leaves no node running", async () => {
    const cidr = await freeLoopbackCidr({ count: 3, ports: [50000] });
    const taken = await startEmulated({ count: 1, cidr, port: 50000 });
    try {
      const stateDir = tempDir("talos-emulate-");
      const r = await runProgram(
        TALOS_NODE,
        ["--state-dir", stateDir, "--emulate", "3", "--cidr", cidr, "--port", "50000"],
        { timeoutMs: 30_000 },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `talos-node: cannot listen on ${cidrAddresses(cidr, 1)[0]}:50000: address already in use`,
      );
    } finally {
      await taken.stop();
    }
  }, 60_000);

  it("rejects bad flags in one line", async () => {
    const r = await runProgram(TALOS_NODE, ["--state-dir", tempDir(), "--emulate", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("talos-node: --emulate needs --cidr, e.g. --cidr 127.0.10.0/24\n");
  });
});
