// The Talos API client of talosctl: one connection to the endpoints (or, in maintenance mode,
// one per node), and per-node typed clients whose every call carries the routing metadata
// (`node: <target>`, `context: <cluster>`) and the command's cancellation signal.

import { setMaxListeners } from "node:events";
import type {
  DescMessage,
  DescMethodStreaming,
  DescMethodUnary,
  DescService,
  MessageInitShape,
} from "@bufbuild/protobuf";
import {
  type Client,
  type ContextValues,
  createClient,
  type StreamResponse,
  type Transport,
  type UnaryResponse,
} from "@connectrpc/connect";
import { TalosError } from "../errors.js";
import { State } from "../gen/cosi/resource/state_pb.js";
import { MachineService } from "../gen/machine/machine_pb.js";
import { METADATA } from "../wire/index.js";
import { type Connection, createConnection } from "./connection.js";
import { type Endpoint, parseEndpoint } from "./endpoints.js";
import type { TlsCredentials } from "./tls.js";

export interface TalosClientOptions {
  /**
   * Where the connection goes. Empty with `direct`: each node is dialled itself (maintenance
   * mode, where there is no apid to route through).
   */
  readonly endpoints: readonly string[];
  readonly tls: TlsCredentials;
  /** Dial each node directly and send no routing metadata (`--insecure`). */
  readonly direct?: boolean;
  /** Cluster name for multi-cluster proxies (metadata `context`). */
  readonly cluster?: string;
  /** Extra metadata on every call (e.g. basic auth). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cancels every call (the command's Ctrl+C). */
  readonly signal?: AbortSignal;
  /** Start at a random endpoint (default true), as talosctl's round-robin resolver does. */
  readonly shuffleEndpoints?: boolean;
}

/** The services of one target node. */
export interface NodeClient {
  /** The node exactly as the user named it. */
  readonly node: string;
  readonly machine: Client<typeof MachineService>;
  readonly cosi: Client<typeof State>;
  /** Any other service, with the same routing. */
  service<S extends DescService>(service: S): Client<S>;
}

export interface TalosClient {
  /** The endpoints as given (`config new` writes them into the new talosconfig). */
  readonly endpoints: readonly string[];
  /** True for maintenance-mode clients. */
  readonly direct: boolean;
  readonly signal: AbortSignal;
  forNode(node: string): NodeClient;
  /**
   * The services of whichever endpoint the connection reaches, with no `node` metadata (the
   * endpoint answers itself), as talosctl's random-endpoint client; maintenance-mode clients
   * have no endpoint and throw.
   */
  forEndpoint(): NodeClient;
  /** Closes every connection; the client cannot be used afterwards. */
  close(): void;
}

export function createTalosClient(options: TalosClientOptions): TalosClient {
  const signal = options.signal ?? new AbortController().signal;
  // Every call in flight listens to the command's signal: a fan-out to many nodes is not a leak.
  setMaxListeners(0, signal);
  const direct = options.direct === true;
  const shared: Connection | undefined = direct
    ? undefined
    : createConnection({
        endpoints: options.endpoints.map((e) => parseEndpoint(e)),
        tls: options.tls,
        shuffle: options.shuffleEndpoints ?? true,
      });
  const perNode = new Map<string, Connection>();
  const clients = new Map<string, NodeClient>();

  function connectionFor(node: string): Connection {
    if (shared) return shared;
    let conn = perNode.get(node);
    if (!conn) {
      const endpoint: Endpoint = parseEndpoint(node);
      conn = createConnection({ endpoints: [endpoint], tls: options.tls });
      perNode.set(node, conn);
    }
    return conn;
  }

  return {
    endpoints: [...options.endpoints],
    direct,
    signal,
    forNode(node: string): NodeClient {
      const cached = clients.get(node);
      if (cached) return cached;
      const headers: Record<string, string> = { [METADATA.runtime]: "Talos", ...options.headers };
      if (!direct) headers[METADATA.node] = node;
      if (options.cluster) headers[METADATA.context] = options.cluster;
      const transport = routed(connectionFor(node).transport, headers, signal);
      const client: NodeClient = {
        node,
        machine: createClient(MachineService, transport),
        cosi: createClient(State, transport),
        service: (service) => createClient(service, transport),
      };
      clients.set(node, client);
      return client;
    },
    forEndpoint(): NodeClient {
      if (!shared) throw new TalosError("failed-precondition", "no endpoint to talk to in maintenance mode");
      const headers: Record<string, string> = { [METADATA.runtime]: "Talos", ...options.headers };
      if (options.cluster) headers[METADATA.context] = options.cluster;
      const transport = routed(shared.transport, headers, signal);
      return {
        node: "",
        machine: createClient(MachineService, transport),
        cosi: createClient(State, transport),
        service: (service) => createClient(service, transport),
      };
    },
    close() {
      shared?.close();
      for (const c of perNode.values()) c.close();
      perNode.clear();
      clients.clear();
    },
  };
}

/** Request metadata as the transport takes it. */
type HeaderInit = Parameters<Transport["unary"]>[3];

/** Adds the routing metadata and the command's signal to every call. */
function routed(inner: Transport, headers: Readonly<Record<string, string>>, base: AbortSignal): Transport {
  const merge = (header: HeaderInit): Headers => {
    const h = new Headers(header);
    for (const [k, v] of Object.entries(headers)) if (!h.has(k)) h.set(k, v);
    return h;
  };
  const join = (signal: AbortSignal | undefined): AbortSignal =>
    signal === undefined ? base : AbortSignal.any([base, signal]);
  return {
    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeaderInit,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      return inner.unary(method, join(signal), timeoutMs, merge(header), input, contextValues);
    },
    stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeaderInit,
      input: AsyncIterable<MessageInitShape<I>>,
      contextValues?: ContextValues,
    ): Promise<StreamResponse<I, O>> {
      return inner.stream(method, join(signal), timeoutMs, merge(header), input, contextValues);
    },
  };
}
