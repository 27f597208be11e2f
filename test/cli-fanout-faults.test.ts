// Fan-out through an endpoint when nodes misbehave: a node killed while its stream is open, a
// node that stopped answering (frozen), an endpoint that is down while another is up. Real
// talos-node processes (one emulated node each, so each can be killed or frozen alone).
import fs from "node:fs";
import path from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DmesgRequestSchema } from "../src/gen/machine/machine_pb.js";
import { type RunResult, runInProcess, tempDir } from "./helpers/cli.js";
import { startInProcess, talosconfigFor } from "./helpers/cluster.js";
import { type EmulatedNodes, startEmulated } from "./helpers/emulate.js";
import { makeCluster, mtlsClient, streamCall, type TestCluster } from "./helpers/node.js";

describe("fan-out faults", () => {
  let cluster: TestCluster;
  let endpoint: EmulatedNodes;
  let others: EmulatedNodes;
  let doomed: EmulatedNodes;
  let frozen: EmulatedNodes;
  let dir: string;
  let home: string;
  let env: Record<string, string | undefined>;
  const talosctl = (args: string[]): Promise<RunResult> => runInProcess(args, { cwd: dir, home, env });

  beforeAll(async () => {
    cluster = await makeCluster("faults");
    // --time-scale 20 makes the endpoint's dial timeout (20 s of machine time) its 5 s real floor.
    const seed = () => cluster.controlplane;
    [endpoint, others, doomed, frozen] = await Promise.all([
      startEmulated({ count: 1, seed, args: ["--time-scale", "20"] }),
      startEmulated({ count: 2, seed }),
      startEmulated({ count: 1, seed }),
      startEmulated({ count: 1, seed }),
    ]);
    dir = tempDir("talos-faults-");
    home = tempDir("talos-faults-home-");
    const talosconfig = path.join(dir, "talosconfig");
    fs.writeFileSync(talosconfig, talosconfigFor(cluster, [endpoint.addresses[0]!], []), { mode: 0o600 });
    env = { HOME: home, TALOSCONFIG: talosconfig };
  }, 60_000);

  afterAll(async () => {
    if (frozen?.child.pid) frozen.child.kill("SIGCONT");
    await Promise.all([endpoint?.stop(), others?.stop(), doomed?.kill(), frozen?.stop()]);
  });

  it("a node killed while its stream is open is named; the others keep streaming", async () => {
    const [w1] = others.addresses;
    const victim = doomed.addresses[0]!;
    const run = startInProcess(["dmesg", "-f", "-n", `${w1},${victim}`], { cwd: dir, home, env });
    // Both nodes' kernel logs arrive, each line prefixed with its node.
    await run.waitFor(new RegExp(`^${w1!.replace(/\./g, "\\.")}: `, "m"));
    await run.waitFor(new RegExp(`^${victim.replace(/\./g, "\\.")}: `, "m"));
    // A second follower of the victim's kernel log through the same endpoint sees when the
    // endpoint has lost the victim (both streams ride the endpoint's one connection to it).
    const admin = mtlsClient(`${endpoint.addresses[0]}:${endpoint.port}`, cluster.osCa.crt, cluster.admin);
    const follow = new grpc.Metadata();
    follow.set("node", victim);
    const observer = streamCall(
      admin,
      "/machine.MachineService/Dmesg",
      toBinary(DmesgRequestSchema, create(DmesgRequestSchema, { follow: true })),
      { metadata: follow, timeoutMs: 60_000 },
    );
    await observer.waitFor(1);
    await doomed.kill();
    const lost = await observer.done.then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    admin.close();
    expect(lost?.code).toBe(grpc.status.UNAVAILABLE);
    // One more round trip through the endpoint, then Ctrl+C: the survivor was still streaming.
    expect((await talosctl(["version", "--short", "-n", w1!])).code).toBe(0);
    run.cancel();
    const r = await run.result;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^error from node ${victim.replace(/\./g, "\\.")}: rpc error: code = Unavailable desc = `),
    );
    expect(r.stderr).not.toContain(`node ${w1}:`);
  }, 60_000);

  it("a frozen node fails after the endpoint's dial timeout; the others answer first", async () => {
    const stuck = frozen.addresses[0]!;
    frozen.child.kill("SIGSTOP");
    try {
      const r = await talosctl(["version", "-o", "json", "-n", [stuck, ...others.addresses].join(",")]);
      expect(r.code).toBe(1);
      const objects = r.stdout
        .split(/\n(?=\{)/)
        .map((t) => JSON.parse(t) as { node?: string; error?: string })
        .filter((o) => o.node !== undefined);
      // Completion order: both healthy nodes were printed before the frozen one gave up.
      expect(objects).toHaveLength(3);
      expect(
        objects
          .slice(0, 2)
          .map((o) => o.node)
          .sort(),
      ).toEqual([...others.addresses].sort());
      expect(objects[2]).toEqual({
        node: stuck,
        error: `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${stuck}:${frozen.port}: i/o timeout"`,
      });
      expect(r.stderr).toBe(
        `error getting version from node ${stuck}: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${stuck}:${frozen.port}: i/o timeout"\n`,
      );
    } finally {
      frozen.child.kill("SIGCONT");
    }
  }, 60_000);

  it("fails over to the second endpoint when the first is down, in either order", async () => {
    const up = `${endpoint.addresses[0]}:${endpoint.port}`;
    const down = endpoint.addresses[0]!.replace(/\.\d+$/, ".250");
    for (const endpoints of [`${down},${up}`, `${up},${down}`]) {
      const r = await talosctl(["version", "--short", "-e", endpoints, "-n", others.addresses.join(",")]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      for (const node of others.addresses) expect(r.stdout).toContain(`\tNODE:        ${node}\n`);
    }
    const none = await talosctl(["version", "--short", "-e", down, "-n", others.addresses[0]!]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      `error getting version from node ${others.addresses[0]}: rpc error: code = Unavailable`,
    );
  }, 60_000);
});
