// Typed wrappers that turn handler functions into the API server's raw method table entries.
import type { DescMethod, MessageShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { type Caller, type EncodedMessage, type Handler, methodPath } from "../api/index.js";
import type { Clock } from "../clock.js";
import { StatusError } from "../errors.js";
import type { ImageCatalog, ImageStore } from "../images/index.js";
import type { Machine } from "../machine/index.js";
import type { BlockStorage } from "../platform/index.js";
import type { Bootloader, Meta } from "../state/index.js";
import { isFellBehind } from "../streams/index.js";

/** What handlers see of the node: the machine of the current boot and node-wide state. */
export interface NodeRuntime {
  /** The current boot (replaced on reboot). */
  readonly machine: Machine;
  readonly clock: Clock;
  /** Set while an ApplyConfiguration call is being processed. */
  applyInProgress: boolean;
  /** Set while an installer runs (LifecycleService.Upgrade, one at a time). */
  installInProgress: boolean;
  /** The boot slots on the system disk. */
  readonly bootloader: Bootloader;
  readonly meta: Meta;
  /** Images pulled into containerd. */
  readonly images: ImageStore;
  /** What the "registry" has. */
  readonly catalog: ImageCatalog;
  /** What the extra disks hold (partitions, LVM, md arrays), kept in STATE. */
  readonly storage: BlockStorage;
}

export type HandlerEntry = readonly [string, Handler];

export function unary<T extends DescMethod>(
  method: T,
  fn: (request: MessageShape<T["input"]>, caller: Caller) => Promise<MessageShape<T["output"]>>,
): HandlerEntry {
  return [methodPath(method), { kind: "unary", handle: fn as unknown } as Handler];
}

export function serverStream<T extends DescMethod>(
  method: T,
  fn: (
    request: MessageShape<T["input"]>,
    caller: Caller,
    send: (message: MessageShape<T["output"]> | EncodedMessage<T["output"]>) => Promise<void>,
  ) => Promise<void>,
): HandlerEntry {
  return [methodPath(method), { kind: "server_streaming", handle: fn as unknown } as Handler];
}

export function clientStream<T extends DescMethod>(
  method: T,
  fn: (
    requests: AsyncIterable<MessageShape<T["input"]>>,
    caller: Caller,
  ) => Promise<MessageShape<T["output"]>>,
): HandlerEntry {
  return [methodPath(method), { kind: "client_streaming", handle: fn as unknown } as Handler];
}

export function failedPrecondition(message: string): StatusError {
  return new StatusError(grpc.status.FAILED_PRECONDITION, message);
}

export function invalidArgument(message: string): StatusError {
  return new StatusError(grpc.status.INVALID_ARGUMENT, message);
}

export function unimplemented(message: string): StatusError {
  return new StatusError(grpc.status.UNIMPLEMENTED, message);
}

export function permissionDenied(message: string): StatusError {
  return new StatusError(grpc.status.PERMISSION_DENIED, message);
}

export function notFound(message: string): StatusError {
  return new StatusError(grpc.status.NOT_FOUND, message);
}

/** An abort signal for a call that also fires when the machine of this boot goes away. */
export function callSignal(caller: Caller, machine: Machine): AbortSignal {
  return AbortSignal.any([caller.signal, machine.signal]);
}

/** Bytes per streamed common.Data message (Talos's chunker reads 1 KiB at a time). */
export const DATA_CHUNK_BYTES = 1024;

/**
 * Runs the body of a server stream while holding `kind` in the machine's live set (so tests
 * can see it released when the call ends, however it ends), and turns a reader that fell
 * behind its ring into an explicit DATA_LOSS status.
 */
export async function liveStream(machine: Machine, kind: string, body: () => Promise<void>): Promise<void> {
  const release = machine.live.hold(kind);
  try {
    await body();
  } catch (err) {
    if (isFellBehind(err)) throw new StatusError(grpc.status.DATA_LOSS, err.message);
    throw err;
  } finally {
    release();
  }
}
