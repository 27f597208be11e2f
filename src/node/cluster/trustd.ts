// The emulated trustd: control planes serve `securityapi.SecurityService/Certificate` (trustd's
// port is the API port + 1), signing a worker's certificate request with
// the OS CA once the worker proves it holds the machine token (metadata `token`). Workers
// ask for their API certificate this way, so that clients verifying the OS CA trust them.
// The two messages are tiny; they are encoded here rather than generated, as the wire
// contract the project generates from does not list the security API.

import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import * as grpc from "@grpc/grpc-js";
import { errorMessage } from "../../errors.js";
import {
  type CertAndKeyPem,
  createCertificateSigningRequest,
  encodePrivateKeyPem,
  generatePrivateKey,
  signCertificateRequest,
  toTlsKeyPem,
} from "../../pki/index.js";

export const CERTIFICATE_METHOD = "/securityapi.SecurityService/Certificate";
/** Lifetime of the certificates trustd signs (Talos renews apid's well before a day). */
const TRUSTD_CERT_TTL_MS = 24 * 3_600_000;
/** How long a worker waits for one trustd answer. */
const REQUEST_TIMEOUT_MS = 3_000;
const raw = (b: Buffer): Buffer => b;

function field(bytes: Uint8Array, number: number): Uint8Array | undefined {
  const reader = new BinaryReader(bytes);
  let found: Uint8Array | undefined;
  while (reader.pos < reader.len) {
    const [n, wireType] = reader.tag();
    if (n === number && wireType === 2) found = reader.bytes();
    else reader.skip(wireType);
  }
  return found;
}

export interface TrustdServerOptions {
  readonly host: string;
  readonly port: number;
  /** The server certificate (the node's API certificate, signed by the OS CA). */
  readonly cert: CertAndKeyPem;
  /** The OS CA (with its key) and the machine token, read at each request. */
  readonly authority: () => { ca: CertAndKeyPem; token: string } | undefined;
  readonly now: () => Date;
  readonly log: (line: string) => void;
}

export interface TrustdServer {
  readonly address: string;
  stop(): Promise<void>;
}

export async function startTrustd(options: TrustdServerOptions): Promise<TrustdServer> {
  const server = new grpc.Server();
  server.register<Buffer, Buffer>(
    CERTIFICATE_METHOD,
    (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      const authority = options.authority();
      const token = call.metadata.get("token")[0];
      if (!authority) {
        callback({ code: grpc.status.UNAVAILABLE, details: "trustd is not ready" });
        return;
      }
      if (typeof token !== "string" || token !== authority.token) {
        callback({ code: grpc.status.UNAUTHENTICATED, details: "invalid token" });
        return;
      }
      const csr = field(call.request, 1);
      if (!csr) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: "csr is empty" });
        return;
      }
      try {
        const crt = signCertificateRequest({
          ca: authority.ca,
          csr: Buffer.from(csr).toString("utf8"),
          now: new Date(options.now().getTime() - 60_000),
          ttlMs: TRUSTD_CERT_TTL_MS,
          serverAuth: true,
        });
        const reply = new BinaryWriter()
          .tag(1, 2)
          .bytes(Buffer.from(authority.ca.crt, "utf8"))
          .tag(2, 2)
          .bytes(Buffer.from(crt, "utf8"))
          .finish();
        options.log(`trustd: issued a certificate for ${call.getPeer()}`);
        callback(null, Buffer.from(reply));
      } catch (err) {
        callback({
          code: grpc.status.INVALID_ARGUMENT,
          details: errorMessage(err),
        });
      }
    },
    raw,
    raw,
    "unary",
  );
  // No client certificate is asked for: its own certificate as CA list spares grpc-js parsing
  // the system's root store into the TLS context (about 0.1 s of CPU per server).
  const creds = grpc.ServerCredentials.createSsl(
    Buffer.from(options.cert.crt),
    [{ cert_chain: Buffer.from(options.cert.crt), private_key: Buffer.from(toTlsKeyPem(options.cert.key)) }],
    false,
  );
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `${host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1_000).unref();
      }),
  };
}

export interface CertificateRequest {
  /** `host:port` of a control plane's trustd. */
  readonly endpoint: string;
  /** The OS CA certificate the trustd server must chain to. */
  readonly caCrt: string;
  readonly token: string;
  readonly hostname: string;
  readonly ips: readonly string[];
  readonly dnsNames: readonly string[];
}

/** A key and the CSR that asks for its certificate, kept across attempts until one succeeds. */
export interface PreparedRequest {
  readonly key: Awaited<ReturnType<typeof generatePrivateKey>>;
  readonly csr: string;
}

/** A fresh key and its certificate signing request for the node's names. */
export async function prepareCertificateRequest(
  request: Pick<CertificateRequest, "hostname" | "ips" | "dnsNames">,
): Promise<PreparedRequest> {
  const key = await generatePrivateKey("ed25519");
  const csr = createCertificateSigningRequest({
    key,
    commonName: request.hostname,
    ips: request.ips,
    dnsNames: request.dnsNames,
  });
  return { key, csr };
}

/**
 * One client per trustd endpoint (and CA) for the whole process, idle after a few seconds
 * unused: every worker a process emulates asks through it, multiplexed on one connection,
 * rather than each opening its own connection and TLS session per attempt.
 */
const clients = new Map<string, grpc.Client>();
const CLIENT_IDLE_MS = 5_000;
const MAX_CLIENTS = 64;

function clientFor(endpoint: string, caCrt: string): grpc.Client {
  const key = `${endpoint}\u0000${caCrt}`;
  let client = clients.get(key);
  if (!client) {
    if (clients.size >= MAX_CLIENTS) {
      for (const c of clients.values()) c.close();
      clients.clear();
    }
    client = new grpc.Client(endpoint, grpc.credentials.createSsl(Buffer.from(caCrt)), {
      "grpc.use_local_subchannel_pool": 1,
      "grpc.client_idle_timeout_ms": CLIENT_IDLE_MS,
    });
    clients.set(key, client);
  }
  return client;
}

/**
 * Asks a trustd for an API server certificate: the CA-signed certificate of `prepared`'s key
 * (a fresh key when none is given).
 */
export async function requestCertificate(
  request: CertificateRequest,
  prepared?: PreparedRequest,
): Promise<CertAndKeyPem> {
  const { key, csr } = prepared ?? (await prepareCertificateRequest(request));
  const client = clientFor(request.endpoint, request.caCrt);
  const metadata = new grpc.Metadata();
  metadata.set("token", request.token);
  const body = new BinaryWriter().tag(1, 2).bytes(Buffer.from(csr, "utf8")).finish();
  const reply = await new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(
      CERTIFICATE_METHOD,
      raw,
      raw,
      Buffer.from(body),
      metadata,
      { deadline: Date.now() + REQUEST_TIMEOUT_MS },
      (err, value) => (err ? reject(err) : resolve(value!)),
    );
  });
  const crt = field(reply, 2);
  if (!crt) throw new Error("trustd answered without a certificate");
  return { crt: Buffer.from(crt).toString("utf8"), key: encodePrivateKeyPem(key) };
}
