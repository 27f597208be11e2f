// One gRPC connection to apid: HTTP/2 over TLS to one of several endpoints, trying the next
// endpoint when one cannot be reached, with Talos's 32 MiB message limits.
import type http2 from "node:http2";
import net from "node:net";
import type { TLSSocket, ConnectionOptions as TlsConnectOptions } from "node:tls";
import tls from "node:tls";
import type { DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import type { ContextValues, StreamResponse, Transport, UnaryResponse } from "@connectrpc/connect";
import {
  createGrpcTransport,
  type GrpcTransportOptions,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { TalosError } from "../errors.js";
import { CONNECT_TIMEOUT_MS, MAX_MESSAGE_BYTES } from "../wire/index.js";
import { type Endpoint, endpointUrl, formatAuthority } from "./endpoints.js";
import { FingerprintMismatchError, isDialFailure } from "./errors.js";
import { matchesFingerprint, spkiFingerprint } from "./fingerprint.js";
import { GuardedSessions } from "./guarded-sessions.js";
import type { TlsCredentials } from "./tls.js";

/** How long a TCP+TLS handshake may take before the endpoint counts as unreachable. */
export const DIAL_TIMEOUT_MS = CONNECT_TIMEOUT_MS;

export interface ConnectionOptions {
  /** Where to connect; the first call starts at a random one, as talosctl's resolver does. */
  readonly endpoints: readonly Endpoint[];
  readonly tls: TlsCredentials;
  /** Start at a random endpoint (default true); false starts with the first. */
  readonly shuffle?: boolean;
}

export interface Connection {
  /** A transport that fails over between the endpoints. */
  readonly transport: Transport;
  /** Closes every HTTP/2 session (open streams are cancelled). */
  close(): void;
}

/** What the gRPC transport needs of a session manager (connect-node does not export the name). */
type NodeHttp2ClientSessionManager = NonNullable<GrpcTransportOptions["sessionManager"]>;

/** Request metadata as the transport takes it. */
type HeaderInit = Parameters<Transport["unary"]>[3];

/** Idle sessions close after a minute (a CLI run rarely idles that long). */
const SESSION_OPTIONS = { idleConnectionTimeoutMs: 60_000 };

interface Target {
  readonly endpoint: Endpoint;
  readonly sessions: GuardedSessions<Http2SessionManager | PinnedSessions>;
  readonly transport: Transport;
}

export function createConnection(options: ConnectionOptions): Connection {
  if (options.endpoints.length === 0)
    throw new TalosError("internal", "createConnection needs at least one endpoint");
  const targets: Target[] = options.endpoints.map((endpoint) => {
    const pinned = options.tls.insecure === true && (options.tls.fingerprints ?? []).length > 0;
    const sessions = new GuardedSessions(
      pinned
        ? new PinnedSessions(endpoint, options.tls)
        : new Http2SessionManager(endpointUrl(endpoint), SESSION_OPTIONS, {
            createConnection: () => dialTls(endpoint, options.tls),
          }),
    );
    const transport = createGrpcTransport({
      baseUrl: endpointUrl(endpoint),
      sessionManager: sessions,
      readMaxBytes: MAX_MESSAGE_BYTES,
      writeMaxBytes: MAX_MESSAGE_BYTES,
    });
    return { endpoint, sessions, transport };
  });
  // Spread clients over the endpoints; later calls stick to the one that answered.
  let preferred = options.shuffle === false ? 0 : Math.floor(Math.random() * targets.length);

  /** Runs `attempt` against each endpoint in turn, starting with the one that worked last. */
  async function withFailover<R>(
    attempt: (t: Target) => Promise<R>,
    signal: AbortSignal | undefined,
  ): Promise<R> {
    let lastError: unknown;
    for (let i = 0; i < targets.length; i++) {
      const index = (preferred + i) % targets.length;
      try {
        const result = await attempt(targets[index]!);
        preferred = index;
        return result;
      } catch (err) {
        lastError = err;
        if (signal?.aborted || !isDialFailure(err)) throw err;
      }
    }
    throw lastError;
  }

  const transport: Transport = {
    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeaderInit,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      return withFailover(
        (t) => t.transport.unary(method, signal, timeoutMs, header, input, contextValues),
        signal,
      );
    },
    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeaderInit,
      input: AsyncIterable<MessageInitShape<I>>,
      contextValues?: ContextValues,
    ): Promise<StreamResponse<I, O>> {
      if (method.methodKind !== "server_streaming" || targets.length === 1) {
        return targets[preferred]!.transport.stream(method, signal, timeoutMs, header, input, contextValues);
      }
      // A server stream has one request message: keep it so that another endpoint can be tried.
      const messages: MessageInitShape<I>[] = [];
      for await (const m of input) messages.push(m);
      return withFailover(
        (t) => t.transport.stream(method, signal, timeoutMs, header, iterate(messages), contextValues),
        signal,
      );
    },
  };

  return {
    transport,
    close() {
      for (const t of targets) t.sessions.abort();
    },
  };
}

async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

/** Whether a host is an IP address; Node's IPv6 test (a large pattern) runs only on a colon. */
function isIpAddress(host: string): boolean {
  return net.isIPv4(host) || (host.includes(":") && net.isIPv6(host));
}

/** Dial options of one endpoint: OpenSSL verifies the chain and the name unless insecure. */
function tlsOptions(endpoint: Endpoint, creds: TlsCredentials): TlsConnectOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    ALPNProtocols: ["h2"],
    rejectUnauthorized: creds.insecure !== true,
    ...(isIpAddress(endpoint.host) ? {} : { servername: endpoint.host }),
    ...(creds.ca !== undefined ? { ca: creds.ca } : {}),
    ...(creds.cert !== undefined ? { cert: creds.cert } : {}),
    ...(creds.key !== undefined ? { key: creds.key } : {}),
  };
}

/** Opens the TLS socket under an HTTP/2 session, giving up after DIAL_TIMEOUT_MS. */
function dialTls(endpoint: Endpoint, creds: TlsCredentials): TLSSocket {
  const socket = tls.connect(tlsOptions(endpoint, creds));
  socket.setTimeout(DIAL_TIMEOUT_MS, () => {
    const err = Object.assign(new Error(`dial ${formatAuthority(endpoint)}: i/o timeout`), {
      code: "ETIMEDOUT",
      address: endpoint.host,
      port: endpoint.port,
    });
    socket.destroy(err);
  });
  socket.once("secureConnect", () => socket.setTimeout(0));
  return socket;
}

/**
 * Sessions to a maintenance node whose certificate is pinned. Node's TLS has no hook to
 * reject a peer during the handshake once verification is off, and HTTP/2 cannot take a
 * socket destroyed under it; so each connection is dialled and its leaf certificate checked
 * first, and only a socket that passed is handed to HTTP/2. No request is ever written to
 * an unverified server.
 */
class PinnedSessions implements NodeHttp2ClientSessionManager {
  readonly authority: string;
  private readonly inner: Http2SessionManager;
  private verified: TLSSocket | undefined;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly creds: TlsCredentials,
  ) {
    this.inner = new Http2SessionManager(endpointUrl(endpoint), SESSION_OPTIONS, {
      createConnection: () => this.take(),
    });
    this.authority = this.inner.authority;
  }

  async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const state = this.inner.state();
    if (state === "closed" || state === "error") await this.probe();
    return this.inner.request(method, path, headers, options);
  }

  notifyResponseByteRead(stream: http2.ClientHttp2Stream): void {
    this.inner.notifyResponseByteRead(stream);
  }

  abort(): void {
    this.inner.abort();
    this.verified?.destroy();
    this.verified = undefined;
  }

  private take(): TLSSocket {
    const socket = this.verified;
    this.verified = undefined;
    if (!socket)
      throw new FingerprintMismatchError("refusing to reconnect without checking the server certificate");
    return socket;
  }

  private probe(): Promise<void> {
    if (this.verified) return Promise.resolve();
    this.probing ??= new Promise<void>((resolve, reject) => {
      const socket = dialTls(this.endpoint, this.creds);
      socket.once("error", reject);
      socket.once("secureConnect", () => {
        socket.off("error", reject);
        const der = socket.getPeerCertificate()?.raw;
        if (der && matchesFingerprint(der, this.creds.fingerprints ?? [])) {
          this.verified = socket;
          resolve();
          return;
        }
        socket.destroy();
        reject(
          new FingerprintMismatchError(
            `server certificate fingerprint ${der ? spkiFingerprint(der) : "(none)"} does not match any of the accepted fingerprints (--cert-fingerprint)`,
          ),
        );
      });
    }).finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }
}
