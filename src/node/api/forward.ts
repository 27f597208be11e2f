// Forwarding calls to other nodes, as apid proxies them (siderolabs/talos:
// internal/app/apid/pkg/director/director.go, siderolabs/grpc-proxy): the bytes of requests and
// replies pass through undecoded, in every call kind (unary, server, client and bidirectional
// streaming), with metadata, trailers, status, deadline and cancellation carried both ways. `nodes`
// metadata (one-to-many, deprecated) gets each target's reply tagged with a common.Metadata naming
// the target, and a failing target becomes an error entry.
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { errorMessage } from "../../errors.js";
import { MetadataSchema } from "../../gen/common/common_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { goStatusString, METADATA } from "../../wire/index.js";
import type { PeerPool } from "./peer-pool.js";
import type { Route } from "./routing.js";
import type { Forwarder } from "./server.js";

export interface ForwardContext {
  /** The pool of connections to other nodes (made on first use). */
  pool(): Promise<PeerPool>;
  /** Where a target (address or name from metadata) is dialled: `host:port`. */
  authority(target: string): string;
  /** Real milliseconds a new connection may take before the target counts as unreachable. */
  dialTimeoutMs(): number;
}

type RoutedAway = Exclude<Route, { kind: "local" }>;

const identity = (b: Buffer): Buffer => b;

/** Headers that belong to one hop, or that the forwarding node sets itself. */
const HOP_HEADERS = new Set([
  METADATA.node,
  METADATA.nodes,
  METADATA.proxyFrom,
  METADATA.role,
  "content-type",
  "te",
  "user-agent",
  "host",
  "accept-encoding",
]);

function copyMetadata(from: grpc.Metadata): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [key, values] of Object.entries(from.toJSON())) {
    if (key.startsWith(":") || key.startsWith("grpc-") || HOP_HEADERS.has(key)) continue;
    for (const v of values) md.add(key, v);
  }
  return md;
}

/** Outgoing metadata: the caller's, minus routing keys, plus `proxyfrom` and the caller's roles. */
function outgoingMetadata(call: ServerCallLike, roles: readonly string[]): grpc.Metadata {
  const md = copyMetadata(call.metadata);
  let host = "";
  try {
    host = call.getHost();
  } catch {
    host = "";
  }
  md.set(METADATA.proxyFrom, host === "" ? "unknown" : host);
  for (const role of roles) md.add(METADATA.role, role);
  return md;
}

type ServerCallLike = Pick<grpc.ServerUnaryCall<Buffer, Buffer>, "metadata" | "getHost" | "getDeadline"> & {
  cancelled: boolean;
  once(event: "cancelled", listener: () => void): unknown;
  sendMetadata(md: grpc.Metadata): void;
};

/** grpc-js's wording of a failed dial, in the words a Go proxy uses. */
export function dialFailure(details: string, authority: string): string {
  if (!details.startsWith("No connection established")) return details;
  if (/ECONNREFUSED/.test(details)) {
    return `connection error: desc = "transport: Error while dialing: dial tcp ${authority}: connect: connection refused"`;
  }
  if (/EHOSTUNREACH|ENETUNREACH/.test(details)) {
    return `connection error: desc = "transport: Error while dialing: dial tcp ${authority}: connect: no route to host"`;
  }
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed/i.test(details)) {
    return `connection error: desc = "transport: Error while dialing: dial tcp: lookup ${authority}: no such host"`;
  }
  const reason = details
    .replace(/^No connection established\. Last error: (Error: )?/, "")
    .replace(/ \(\d{4}-.*\)$/, "");
  if (/certificate|SSL|TLS|handshake|alert/i.test(reason)) {
    return `connection error: desc = "transport: authentication handshake failed: ${reason}"`;
  }
  return `connection error: desc = "transport: ${reason}"`;
}

interface Final {
  readonly code: grpc.status;
  readonly details: string;
  readonly metadata: grpc.Metadata;
}

type ClientCall =
  | grpc.ClientUnaryCall
  | grpc.ClientReadableStream<Buffer>
  | grpc.ClientWritableStream<Buffer>
  | grpc.ClientDuplexStream<Buffer, Buffer>;

/**
 * One outgoing call: links the incoming call's cancellation to it, fails it when a new
 * connection does not come up in time, and reports its final status once.
 */
class Hop {
  private settled = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: grpc.Client,
    private readonly authority: string,
    /** Drops the channel from the pool, so that the next call dials afresh. */
    private readonly forget: () => void,
    private readonly onFinal: (final: Final) => void,
  ) {}

  /** Call after the outgoing call started. */
  watch(out: ClientCall, incoming: ServerCallLike | undefined, dialTimeoutMs: number): void {
    if (incoming) {
      if (incoming.cancelled) out.cancel();
      else incoming.once("cancelled", () => out.cancel());
    }
    out.on("status", (status: grpc.StatusObject) => {
      // A failed dial leaves the channel backing off, failing calls with its last error for
      // up to 15 s; the target may be fine by the next call (a worker that just got its
      // certificate from trustd, a node back from a reboot), so that call dials again.
      if (status.code === grpc.status.UNAVAILABLE && status.details.startsWith("No connection established"))
        this.forget();
      const details =
        status.code === grpc.status.UNAVAILABLE
          ? dialFailure(status.details, this.authority)
          : status.details;
      this.finish({ code: status.code, details, metadata: status.metadata });
    });
    const channel = this.client.getChannel();
    if (channel.getConnectivityState(true) !== grpc.connectivityState.READY) {
      this.timer = setTimeout(() => {
        if (this.settled || channel.getConnectivityState(false) === grpc.connectivityState.READY) return;
        this.finish({
          code: grpc.status.UNAVAILABLE,
          details: `connection error: desc = "transport: Error while dialing: dial tcp ${this.authority}: i/o timeout"`,
          metadata: new grpc.Metadata(),
        });
        out.cancel();
      }, dialTimeoutMs);
    }
  }

  finish(final: Final): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.onFinal(final);
  }
}

function serviceError(final: Final): Partial<grpc.StatusObject> {
  return { code: final.code, details: final.details, metadata: final.metadata };
}

function callOptions(call: ServerCallLike): grpc.CallOptions {
  return { deadline: call.getDeadline() };
}

/** Forwards response headers from the target to the caller, once. */
function relayHeaders(out: ClientCall, call: ServerCallLike): void {
  out.on("metadata", (md: grpc.Metadata) => {
    if (!call.cancelled) call.sendMetadata(copyMetadata(md));
  });
}

/** The common.Metadata bytes wrapped as field 1 (tag 0x0a), to append to a message. */
function metadataField(hostname: string, failure?: { code: number; details: string }): Buffer {
  const metadata = create(MetadataSchema, {
    hostname,
    ...(failure
      ? {
          error: goStatusString(failure.code, failure.details),
          status: create(StatusSchema, { code: failure.code, message: failure.details }),
        }
      : {}),
  });
  return lengthDelimited(1, Buffer.from(toBinary(MetadataSchema, metadata)));
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

function readVarint(buf: Buffer, offset: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < buf.length && i < offset + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  return undefined;
}

/**
 * Appends the target's metadata inside a unary reply: the reply must be exactly one entry of
 * field 1 (`messages`), whose message gets `metadata` (its field 1) appended.
 */
export function tagUnaryReply(reply: Buffer, hostname: string): Buffer | undefined {
  const tag = readVarint(reply, 0);
  if (tag?.[0] !== 0x0a) return undefined;
  const len = readVarint(reply, tag[1]);
  if (!len || len[1] + len[0] !== reply.length) return undefined;
  const inner = reply.subarray(len[1]);
  return lengthDelimited(1, Buffer.concat([inner, metadataField(hostname)]));
}

/** The entry a failing target contributes to a one-to-many unary reply. */
export function unaryErrorEntry(hostname: string, failure: { code: number; details: string }): Buffer {
  return lengthDelimited(1, metadataField(hostname, failure));
}

export function createForwarder(ctx: ForwardContext): Forwarder {
  /** The channel to a target, or the failure to report when there is none. */
  async function channel(target: string): Promise<{ client: grpc.Client; authority: string }> {
    const authority = ctx.authority(target);
    return { client: (await ctx.pool()).client(authority), authority };
  }

  function forgetChannel(client: grpc.Client, authority: string): () => void {
    return () => void ctx.pool().then((pool) => pool.forget(authority, client));
  }

  function failed(err: unknown): Final {
    return {
      code: grpc.status.UNAVAILABLE,
      details: errorMessage(err),
      metadata: new grpc.Metadata(),
    };
  }

  /** One unary call to a target; resolves with its reply or its final non-OK status. */
  function unaryTo(
    target: string,
    path: string,
    request: Buffer,
    call: ServerCallLike,
    roles: readonly string[],
    relay: boolean,
  ): Promise<{ ok: true; reply: Buffer; trailers: grpc.Metadata } | { ok: false; final: Final }> {
    return channel(target).then(
      ({ client, authority }) =>
        new Promise((resolve) => {
          let reply: Buffer | undefined;
          const hop = new Hop(client, authority, forgetChannel(client, authority), (final) => {
            if (final.code === grpc.status.OK && reply !== undefined) {
              resolve({ ok: true, reply, trailers: final.metadata });
            } else
              resolve({
                ok: false,
                final:
                  final.code === grpc.status.OK
                    ? { ...final, code: grpc.status.INTERNAL, details: "no reply" }
                    : final,
              });
          });
          const out = client.makeUnaryRequest(
            path,
            identity,
            identity,
            request,
            outgoingMetadata(call, roles),
            callOptions(call),
            (_err, value) => {
              reply = value;
            },
          );
          if (relay) relayHeaders(out, call);
          hop.watch(out, call, ctx.dialTimeoutMs());
        }),
      (err: unknown) => ({ ok: false as const, final: failed(err) }),
    );
  }

  return {
    unary(call, callback, path, route, roles) {
      if (route.kind === "one") {
        void unaryTo(route.target, path, call.request, call, roles, true).then((r) => {
          if (r.ok) callback(null, r.reply, r.trailers);
          else callback(serviceError(r.final));
        });
        return;
      }
      const entries: Buffer[] = [];
      void Promise.all(
        route.targets.map((target) =>
          unaryTo(target, path, call.request, call, roles, false).then((r) => {
            if (!r.ok) {
              entries.push(unaryErrorEntry(target, r.final));
              return;
            }
            entries.push(
              tagUnaryReply(r.reply, target) ??
                unaryErrorEntry(target, { code: grpc.status.INTERNAL, details: "unexpected message format" }),
            );
          }),
        ),
      ).then(() => callback(null, Buffer.concat(entries)));
    },

    serverStream(call, path, route, roles) {
      const targets = route.kind === "one" ? [route.target] : route.targets;
      const many = route.kind === "many";
      let open = targets.length;
      let ended = false;
      const outs: grpc.ClientReadableStream<Buffer>[] = [];
      const write = (bytes: Buffer): void => {
        if (ended || call.cancelled) return;
        if (!call.write(bytes)) {
          for (const o of outs) o.pause();
          call.once("drain", () => {
            for (const o of outs) o.resume();
          });
        }
      };
      const done = (target: string, final: Final): void => {
        if (ended) return;
        if (!many) {
          ended = true;
          if (call.cancelled) return;
          if (final.code === grpc.status.OK) call.end(final.metadata);
          else call.emit("error", serviceError(final));
          return;
        }
        if (final.code !== grpc.status.OK) write(metadataField(target, final));
        open--;
        if (open === 0) {
          ended = true;
          if (!call.cancelled) call.end();
        }
      };
      for (const target of targets) {
        void channel(target).then(
          ({ client, authority }) => {
            if (ended || call.cancelled) return;
            const out = client.makeServerStreamRequest(
              path,
              identity,
              identity,
              call.request,
              outgoingMetadata(call, roles),
              callOptions(call),
            );
            outs.push(out);
            if (!many) relayHeaders(out, call);
            let status: Final | undefined;
            let finished = false;
            let reported = false;
            const report = (final: Final): void => {
              if (reported) return;
              reported = true;
              done(target, final);
            };
            const hop = new Hop(client, authority, forgetChannel(client, authority), (final) => {
              // A successful stream ends after its last message was relayed.
              status = final;
              if (final.code !== grpc.status.OK || finished) report(final);
            });
            out.on("data", (bytes: Buffer) =>
              write(many ? Buffer.concat([bytes, metadataField(target)]) : bytes),
            );
            out.on("end", () => {
              finished = true;
              if (status) report(status);
            });
            out.on("error", () => undefined);
            hop.watch(out, call, ctx.dialTimeoutMs());
          },
          (err: unknown) => done(target, failed(err)),
        );
      }
    },

    clientStream(call, callback, path, route, roles) {
      const target = oneTarget(route);
      if (target === undefined) {
        callback(manyNotSupported("client"));
        return;
      }
      call.pause();
      void channel(target).then(
        ({ client, authority }) => {
          let reply: Buffer | undefined;
          const hop = new Hop(client, authority, forgetChannel(client, authority), (final) => {
            if (final.code === grpc.status.OK && reply !== undefined) callback(null, reply, final.metadata);
            else callback(serviceError(final));
          });
          const out = client.makeClientStreamRequest(
            path,
            identity,
            identity,
            outgoingMetadata(call, roles),
            callOptions(call),
            (_err, value) => {
              reply = value;
            },
          );
          relayHeaders(out, call);
          out.on("error", () => undefined);
          pipeRequests(call, out);
          hop.watch(out, call, ctx.dialTimeoutMs());
        },
        (err: unknown) => callback(serviceError(failed(err))),
      );
    },

    bidi(call, path, route, roles) {
      const target = oneTarget(route);
      if (target === undefined) {
        call.emit("error", manyNotSupported("bidirectional"));
        return;
      }
      call.pause();
      void channel(target).then(
        ({ client, authority }) => {
          const out = client.makeBidiStreamRequest(
            path,
            identity,
            identity,
            outgoingMetadata(call, roles),
            callOptions(call),
          );
          let status: Final | undefined;
          let finished = false;
          let ended = false;
          const end = (final: Final): void => {
            if (ended || call.cancelled) return;
            ended = true;
            if (final.code === grpc.status.OK) call.end(final.metadata);
            else call.emit("error", serviceError(final));
          };
          const hop = new Hop(client, authority, forgetChannel(client, authority), (final) => {
            status = final;
            if (final.code !== grpc.status.OK || finished) end(final);
          });
          relayHeaders(out, call);
          out.on("data", (bytes: Buffer) => {
            if (!call.write(bytes)) {
              out.pause();
              call.once("drain", () => out.resume());
            }
          });
          out.on("end", () => {
            finished = true;
            if (status) end(status);
          });
          out.on("error", () => undefined);
          pipeRequests(call, out);
          hop.watch(out, call, ctx.dialTimeoutMs());
        },
        (err: unknown) => call.emit("error", serviceError(failed(err))),
      );
    },
  };
}

function oneTarget(route: RoutedAway): string | undefined {
  if (route.kind === "one") return route.target;
  return route.targets.length === 1 ? route.targets[0] : undefined;
}

function manyNotSupported(kind: string): Partial<grpc.StatusObject> {
  return {
    code: grpc.status.UNIMPLEMENTED,
    details: `one-2-many proxying is not supported for ${kind} streaming methods`,
    metadata: new grpc.Metadata(),
  };
}

/** Copies the caller's request messages to the target, with backpressure, then half-closes. */
function pipeRequests(
  from: grpc.ServerReadableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>,
  to: grpc.ClientWritableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>,
): void {
  from.on("data", (bytes: Buffer) => {
    if (!to.write(bytes)) {
      from.pause();
      to.once("drain", () => from.resume());
    }
  });
  from.on("end", () => to.end());
  from.on("error", () => undefined);
  from.resume();
}
