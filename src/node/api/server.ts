// The node's gRPC front door: one grpc-js server with every contract method registered with
// raw-bytes codecs, so a call can be served here (decoded, authorised, handled) or, later,
// forwarded to another node without decoding. Methods without a handler answer UNIMPLEMENTED.
import {
  type DescMessage,
  type DescMethod,
  fromBinary,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { errorMessage } from "../../errors.js";
import { MAX_MESSAGE_BYTES } from "../../wire/index.js";
import { StatusError } from "../errors.js";
import type { Caller, SurfaceCall } from "./call.js";
import { isAuthorized, NOT_AUTHORIZED } from "./rbac.js";
import type { Route } from "./routing.js";
import { allMethods, methodPath, SERVICES } from "./services.js";

export type UnaryHandler<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> = (
  request: MessageShape<I>,
  caller: Caller,
) => Promise<MessageShape<O>>;

/**
 * A message already serialised with its schema: one event fanned out to many streams is
 * encoded once, not once per stream.
 */
export class EncodedMessage<T extends DescMessage = DescMessage> {
  constructor(
    readonly schema: T,
    readonly bytes: Uint8Array,
  ) {}
}

export type ServerStreamHandler<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> = (
  request: MessageShape<I>,
  caller: Caller,
  send: (message: MessageShape<O> | EncodedMessage<O>) => Promise<void>,
) => Promise<void>;

export type ClientStreamHandler<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  caller: Caller,
) => Promise<MessageShape<O>>;

export type Handler =
  | { kind: "unary"; handle: UnaryHandler }
  | { kind: "server_streaming"; handle: ServerStreamHandler }
  | { kind: "client_streaming"; handle: ClientStreamHandler };

/** Decides the caller's roles from the connection; throws StatusError to refuse. */
export type Authenticator = (call: SurfaceCall) => readonly string[];

export interface ApiServerOptions {
  /** Handlers by gRPC path (`/machine.MachineService/Version`). */
  handlers: ReadonlyMap<string, Handler>;
  authenticate: Authenticator;
  /** Extra check after RBAC (e.g. reader-only-in-maintenance methods). */
  authorize?: (path: string, roles: readonly string[]) => void;
  /**
   * Routing decision before RBAC (node metadata naming another node): where the call goes,
   * or an StatusError thrown to refuse it. Undefined means here.
   */
  route?: (call: SurfaceCall, path: string) => Route | undefined;
  /** Carries calls routed to other nodes (needed when `route` routes any away). */
  forwarder?: Forwarder;
}

type AwayRoute = Exclude<Route, { kind: "local" }>;

/** Passes calls on to other nodes without decoding them. */
export interface Forwarder {
  unary(
    call: grpc.ServerUnaryCall<Buffer, Buffer>,
    callback: grpc.sendUnaryData<Buffer>,
    path: string,
    route: AwayRoute,
    roles: readonly string[],
  ): void;
  serverStream(
    call: grpc.ServerWritableStream<Buffer, Buffer>,
    path: string,
    route: AwayRoute,
    roles: readonly string[],
  ): void;
  clientStream(
    call: grpc.ServerReadableStream<Buffer, Buffer>,
    callback: grpc.sendUnaryData<Buffer>,
    path: string,
    route: AwayRoute,
    roles: readonly string[],
  ): void;
  bidi(
    call: grpc.ServerDuplexStream<Buffer, Buffer>,
    path: string,
    route: AwayRoute,
    roles: readonly string[],
  ): void;
}

const identity = (b: Buffer): Buffer => b;

export function createApiServer(options: ApiServerOptions): grpc.Server {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  for (const service of SERVICES) {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const path = methodPath(method);
      definition[method.name] = {
        path,
        requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
        responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      };
      implementation[method.name] = bindMethod(method, options);
    }
    server.addService(definition as grpc.ServiceDefinition, implementation);
  }
  return server;
}

function bindMethod(method: DescMethod, options: ApiServerOptions): grpc.UntypedHandleCall {
  const path = methodPath(method);
  const handler = options.handlers.get(path);
  switch (method.methodKind) {
    case "unary":
      return (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const entry = enter(call, path, options);
        if (entry instanceof Error) return callback(toServiceError(entry));
        const forwarder = options.forwarder;
        if (entry.away && forwarder) return forwarder.unary(call, callback, path, entry.away, entry.roles);
        void (async () => {
          const caller = admit(call, path, options, entry.roles);
          if (handler?.kind !== "unary") throw unimplemented(method);
          const request = decode(method.input, call.request);
          const response = await handler.handle(request, caller);
          return Buffer.from(toBinary(method.output, response));
        })().then(
          (reply) => callback(null, reply),
          (err: unknown) => callback(toServiceError(err)),
        );
      };
    case "server_streaming":
      return (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        const entry = enter(call, path, options);
        if (entry instanceof Error) return void call.emit("error", toServiceError(entry));
        const forwarder = options.forwarder;
        if (entry.away && forwarder) return forwarder.serverStream(call, path, entry.away, entry.roles);
        void (async () => {
          const caller = admit(call, path, options, entry.roles);
          if (handler?.kind !== "server_streaming") throw unimplemented(method);
          const request = decode(method.input, call.request);
          await handler.handle(request, caller, (message) => writeMessage(call, caller, method, message));
        })().then(
          () => {
            if (!call.cancelled) call.end();
          },
          (err: unknown) => {
            // grpc-js turns an emitted error into the call's status; destroy() would skip it.
            if (!call.cancelled) call.emit("error", toServiceError(err));
          },
        );
      };
    case "client_streaming":
      return (call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const entry = enter(call, path, options);
        if (entry instanceof Error) return callback(toServiceError(entry));
        const forwarder = options.forwarder;
        if (entry.away && forwarder) {
          return forwarder.clientStream(call, callback, path, entry.away, entry.roles);
        }
        void (async () => {
          const caller = admit(call, path, options, entry.roles);
          if (handler?.kind !== "client_streaming") throw unimplemented(method);
          const requests = decodeStream(method.input, call);
          const response = await handler.handle(requests, caller);
          return Buffer.from(toBinary(method.output, response));
        })().then(
          (reply) => callback(null, reply),
          (err: unknown) => callback(toServiceError(err)),
        );
      };
    default:
      return (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        const entry = enter(call, path, options);
        if (entry instanceof Error) return void call.emit("error", toServiceError(entry));
        const forwarder = options.forwarder;
        if (entry.away && forwarder) return forwarder.bidi(call, path, entry.away, entry.roles);
        call.emit("error", toServiceError(unimplemented(method)));
      };
  }
}

// One reason for every cancelled call: building a DOMException per call is measurable.
const CANCELLED = new StatusError(grpc.status.CANCELLED, "call cancelled");

/** Authenticates a call and decides where it goes; the error that refuses it is returned. */
function enter(
  call: SurfaceCall,
  path: string,
  options: ApiServerOptions,
): { roles: readonly string[]; away: AwayRoute | undefined } | Error {
  try {
    const roles = options.authenticate(call);
    const route = options.route?.(call, path);
    if (route === undefined || route.kind === "local") return { roles, away: undefined };
    if (!options.forwarder) return new StatusError(grpc.status.PERMISSION_DENIED, "no request forwarding");
    return { roles, away: route };
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Authorises a call served here, or throws the StatusError that refuses it. */
function admit(call: SurfaceCall, path: string, options: ApiServerOptions, roles: readonly string[]): Caller {
  if (!isAuthorized(path, roles)) throw new StatusError(grpc.status.PERMISSION_DENIED, NOT_AUTHORIZED);
  options.authorize?.(path, roles);
  // The signal is made on first use: most unary handlers never look at it.
  let controller: AbortController | undefined;
  return {
    roles,
    get peer() {
      return call.getPeer();
    },
    metadata: call.metadata,
    get signal() {
      if (controller === undefined) {
        const made = new AbortController();
        controller = made;
        if (call.cancelled) made.abort(CANCELLED);
        else call.once("cancelled", () => made.abort(CANCELLED));
      }
      return controller.signal;
    },
  };
}

function decode<I extends DescMessage>(schema: I, bytes: Buffer): MessageShape<I> {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new StatusError(grpc.status.INTERNAL, `grpc: error unmarshalling request: ${errorMessage(err)}`);
  }
}

async function* decodeStream<I extends DescMessage>(
  schema: I,
  call: grpc.ServerReadableStream<Buffer, Buffer>,
): AsyncIterable<MessageShape<I>> {
  for await (const chunk of call as AsyncIterable<Buffer>) yield decode(schema, chunk);
}

/** Writes one streamed message, waiting for the transport to drain when its buffer is full. */
function writeMessage(
  call: grpc.ServerWritableStream<Buffer, Buffer>,
  caller: Caller,
  method: DescMethod,
  message: MessageShape<DescMessage> | EncodedMessage,
): Promise<void> {
  if (caller.signal.aborted) return Promise.reject(new StatusError(grpc.status.CANCELLED, "call cancelled"));
  const bytes =
    message instanceof EncodedMessage
      ? Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength)
      : Buffer.from(toBinary(method.output, message));
  if (call.write(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      caller.signal.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = (): void => {
      call.off("drain", onDrain);
      reject(new StatusError(grpc.status.CANCELLED, "call cancelled"));
    };
    call.once("drain", onDrain);
    caller.signal.addEventListener("abort", onAbort, { once: true });
  });
}

function unimplemented(method: DescMethod): StatusError {
  return new StatusError(
    grpc.status.UNIMPLEMENTED,
    `method ${method.parent.typeName}.${method.name} is not implemented by this node`,
  );
}

function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof StatusError) {
    return { code: err.grpcCode, details: err.message, metadata: new grpc.Metadata() };
  }
  const message = errorMessage(err);
  return { code: grpc.status.UNKNOWN, details: message, metadata: new grpc.Metadata() };
}

/** Every method path the server registers. */
export function registeredPaths(): string[] {
  return allMethods().map(methodPath);
}
