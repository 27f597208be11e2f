import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  VersionInfoSchema,
  type VersionResponse,
  VersionResponseSchema,
  VersionSchema,
} from "../../gen/machine/machine_pb.js";
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
  toTlsKeyPem,
} from "../../pki/index.js";
import { MAX_MESSAGE_BYTES } from "../../wire/index.js";
import { certificateAuthenticator } from "./auth.js";
import { createApiServer, type Handler } from "./server.js";

const HOUR = 3_600_000;
const identity = (b: Buffer): Buffer => b;

interface Pair {
  crt: string;
  key: string;
}

let ca: CertificateAuthority;
let server: grpc.Server;
let address: string;
const certs: Record<string, Pair> = {};

function connect(pair: Pair | undefined, trust: string = ca.crt): grpc.Client {
  const creds = pair
    ? grpc.credentials.createSsl(
        Buffer.from(trust),
        Buffer.from(toTlsKeyPem(pair.key)),
        Buffer.from(pair.crt),
      )
    : grpc.credentials.createSsl(Buffer.from(trust));
  return new grpc.Client(address, creds, {
    "grpc.ssl_target_name_override": "127.0.0.1",
    "grpc.max_send_message_length": 64 * 1024 * 1024,
  });
}

function unary(client: grpc.Client, path: string, body: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      identity,
      identity,
      Buffer.from(body),
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (err, value) => (err ? reject(err) : resolve(value!)),
    );
  });
}

function versionCall(client: grpc.Client): Promise<VersionResponse> {
  return unary(client, "/machine.MachineService/Version", new Uint8Array()).then((b) =>
    fromBinary(VersionResponseSchema, b),
  );
}

beforeAll(async () => {
  const now = new Date();
  ca = await createCertificateAuthority({ organization: "talos", keyKind: "ed25519", now });
  const other = await createCertificateAuthority({ organization: "talos", keyKind: "ed25519", now });
  const serverPair = await issueServerCertificate({
    ca,
    dnsNames: ["localhost"],
    ips: ["127.0.0.1"],
    ttlMs: HOUR,
    now,
  });
  certs.admin = await issueClientCertificate({ ca, roles: ["os:admin"], ttlMs: HOUR, now });
  certs.reader = await issueClientCertificate({ ca, roles: ["os:reader"], ttlMs: HOUR, now });
  certs.foreign = await issueClientCertificate({ ca: other, roles: ["os:admin"], ttlMs: HOUR, now });
  certs.serverOnly = await issueServerCertificate({ ca, dnsNames: ["evil"], ips: [], ttlMs: HOUR, now });
  certs.expired = await issueClientCertificate({
    ca,
    roles: ["os:admin"],
    ttlMs: HOUR,
    now: new Date(now.getTime() - 10 * HOUR),
  });

  const handlers = new Map<string, Handler>([
    [
      "/machine.MachineService/Version",
      {
        kind: "unary",
        handle: async () =>
          create(VersionResponseSchema, {
            messages: [create(VersionSchema, { version: create(VersionInfoSchema, { tag: "v1.14.0" }) })],
          }),
      },
    ],
  ]);
  server = createApiServer({ handlers, authenticate: certificateAuthenticator() });
  const creds = grpc.ServerCredentials.createSsl(
    Buffer.from(ca.crt),
    [{ cert_chain: Buffer.from(serverPair.crt), private_key: Buffer.from(toTlsKeyPem(serverPair.key)) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => {
  server?.forceShutdown();
});

describe("node API server", () => {
  it("serves a registered method over mTLS", async () => {
    const reply = await versionCall(connect(certs.admin));
    expect(reply.messages[0]?.version?.tag).toBe("v1.14.0");
  });

  it("lets a reader call Version but not Reboot", async () => {
    const client = connect(certs.reader);
    await expect(versionCall(client)).resolves.toBeDefined();
    await expect(unary(client, "/machine.MachineService/Reboot", new Uint8Array())).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: "not authorized",
    });
  });

  it("answers UNIMPLEMENTED for a contract method without a handler", async () => {
    await expect(
      unary(connect(certs.admin), "/machine.MachineService/Hostname", new Uint8Array()),
    ).rejects.toMatchObject({
      code: grpc.status.UNIMPLEMENTED,
    });
  });

  it("ends a refused server-streaming call with its status", async () => {
    const client = connect(certs.reader);
    const call = client.makeServerStreamRequest(
      "/machine.MachineService/Kubeconfig",
      identity,
      identity,
      Buffer.alloc(0),
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
    );
    const status = await new Promise<grpc.ServiceError>((resolve) => {
      call.on("data", () => undefined);
      call.on("error", resolve);
    });
    expect(status).toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: "not authorized" });
  });

  it("fails an undecodable request and keeps serving", async () => {
    const client = connect(certs.admin);
    const garbage = new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    await expect(unary(client, "/machine.MachineService/Version", garbage)).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
    });
    await expect(versionCall(client)).resolves.toBeDefined();
  });

  it("refuses a request over 32 MiB and keeps serving", async () => {
    const client = connect(certs.admin);
    const big = toBinary(VersionResponseSchema, create(VersionResponseSchema, {}));
    const body = new Uint8Array(MAX_MESSAGE_BYTES + 1024);
    body.set(big);
    await expect(unary(client, "/machine.MachineService/Version", body)).rejects.toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED,
    });
    await expect(versionCall(client)).resolves.toBeDefined();
  });

  it("rejects a certificate without the client-auth usage", async () => {
    await expect(versionCall(connect(certs.serverOnly))).rejects.toBeDefined();
  });

  it("rejects callers without a certificate, from another CA, or expired", async () => {
    for (const pair of [undefined, certs.foreign, certs.expired]) {
      await expect(versionCall(connect(pair))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    }
  });
});
