// Mutual TLS on a configured talos-node: who gets in, with which roles, and where calls go.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  GenerateClientConfigurationRequestSchema,
  GenerateClientConfigurationResponseSchema,
  HostnameResponseSchema,
  VersionResponseSchema,
} from "../src/gen/machine/machine_pb.js";
import {
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
} from "../src/pki/index.js";
import { tempDir } from "./helpers/cli.js";
import {
  type ClientPair,
  makeCluster,
  mtlsClient,
  type StartedNode,
  seedState,
  startNode,
  streamCall,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";

const VERSION = "/machine.MachineService/Version";
const HOUR = 3_600_000;

let cluster: TestCluster;
let node: StartedNode;

beforeAll(async () => {
  cluster = await makeCluster("tls-cluster");
  const stateDir = tempDir("talos-node-tls-");
  seedState(stateDir, cluster.controlplane);
  node = await startNode({ stateDir, args: ["--time-scale", "50", "--hostname", "tls-node"] });
});

afterAll(async () => {
  await node?.stop();
});

function version(client: grpc.Client, metadata?: grpc.Metadata) {
  return unaryCall(client, VERSION, new Uint8Array(), metadata ? { metadata } : {}).then((b) =>
    fromBinary(VersionResponseSchema, b),
  );
}

describe("talos-node mTLS", () => {
  it("serves admin, operator and reader certificates from the OS CA", async () => {
    for (const pair of [cluster.admin, cluster.operator, cluster.reader]) {
      const reply = await version(mtlsClient(node.address, cluster.osCa.crt, pair));
      expect(reply.messages[0]?.features?.rbac).toBe(true);
    }
  });

  it("fails the handshake without a client certificate, with another CA's, or an expired one", async () => {
    const other = await createCertificateAuthority({
      organization: "talos",
      keyKind: "ed25519",
      now: new Date(),
    });
    const foreign = await issueClientCertificate({
      ca: other,
      roles: ["os:admin"],
      ttlMs: HOUR,
      now: new Date(),
    });
    const expired = await issueClientCertificate({
      ca: cluster.osCa,
      roles: ["os:admin"],
      ttlMs: HOUR,
      now: new Date(Date.now() - 10 * HOUR),
    });
    for (const pair of [undefined, foreign, expired] as (ClientPair | undefined)[]) {
      await expect(version(mtlsClient(node.address, cluster.osCa.crt, pair))).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    }
  });

  it("refuses a certificate without the client-auth usage", async () => {
    const serverOnly = await issueServerCertificate({
      ca: cluster.osCa,
      dnsNames: ["intruder"],
      ips: [],
      ttlMs: HOUR,
      now: new Date(Date.now() - 60_000),
    });
    const err = await version(mtlsClient(node.address, cluster.osCa.crt, serverOnly)).catch(
      (e: grpc.ServiceError) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const code = (err as grpc.ServiceError).code;
    expect([grpc.status.UNAVAILABLE, grpc.status.PERMISSION_DENIED]).toContain(code);
    if (code === grpc.status.PERMISSION_DENIED) {
      expect((err as grpc.ServiceError).details).toContain("is missing the client auth extended key usage");
    }
  });

  it("denies readers the streaming secrets APIs", async () => {
    const reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
    for (const method of ["Read", "Kubeconfig", "Copy", "EtcdSnapshot"]) {
      await expect(
        streamCall(reader, `/machine.MachineService/${method}`, new Uint8Array()).done,
      ).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
        details: "not authorized",
      });
    }
  });

  it("answers calls addressed to itself and forwards others (a control plane)", async () => {
    const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
    for (const target of ["127.0.0.1", "tls-node", "localhost"]) {
      const md = new grpc.Metadata();
      md.set("node", target);
      await expect(version(admin, md)).resolves.toBeDefined();
    }
    // Forwarded to 127.0.0.254 on this node's port, where nothing listens.
    const away = new grpc.Metadata();
    away.set("node", "127.0.0.254");
    await expect(version(admin, away)).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.254:${node.port}: connect: connection refused"`,
    });
    const twice = new grpc.Metadata();
    twice.add("node", "127.0.0.1");
    twice.add("node", "127.0.0.1");
    await expect(version(admin, twice)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "node metadata must be single-valued",
    });
  });

  it("reports the hostname given with --hostname", async () => {
    const reply = fromBinary(
      HostnameResponseSchema,
      await unaryCall(
        mtlsClient(node.address, cluster.osCa.crt, cluster.reader),
        "/machine.MachineService/Hostname",
        new Uint8Array(),
      ),
    );
    expect(reply.messages[0]?.hostname).toBe("tls-node");
  });

  it("generates client configurations from the OS CA for admins", async () => {
    const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
    const call = (roles: string[], ttlMs: number) =>
      unaryCall(
        admin,
        "/machine.MachineService/GenerateClientConfiguration",
        toBinary(
          GenerateClientConfigurationRequestSchema,
          create(GenerateClientConfigurationRequestSchema, { roles, crtTtl: durationFromMs(ttlMs) }),
        ),
      ).then((b) => fromBinary(GenerateClientConfigurationResponseSchema, b).messages[0]!);
    const reply = await call(["os:reader"], HOUR);
    expect(Buffer.from(reply.ca).toString()).toBe(cluster.osCa.crt);
    const talosconfig = parse(Buffer.from(reply.talosconfig).toString()) as {
      context: string;
      contexts: Record<string, { endpoints: string[]; crt: string; key: string }>;
    };
    expect(talosconfig.context).toBe("reader@tls-cluster");
    const ctx = talosconfig.contexts["reader@tls-cluster"]!;
    expect(ctx.endpoints).toEqual([]);
    // The issued certificate works, with the role it names.
    const issued = {
      crt: Buffer.from(ctx.crt, "base64").toString(),
      key: Buffer.from(ctx.key, "base64").toString(),
    };
    const asReader = mtlsClient(node.address, cluster.osCa.crt, issued);
    await expect(version(asReader)).resolves.toBeDefined();
    await expect(
      unaryCall(asReader, "/machine.MachineService/Reset", new Uint8Array()),
    ).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });

    await expect(call(["os:admin"], 0)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "crt_ttl should be positive",
    });
    const reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
    await expect(
      unaryCall(reader, "/machine.MachineService/GenerateClientConfiguration", new Uint8Array()),
    ).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
  });

  // The deprecated MachineService.ImagePull (replaced by ImageService.Pull) is not served.
  it("answers methods it does not implement with UNIMPLEMENTED", async () => {
    const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
    await expect(
      unaryCall(admin, "/machine.MachineService/ImagePull", new Uint8Array()),
    ).rejects.toMatchObject({
      code: grpc.status.UNIMPLEMENTED,
    });
  });
});
