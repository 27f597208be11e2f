// The client against the node's real API server core (grpc-js, TLS) on loopback: mTLS,
// routing metadata, error wording, endpoint failover, maintenance pinning.
import net from "node:net";
import tls from "node:tls";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTalosClient } from "../src/client/client.js";
import { RpcError, toRpcError } from "../src/client/errors.js";
import { fanOut, throwIfAnyFailed } from "../src/client/fanout.js";
import { parseFingerprint, spkiFingerprint } from "../src/client/fingerprint.js";
import { maintenanceCredentials, type TlsCredentials } from "../src/client/tls.js";
import { checkServerVersions } from "../src/client/version-check.js";
import { VersionInfoSchema, VersionResponseSchema, VersionSchema } from "../src/gen/machine/machine_pb.js";
import {
  certificateAuthenticator,
  createApiServer,
  type Handler,
  maintenanceAuthenticator,
} from "../src/node/api/index.js";
import {
  type CertAndKeyPem,
  type CertificateAuthority,
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
  toTlsKeyPem,
} from "../src/pki/index.js";

const HOUR = 3_600_000;

let ca: CertificateAuthority;
let admin: CertAndKeyPem;
let reader: CertAndKeyPem;
let serverPair: CertAndKeyPem;
const servers: grpc.Server[] = [];
let securePort: number;
let maintenancePort: number;
let closedPort: number;

/** Version answers with what it saw: the node metadata as the tag, the context as the SHA. */
const handlers = new Map<string, Handler>([
  [
    "/machine.MachineService/Version",
    {
      kind: "unary",
      handle: async (_req, caller) =>
        create(VersionResponseSchema, {
          messages: [
            create(VersionSchema, {
              version: create(VersionInfoSchema, {
                tag: String(caller.metadata.get("node")[0] ?? "v1.13.0"),
                sha: String(caller.metadata.get("context")[0] ?? ""),
              }),
            }),
          ],
        }),
    },
  ],
]);

async function listen(server: grpc.Server, creds: grpc.ServerCredentials): Promise<number> {
  servers.push(server);
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", creds, (err, port) => (err ? reject(err) : resolve(port))),
  );
}

beforeAll(async () => {
  const now = new Date();
  ca = await createCertificateAuthority({ organization: "talos", keyKind: "ed25519", now });
  serverPair = await issueServerCertificate({
    ca,
    dnsNames: ["localhost"],
    ips: ["127.0.0.1"],
    ttlMs: HOUR,
    now,
  });
  admin = await issueClientCertificate({ ca, roles: ["os:admin"], ttlMs: HOUR, now });
  reader = await issueClientCertificate({ ca, roles: ["os:reader"], ttlMs: HOUR, now });
  const keyCert = [
    { cert_chain: Buffer.from(serverPair.crt), private_key: Buffer.from(toTlsKeyPem(serverPair.key)) },
  ];
  securePort = await listen(
    createApiServer({ handlers, authenticate: certificateAuthenticator() }),
    grpc.ServerCredentials.createSsl(Buffer.from(ca.crt), keyCert, true),
  );
  maintenancePort = await listen(
    createApiServer({ handlers, authenticate: maintenanceAuthenticator() }),
    grpc.ServerCredentials.createSsl(null, keyCert, false),
  );
  // A port nobody listens on: bind, note, close.
  closedPort = await refusedPort();
});

afterAll(() => {
  for (const s of servers) s.forceShutdown();
});

function mtls(pair: CertAndKeyPem): TlsCredentials {
  return { ca: ca.crt, cert: pair.crt, key: toTlsKeyPem(pair.key) };
}

describe("TalosClient over mTLS", () => {
  it("sends node and context metadata with each call", async () => {
    const client = createTalosClient({
      endpoints: [`127.0.0.1:${securePort}`],
      tls: mtls(admin),
      cluster: "prod",
    });
    try {
      const a = await client.forNode("10.5.0.2").machine.version({});
      const b = await client.forNode("10.5.0.3").machine.version({});
      expect(a.messages[0]?.version?.tag).toBe("10.5.0.2");
      expect(a.messages[0]?.version?.sha).toBe("prod");
      expect(b.messages[0]?.version?.tag).toBe("10.5.0.3");
    } finally {
      client.close();
    }
  });

  it("prints RBAC denials as talosctl does", async () => {
    const client = createTalosClient({ endpoints: [`127.0.0.1:${securePort}`], tls: mtls(reader) });
    try {
      const err = await client
        .forNode("n1")
        .machine.reboot({})
        .then(
          () => undefined,
          (e: unknown) => toRpcError(e),
        );
      expect(err?.message).toBe("rpc error: code = PermissionDenied desc = not authorized");
    } finally {
      client.close();
    }
  });

  it("fails over to the next endpoint when one is down", async () => {
    const client = createTalosClient({
      endpoints: [`127.0.0.1:${closedPort}`, `127.0.0.1:${securePort}`],
      tls: mtls(admin),
      shuffleEndpoints: false,
    });
    try {
      const reply = await client.forNode("n1").machine.version({});
      expect(reply.messages[0]?.version?.tag).toBe("n1");
    } finally {
      client.close();
    }
  });

  it("names a refused connection clearly", async () => {
    const client = createTalosClient({ endpoints: [`127.0.0.1:${closedPort}`], tls: mtls(admin) });
    try {
      const err = await client
        .forNode("n1")
        .machine.version({})
        .catch((e: unknown) => toRpcError(e));
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).message).toBe(
        `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:${closedPort}: connect: connection refused"`,
      );
      expect((err as RpcError).connectionFailure).toBe(true);
    } finally {
      client.close();
    }
  });

  it("refuses a server whose certificate the CA did not sign", async () => {
    const other = await createCertificateAuthority({
      organization: "other",
      keyKind: "ed25519",
      now: new Date(),
    });
    const client = createTalosClient({
      endpoints: [`127.0.0.1:${securePort}`],
      tls: { ...mtls(admin), ca: other.crt },
    });
    try {
      const err = await client
        .forNode("n1")
        .machine.version({})
        .catch((e: unknown) => toRpcError(e));
      expect((err as RpcError).message).toMatch(
        /^rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: /,
      );
    } finally {
      client.close();
    }
  });

  it("cancels calls when the command's signal fires", async () => {
    const controller = new AbortController();
    const client = createTalosClient({
      endpoints: [`127.0.0.1:${securePort}`],
      tls: mtls(admin),
      signal: controller.signal,
    });
    try {
      controller.abort();
      const err = await client
        .forNode("n1")
        .machine.version({})
        .catch((e: unknown) => toRpcError(e, true));
      expect((err as RpcError).message).toBe("rpc error: code = Canceled desc = context canceled");
    } finally {
      client.close();
    }
  });
});

describe("maintenance (direct) clients", () => {
  function peerFingerprint(): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect(
        { host: "127.0.0.1", port: maintenancePort, rejectUnauthorized: false, ALPNProtocols: ["h2"] },
        () => {
          resolve(spkiFingerprint(socket.getPeerCertificate().raw));
          socket.end();
        },
      );
      socket.on("error", reject);
    });
  }

  it("dials the node itself, without verification or routing metadata", async () => {
    const client = createTalosClient({ endpoints: [], direct: true, tls: maintenanceCredentials() });
    try {
      const reply = await client.forNode(`127.0.0.1:${maintenancePort}`).machine.version({});
      expect(reply.messages[0]?.version?.tag).toBe("v1.13.0");
    } finally {
      client.close();
    }
  });

  it("accepts a pinned fingerprint and refuses a different one", async () => {
    const good = parseFingerprint(await peerFingerprint());
    const bad = parseFingerprint(Buffer.alloc(32, 7).toString("base64"));
    const node = `127.0.0.1:${maintenancePort}`;
    const ok = createTalosClient({ endpoints: [], direct: true, tls: maintenanceCredentials([bad, good]) });
    const refused = createTalosClient({ endpoints: [], direct: true, tls: maintenanceCredentials([bad]) });
    try {
      expect((await ok.forNode(node).machine.version({})).messages).toHaveLength(1);
      const err = await refused
        .forNode(node)
        .machine.version({})
        .catch((e: unknown) => toRpcError(e));
      expect((err as RpcError).message).toContain("does not match any of the accepted fingerprints");
      expect((err as RpcError).message).toContain("connection error");
    } finally {
      ok.close();
      refused.close();
    }
  });
});

describe("fan-out and the version check", () => {
  it("collects per-node failures and reports each node once", async () => {
    const client = createTalosClient({ endpoints: [`127.0.0.1:${securePort}`], tls: mtls(admin) });
    try {
      const seen: string[] = [];
      const results = await fanOut(
        ["a", "b", "c"],
        async (node) => {
          if (node === "b") throw new Error("boom");
          return (await client.forNode(node).machine.version({})).messages[0]?.version?.tag;
        },
        { onResult: (r) => void seen.push(r.node) },
      );
      expect(seen.sort()).toEqual(["a", "b", "c"]);
      expect(results.filter((r) => r.ok).map((r) => (r.ok ? r.value : ""))).toEqual(
        expect.arrayContaining(["a", "c"]),
      );
      expect(() => throwIfAnyFailed(results)).toThrow(
        "error from node b: rpc error: code = Unknown desc = boom",
      );
    } finally {
      client.close();
    }
  });

  it("warns about older servers and reports unreadable versions per node", async () => {
    const client = createTalosClient({ endpoints: [`127.0.0.1:${securePort}`], tls: mtls(admin) });
    try {
      // The test server answers with the node name as its tag.
      const result = await checkServerVersions(client, ["v1.13.2", "v1.15.0", "not-a-version"], "v1.14.0");
      expect(result.warning).toBe(
        "WARNING: v1.13.2: server version 1.13.2 is older than client version 1.14.0",
      );
      expect([...result.failed.keys()]).toEqual(["not-a-version"]);
      expect(result.failed.get("not-a-version")?.message).toMatch(
        /^not-a-version: error parsing server version/,
      );
    } finally {
      client.close();
    }
  });
});

/**
 * A loopback port nobody listens on. Port 1 when it refuses connections (it cannot be taken by
 * a test's node, unlike a free port released a moment ago); else a port just released.
 */
async function refusedPort(): Promise<number> {
  const refused = await new Promise<boolean>((resolve) => {
    const s = net.connect(1, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
  if (refused) return 1;
  return new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
