// The API listener: one grpc-js server bound to the node's address, replaced by a new one
// (same port, new TLS identity and authentication) when the node moves between maintenance
// and configured mode. In-flight calls get a grace period before the old server is forced down.
import type * as grpc from "@grpc/grpc-js";
import { type ApiServerOptions, type Authenticator, createApiServer, type Handler } from "./server.js";
import { serverCredentials, type TlsIdentity } from "./tls.js";

export interface ListenerSetup {
  readonly identity: TlsIdentity;
  readonly authenticate: Authenticator;
  readonly authorize?: (path: string, roles: readonly string[]) => void;
  readonly route?: ApiServerOptions["route"];
  readonly forwarder?: ApiServerOptions["forwarder"];
}

export class ApiListener {
  private server: grpc.Server | undefined;
  private boundPort: number;
  private current: ListenerSetup | undefined;

  constructor(
    private readonly host: string,
    port: number,
    private readonly handlers: ReadonlyMap<string, Handler>,
  ) {
    this.boundPort = port;
  }

  get port(): number {
    return this.boundPort;
  }

  get identity(): TlsIdentity | undefined {
    return this.current?.identity;
  }

  /** host:port as clients dial it (IPv6 hosts in brackets). */
  get address(): string {
    return `${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.boundPort}`;
  }

  /** Binds a server with this setup (the first time, or after stop()). */
  async start(setup: ListenerSetup): Promise<void> {
    const server = createApiServer({
      handlers: this.handlers,
      authenticate: setup.authenticate,
      ...(setup.authorize ? { authorize: setup.authorize } : {}),
      ...(setup.route ? { route: setup.route } : {}),
      ...(setup.forwarder ? { forwarder: setup.forwarder } : {}),
    });
    const target = `${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.boundPort}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(target, serverCredentials(setup.identity), (err, port) => {
        if (err) reject(err);
        else resolve(port);
      });
    });
    this.server = server;
    this.current = setup;
  }

  /**
   * Stops the server: no new connections, in-flight calls may finish within `graceMs` real
   * milliseconds, then the rest are cut.
   */
  async stop(graceMs: number): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  /** Replaces the running server with one for `setup`, on the same port. */
  async restart(setup: ListenerSetup, graceMs: number): Promise<void> {
    const old = this.server;
    this.server = undefined;
    if (!old) {
      await this.start(setup);
      return;
    }
    // tryShutdown closes the listening socket at once; open calls keep their grace period.
    const stopped = new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        old.forceShutdown();
        resolve();
      }, graceMs);
      old.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    try {
      await this.start(setup);
    } catch {
      // The port was not free yet: wait for the old server to be gone, then bind again.
      await stopped;
      await this.start(setup);
    }
  }
}
