// The API listener: one TCP socket bound to the node's address, whose connections are handed
// to a grpc-js server (new TLS identity and authentication when the node moves between
// maintenance and configured mode; in-flight calls on the old server get a grace period
// before it is forced down). The listener owns the accepted sockets, so the node knows its
// clients' connections (netstat) and sees them open and close (packet capture). A new identity
// in the same mode (the OS CA or the accepted CAs changed) is swapped in place, as Talos's apid
// does: new connections get it, open ones keep theirs.
import net from "node:net";
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

/** One client connection to the API, as the node's socket sees it. */
export interface ApiConnection {
  /** `<remote address>:<remote port>`, as grpc-js names a call's peer. */
  readonly peer: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly family: "IPv4" | "IPv6";
  /** When it was accepted (real time). */
  readonly openedAt: Date;
  /** Bytes queued for sending that the kernel has not taken yet. */
  sendQueue(): number;
}

/** Connections opening and closing, for whoever follows them (packet capture). */
export interface ConnectionObserver {
  opened(connection: ApiConnection): void;
  closed(connection: ApiConnection): void;
}

type Injector = ReturnType<grpc.Server["createConnectionInjector"]>;

interface Active {
  readonly server: grpc.Server;
  readonly injector: Injector;
  readonly credentials: ReplaceableCredentials;
  /** The setup of the moment: an identity swapped in place brings its own authentication and routing. */
  setup: ListenerSetup;
}

/** `<address>:<port>` of a peer as grpc-js prints it (no brackets, even for IPv6). */
export function peerKey(address: string, port: number): string {
  return `${address}:${port}`;
}

export class ApiListener {
  private socket: net.Server | undefined;
  private active: Active | undefined;
  private boundPort: number;
  private readonly open = new Map<net.Socket, ApiConnection>();
  private readonly observers = new Set<ConnectionObserver>();

  constructor(
    private readonly host: string,
    port: number,
    private readonly handlers: ReadonlyMap<string, Handler>,
    private readonly serverOptions: Pick<ApiServerOptions, "observer"> = {},
  ) {
    this.boundPort = port;
  }

  get port(): number {
    return this.boundPort;
  }

  get identity(): TlsIdentity | undefined {
    return this.active?.setup.identity;
  }

  /** host:port as clients dial it (IPv6 hosts in brackets). */
  get address(): string {
    return `${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.boundPort}`;
  }

  /** Whether the API accepts connections now. */
  get listening(): boolean {
    return this.socket !== undefined;
  }

  /** The bound address (the listen host, or the unspecified address). */
  get localAddress(): string {
    const a = this.socket?.address();
    return a && typeof a === "object" ? a.address : this.host;
  }

  /** Client connections open now. */
  connections(): ApiConnection[] {
    return [...this.open.values()];
  }

  /** The connection a call's peer names, if it is open. */
  connection(peer: string): ApiConnection | undefined {
    for (const c of this.open.values()) if (c.peer === peer) return c;
    return undefined;
  }

  /** Follows connections opening and closing until the returned function is called. */
  observe(observer: ConnectionObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Binds the socket and serves with this setup (the first time, or after stop()). */
  async start(setup: ListenerSetup): Promise<void> {
    const active = this.serve(setup);
    try {
      await this.bind();
    } catch (err) {
      active.injector.destroy();
      active.server.forceShutdown();
      throw err;
    }
    this.active = active;
  }

  /**
   * Stops: no new connections, in-flight calls may finish within `graceMs` real milliseconds,
   * then the rest are cut.
   */
  async stop(graceMs: number): Promise<void> {
    const active = this.active;
    this.active = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
    if (active) await shutdown(active, graceMs);
    for (const s of this.open.keys()) s.destroy();
  }

  /**
   * Serves new connections with `setup`, on the same socket; the old server finishes its calls
   * within the grace period.
   */
  async restart(setup: ListenerSetup, graceMs: number): Promise<void> {
    const old = this.active;
    if (!old || !this.socket) {
      await this.start(setup);
      return;
    }
    if (old.credentials.mode === setup.identity.mode) {
      old.credentials.replace(setup.identity);
      old.setup = setup;
      return;
    }
    this.active = this.serve(setup);
    await shutdown(old, graceMs);
  }

  private serve(setup: ListenerSetup): Active {
    const credentials = serverCredentials(setup.identity);
    let active: Active | undefined;
    const current = (): ListenerSetup => active?.setup ?? setup;
    const server = createApiServer({
      handlers: this.handlers,
      authenticate: (call) => current().authenticate(call),
      authorize: (path, roles) => current().authorize?.(path, roles),
      route: (call, path) => current().route?.(call, path),
      get forwarder() {
        return current().forwarder;
      },
      ...(this.serverOptions.observer ? { observer: this.serverOptions.observer } : {}),
    });
    const injector = server.createConnectionInjector(credentials);
    active = { server, injector, credentials, setup };
    return active;
  }

  private bind(): Promise<void> {
    if (this.socket) return Promise.resolve();
    const socket = net.createServer({ noDelay: true }, (s) => this.accept(s));
    return new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.listen({ host: this.host, port: this.boundPort }, () => {
        socket.off("error", reject);
        socket.on("error", () => undefined);
        const a = socket.address();
        if (a && typeof a === "object") this.boundPort = a.port;
        this.socket = socket;
        resolve();
      });
    });
  }

  private accept(s: net.Socket): void {
    const active = this.active;
    if (!active || s.remoteAddress === undefined || s.remotePort === undefined) {
      s.destroy();
      return;
    }
    const remoteAddress = s.remoteAddress;
    const remotePort = s.remotePort;
    const connection: ApiConnection = {
      peer: peerKey(remoteAddress, remotePort),
      localAddress: s.localAddress ?? this.host,
      localPort: s.localPort ?? this.boundPort,
      remoteAddress,
      remotePort,
      family: s.remoteFamily === "IPv6" ? "IPv6" : "IPv4",
      openedAt: new Date(),
      sendQueue: () => s.writableLength,
    };
    this.open.set(s, connection);
    for (const o of this.observers) o.opened(connection);
    s.once("close", () => {
      this.open.delete(s);
      for (const o of this.observers) o.closed(connection);
    });
    active.injector.injectConnection(s);
  }
}

/** Ends a server's calls gracefully, forcing them down after `graceMs`. */
function shutdown(active: Active, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      active.server.forceShutdown();
      resolve();
    }, graceMs);
    active.server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
