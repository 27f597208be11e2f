// A session manager wrapper that keeps the CLI alive when a node sends GOAWAY to an idle
// connection (it does so when it reboots or stops). connect-node destroys such a session with
// an error that Node raises only once the socket has closed; if the manager has moved on to a
// new session by then, it has removed its own listeners and the late error would be an
// uncaught exception (connectrpc/connect-es#1768). Calls still fail through their streams.
import type http2 from "node:http2";
import type { GrpcTransportOptions } from "@connectrpc/connect-node";

/** What the gRPC transport needs of a session manager (connect-node does not export the name). */
export type SessionManager = NonNullable<GrpcTransportOptions["sessionManager"]>;

export class GuardedSessions<M extends SessionManager & { abort(): void }> implements SessionManager {
  readonly authority: string;
  private readonly guarded = new WeakSet<http2.Http2Session>();

  constructor(readonly inner: M) {
    this.authority = inner.authority;
  }

  async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await this.inner.request(method, path, headers, options);
    const session = stream.session;
    if (session && !this.guarded.has(session)) {
      this.guarded.add(session);
      session.on("error", () => undefined);
    }
    return stream;
  }

  notifyResponseByteRead(stream: http2.ClientHttp2Stream): void {
    this.inner.notifyResponseByteRead(stream);
  }

  abort(): void {
    this.inner.abort();
  }
}
