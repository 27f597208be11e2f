// The API listener: one grpc-js server bound to the node's address, replaced by a new one
// (same port, new TLS identity and authentication) when the node moves between maintenance
// and configured mode; in-flight calls get a grace period before the old server is forced down.
// A new identity in the same mode (the OS CA or the accepted CAs changed) is swapped in place,
// as Talos's apid does: new connections get it, open ones keep theirs.
import type * as grpc from "@grpc/grpc-js";
import { type ApiServerOptions, type Authenticator, createApiServer, type Handler } from "./server.js";
import { type ReplaceableCredentials, serverCredentials, type TlsIdentity } from "./tls.js";

export interface ListenerSetup {
  readonly identity: TlsIdentity;
  readonly authenticate: Authenticator;
  readonly authorize?: (path: string, roles: readonly string[]) => void;
  readonly route?: ApiServerOptions["route"];
  readonly forwarder?: ApiServerOptions["forwarder"];
}

export class ApiListener {
  private server: grpc.Server | undefined;
  private credentials: ReplaceableCredentials | undefined;
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
    // The server reads the setup of the moment, so that an identity swapped in place comes
    // with its own authentication and routing.
    const current = (): ListenerSetup => this.current ?? setup;
    const server = createApiServer({
      handlers: this.handlers,
      authenticate: (call) => current().authenticate(call),
      authorize: (path, roles) => current().authorize?.(path, roles),
      route: (call, path) => current().route?.(call, path),
      get forwarder() {
        return current().forwarder;
      },
    });
    const target = `${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.boundPort}`;
    const credentials = serverCredentials(setup.identity);
    this.current = setup;
    try {
      this.boundPort = await new Promise<number>((resolve, reject) => {
        server.bindAsync(target, credentials, (err, port) => {
          if (err) reject(err);
          else resolve(port);
        });
      });
    } catch (err) {
      this.current = undefined;
      throw err;
    }
    this.server = server;
    this.credentials = credentials;
  }

  /**
   * Stops the server: no new connections, in-flight calls may finish within `graceMs` real
   * milliseconds, then the rest are cut.
   */
  async stop(graceMs: number): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.credentials = undefined;
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
    if (old && this.credentials && this.credentials.mode === setup.identity.mode) {
      this.credentials.replace(setup.identity);
      this.current = setup;
      return;
    }
    this.server = undefined;
    this.credentials = undefined;
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
