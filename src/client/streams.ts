// Server streams read from several nodes at once: one stream per node, messages handed over
// as they arrive (each handler call awaited, so a slow consumer stops the reading and gRPC
// flow control pushes back to the node), per-node failures collected, and the command's own
// cancellation (Ctrl+C) treated as a normal end rather than a failure.

import { toRpcError } from "./errors.js";
import { fanOut, type NodeResult } from "./fanout.js";

/** Anything with a stream's `write`; `once`/`off` when it can tell us it drained. */
export interface WritableLike {
  write(chunk: string | Uint8Array): boolean;
  once?(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Writes a chunk and, when the stream's buffer is full, waits until it drains (or closes,
 * or `signal` aborts), so a command never buffers more than one chunk beyond what the
 * reader of its output has taken.
 */
export async function writeWithBackpressure(
  out: WritableLike,
  chunk: string | Uint8Array,
  signal?: AbortSignal,
): Promise<void> {
  if (out.write(chunk)) return;
  const once = out.once?.bind(out);
  const off = out.off?.bind(out);
  if (!once || !off) return;
  if (signal?.aborted) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      off("drain", done);
      off("close", done);
      off("error", done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    once("drain", done);
    once("close", done);
    once("error", done);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The largest batch a CoalescingWriter gathers before writing. */
export const COALESCE_BYTES = 64 * 1024;

/**
 * Gathers the small chunks of a stream into larger writes: stdout to a pipe or a file is
 * written synchronously, one system call per write, so a stream of thousands of small messages
 * is much cheaper in batches. A batch goes out when it reaches COALESCE_BYTES, and otherwise
 * once the messages at hand are handled (the next turn of the event loop), so a follower still
 * sees each line as soon as it arrives. Backpressure holds: a write waits while the output has
 * not drained the last batch. `flush()` before anything else writes to the same output.
 */
export class CoalescingWriter {
  private parts: Buffer[] = [];
  private size = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly out: WritableLike,
    private readonly signal?: AbortSignal,
    private readonly limit = COALESCE_BYTES,
  ) {}

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.draining) await this.draining;
    const bytes =
      typeof chunk === "string"
        ? Buffer.from(chunk)
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.size += bytes.length;
    if (this.size >= this.limit) {
      await this.flush();
      return;
    }
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.draining = this.flush().finally(() => {
        this.draining = undefined;
      });
    });
  }

  /** Writes what was gathered (waiting for the output to drain when it is full). */
  async flush(): Promise<void> {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.size === 0) return;
    const batch = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    await writeWithBackpressure(this.out, batch, this.signal);
  }
}

export interface StreamNodesOptions {
  /** The command's cancellation; once it fires, streams end without counting as failures. */
  readonly signal: AbortSignal;
}

/** How a node's stream ended: the server completed it, it failed, or the command was cancelled. */
export type StreamEnd = "completed" | "failed" | "canceled";

/**
 * Opens `open(node)` for every node at once and feeds each message to `onMessage` in order;
 * `onEnd` runs when a node's stream is over, however it ended (so partial lines can be
 * flushed). Returns one result per node in completion order.
 */
export async function streamNodes<T>(
  nodes: readonly string[],
  open: (node: string) => AsyncIterable<T>,
  onMessage: (node: string, message: T) => void | Promise<void>,
  options: StreamNodesOptions & {
    readonly onEnd?: (node: string, end: StreamEnd) => void | Promise<void>;
    /** Runs as each node's stream is over, with its result (a failure as it happens). */
    readonly onResult?: (result: NodeResult<void>) => void | Promise<void>;
  },
): Promise<NodeResult<void>[]> {
  const { signal } = options;
  return fanOut(
    nodes,
    async (node) => {
      let end: StreamEnd = "completed";
      try {
        for await (const message of open(node)) {
          await onMessage(node, message);
          if (signal.aborted) break;
        }
        if (signal.aborted) end = "canceled";
      } catch (err) {
        if (!signal.aborted) {
          end = "failed";
          throw toRpcError(err);
        }
        end = "canceled";
      } finally {
        await options.onEnd?.(node, end);
      }
    },
    // Every stream runs at once: a follower must never wait for another node's stream to end.
    { concurrency: Math.max(1, nodes.length), ...(options.onResult ? { onResult: options.onResult } : {}) },
  );
}

const NEWLINE = 0x0a;

/** A line longer than this is printed in pieces, so memory stays bounded whatever a node sends. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into lines without ever splitting one: bytes up to the last newline
 * come back at once (as one buffer holding the lines, each with its prefix), the rest waits
 * for the next chunk. Works on bytes, so a multi-byte character cut across chunks stays whole.
 */
export class LineBuffer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly prefix: Buffer = Buffer.alloc(0)) {}

  /** Prefixed complete lines in `chunk` (with what was pending), or undefined when none. */
  push(chunk: Uint8Array): Buffer | undefined {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let last = bytes.lastIndexOf(NEWLINE);
    if (last < 0) {
      if (bytes.length > 0) {
        this.pending.push(bytes);
        this.pendingBytes += bytes.length;
      }
      return this.pendingBytes > MAX_LINE_BYTES ? this.flush() : undefined;
    }
    const parts: Buffer[] = [];
    let start = 0;
    let nl = bytes.indexOf(NEWLINE);
    // The first line joins what was pending from earlier chunks.
    parts.push(this.prefix, ...this.pending, bytes.subarray(0, nl + 1));
    this.pending = [];
    this.pendingBytes = 0;
    start = nl + 1;
    while (start <= last) {
      nl = bytes.indexOf(NEWLINE, start);
      parts.push(this.prefix, bytes.subarray(start, nl + 1));
      start = nl + 1;
    }
    last += 1;
    if (last < bytes.length) {
      const rest = bytes.subarray(last);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    if (this.pendingBytes > MAX_LINE_BYTES) parts.push(this.flush()!);
    return Buffer.concat(parts);
  }

  /** The trailing partial line (prefixed, newline added), or undefined when there is none. */
  flush(): Buffer | undefined {
    if (this.pendingBytes === 0) return undefined;
    const out = Buffer.concat([this.prefix, ...this.pending, Buffer.from("\n")]);
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }

  /** Complete lines of `chunk` as strings (no prefix, no newline), for structured output. */
  static lines(buffer: Buffer): string[] {
    const text = buffer.toString("utf8");
    const lines = text.split("\n");
    lines.pop();
    return lines;
  }
}
