// Routing through an endpoint, as apid routes (siderolabs/talos:
// internal/app/apid/pkg/director/director.go): a configured control-plane node forwards calls whose
// `node` metadata names another node, with its own client certificate, and aggregates `nodes`
// (one-to-many). Real talos-node processes over loopback mTLS; a plain grpc-js client and the CLI.
import fs from "node:fs";
import path from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataSchema } from "../src/gen/common/common_pb.js";
import { ListRequestSchema } from "../src/gen/cosi/resource/state_pb.js";
import {
  DmesgRequestSchema,
  HostnameResponseSchema,
  ServiceRestartRequestSchema,
} from "../src/gen/machine/machine_pb.js";
import { isolatedEnv, type RunResult, runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";
import { talosconfigFor } from "./helpers/cluster.js";
import { type EmulatedNodes, startEmulated } from "./helpers/emulate.js";
import {
  eventually,
  makeCluster,
  mtlsClient,
  streamCall,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";

const HOSTNAME = "/machine.MachineService/Hostname";

function md(entries: Record<string, string>): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) m.set(k, v);
  return m;
}

describe("routing through an endpoint", () => {
  let cluster: TestCluster;
  let nodes: EmulatedNodes;
  let stranger: EmulatedNodes;
  let endpoint: string;
  let admin: grpc.Client;
  let reader: grpc.Client;
  /** An address in the nodes' network where nothing listens. */
  let vacant: string;
  const hostnames = new Map<string, string>();
  let talosctl: (args: string[]) => Promise<RunResult>;
  let talosconfigPath: string;

  beforeAll(async () => {
    cluster = await makeCluster("routing");
    const other = await makeCluster("elsewhere");
    [nodes, stranger] = await Promise.all([
      startEmulated({ count: 3, seed: () => cluster.controlplane, args: ["--time-scale", "20"] }),
      startEmulated({ count: 1, seed: () => other.controlplane }),
    ]);
    endpoint = nodes.addresses[0]!;
    vacant = endpoint.replace(/\.\d+$/, ".250");
    admin = mtlsClient(`${endpoint}:${nodes.port}`, cluster.osCa.crt, cluster.admin);
    reader = mtlsClient(`${endpoint}:${nodes.port}`, cluster.osCa.crt, cluster.reader);
    for (const address of nodes.addresses) {
      const direct = mtlsClient(`${address}:${nodes.port}`, cluster.osCa.crt, cluster.admin);
      const reply = fromBinary(HostnameResponseSchema, await unaryCall(direct, HOSTNAME, new Uint8Array()));
      hostnames.set(address, reply.messages[0]!.hostname);
      direct.close();
    }
    const dir = tempDir("talos-routing-");
    const home = tempDir("talos-routing-home-");
    const talosconfig = path.join(dir, "talosconfig");
    fs.writeFileSync(talosconfig, talosconfigFor(cluster, [endpoint], [endpoint]), { mode: 0o600 });
    talosconfigPath = talosconfig;
    talosctl = (args) =>
      runInProcess(args, { cwd: dir, home, env: { HOME: home, TALOSCONFIG: talosconfig } });
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    reader?.close();
    await Promise.all([nodes?.stop(), stranger?.stop()]);
  });

  it("forwards a unary call to the node named by `node` and serves one naming itself", async () => {
    expect(new Set(hostnames.values()).size).toBe(3);
    for (const address of nodes.addresses) {
      const reply = fromBinary(
        HostnameResponseSchema,
        await unaryCall(admin, HOSTNAME, new Uint8Array(), { metadata: md({ node: address }) }),
      );
      expect(reply.messages[0]?.hostname).toBe(hostnames.get(address));
      // One-to-one replies pass through untouched.
      expect(reply.messages[0]?.metadata).toBeUndefined();
    }
  });

  it("forwards a server stream", async () => {
    const target = nodes.addresses[2]!;
    const request = toBinary(
      ListRequestSchema,
      create(ListRequestSchema, { namespace: "network", type: "HostnameStatuses.net.talos.dev" }),
    );
    const stream = streamCall(admin, "/cosi.resource.State/List", request, {
      metadata: md({ node: target }),
    });
    const messages = await stream.done;
    const text = Buffer.concat(messages).toString("latin1");
    expect(text).toContain(hostnames.get(target));
    expect(text).not.toContain(hostnames.get(endpoint));
  });

  it("lets the target judge the caller's roles, not the forwarding node's", async () => {
    const request = toBinary(
      ServiceRestartRequestSchema,
      create(ServiceRestartRequestSchema, { id: "kubelet" }),
    );
    await expect(
      unaryCall(reader, "/machine.MachineService/ServiceRestart", request, {
        metadata: md({ node: nodes.addresses[1]! }),
      }),
    ).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: "not authorized" });
    const read = fromBinary(
      HostnameResponseSchema,
      await unaryCall(reader, HOSTNAME, new Uint8Array(), { metadata: md({ node: nodes.addresses[1]! }) }),
    );
    expect(read.messages[0]?.hostname).toBe(hostnames.get(nodes.addresses[1]!));
  });

  it("answers Talos's errors for a node that is not reachable or not a member", async () => {
    await expect(
      unaryCall(admin, HOSTNAME, new Uint8Array(), { metadata: md({ node: vacant }) }),
    ).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: `connection error: desc = "transport: Error while dialing: dial tcp ${vacant}:${nodes.port}: connect: connection refused"`,
    });
    // A node of another cluster: its certificate is not from this cluster's OS CA.
    const err = await unaryCall(admin, HOSTNAME, new Uint8Array(), {
      metadata: md({ node: stranger.addresses[0]! }),
    }).catch((e: grpc.ServiceError) => e);
    expect(err).toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect((err as grpc.ServiceError).details).toMatch(
      /^connection error: desc = "transport: authentication handshake failed: /,
    );
    await expect(
      unaryCall(admin, HOSTNAME, new Uint8Array(), { metadata: md({ node: `${vacant}:50000` }) }),
    ).rejects.toMatchObject({ code: grpc.status.INTERNAL, details: `invalid target "${vacant}:50000"` });
  });

  it("aggregates `nodes` with each reply tagged by its target and failures as entries", async () => {
    const targets = [nodes.addresses[1]!, endpoint, vacant];
    const reply = fromBinary(
      HostnameResponseSchema,
      await unaryCall(admin, HOSTNAME, new Uint8Array(), { metadata: md({ nodes: targets.join(",") }) }),
    );
    expect(reply.messages).toHaveLength(3);
    const byTarget = new Map(reply.messages.map((m) => [m.metadata?.hostname, m]));
    expect(byTarget.get(nodes.addresses[1]!)?.hostname).toBe(hostnames.get(nodes.addresses[1]!));
    expect(byTarget.get(endpoint)?.hostname).toBe(hostnames.get(endpoint));
    const failed = byTarget.get(vacant);
    expect(failed?.hostname).toBe("");
    expect(failed?.metadata?.error).toMatch(
      /^rpc error: code = Unavailable desc = connection error: .*connection refused"$/,
    );
    expect(failed?.metadata?.status?.code).toBe(grpc.status.UNAVAILABLE);

    // Streams: every message is tagged; the stream ends when every target's has.
    const dmesg = streamCall(
      admin,
      "/machine.MachineService/Dmesg",
      toBinary(DmesgRequestSchema, create(DmesgRequestSchema, {})),
      { metadata: md({ nodes: [nodes.addresses[1]!, nodes.addresses[2]!, vacant].join(",") }) },
    );
    const messages = (await dmesg.done).map((b) => fromBinary(DataSchema, b));
    const tags = new Set(messages.map((m) => m.metadata?.hostname));
    expect(tags).toEqual(new Set([nodes.addresses[1], nodes.addresses[2], vacant]));
    const errors = messages.filter((m) => m.metadata?.error);
    expect(errors.map((m) => m.metadata?.hostname)).toEqual([vacant]);
    expect(
      messages.filter((m) => m.metadata?.hostname === nodes.addresses[1] && m.bytes.length > 0).length,
    ).toBeGreaterThan(0);
  });

  it("talosctl fans out through the endpoint, one call per node", async () => {
    const r = await talosctl(["version", "-n", nodes.addresses.join(",")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const address of nodes.addresses) expect(r.stdout).toContain(`\tNODE:        ${address}\n`);

    const services = await talosctl(["service", "-n", `${nodes.addresses[1]},${nodes.addresses[2]}`]);
    expect(services.code).toBe(0);
    expect(services.stdout).toMatch(new RegExp(`^${nodes.addresses[1]!.replace(/\./g, "\\.")} +apid `, "m"));
    expect(services.stdout).toMatch(new RegExp(`^${nodes.addresses[2]!.replace(/\./g, "\\.")} +apid `, "m"));

    const hostnameRows = await talosctl(["get", "hostname", "-n", nodes.addresses.join(",")]);
    expect(hostnameRows.code).toBe(0);
    for (const address of nodes.addresses) {
      expect(hostnameRows.stdout).toMatch(
        new RegExp(`^${address.replace(/\./g, "\\.")} .*${hostnames.get(address)}`, "m"),
      );
    }
  });

  it("talosctl fans out to many nodes without warnings (bin, its own process)", async () => {
    const many = Array.from({ length: 40 }, (_, i) => nodes.addresses[i % 3]!);
    const r = await runTalosctl(["version", "--short", "-n", many.join(",")], {
      env: isolatedEnv(tempDir("talos-routing-home-"), { TALOSCONFIG: talosconfigPath }),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/\tNODE: /g)).toHaveLength(40);
  });

  it("talosctl names each failing node, prints the others and exits 1", async () => {
    const r = await talosctl(["version", "-n", `${nodes.addresses[1]},${vacant},${nodes.addresses[2]}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`\tNODE:        ${nodes.addresses[1]}\n`);
    expect(r.stdout).toContain(`\tNODE:        ${nodes.addresses[2]}\n`);
    expect(r.stderr).toBe(
      `error getting version from node ${vacant}: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${vacant}:${nodes.port}: connect: connection refused"\n`,
    );

    // A node that is not a member of this cluster (its certificate is from another OS CA).
    const stray = await talosctl(["version", "-n", `${stranger.addresses[0]},${nodes.addresses[1]}`]);
    expect(stray.code).toBe(1);
    expect(stray.stdout).toContain(`\tNODE:        ${nodes.addresses[1]}\n`);
    expect(stray.stderr).toMatch(
      new RegExp(
        `^error getting version from node ${stranger.addresses[0]!.replace(/\./g, "\\.")}: rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: `,
      ),
    );

    const json = await talosctl(["version", "-o", "json", "-n", `${vacant},${nodes.addresses[1]}`]);
    expect(json.code).toBe(1);
    const objects = json.stdout
      .split(/\n(?=\{)/)
      .map((t) => JSON.parse(t) as Record<string, unknown>)
      .filter((o) => "node" in o);
    expect(objects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ node: nodes.addresses[1], tag: expect.stringMatching(/^v/) }),
        expect.objectContaining({ node: vacant, error: expect.stringContaining("connection refused") }),
      ]),
    );
  });
});

describe("routing with a worker", () => {
  let cluster: TestCluster;
  let nodes: EmulatedNodes;
  let talosctl: (args: string[]) => Promise<RunResult>;

  beforeAll(async () => {
    cluster = await makeCluster("routing-workers");
    nodes = await startEmulated({
      count: 2,
      seed: (_address, i) => (i === 0 ? cluster.controlplane : cluster.worker),
      args: ["--time-scale", "20"],
    });
    const dir = tempDir("talos-routing-");
    const home = tempDir("talos-routing-home-");
    const talosconfig = path.join(dir, "talosconfig");
    fs.writeFileSync(talosconfig, talosconfigFor(cluster, [nodes.addresses[0]!], []), { mode: 0o600 });
    talosctl = (args) =>
      runInProcess(args, { cwd: dir, home, env: { HOME: home, TALOSCONFIG: talosconfig } });
  }, 60_000);

  afterAll(async () => {
    await nodes?.stop();
  });

  it("a control plane forwards to a worker; a worker forwards to no one", async () => {
    const [cp, worker] = nodes.addresses as [string, string];
    // The worker serves a certificate from the control plane's trustd once it has reached it.
    const viaWorker = await eventually(async () => {
      const r = await talosctl(["version", "--short", "-e", worker, "-n", worker]);
      if (r.code !== 0) throw new Error(r.stderr);
      return r;
    }, 30_000);
    expect(viaWorker.stdout).toContain(`\tNODE:        ${worker}\n`);

    const forwarded = await talosctl(["version", "--short", "-e", cp, "-n", `${cp},${worker}`]);
    expect(forwarded.stderr).toBe("");
    expect(forwarded.code).toBe(0);
    expect(forwarded.stdout).toContain(`\tNODE:        ${worker}\n`);

    const refused = await talosctl(["version", "--short", "-e", worker, "-n", cp]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error getting version from node ${cp}: rpc error: code = PermissionDenied desc = no request forwarding\n`,
    );
  }, 60_000);
});
