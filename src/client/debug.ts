// talosctl debug: a debug container over DebugService.ContainerRun (siderolabs/talos:
// cmd/talosctl/cmd/talos/debug.go). The spec goes first; then stdin bytes, terminal sizes and
// forwarded signals go in while the container's output comes out, until it reports its exit code.
import { create } from "@bufbuild/protobuf";
import {
  DebugContainerRunRequestSchema,
  DebugContainerRunRequestSpec_Profile,
  DebugService,
} from "../gen/machine/debug_pb.js";
import type { NodeClient } from "./client.js";
import type { ContainerdInstanceInit } from "./images.js";

/** What goes to the container after its spec. */
export type DebugInput =
  | { readonly kind: "stdin"; readonly data: Uint8Array }
  | { readonly kind: "signal"; readonly signal: number }
  | { readonly kind: "resize"; readonly width: number; readonly height: number };

/** Messages waiting to be sent: pushed by stdin and signal handlers, ended when stdin closes. */
export class DebugInputQueue implements AsyncIterable<DebugInput> {
  private readonly items: DebugInput[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(input: DebugInput): void {
    if (this.ended) return;
    this.items.push(input);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<DebugInput> {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

export interface DebugRunOptions {
  readonly instance: ContainerdInstanceInit;
  readonly image: string;
  readonly args: readonly string[];
  readonly tty: boolean;
  readonly profile?: DebugContainerRunRequestSpec_Profile;
  readonly input: AsyncIterable<DebugInput>;
  readonly onOutput: (data: Uint8Array) => void;
  readonly signal?: AbortSignal;
}

/** Runs the container to its end: its exit code, or -1 when the node closed without one. */
export async function runDebugContainer(node: NodeClient, o: DebugRunOptions): Promise<number> {
  async function* requests() {
    yield create(DebugContainerRunRequestSchema, {
      request: {
        case: "spec",
        value: {
          containerd: o.instance,
          imageName: o.image,
          args: [...o.args],
          profile: o.profile ?? DebugContainerRunRequestSpec_Profile.PRIVILEGED,
          tty: o.tty,
        },
      },
    });
    const inputs = o.input[Symbol.asyncIterator]();
    for (;;) {
      // The input may never end (a terminal): the container's end stops reading it.
      const next = await Promise.race([inputs.next(), finished]);
      if (next.done) break;
      const input = next.value;
      switch (input.kind) {
        case "stdin":
          yield create(DebugContainerRunRequestSchema, { request: { case: "stdinData", value: input.data } });
          break;
        case "signal":
          yield create(DebugContainerRunRequestSchema, { request: { case: "signal", value: input.signal } });
          break;
        case "resize":
          yield create(DebugContainerRunRequestSchema, {
            request: { case: "termResize", value: { width: input.width, height: input.height } },
          });
          break;
      }
    }
  }
  let finish!: (r: IteratorReturnResult<undefined>) => void;
  const finished = new Promise<IteratorReturnResult<undefined>>((resolve) => {
    finish = resolve;
  });
  const replies = node
    .service(DebugService)
    .containerRun(requests(), o.signal === undefined ? {} : { signal: o.signal });
  try {
    for await (const reply of replies) {
      if (reply.resp.case === "stdoutData") o.onOutput(reply.resp.value);
      else if (reply.resp.case === "exitCode") {
        // Ends the requests before the call is closed (closing waits for them).
        finish({ done: true, value: undefined });
        return reply.resp.value;
      }
    }
    return -1;
  } finally {
    finish({ done: true, value: undefined });
  }
}
