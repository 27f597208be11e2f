// The forwarder between two real grpc-js servers over loopback mTLS: a front server whose
// methods are all routed away, and a backend that echoes. Bytes, metadata, trailers, status
// and cancellation must pass both ways in every call kind.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HostnameResponseSchema, HostnameSchema } from "../../gen/machine/machine_pb.js";
import { createCertificateAuthority, issueServerCertificate, toTlsKeyPem } from "../../pki/index.js";
import { createForwarder, dialFailure, tagUnaryReply, unaryErrorEntry } from "./forward.js";
import { PeerPool, peerIdentity } from "./peer-pool.js";
import type { Forwarder } from "./server.js";

const raw = (b: Buffer): Buffer => b;
const ONE = { kind: "one", target: "backend" } as const;

interface Seen {
  metadata: grpc.Metadata[];
  cancelled: string[];
}

function method(
  path: string,
  requestStream: boolean,
  responseStream: boolean,
): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  };
}

const DEFINITION = {
  Unary: method("/test.Echo/Unary", false, false),
  Fail: method("/test.Echo/Fail", false, false),
  ServerStream: method("/test.Echo/ServerStream", false, true),
  Hang: method("/test.Echo/Hang", false, true),
  ClientStream: method("/test.Echo/ClientStream", true, false),
  Bidi: method("/test.Echo/Bidi", true, true),
} as grpc.ServiceDefinition;

function backendImplementation(seen: Seen): grpc.UntypedServiceImplementation {
  return {
    Unary: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      seen.metadata.push(call.metadata);
      const header = new grpc.Metadata();
      header.set("x-backend-header", "h");
      call.sendMetadata(header);
      const trailer = new grpc.Metadata();
      trailer.set("x-backend-trailer", "t");
      cb(null, Buffer.from([...call.request].reverse()), trailer);
    },
    Fail: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const trailer = new grpc.Metadata();
      trailer.set("x-why", "because");
      cb({ code: grpc.status.FAILED_PRECONDITION, details: "nope", metadata: trailer });
    },
    ServerStream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      for (let i = 0; i < 50; i++) call.write(Buffer.concat([call.request, Buffer.from([i])]));
      call.end();
    },
    Hang: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      call.write(Buffer.from("first"));
      call.on("cancelled", () => seen.cancelled.push("Hang"));
    },
    ClientStream: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const parts: Buffer[] = [];
      call.on("data", (b: Buffer) => parts.push(b));
      call.on("end", () => cb(null, Buffer.concat(parts)));
    },
    Bidi: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on("data", (b: Buffer) => call.write(Buffer.concat([Buffer.from("echo:"), b])));
      call.on("end", () => call.end());
    },
  };
}

function frontImplementation(forwarder: Forwarder): grpc.UntypedServiceImplementation {
  const roles = ["os:reader"];
  const unary =
    (path: string) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      forwarder.unary(call, cb, path, ONE, roles);
  const serverStream = (path: string) => (call: grpc.ServerWritableStream<Buffer, Buffer>) =>
    forwarder.serverStream(call, path, ONE, roles);
  return {
    Unary: unary("/test.Echo/Unary"),
    Fail: unary("/test.Echo/Fail"),
    ServerStream: serverStream("/test.Echo/ServerStream"),
    Hang: serverStream("/test.Echo/Hang"),
    ClientStream: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      forwarder.clientStream(call, cb, "/test.Echo/ClientStream", ONE, roles),
    Bidi: (call: grpc.ServerDuplexStream<Buffer, Buffer>) =>
      forwarder.bidi(call, "/test.Echo/Bidi", ONE, roles),
  };
}

function bind(server: grpc.Server, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", creds, (err, port) => (err ? reject(err) : resolve(port))),
  );
}

describe("forwarding between nodes", () => {
  const seen: Seen = { metadata: [], cancelled: [] };
  const backend = new grpc.Server();
  const front = new grpc.Server();
  let pool: PeerPool;
  let backendPort = 0;
  let closedPort = 0;
  let client: grpc.Client;
  let ca: Awaited<ReturnType<typeof createCertificateAuthority>>;
  let cert: Awaited<ReturnType<typeof issueServerCertificate>>;

  beforeAll(async () => {
    const now = new Date(Date.now() - 60_000);
    ca = await createCertificateAuthority({ organization: "talos", now });
    cert = await issueServerCertificate({
      ca,
      ips: ["127.0.0.1"],
      dnsNames: [],
      ttlMs: 3_600_000,
      now,
    });
    backend.addService(DEFINITION, backendImplementation(seen));
    backendPort = await bind(
      backend,
      grpc.ServerCredentials.createSsl(
        Buffer.from(ca.crt),
        [{ cert_chain: Buffer.from(cert.crt), private_key: Buffer.from(toTlsKeyPem(cert.key)) }],
        true,
      ),
    );
    // A port with nothing behind it.
    const spare = new grpc.Server();
    closedPort = await bind(spare, grpc.ServerCredentials.createInsecure());
    spare.forceShutdown();
    pool = new PeerPool(await peerIdentity(ca, [], now));
    const forwarder = createForwarder({
      pool: async () => pool,
      authority: (target) => `127.0.0.1:${target === "backend" ? backendPort : closedPort}`,
      dialTimeoutMs: () => 5_000,
    });
    front.addService(DEFINITION, frontImplementation(forwarder));
    const frontPort = await bind(front, grpc.ServerCredentials.createInsecure());
    client = new grpc.Client(`127.0.0.1:${frontPort}`, grpc.credentials.createInsecure());
  });

  afterAll(() => {
    client?.close();
    pool?.close();
    front.forceShutdown();
    backend.forceShutdown();
  });

  it("passes a unary call's bytes, metadata and trailers, adding proxyfrom and the caller's roles", async () => {
    const md = new grpc.Metadata();
    md.set("x-caller", "c");
    md.set("node", "backend");
    let header: grpc.Metadata | undefined;
    let trailer: grpc.Metadata | undefined;
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const call = client.makeUnaryRequest(
        "/test.Echo/Unary",
        raw,
        raw,
        Buffer.from([1, 2, 3]),
        md,
        (err, v) => (err ? reject(err) : resolve(v!)),
      );
      call.on("metadata", (m) => {
        header = m;
      });
      call.on("status", (s) => {
        trailer = s.metadata;
      });
    });
    expect([...reply]).toEqual([3, 2, 1]);
    const got = seen.metadata.at(-1)!;
    expect(got.get("x-caller")).toEqual(["c"]);
    expect(got.get("node")).toEqual([]);
    expect(got.get("talos-role")).toEqual(["os:reader"]);
    expect(got.get("proxyfrom")[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    await new Promise((r) => setImmediate(r));
    expect(header?.get("x-backend-header")).toEqual(["h"]);
    expect(trailer?.get("x-backend-trailer")).toEqual(["t"]);
  });

  it("passes a failure's code, details and trailers", async () => {
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      client.makeUnaryRequest("/test.Echo/Fail", raw, raw, Buffer.alloc(0), (e) => resolve(e!));
    });
    expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(err.details).toBe("nope");
    expect(err.metadata.get("x-why")).toEqual(["because"]);
  });

  it("passes every message of a server stream", async () => {
    const call = client.makeServerStreamRequest("/test.Echo/ServerStream", raw, raw, Buffer.from("m"));
    const got: string[] = [];
    for await (const b of call as AsyncIterable<Buffer>) got.push(b.toString("hex"));
    expect(got).toHaveLength(50);
    expect(got[49]).toBe(Buffer.from([0x6d, 49]).toString("hex"));
  });

  it("passes a client stream and a bidirectional stream", async () => {
    const sum = await new Promise<Buffer>((resolve, reject) => {
      const call = client.makeClientStreamRequest("/test.Echo/ClientStream", raw, raw, (err, v) =>
        err ? reject(err) : resolve(v!),
      );
      for (const part of ["a", "b", "c"]) call.write(Buffer.from(part));
      call.end();
    });
    expect(sum.toString()).toBe("abc");

    const bidi = client.makeBidiStreamRequest("/test.Echo/Bidi", raw, raw);
    const echoes: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      bidi.on("data", (b: Buffer) => echoes.push(b.toString()));
      bidi.on("end", resolve);
      bidi.on("error", reject);
    });
    bidi.write(Buffer.from("x"));
    bidi.write(Buffer.from("y"));
    bidi.end();
    await done;
    expect(echoes).toEqual(["echo:x", "echo:y"]);
  });

  it("cancels the backend's call when the caller cancels", async () => {
    const call = client.makeServerStreamRequest("/test.Echo/Hang", raw, raw, Buffer.alloc(0));
    const failed = new Promise<grpc.ServiceError>((resolve) => call.on("error", resolve));
    await new Promise<void>((resolve) => call.once("data", () => resolve()));
    call.cancel();
    expect((await failed).code).toBe(grpc.status.CANCELLED);
    await vi.waitFor(() => expect(seen.cancelled, "the backend's Hang call cancelled").toContain("Hang"), {
      timeout: 10_000,
    });
  });

  /** One unary call through a front node forwarding to `authority` with the pool; its error. */
  async function unaryThroughFront(authority: string): Promise<grpc.ServiceError> {
    const forwarder = createForwarder({
      pool: async () => pool,
      authority: () => authority,
      dialTimeoutMs: () => 5_000,
    });
    const front2 = new grpc.Server();
    front2.addService(DEFINITION, frontImplementation(forwarder));
    const frontPort = await bind(front2, grpc.ServerCredentials.createInsecure());
    const c = new grpc.Client(`127.0.0.1:${frontPort}`, grpc.credentials.createInsecure());
    try {
      return await new Promise<grpc.ServiceError>((resolve) => {
        c.makeUnaryRequest("/test.Echo/Unary", raw, raw, Buffer.alloc(1), (e) => resolve(e!));
      });
    } finally {
      c.close();
      front2.forceShutdown();
    }
  }

  it("refuses a target whose certificate does not name the address dialled", async () => {
    // The same backend certificate (for 127.0.0.1), served at 127.0.0.3.
    const impostor = new grpc.Server();
    impostor.addService(DEFINITION, backendImplementation({ metadata: [], cancelled: [] }));
    const port = await new Promise<number>((resolve, reject) =>
      impostor.bindAsync(
        "127.0.0.3:0",
        grpc.ServerCredentials.createSsl(
          Buffer.from(ca.crt),
          [{ cert_chain: Buffer.from(cert.crt), private_key: Buffer.from(toTlsKeyPem(cert.key)) }],
          true,
        ),
        (err, p) => (err ? reject(err) : resolve(p)),
      ),
    );
    try {
      const err = await unaryThroughFront(`127.0.0.3:${port}`);
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
      expect(err.details).toMatch(
        /^connection error: desc = "transport: authentication handshake failed: .*127\.0\.0\.3/,
      );
    } finally {
      impostor.forceShutdown();
    }
  });

  it("refuses a target whose certificate another CA issued", async () => {
    const now = new Date();
    const other = await createCertificateAuthority({ organization: "talos", now });
    const foreign = await issueServerCertificate({
      ca: other,
      ips: ["127.0.0.1"],
      dnsNames: [],
      ttlMs: 3_600_000,
      now,
    });
    const stranger = new grpc.Server();
    stranger.addService(DEFINITION, backendImplementation({ metadata: [], cancelled: [] }));
    const port = await bind(
      stranger,
      grpc.ServerCredentials.createSsl(
        Buffer.from(other.crt),
        [{ cert_chain: Buffer.from(foreign.crt), private_key: Buffer.from(toTlsKeyPem(foreign.key)) }],
        false,
      ),
    );
    try {
      const err = await unaryThroughFront(`127.0.0.1:${port}`);
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
      expect(err.details).toMatch(/^connection error: desc = "transport: authentication handshake failed: /);
    } finally {
      stranger.forceShutdown();
    }
  });

  it("answers Unavailable, in Go's words, when the target does not listen", async () => {
    const forwarder = createForwarder({
      pool: async () => pool,
      authority: () => `127.0.0.1:${closedPort}`,
      dialTimeoutMs: () => 5_000,
    });
    const other = new grpc.Server();
    other.addService(DEFINITION, frontImplementation(forwarder));
    const port = await bind(other, grpc.ServerCredentials.createInsecure());
    const c = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const err = await new Promise<grpc.ServiceError>((resolve) => {
        c.makeUnaryRequest("/test.Echo/Unary", raw, raw, Buffer.alloc(1), (e) => resolve(e!));
      });
      expect(err.code).toBe(grpc.status.UNAVAILABLE);
      expect(err.details).toBe(
        `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:${closedPort}: connect: connection refused"`,
      );
    } finally {
      c.close();
      other.forceShutdown();
    }
  });

  it("dials afresh after a failed dial, so a target that came up answers the next call at once", async () => {
    const spare = new grpc.Server();
    const port = await bind(spare, grpc.ServerCredentials.createInsecure());
    spare.forceShutdown();
    const forwarder = createForwarder({
      pool: async () => pool,
      authority: () => `127.0.0.1:${port}`,
      dialTimeoutMs: () => 5_000,
    });
    const other = new grpc.Server();
    other.addService(DEFINITION, frontImplementation(forwarder));
    const frontPort = await bind(other, grpc.ServerCredentials.createInsecure());
    const c = new grpc.Client(`127.0.0.1:${frontPort}`, grpc.credentials.createInsecure());
    const late = new grpc.Server();
    const call = () =>
      new Promise<grpc.ServiceError | null>((resolve) => {
        c.makeUnaryRequest("/test.Echo/Unary", raw, raw, Buffer.from([1]), (e) => resolve(e));
      });
    try {
      expect((await call())?.code).toBe(grpc.status.UNAVAILABLE);
      // The target starts listening: grpc-js alone would keep failing until its backoff ends.
      late.addService(DEFINITION, backendImplementation({ metadata: [], cancelled: [] }));
      await new Promise<void>((resolve, reject) =>
        late.bindAsync(
          `127.0.0.1:${port}`,
          grpc.ServerCredentials.createSsl(
            Buffer.from(ca.crt),
            [{ cert_chain: Buffer.from(cert.crt), private_key: Buffer.from(toTlsKeyPem(cert.key)) }],
            true,
          ),
          (err) => (err ? reject(err) : resolve()),
        ),
      );
      expect(await call()).toBeNull();
    } finally {
      c.close();
      other.forceShutdown();
      late.forceShutdown();
    }
  });
});

describe("one-to-many replies", () => {
  it("tags each reply's message with the target, and a failure with its error", () => {
    const reply = Buffer.from(
      toBinary(
        HostnameResponseSchema,
        create(HostnameResponseSchema, { messages: [create(HostnameSchema, { hostname: "h1" })] }),
      ),
    );
    const tagged = tagUnaryReply(reply, "10.5.0.3");
    const failed = unaryErrorEntry("10.5.0.4", { code: grpc.status.UNAVAILABLE, details: "down" });
    const merged = fromBinary(HostnameResponseSchema, Buffer.concat([tagged!, failed]));
    expect(merged.messages).toHaveLength(2);
    expect(merged.messages[0]).toMatchObject({
      hostname: "h1",
      metadata: { hostname: "10.5.0.3", error: "" },
    });
    expect(merged.messages[1]?.metadata).toMatchObject({
      hostname: "10.5.0.4",
      error: "rpc error: code = Unavailable desc = down",
      status: { code: grpc.status.UNAVAILABLE, message: "down" },
    });
    // Anything but exactly one `messages` entry is not a reply that can be tagged.
    const two = Buffer.concat([reply, reply]);
    expect(tagUnaryReply(two, "x")).toBeUndefined();
    expect(tagUnaryReply(Buffer.alloc(0), "x")).toBeUndefined();
  });

  it("words dial failures as a Go proxy does", () => {
    expect(
      dialFailure(
        "No connection established. Last error: connect ECONNREFUSED 10.0.0.1:50000 (2026-12-06T21:00:00.000Z)",
        "10.0.0.1:50000",
      ),
    ).toBe(
      'connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.1:50000: connect: connection refused"',
    );
    expect(
      dialFailure(
        "No connection established. Last error: Error: self-signed certificate (2026-12-06T21:00:00.000Z)",
        "a:1",
      ),
    ).toBe('connection error: desc = "transport: authentication handshake failed: self-signed certificate"');
    expect(dialFailure("something else", "a:1")).toBe("something else");
  });
});
